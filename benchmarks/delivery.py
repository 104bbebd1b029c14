"""How fast a staff reply reaches the resident while the staff group is busy.

20 residents (``--tickets``) hand their conversation to staff at once; the conversations are
set up first (without the rate limiter, to save time), then the bot is started again with
python-telegram-bot's ``AIORateLimiter`` on, as in production. In every round each resident
writes two messages (relayed into the staff group, whose per-minute limit makes it a busy,
slow chat) and a member of staff answers in every ticket's topic at the same moment. Latency
is from the staff message entering the emulator to the relay arriving in the resident's chat.
The bot and the emulator share this process (a conservative setting: the emulator's work
counts against the bot).

    python benchmarks/delivery.py [--tickets 20] [--rounds 5] [--database-url URL]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import select  # noqa: E402

from bot.config import Settings, load_settings  # noqa: E402
from bot.storage.models import Ticket  # noqa: E402
from handlers.local import running_bot  # noqa: E402
from handlers.services import Services  # noqa: E402
from tgemulator import BotApiEmulator  # noqa: E402

STAFF_CHAT = -1007770001


def settings_for(database_url: str, rate_limit: bool) -> Settings:
    base = load_settings(ROOT / "config.yaml", environ={})
    telegram = base.telegram.model_copy(
        update={"staff_chat_id": STAFF_CHAT, "rate_limit": rate_limit}
    )
    return base.model_copy(update={"telegram": telegram, "database_url": database_url})


async def open_tickets(emu: BotApiEmulator, services: Services, users: list[Any]) -> None:
    """Every resident asks for a person and agrees; wait until every ticket has its topic."""
    agree = services.texts.get("de", "desk.consent_yes")

    async def one(user: Any) -> None:
        await user.send_command("human")
        consent = await emu.wait_for_bot_message(
            user.chat_id, lambda m: agree in m.button_labels, timeout=60
        )
        await user.press_button(agree, message=consent)

    await asyncio.gather(*(one(u) for u in users))

    def topics_ready() -> bool:
        with services.db.session() as session:
            threads = session.scalars(select(Ticket.thread_id)).all()
        return len(threads) == len(users) and all(threads)

    await emu.world.wait_until(topics_ready, 120)


def threads_by_chat(services: Services) -> dict[int, int]:
    from bot.storage.models import User

    with services.db.session() as session:
        rows = session.execute(select(User.chat_id, Ticket.thread_id).join(Ticket))
        return {int(chat): int(thread) for chat, thread in rows}


async def measure(
    emu: BotApiEmulator, staff: Any, group: Any, users: list[Any], threads: dict[int, int],
    rounds: int,
) -> list[float]:  # fmt: skip
    latencies: list[float] = []

    async def ticket(index: int, user: Any) -> None:
        for round_ in range(rounds):
            for n in range(2):  # the resident keeps the staff group busy
                await user.send_text(f"Noch eine Frage {round_}.{n} von {index}")
            marker = f"Antwort {round_}/{index}"
            sent = time.perf_counter()
            await staff.send_text(f"{marker}: bitte bringen Sie den Pass mit.", chat=group,
                                  thread_id=threads[user.chat_id])  # fmt: skip
            await emu.wait_for_bot_message(user.chat_id, lambda m: marker in m.text, timeout=300)
            latencies.append(time.perf_counter() - sent)
            await asyncio.sleep(1.0)

    await asyncio.gather(*(ticket(i, u) for i, u in enumerate(users)))
    return latencies


async def run(tickets: int, rounds: int, database_url: str) -> list[float]:
    async with BotApiEmulator() as emu:
        staff = emu.user(900, "Anna", language_code="de")
        group = emu.group("Team", chat_id=STAFF_CHAT, forum=True, members={staff: "administrator"})
        users = [emu.user(20_000 + i, f"R{i}", language_code="de") for i in range(tickets)]
        setup = settings_for(database_url, rate_limit=False)
        services = Services.create(setup)
        async with running_bot(setup, emu, services):
            await open_tickets(emu, services, users)
        threads = threads_by_chat(services)
        production = settings_for(database_url, rate_limit=True)
        services = Services.create(production, engine=services.engine)
        async with running_bot(production, emu, services):
            return await measure(emu, staff, group, users, threads, rounds)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tickets", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--database-url", default=None, help="default: a temporary SQLite file")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite:///{tmp}/delivery.db"
        started = time.perf_counter()
        latencies = asyncio.run(run(args.tickets, args.rounds, url))
    print(f"staff reply -> resident, {args.tickets} tickets x {args.rounds} rounds, rate limiter on,"
          f" staff group busy ({len(latencies)} replies, {time.perf_counter() - started:.0f} s)")  # fmt: skip
    print(f"  p50 {statistics.median(latencies):.2f} s   p99 {percentile(latencies, 0.99):.2f} s"
          f"   max {max(latencies):.2f} s")  # fmt: skip


if __name__ == "__main__":
    main()
