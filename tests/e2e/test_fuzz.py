"""Fuzzing the message path: random updates of every kind the emulator makes, against the real
application, with a fixed budget (about a minute).

Texts mix random unicode with NUL, lone surrogates, direction marks, HTML-like fragments and
huge lengths; button data is random or shaped like the bot's own with impossible values. After
each example the same resident asks a normal question, which must be answered; no handler may
fail (the resident would see the apology) and Telegram must never refuse a message the bot sends.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.config import Settings
from handlers.local import running_bot
from handlers.services import Services
from tgemulator import BotApiEmulator
from tgemulator.driver import RecordedMessage, SimChat, SimUser

pytestmark = pytest.mark.database
STAFF_CHAT = -1008880001
QUESTION = "How do I apply for WIR2.0 funding?"
SENT_BY_BOT = ("sendMessage", "editMessageText", "sendDocument", "copyMessage", "sendPhoto")
TOLERATED = ("message is not modified",)  # the bot asks for an edit that changes nothing

odd = st.sampled_from([
    "\x00", "\ud800", "\udfff", "\ud83d", "\u200f", "\u202e", "\u200b", "\ufeff", "\r\n",
    "\x1b[31m", "&amp;", "<b>", "</i>", "<a href='x'>", "&#0;", "/start", "//", "／／", "😀",
    "مرحبا", "Привет",
])  # fmt: skip
pieces = st.one_of(st.text(max_size=40), odd)
phrases = st.sampled_from([
    "Wie beantrage ich Fördergeld", "How do I get a residence permit", "Einbürgerung Test",
    "Kleinprojekt Verein", "كيف أحصل على الجنسية", "Як отримати дозвіл", "Meine Telefonnummer",
])  # fmt: skip
texts = st.one_of(
    st.tuples(phrases, odd, st.text(max_size=20), odd).map("".join),
    st.lists(pieces, min_size=1, max_size=6).map("".join),
    st.tuples(odd, st.integers(4000, 12000)).map(lambda pair: pair[0] * (pair[1] // len(pair[0]))),
).filter(lambda text: text.strip() != "")
forged_data = st.one_of(
    st.text(max_size=64),
    st.tuples(
        st.sampled_from(
            [
                "rt:1:",
                "is:",
                "sq:1:1:",
                "sd:1:1:",
                "hr:1:",
                "fb:",
                "e:",
                "l:",
                "ik:",
                "ix:",
                "pa:",
                "hc:",
                "rs:",
            ]
        ),
        st.one_of(st.text(max_size=30), st.sampled_from(["9999-12-31T23:59:00Z", "1", "0", "de"])),
    ).map("".join),
    st.sampled_from(["ia", "hu", "hc:1", "tl", "tn", "kp", "nn", "io", "ie", "iy:1"]),
)
kinds = st.one_of(
    st.tuples(st.just("text"), texts),
    st.tuples(st.just("text"), st.tuples(phrases, odd, phrases).map("".join)),  # stored as asked
    st.tuples(
        st.just("command"),
        st.sampled_from(
            [
                "start",
                "help",
                "topics",
                "privacy",
                "language",
                "myrequests",
                "cancel",
                "end",
                "visa?",
                "kb",
                "appointment",
                "human",
            ]
        ),
        pieces,
    ),
    st.tuples(st.just("photo"), st.one_of(st.none(), texts.map(lambda t: t[:1024]))),
    st.tuples(st.just("document"), pieces, st.one_of(st.none(), pieces)),
    st.tuples(st.just("voice")),
    st.tuples(st.just("sticker"), st.sampled_from(["👍", "😀", "\u200f"])),
    st.tuples(st.just("location"), st.floats(-90, 90), st.floats(-180, 180)),
    st.tuples(st.just("contact"), pieces, pieces),
    st.tuples(st.just("edit"), texts),
    st.tuples(st.just("press"), forged_data),
    st.tuples(st.just("tap"), st.integers(0, 9)),  # a button the bot shows (forms, menus)
)


@dataclass(repr=False)  # a failing example prints the actions, not the whole bot
class Fuzz:
    emu: BotApiEmulator
    services: Services
    resident: SimUser
    staff: SimUser
    group: SimChat
    last: list[RecordedMessage] = field(default_factory=list)


@pytest.fixture
async def fuzz(bot_settings: Settings, engine) -> AsyncIterator[Fuzz]:  # type: ignore[no-untyped-def]
    telegram = bot_settings.telegram.model_copy(update={"staff_chat_id": STAFF_CHAT})
    services = Services.create(bot_settings.model_copy(update={"telegram": telegram}), engine)
    async with BotApiEmulator() as emu:
        staff = emu.user(990, "Anna", language_code="de")
        group = emu.group("Team", chat_id=STAFF_CHAT, forum=True, members={staff: "administrator"})
        resident = emu.user(991, "Fuzz\u200f", language_code="en")
        async with running_bot(services.settings, emu, services):
            await resident.send_command("start")
            await emu.wait_for_bot_message(resident.chat_id)
            yield Fuzz(emu, services, resident, staff, group)
    services.db.dispose()


async def perform(f: Fuzz, action: tuple[Any, ...]) -> None:
    user, kind = f.resident, action[0]
    if kind == "text":
        f.last.append(await user.send_text(action[1]))
    elif kind == "command":
        await user.send_text(f"/{action[1]} {action[2]}".strip() or "/start")
    elif kind == "photo":
        await user.send_photo(caption=action[1])
    elif kind == "document":
        await user.send_document(b"data", file_name=action[1] or "x", caption=action[2])
    elif kind == "voice":
        await user.send_voice()
    elif kind == "sticker":
        await user.send_sticker(emoji=action[1])
    elif kind == "location":
        await user.send_location(action[1], action[2])
    elif kind == "contact":
        await user.send({"contact": {"phone_number": action[1], "first_name": action[2] or "x"}})
    elif kind == "edit" and f.last:
        await user.edit_message(f.last[-1], action[1])
    elif kind == "press":
        shown = f.emu.bot_messages(user.chat_id)
        if shown:
            await user.press_button(data=action[1], message=shown[-1])
    elif kind == "tap":
        with_buttons = [m for m in f.emu.bot_messages(user.chat_id) if m.buttons]
        if with_buttons:
            buttons = [b for row in with_buttons[-1].buttons for b in row if "callback_data" in b]
            if buttons:
                data = buttons[action[1] % len(buttons)]["callback_data"]
                await user.press_button(data=data, message=with_buttons[-1])


async def still_answers(f: Fuzz) -> None:
    """Leave any form or conversation with staff, then ask a normal question."""
    emu, user = f.emu, f.resident
    for command in ("cancel", "end"):
        await user.send_command(command)
        await emu.wait_for_bot_message(user.chat_id, timeout=15)
    emu.skip_bot_messages(user.chat_id)
    await user.send_text(QUESTION)
    title = f.services.engine.knowledge.get("funding-apply").text  # type: ignore[union-attr]
    titles = {title(lang).title for lang in ("en", "de")}  # a random text may switch language
    await emu.wait_for_bot_message(
        user.chat_id, lambda m: any((m.text or "").startswith(t) for t in titles), timeout=15
    )


def check_everything_sent_was_valid(f: Fuzz) -> None:
    refused = [
        (call.method, call.error)
        for call in f.emu.calls
        if call.method in SENT_BY_BOT and call.ok is False
        and not any(reason in (call.error or "") for reason in TOLERATED)
    ]  # fmt: skip
    assert refused == []
    apology = {f.services.texts.get(lang, "error") for lang in ("en", "de", "ar", "fa", "ru")}
    shown = [m.text for m in f.emu.bot_messages(f.resident.chat_id)]
    assert not apology & set(shown), "a handler failed"
    assert all(m.text or m.media_kind for m in f.emu.bot_messages(f.resident.chat_id))


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    derandomize=True,  # the same examples in every run: CI stays reproducible
)
@given(actions=st.lists(kinds, min_size=1, max_size=10))
async def test_random_updates_never_break_the_bot(fuzz: Fuzz, actions: list[Any]) -> None:
    for action in actions:
        await perform(fuzz, action)
    await still_answers(fuzz)
    check_everything_sent_was_valid(fuzz)
