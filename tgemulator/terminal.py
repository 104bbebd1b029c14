"""A terminal chat between a person and the bot, through the emulator.

Lines typed (or piped) become the simulated user's messages; ``/...`` lines are commands.
Bot messages are printed as they arrive, with inline keyboards as numbered choices:
typing the number presses that button on the latest message that has a keyboard.
With a staff group, ``:staff <text>`` posts as a member of staff in the newest ticket's topic,
``:press N`` presses button N of the group's newest message with buttons as that member, and
the bot's messages in that group are printed too. Links show their target (``text <url>``).
Typing at a terminal, a ``you>`` prompt shows where. ``:quit`` or end of input ends the chat.
"""

from __future__ import annotations

import asyncio
import contextlib
import sys
import threading
from typing import TYPE_CHECKING, TextIO

from .models import BotEvent, RecordedMessage

if TYPE_CHECKING:
    from .driver import SimChat, SimUser
    from .emulator import BotApiEmulator

INDENT = "     "


def describe(message: RecordedMessage) -> str:
    """One display text for a message: media summary, then text or caption."""
    data = message.data
    parts: list[str] = []
    if "document" in data:
        doc = data["document"]
        parts.append(f"[file: {doc.get('file_name', 'unnamed')}, {doc.get('file_size', 0)} bytes]")
    elif "photo" in data:
        parts.append(f"[photo: {data['photo'][-1].get('file_size', 0)} bytes]")
    elif "voice" in data:
        parts.append(f"[voice: {data['voice'].get('duration', 0)}s]")
    elif "audio" in data:
        parts.append(f"[audio: {data['audio'].get('title') or data['audio'].get('file_name', '')}]")
    elif "video" in data:
        parts.append(f"[video: {data['video'].get('duration', 0)}s]")
    elif "sticker" in data:
        parts.append(f"[sticker {data['sticker'].get('emoji', '')}]".replace(" ]", "]"))
    elif "location" in data:
        parts.append(f"[location: {data['location']['latitude']}, {data['location']['longitude']}]")
    if message.text:
        parts.append(with_link_targets(message.text, message.entities))
    return " ".join(parts) if parts else "[service message]"


def with_link_targets(text: str, entities: list[dict[str, object]]) -> str:
    """``text`` with each link's target after it: ``hannover.de <https://www.hannover.de>``.
    Entity offsets count UTF-16 code units, as Telegram's do."""
    units = text.encode("utf-16-le")
    ends: dict[int, list[str]] = {}
    for entity in entities:
        url = entity.get("url")
        if entity.get("type") == "text_link" and isinstance(url, str):
            end = int(entity["offset"]) + int(entity["length"])  # type: ignore[call-overload]
            ends.setdefault(end, []).append(url)
    if not ends:
        return text
    pieces, start = [], 0
    for end in sorted(ends):
        pieces.append(units[2 * start : 2 * end].decode("utf-16-le"))
        pieces.append("".join(f" <{url}>" for url in ends[end]))
        start = end
    pieces.append(units[2 * start :].decode("utf-16-le"))
    return "".join(pieces)


def keyboard_lines(message: RecordedMessage) -> list[str]:
    """Inline buttons numbered across rows (``[1] Yes  [2] No``), then any reply keyboard."""
    lines: list[str] = []
    number = 0
    for row in message.buttons:
        labels = []
        for button in row:
            number += 1
            suffix = f" ({button['url']})" if "url" in button else ""
            labels.append(f"[{number}] {button['text']}{suffix}")
        lines.append("  ".join(labels))
    keyboard = message.reply_keyboard or {}
    if keyboard.get("keyboard"):
        labels = [f"[{b.get('text', '')}]" for row in keyboard["keyboard"] for b in row]
        lines.append("keyboard: " + " ".join(labels))
    return lines


def render_event(event: BotEvent) -> list[str]:
    """Display lines for a bot event."""
    if event.kind == "callback_answer":
        answer = event.answer or {}
        if answer.get("text"):
            return [f"({'alert' if answer.get('show_alert') else 'notice'}: {answer['text']})"]
        return []
    message = event.message
    if message is None or message.is_service:
        return []
    if event.kind == "delete":
        return [f"(bot deleted: {describe(message)[:60]})"]
    label = "bot (edited):" if event.kind == "edit" else "bot:"
    text_lines = describe(message).split("\n")
    lines = [f"{label} {text_lines[0]}"] + [INDENT + line for line in text_lines[1:]]
    return lines + [INDENT + line for line in keyboard_lines(message)]


class _Session:
    """State of one terminal chat: printing, activity tracking and input handling."""

    def __init__(
        self,
        emu: BotApiEmulator,
        user: SimUser,
        out: TextIO,
        staff: tuple[SimUser, SimChat] | None = None,
        prompt: str = "",
    ) -> None:
        self.emu = emu
        self.user = user
        self.out = out
        self.staff = staff  # a member of staff and their group, played with ":staff <text>"
        self.activity = 0
        self.changed = asyncio.Event()
        self.prompt = prompt  # shown while waiting for the person to type ("" when piped)
        self.waiting = False
        self.prompt_shown = False

    def show_prompt(self) -> None:
        self.waiting = True
        if self.prompt and not self.prompt_shown:
            self.out.write(self.prompt)
            self.out.flush()
            self.prompt_shown = True

    def typed(self) -> None:
        """The person ended a line (the terminal moved to a new line itself)."""
        self.waiting = self.prompt_shown = False

    def write(self, lines: list[str]) -> None:
        if self.prompt_shown and lines:  # a message arrived while the prompt waits
            self.out.write("\n")
            self.prompt_shown = False
        for line in lines:
            self.out.write(line + "\n")
        self.out.flush()

    async def print_events(self, queue: asyncio.Queue[BotEvent]) -> None:
        while True:
            event = await queue.get()
            if self.staff is not None and event.chat_id == self.staff[1].id:
                lines = render_event(event)
                if lines:
                    lines[0] = lines[0].replace("bot", "staff group: bot", 1)
                self.write(lines)
            elif event.chat_id != self.user.chat_id:
                continue
            else:
                self.write(render_event(event))
            if self.waiting:
                self.show_prompt()
            self.activity += 1
            self.changed.set()
            self.changed = asyncio.Event()

    async def wait_quiet(self, since: int, reply_timeout: float, settle: float) -> None:
        """Wait for the bot's first reaction, then until it is quiet for ``settle`` s."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + reply_timeout
        while self.activity == since and loop.time() < deadline:
            await _wait(self.changed, deadline - loop.time())
        while True:
            seen = self.activity
            await _wait(self.changed, settle)
            if self.activity == seen:
                return

    async def handle(self, line: str) -> None:
        if line.startswith(":press") and self.staff is not None:
            await self.press_as_staff(line[len(":press") :].strip())
            return
        if line.startswith(":staff ") and self.staff is not None:
            member, group = self.staff
            thread = self.latest_topic()
            where = f"topic {thread}" if thread is not None else "the general chat (no ticket yet)"
            self.write([f"* {member.info.first_name} (staff) writes in {where}"])
            await member.send_text(line[len(":staff ") :], chat=group, thread_id=thread)
            return
        if line.isdigit():
            target = self.latest_keyboard()
            buttons = [b for row in target.buttons for b in row] if target else []
            if target is not None and 1 <= int(line) <= len(buttons):
                button = buttons[int(line) - 1]
                if "callback_data" in button:
                    self.write([f"* pressed [{button['text']}]"])
                    await self.user.press_button(data=button["callback_data"], message=target)
                else:
                    self.write([f"* [{button['text']}] opens {button.get('url', '(no action)')}"])
                return
        await self.user.send_text(line)

    async def press_as_staff(self, number: str) -> None:
        """``:press N``: a member of staff presses button N of the staff group's newest
        message with buttons (accept, decline, propose another time, ...)."""
        assert self.staff is not None
        member, group = self.staff
        target = self.latest_keyboard(group.id)
        buttons = [b for row in target.buttons for b in row] if target else []
        if target is None or not number.isdigit() or not 1 <= int(number) <= len(buttons):
            shown = f"1-{len(buttons)}" if buttons else "none shown"
            self.write([f"* :press needs a staff group button's number ({shown})"])
            return
        button = buttons[int(number) - 1]
        if "callback_data" not in button:
            self.write([f"* [{button['text']}] opens {button.get('url', '(no action)')}"])
            return
        self.write([f"* {member.info.first_name} (staff) pressed [{button['text']}]"])
        await member.press_button(data=button["callback_data"], message=target, chat=group)

    def latest_topic(self) -> int | None:
        """The forum topic the bot wrote to last in the staff group (the newest ticket)."""
        assert self.staff is not None
        for message in reversed(self.emu.history(self.staff[1].id)):
            if message.from_bot and message.thread_id is not None:
                return message.thread_id
        return None

    def latest_keyboard(self, chat_id: int | None = None) -> RecordedMessage | None:
        for message in reversed(self.emu.history(chat_id or self.user.chat_id)):
            if message.from_bot and not message.deleted and message.buttons:
                return message
        return None


async def _wait(event: asyncio.Event, timeout: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(event.wait(), max(0.0, timeout))


def _start_reader(stream: TextIO, loop: asyncio.AbstractEventLoop) -> asyncio.Queue[str | None]:
    """Read lines in a daemon thread (never blocks the event loop nor interpreter exit)."""
    lines: asyncio.Queue[str | None] = asyncio.Queue()

    def pump() -> None:
        try:
            for line in iter(stream.readline, ""):
                loop.call_soon_threadsafe(lines.put_nowait, line)
        finally:
            loop.call_soon_threadsafe(lines.put_nowait, None)

    threading.Thread(target=pump, name="tgemulator-stdin", daemon=True).start()
    return lines


async def run_terminal_chat(
    emu: BotApiEmulator,
    user_id: int = 1001,
    first_name: str = "You",
    language_code: str | None = "en",
    *,
    username: str | None = None,
    stdin: TextIO | None = None,
    stdout: TextIO | None = None,
    reply_timeout: float = 3.0,
    settle: float = 0.3,
    echo: bool | None = None,
    staff: tuple[SimUser, SimChat] | None = None,
    prompt: str | None = None,
) -> None:
    """Chat with the bot as the private user ``user_id`` until ``:quit`` or end of input.

    After each line, waits up to ``reply_timeout`` seconds for the bot to react and then
    until it has been quiet for ``settle`` seconds, so piped scripts give an ordered
    transcript. Input lines are echoed as ``> line`` when stdin is not a TTY (``echo``
    overrides). Bot messages arriving between lines are printed too. ``prompt`` (default
    ``you> `` at a terminal, none when piped) is shown whenever the chat waits for a line.
    """
    source = stdin if stdin is not None else sys.stdin
    out = stdout if stdout is not None else sys.stdout
    if echo is None:
        echo = not (hasattr(source, "isatty") and source.isatty())
    user = emu.user(user_id, first_name, username=username, language_code=language_code)
    if prompt is None:
        prompt = "" if echo else "you> "
    session = _Session(emu, user, out, staff, prompt)
    queue = emu.world.subscribe()
    printer = asyncio.create_task(session.print_events(queue), name="tgemulator-terminal")
    lines = _start_reader(source, asyncio.get_running_loop())
    try:
        while True:
            session.show_prompt()
            raw = await lines.get()
            session.typed()
            if raw is None:
                break
            line = raw.rstrip("\r\n").strip()
            if not line:
                continue
            if line == ":quit":
                break
            if echo:
                session.write([f"> {line}"])
            since = session.activity
            await session.handle(line)
            await session.wait_quiet(since, reply_timeout, settle)
    finally:
        printer.cancel()
        await asyncio.gather(printer, return_exceptions=True)
        emu.world.unsubscribe(queue)
