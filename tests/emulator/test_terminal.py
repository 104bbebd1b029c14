"""The terminal chat with piped input against the real echo bot."""

from __future__ import annotations

import io
from typing import Any

import pytest
from telegram.ext import Application

from tgemulator import BotApiEmulator, run_terminal_chat
from tgemulator.models import BotEvent, RecordedMessage
from tgemulator.terminal import render_event

App = Application[Any, Any, Any, Any, Any, Any]

SCRIPT = """/start
hello & <you>

1
7
/file
:quit
this line is never sent
"""

EXPECTED = """> /start
bot: Welcome, Tess & friends! (fr)
     [1] Ping
> hello & <you>
bot: Echo: hello & <you>
     [1] Again  [2] Docs (https://example.org/docs)
> 1
* pressed [Again]
(notice: Got again:hello & <you>)
bot (edited): You pressed again:hello & <you>
> 7
bot: Echo: 7
     [1] Again  [2] Docs (https://example.org/docs)
> /file
bot: [file: report.txt, 11 bytes] Your report
"""


@pytest.mark.asyncio
async def test_piped_terminal_transcript(emu: BotApiEmulator, polling_app: App) -> None:
    out = io.StringIO()
    await run_terminal_chat(
        emu, 2001, "Tess", "fr", stdin=io.StringIO(SCRIPT), stdout=out, reply_timeout=3, settle=0.15
    )
    assert out.getvalue() == EXPECTED
    texts = [m.text for m in emu.history(2001) if not m.from_bot]
    assert texts == ["/start", "hello & <you>", "7", "/file"]


@pytest.mark.asyncio
async def test_terminal_without_bot_reply_moves_on(emu: BotApiEmulator) -> None:
    out = io.StringIO()
    await run_terminal_chat(
        emu,
        2002,
        "Quiet",
        stdin=io.StringIO("anyone?\n"),
        stdout=out,
        reply_timeout=0.2,
        settle=0.05,
    )
    assert out.getvalue() == "> anyone?\n"


def test_render_of_deletions_and_alerts() -> None:
    message = RecordedMessage(
        data={"message_id": 1, "date": 0, "chat": {"id": 1}, "text": "gone"}, from_bot=True
    )
    assert render_event(BotEvent("delete", 1, message)) == ["(bot deleted: gone)"]
    alert = BotEvent("callback_answer", 1, answer={"text": "Stop!", "show_alert": True})
    assert render_event(alert) == ["(alert: Stop!)"]
    assert render_event(BotEvent("callback_answer", 1, answer={"text": None})) == []


def test_links_are_shown_with_their_target() -> None:
    from tgemulator.terminal import with_link_targets

    text = "Quelle: Stadt 🌍 Hannover · geprüft"
    entities = [{"type": "text_link", "offset": 8, "length": 17, "url": "https://www.hannover.de"},
                {"type": "bold", "offset": 0, "length": 6}]  # fmt: skip
    assert with_link_targets(text, entities) == (
        "Quelle: Stadt 🌍 Hannover <https://www.hannover.de> · geprüft"
    )


@pytest.mark.asyncio
async def test_a_prompt_shows_where_to_type(emu: BotApiEmulator, polling_app: App) -> None:
    out = io.StringIO()
    await run_terminal_chat(
        emu, 2002, "Tess", "fr", stdin=io.StringIO("/start\n:quit\n"), stdout=out,
        reply_timeout=3, settle=0.15, echo=False, prompt="you> ",
    )  # fmt: skip
    # At a terminal the typed line and its Enter appear between the prompt and the reply.
    assert out.getvalue() == "you> bot: Welcome, Tess & friends! (fr)\n     [1] Ping\nyou> "
