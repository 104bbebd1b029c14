"""Fault injection: over a thousand messages from 30 residents while the Bot API fails at random
(429, 5xx, stalls past the read timeout, connection resets) and the bot is killed with SIGKILL
every ~200 messages. Nothing may be lost in either direction, nothing shown twice, the order
within each chat and ticket kept, and nothing left stuck in the inbox or the outbox.

The bot runs as its own process (``consult-bot run``, polling the emulator), as in production;
the emulator and the people run here.
"""

from __future__ import annotations

import asyncio
import os
import re
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import func, select

from bot.config import Settings
from bot.storage import Database
from bot.storage.models import InboxUpdate, OutboxMessage, Ticket, User
from tgemulator import BotApiEmulator

pytestmark = pytest.mark.database
ROOT = Path(__file__).resolve().parent.parent.parent
STAFF_CHAT = -1004440001
TOKEN = "100000:fault-suite"
TICKET_RESIDENTS, QUESTION_RESIDENTS = 24, 6
FROM_RESIDENT, FROM_STAFF, QUESTIONS = 30, 10, 10  # messages per resident / ticket / asker
KILL_EVERY = 200
QUESTION = "Wie beantrage ich Fördergeld für ein Kleinprojekt?"
FAULT_RATE = 0.06
READ_TIMEOUT = 1.0


class BotProcess:
    """``consult-bot run`` against the emulator; ``kill`` is SIGKILL, no shutdown at all."""

    def __init__(self, config: Path, emu: BotApiEmulator, log: Path) -> None:
        self.config, self.emu, self.log = config, emu, log
        self.process: subprocess.Popen[bytes] | None = None
        self.starts = 0

    def start(self) -> None:
        env = {
            **os.environ, "TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_BASE_URL": self.emu.base_url,
            "TELEGRAM_BASE_FILE_URL": self.emu.base_file_url, "NO_PROXY": "127.0.0.1,localhost",
        }  # fmt: skip
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "bot.cli", "--config", str(self.config), "run"],
                env=env, stdout=out, stderr=subprocess.STDOUT, cwd=ROOT,
            )  # fmt: skip
        self.starts += 1

    def kill(self) -> None:
        if self.process is not None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(10)
            self.process = None

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None


def write_config(tmp_path: Path, database_url: str) -> Path:
    config = yaml.safe_load((ROOT / "config.yaml").read_text())
    config["knowledge_dir"] = str(ROOT / "knowledge")
    config["data_dir"] = str(ROOT / "data")  # shares the built index cache
    config["database_url"] = database_url
    config.setdefault("telegram", {}).update(
        {"staff_chat_id": STAFF_CHAT, "rate_limit": False, "read_timeout": READ_TIMEOUT}
    )
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump(config, allow_unicode=True))
    return path


@pytest.fixture
async def world(bot_settings: Settings, tmp_path: Path) -> AsyncIterator[tuple[Any, ...]]:
    url = bot_settings.effective_database_url
    Database(url).migrate()  # before the first start, so this process can read along
    db = Database(url)
    async with BotApiEmulator() as emu:
        bot = BotProcess(write_config(tmp_path, url), emu, tmp_path / "bot.log")
        try:
            yield emu, db, bot
        finally:
            bot.kill()
            db.dispose()


async def hand_over(emu: BotApiEmulator, user: Any) -> None:
    agree = "✅ Ja, bitte verbinden"
    await user.send_command("human")
    consent = await emu.wait_for_bot_message(
        user.chat_id, lambda m: agree in m.button_labels, timeout=60
    )
    await user.press_button(agree, message=consent)


def threads(db: Database) -> dict[int, int]:
    with db.session() as session:
        rows = session.execute(select(User.chat_id, Ticket.thread_id).join(Ticket))
        return {int(chat): int(thread) for chat, thread in rows if thread}


def numbers(texts: list[str], pattern: str) -> list[int]:
    return [int(m.group(1)) for text in texts for m in re.finditer(pattern, text)]


def processed(db: Database) -> int:
    with db.session() as session:
        query = select(func.count(InboxUpdate.id)).where(InboxUpdate.processed_at.is_not(None))
        return int(session.scalar(query) or 0)


def stuck(db: Database) -> dict[str, int]:
    with db.session() as session:
        return {
            "outbox unsent": session.scalar(
                select(func.count(OutboxMessage.id)).where(OutboxMessage.sent_at.is_(None))
            ) or 0,
            "outbox failed": session.scalar(
                select(func.count(OutboxMessage.id)).where(OutboxMessage.failed_at.is_not(None))
            ) or 0,
            "inbox open": session.scalar(
                select(func.count(InboxUpdate.id)).where(InboxUpdate.processed_at.is_(None))
            ) or 0,
        }  # fmt: skip


async def test_nothing_lost_twice_or_out_of_order_under_faults_and_kills(
    world: tuple[Any, ...],
) -> None:
    emu, db, bot = world
    started = time.monotonic()
    staff = emu.user(900, "Anna", language_code="de")
    group = emu.group("Team", chat_id=STAFF_CHAT, forum=True, members={staff: "administrator"})
    holders = [emu.user(30_000 + i, f"T{i}", language_code="de") for i in range(TICKET_RESIDENTS)]
    askers = [emu.user(31_000 + i, f"Q{i}", language_code="de") for i in range(QUESTION_RESIDENTS)]
    bot.start()
    await asyncio.gather(*(hand_over(emu, u) for u in holders))
    try:
        await emu.world.wait_until(lambda: len(threads(db)) == TICKET_RESIDENTS or None, 90)
    except TimeoutError:
        raise AssertionError(f"tickets not opened: {len(threads(db))}") from None
    topic = threads(db)
    for user in (*holders, *askers):
        emu.skip_bot_messages(user.chat_id)
    answers_before = {u.chat_id: len(emu.bot_messages(u.chat_id)) for u in askers}

    # The traffic: every resident's next message, the staff's replies in between, shuffled
    # deterministically; the bot is killed every KILL_EVERY messages and started again.
    plan: list[tuple[str, int, int]] = []
    for k in range(FROM_RESIDENT):
        plan += [("resident", i, k) for i in range(TICKET_RESIDENTS)]
        if k % 3 == 2 and k // 3 < FROM_STAFF:
            plan += [("staff", i, k // 3) for i in range(TICKET_RESIDENTS)]
        if k < QUESTIONS:
            plan += [("question", i, k) for i in range(QUESTION_RESIDENTS)]
    emu.chaos(FAULT_RATE, seed=11, stall=READ_TIMEOUT + 1.5, spared=("getMe",))
    before, kills, total = processed(db), 0, len(plan)
    for start in range(0, total, KILL_EVERY):
        for who, i, k in plan[start : start + KILL_EVERY]:
            if who == "resident":
                await holders[i].send_text(f"Frage T{i}-{k}#")
            elif who == "staff":
                thread = topic[holders[i].chat_id]
                await staff.send_text(f"Antwort S{i}-{k}#", chat=group, thread_id=thread)
            else:
                await askers[i].send_text(QUESTION)
        if start + KILL_EVERY >= total:
            break
        # Pull the plug in the middle of the work: half of this batch is still to do.
        busy = before + start + KILL_EVERY // 2
        await emu.world.wait_until(lambda n=busy: processed(db) >= n or None, 120)  # type: ignore[misc]
        bot.kill()
        kills += 1
        bot.start()
    # Everything is worked off under faults (updates and the outbox); then they stop.
    await emu.world.wait_until(lambda: processed(db) >= before + total or None, 180)
    await emu.world.wait_until(lambda: stuck(db)["outbox unsent"] == 0 or None, 180)
    emu.clear_faults()

    def settled() -> bool:
        return all(v == 0 for v in stuck(db).values()) and emu.pending_updates == 0

    try:
        await emu.world.wait_until(lambda: settled() or None, 120)
    except TimeoutError:
        raise AssertionError(f"not settled: {stuck(db)}, {emu.pending_updates} updates") from None
    await asyncio.sleep(1.0)
    assert bot.alive()

    faults = Counter(f.error_code or "reset" for f in emu.faults)
    problems: list[str] = []
    repeats = 0  # a message shown again right after itself (see below)
    for i, user in enumerate(holders):
        for where, texts, pattern, count in (
            ("staff topic of", emu.bot_messages(STAFF_CHAT, topic[user.chat_id]), rf"T{i}-(\d+)#",
             FROM_RESIDENT),
            ("resident", emu.bot_messages(user.chat_id), rf"S{i}-(\d+)#", FROM_STAFF),
        ):  # fmt: skip
            got = numbers([m.text for m in texts], pattern)
            shown = [n for j, n in enumerate(got) if j == 0 or got[j - 1] != n]
            repeats += len(got) - len(shown)
            if shown != list(range(count)):  # lost, out of order, or shown again later
                problems.append(f"{where} T{i}: {got}")
    for user in askers:
        answers = len(emu.bot_messages(user.chat_id)) - answers_before[user.chat_id]
        repeats += max(0, answers - QUESTIONS)
        if answers < QUESTIONS:
            problems.append(f"asker {user.chat_id}: {answers} answers to {QUESTIONS} questions")
    elapsed = time.monotonic() - started
    print(
        f"\nfault suite: {total} messages from {TICKET_RESIDENTS + QUESTION_RESIDENTS} residents"
        f" and staff, {kills} SIGKILLs, faults {dict(faults)}, {elapsed:.0f} s; lost or out of"
        f" order: {len(problems)}; repeated right after themselves: {repeats}; stuck: {stuck(db)}"
    )
    # The one repeat the Bot API allows no defence against: a message Telegram took in the
    # instant before the process was killed, before the outbox recorded it, is sent again by
    # the next start (Telegram has no idempotency key). At most one per busy lane and kill.
    assert repeats <= kills * (TICKET_RESIDENTS * 2 + QUESTION_RESIDENTS)
    assert problems == [], "\n".join(problems)
    assert total >= 1000 and kills >= 5 and sum(faults.values()) > 50
    assert stuck(db) == {"outbox unsent": 0, "outbox failed": 0, "inbox open": 0}
