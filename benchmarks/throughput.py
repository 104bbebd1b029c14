"""Messages per second through the local Bot API emulator: the full bot next to an echo bot.

The emulator and the simulated residents run in a separate load-generator process (as Telegram
would be); the bot runs in this process, in polling mode, without the rate limiter (Telegram
allows a bot about 30 messages per second; this measures headroom). Both bots get the same
messages, questions from the development set; latency is from a resident sending a message
to the bot's first reply.

    python benchmarks/throughput.py [--messages 2000] [--users 50] [--database-url URL]
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import json
import socket
import statistics
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from telegram import Update  # noqa: E402
from telegram.ext import Application, ApplicationBuilder, MessageHandler, filters  # noqa: E402

from bot.config import load_settings  # noqa: E402
from bot.evaluation import read_eval_files  # noqa: E402
from tgemulator import BotApiEmulator  # noqa: E402


# -- the load generator (child process) ---------------------------------------------------


async def generate_load(port: int, messages: int, users: int) -> dict[str, object]:
    items = read_eval_files(sorted((ROOT / "tests" / "eval").glob("*.yaml")))
    languages = sorted({i.lang or "de" for i in items})
    by_language = {lang: [i.q for i in items if i.lang == lang] for lang in languages}
    async with BotApiEmulator(port=port) as emu:
        await emu.wait_for_call("getUpdates", timeout=120)
        # Each resident writes in one language, set as their Telegram language.
        people = [
            emu.user(10_000 + i, f"U{i}", language_code=languages[i % len(languages)])
            for i in range(users)
        ]
        latencies: list[float] = []
        with_buttons = 0  # answers, choices and "none" carry buttons; error apologies do not
        per_user = messages // users

        async def resident(index: int) -> None:
            user = people[index]
            questions = by_language[user.info.language_code or "de"]
            for k in range(per_user):
                sent = time.perf_counter()
                await user.send_text(questions[(index * per_user + k) % len(questions)])
                reply = await emu.wait_for_bot_message(user.chat_id, timeout=60)
                latencies.append((time.perf_counter() - sent) * 1000)
                nonlocal with_buttons
                with_buttons += bool(reply.data.get("reply_markup"))
                emu.skip_bot_messages(user.chat_id)

        started = time.perf_counter()
        await asyncio.gather(*(resident(i) for i in range(users)))
        return {
            "seconds": time.perf_counter() - started,
            "latencies": latencies,
            "with_buttons": with_buttons,
        }


# -- the bots (this process) --------------------------------------------------------------


async def echo(update: Update, _context: object) -> None:
    await update.effective_message.reply_text(update.effective_message.text or "")  # type: ignore[union-attr]


@asynccontextmanager
async def echo_bot(base_url: str) -> AsyncIterator[None]:
    app = ApplicationBuilder().token("1:echo").base_url(base_url).build()
    app.add_handler(MessageHandler(filters.TEXT, echo))
    async with polling(app):
        yield


@asynccontextmanager
async def full_bot(base_url: str, database_url: str | None) -> AsyncIterator[None]:
    from handlers.app import build_application
    from handlers.services import Services

    base = load_settings(ROOT / "config.yaml", environ={})
    with tempfile.TemporaryDirectory() as tmp:
        telegram = base.telegram.model_copy(
            update={"rate_limit": False, "token": "1:full", "base_url": base_url}
        )
        settings = base.model_copy(
            update={"telegram": telegram, "database_url": database_url or f"sqlite:///{tmp}/b.db"}
        )
        services = Services.create(settings)
        services.engine.detector.warm_up()
        app = build_application(settings, services)
        async with polling(app):
            yield
        services.db.dispose()


@asynccontextmanager
async def polling(app: Application) -> AsyncIterator[None]:  # type: ignore[type-arg]
    async with app:
        await app.start()
        await app.updater.start_polling(poll_interval=0, timeout=1)  # type: ignore[union-attr]
        try:
            yield
        finally:
            await app.updater.stop()  # type: ignore[union-attr]
            await app.stop()


async def measure(
    bot: Callable[[str], AbstractAsyncContextManager[None]], messages: int, users: int
) -> dict[str, object]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    child = await asyncio.create_subprocess_exec(
        sys.executable, __file__, "--load-generator", str(port), str(messages), str(users),
        stdout=asyncio.subprocess.PIPE,
    )  # fmt: skip
    await asyncio.sleep(1.0)  # the emulator starts listening
    async with bot(f"http://127.0.0.1:{port}/bot"):
        output, _ = await child.communicate()
    return json.loads(output.decode().strip().splitlines()[-1])  # type: ignore[no-any-return]


def report(name: str, result: dict[str, object]) -> float:
    latencies = sorted(result["latencies"])  # type: ignore[call-overload]
    rate = len(latencies) / float(result["seconds"])  # type: ignore[arg-type]
    p99 = latencies[int(0.99 * (len(latencies) - 1))]
    print(
        f"{name:<9} {len(latencies):>6} msgs  {rate:7.1f} msg/s"
        f"  p50 {statistics.median(latencies):6.1f} ms  p99 {p99:6.1f} ms"
        f"  replies with buttons {result['with_buttons']}"
    )
    return rate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--database-url", default=None, help="default: a temporary SQLite file")
    parser.add_argument("--full-only", action="store_true", help="skip the echo bot")
    parser.add_argument("--profile", metavar="FILE", help="cProfile the full bot into FILE")
    parser.add_argument("--load-generator", nargs=3, type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.load_generator:
        print(json.dumps(asyncio.run(generate_load(*args.load_generator))))
        return
    print(f"{args.messages} messages from {args.users} residents; emulator in its own process")
    echo_rate = None
    if not args.full_only:
        echo_rate = report("echo bot", asyncio.run(measure(echo_bot, args.messages, args.users)))

    def full(url: str) -> AbstractAsyncContextManager[None]:
        return full_bot(url, args.database_url)

    profiler = cProfile.Profile() if args.profile else None
    if profiler is not None:
        profiler.enable()
    bot_rate = report("full bot", asyncio.run(measure(full, args.messages, args.users)))
    if profiler is not None:
        profiler.disable()
        profiler.dump_stats(args.profile)
    if echo_rate:
        print(f"full bot / echo bot: {bot_rate / echo_rate:.2f}")


if __name__ == "__main__":
    main()
