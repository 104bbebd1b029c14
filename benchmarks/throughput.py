"""Messages per second through the local Bot API emulator: the full bot next to an echo bot.

Both run in polling mode against the same emulator in the same run, without the rate limiter
(Telegram's own limit is about 30 messages per second per bot; this measures headroom).
Residents send real questions from the development set; latency is from sending to the bot's
first reply.

    python benchmarks/throughput.py [--messages 1000] [--users 50]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from telegram import Update  # noqa: E402
from telegram.ext import ApplicationBuilder, MessageHandler, filters  # noqa: E402

from bot.config import load_settings  # noqa: E402
from bot.evaluation import read_eval_files  # noqa: E402
from handlers.local import running_bot  # noqa: E402
from handlers.services import Services  # noqa: E402
from tgemulator import BotApiEmulator  # noqa: E402


async def echo(update: Update, _context) -> None:  # type: ignore[no-untyped-def]
    await update.effective_message.reply_text(update.effective_message.text)  # type: ignore[union-attr]


async def drive(emu: BotApiEmulator, questions: list[str], users: int) -> tuple[float, list[float]]:
    people = [emu.user(10_000 + i, f"U{i}", language_code="de") for i in range(users)]
    latencies: list[float] = []
    per_user = len(questions) // users

    async def one(index: int) -> None:
        user = people[index]
        for k in range(per_user):
            sent = time.perf_counter()
            await user.send_text(questions[(index * per_user + k) % len(questions)])
            await emu.wait_for_bot_message(user.chat_id, timeout=60)
            latencies.append((time.perf_counter() - sent) * 1000)
            await asyncio.sleep(0)

    started = time.perf_counter()
    await asyncio.gather(*(one(i) for i in range(users)))
    return time.perf_counter() - started, latencies


async def measure_echo(questions: list[str], users: int) -> tuple[float, list[float]]:
    async with BotApiEmulator() as emu:
        app = (
            ApplicationBuilder()
            .token("1:echo")
            .base_url(emu.base_url)
            .base_file_url(emu.base_file_url)
            .build()
        )
        app.add_handler(MessageHandler(filters.TEXT, echo))
        async with app:
            await app.start()
            await app.updater.start_polling(poll_interval=0, timeout=1)  # type: ignore[union-attr]
            try:
                return await drive(emu, questions, users)
            finally:
                await app.updater.stop()  # type: ignore[union-attr]
                await app.stop()


async def measure_bot(
    questions: list[str], users: int, database_url: str | None
) -> tuple[float, list[float]]:
    base = load_settings(ROOT / "config.yaml", environ={})
    with tempfile.TemporaryDirectory() as tmp:
        telegram = base.telegram.model_copy(update={"rate_limit": False})
        settings = base.model_copy(
            update={
                "telegram": telegram,
                "database_url": database_url or f"sqlite:///{tmp}/bench.db",
            }
        )
        services = Services.create(settings)
        services.engine.detector.warm_up()
        async with BotApiEmulator() as emu, running_bot(settings, emu, services):
            result = await drive(emu, questions, users)
        services.db.dispose()
        return result


def report(name: str, seconds: float, latencies: list[float]) -> float:
    rate = len(latencies) / seconds
    ordered = sorted(latencies)
    p99 = ordered[int(0.99 * (len(ordered) - 1))]
    print(
        f"{name:<10} {len(latencies):>6} msgs  {rate:7.1f} msg/s  p50 {statistics.median(ordered):6.1f} ms  p99 {p99:6.1f} ms"
    )
    return rate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--messages", type=int, default=1000)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--database-url", default=None, help="default: a temporary SQLite file")
    args = parser.parse_args()
    items = read_eval_files(sorted((ROOT / "tests" / "eval").glob("*.yaml")))
    questions = [i.q for i in items][: args.messages] * (1 + args.messages // max(1, len(items)))
    questions = questions[: args.messages]
    echo_rate = report("echo bot", *asyncio.run(measure_echo(questions, args.users)))
    bot_rate = report(
        "full bot", *asyncio.run(measure_bot(questions, args.users, args.database_url))
    )
    print(f"full bot / echo bot: {bot_rate / echo_rate:.2f}")


if __name__ == "__main__":
    main()
