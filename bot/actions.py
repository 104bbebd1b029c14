"""Button actions: short strings that travel as Telegram ``callback_data`` (at most 64 bytes).

Every action a button can carry is parsed here and nowhere else; anything that does not parse
exactly, or names an entry, topic or language that does not exist, is refused.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from bot.languages import CHOICES, LANGUAGES

MAX_BYTES = 64
_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:00Z")
_YEARS = range(2000, 2200)  # slot times outside can only be forged (9999 overflows arithmetic)
_ID = r"[a-z0-9]+(?:-[a-z0-9]+)*"
_PATTERNS: dict[str, re.Pattern[str]] = {
    "entry": re.compile(rf"e:({_ID})"),  # show an answer as a new message
    "browse_entry": re.compile(rf"be:({_ID})"),  # show an answer in the browsing message
    "topics": re.compile(r"tl"),  # the list of topics (edits the message)
    "topics_new": re.compile(r"tn"),  # the list of topics as a new message
    "topic": re.compile(rf"t:({_ID})"),
    "feedback": re.compile(rf"fb:({_ID}):([01])"),
    "language": re.compile(r"l:([a-z]{2}(?:-plain)?)"),  # a language or plain German
    "switch": re.compile(r"sw:([a-z]{2})"),
    "keep": re.compile(r"kp(?::([a-z]{2}))?"),  # the language written, not switched to
    "none_of_these": re.compile(r"nn"),
    # consultation requests
    "intake_start": re.compile(r"ia"),
    "intake_kind": re.compile(r"ik:(funding_application|project_idea|reporting|other)"),
    "intake_requester": re.compile(r"ir:(individual|organisation)"),
    "intake_channel": re.compile(r"ic:(telegram|email|phone)"),
    "intake_slot": re.compile(r"is:(\d{4}-\d\d-\d\dT\d\d:\d\d:00Z|none)"),
    "intake_consent": re.compile(r"iy:([01])"),
    "intake_precheck": re.compile(
        r"ip:(applicant|amount|field|share):"
        r"(association|migrant_org|individual|city|small|medium|large|education|social"
        r"|democracy|culture|economy|administration|yes|no|unsure)"
    ),
    "intake_slot_page": re.compile(r"ig:(\d{1,2})"),  # earlier / later free times
    "intake_confirm": re.compile(r"io"),
    "intake_restart": re.compile(r"ie"),
    "request_cancel": re.compile(r"ix:(\d{1,9})"),  # asks first
    "request_cancel_yes": re.compile(r"iz:(\d{1,9})"),
    "request_list": re.compile(r"rl"),  # back to the list of one's requests
    "request_move": re.compile(r"rs:(\d{1,9})"),
    "request_move_page": re.compile(r"rm:(\d{1,9}):(\d{1,2})"),
    "request_move_to": re.compile(r"rt:(\d{1,9}):(\d{4}-\d\d-\d\dT\d\d:\d\d:00Z)"),
    # staff cards: request id, the revision the card shows (cards posted before revisions
    # existed have none: they count as revision 0, i.e. valid while the request is unchanged)
    "staff_decide": re.compile(r"sd:(\d{1,9}):(?:(\d{1,6}):)?([01])"),
    "staff_propose": re.compile(r"sp:(\d{1,9})(?::(\d{1,6}))?"),
    "staff_propose_at": re.compile(r"sq:(\d{1,9}):(?:(\d{1,6}):)?(\d{4}-\d\d-\d\dT\d\d:\d\d:00Z)"),
    "staff_card": re.compile(r"sc:(\d{1,9}):(\d{1,6})"),
    "staff_propose_page": re.compile(r"sn:(\d{1,9}):(\d{1,6}):(\d{1,2})"),
    "proposal_accept": re.compile(r"pa:(\d{1,9})"),
    # staff desk
    "human": re.compile(r"hu"),
    "desk_consent": re.compile(r"hc:([01])"),
    "desk_rate": re.compile(r"hr:(\d{1,9}):([1-5])"),
    # the resident's own data: delete everything (asks first), or keep it
    "forget_ask": re.compile(r"fa"),
    "forget_yes": re.compile(r"fy"),
    "forget_no": re.compile(r"fn"),
    # a message that looks like it holds sensitive data: send it anyway, or write it again
    "sensitive_send": re.compile(r"ss:([0-9a-f]{8})"),
    "sensitive_rewrite": re.compile(r"sr:([0-9a-f]{8})"),
}


@dataclass(frozen=True)
class Action:
    kind: str
    args: tuple[str, ...] = ()
    form: str | None = None  # the form a form's button belongs to (see ``tag``)


_FORM = re.compile(r"[0-9a-f]{8}")


def tag(data: str, form: str) -> str:
    """A form's button data marked with the form it belongs to (``ik:other~1a2b3c4d``), so a
    button of an earlier form, pressed later, cannot act on the current one."""
    if "~" in data:
        return data
    tagged = f"{data}~{form[:8]}"
    if len(tagged.encode()) > MAX_BYTES or parse(tagged) is None:
        raise ValueError(f"cannot tag {data!r}")
    return tagged


def encode(kind: str, *args: str) -> str:
    data = _FORMATS[kind].format(*args)
    if len(data.encode()) > MAX_BYTES or parse(data) is None:
        raise ValueError(f"cannot encode action {kind}{args}")
    return data


def parse(data: str | None) -> Action | None:
    """The action in ``data``, or None if it is not one this bot makes."""
    if not data or len(data.encode()) > MAX_BYTES:
        return None
    body, marked, form = data.rpartition("~")
    if marked:
        if not body.startswith("i") or not _FORM.fullmatch(form):
            return None
        data = body
    for kind, pattern in _PATTERNS.items():
        match = pattern.fullmatch(data)
        if match:
            args = match.groups("")  # an optional part left out reads as ""
            if kind == "keep":  # buttons sent before "keep" named the language leave it out
                args = tuple(a for a in args if a)
            if kind in ("switch", "keep") and args and args[0] not in LANGUAGES:
                return None
            if kind == "language" and args[0] not in CHOICES:
                return None
            if not all(_possible_time(a) for a in args if _TIME.fullmatch(a)):
                return None
            if marked and (not kind.startswith("intake_") or kind == "intake_start"):
                return None
            return Action(kind, args, form if marked else None)
    return None


def _possible_time(text: str) -> bool:
    """A real calendar time in a plausible year (the pattern alone allows 9999-99-99)."""
    try:
        return datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").year in _YEARS
    except ValueError:
        return False


_FORMATS = {
    "entry": "e:{}",
    "browse_entry": "be:{}",
    "topics": "tl",
    "topics_new": "tn",
    "topic": "t:{}",
    "feedback": "fb:{}:{}",
    "language": "l:{}",
    "switch": "sw:{}",
    "keep": "kp:{}",
    "none_of_these": "nn",
    "intake_start": "ia",
    "intake_kind": "ik:{}",
    "intake_requester": "ir:{}",
    "intake_channel": "ic:{}",
    "intake_slot": "is:{}",
    "intake_consent": "iy:{}",
    "intake_precheck": "ip:{}:{}",
    "intake_slot_page": "ig:{}",
    "intake_confirm": "io",
    "intake_restart": "ie",
    "request_cancel": "ix:{}",
    "request_cancel_yes": "iz:{}",
    "request_list": "rl",
    "request_move": "rs:{}",
    "request_move_page": "rm:{}:{}",
    "request_move_to": "rt:{}:{}",
    "staff_decide": "sd:{}:{}:{}",
    "staff_propose": "sp:{}:{}",
    "staff_propose_at": "sq:{}:{}:{}",
    "staff_card": "sc:{}:{}",
    "staff_propose_page": "sn:{}:{}:{}",
    "proposal_accept": "pa:{}",
    "human": "hu",
    "desk_consent": "hc:{}",
    "desk_rate": "hr:{}:{}",
    "forget_ask": "fa",
    "forget_yes": "fy",
    "forget_no": "fn",
    "sensitive_send": "ss:{}",
    "sensitive_rewrite": "sr:{}",
}
