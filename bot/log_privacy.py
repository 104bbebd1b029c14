"""Logs without secrets or personal data, at every level and from every library.

Installed as the logging record factory, so it applies to every record before any handler or
formatter sees it, whoever configured the handlers (the command line, a test, a hosting
service). Each record is formatted once, here:

- the bot token (``/bot<token>/`` in every Bot API URL httpx logs at INFO, any token-shaped
  string, and the secrets registered with ``install``) is replaced by ``<token>``;
- arguments that carry content are replaced by their shape: an update by ``<Update 42>``,
  a dict of request parameters by its keys, a database row by its type, a long or JSON-like
  string from a library by its length. python-telegram-bot logs whole updates and request
  parameters at DEBUG, SQLAlchemy rows at DEBUG; none of that reaches a log;
- exceptions keep their traceback (files, lines, functions) and their type; the message only
  where it cannot hold a resident's text (Telegram's and the HTTP client's errors; the first
  line of a database error, SQL without parameters). A ``KeyError`` or ``ValueError`` message may
  quote what a resident typed, so it is left out.

Our own modules (``bot``, ``handlers``, ``tgemulator``) log identifiers and counts only; their
string arguments are kept as they are (tokens still redacted).
"""

from __future__ import annotations

import enum
import logging
import re
import threading
import traceback
from collections.abc import Iterable, Mapping
from types import TracebackType
from typing import Any

REDACTED = "<token>"
OWN_LOGGERS = ("bot", "handlers", "tgemulator", "__main__")
_TOKEN_IN_URL = re.compile(r"(/(?:file/)?bot)[^/\s\"'?#]+")
_TOKEN_SHAPED = re.compile(r"\b\d{5,}:[A-Za-z0-9_-]{20,}\b")
# Library messages whose string arguments are payloads (webhook bodies, unparsable answers)
# or secrets (a wrong webhook secret may be an old right one).
_PAYLOAD_TEMPLATES = frozenset({
    "Webhook received data: %s",
    'Can not load invalid JSON data: "%s"',
    "Request had the wrong secret token: %s",
})  # fmt: skip
_SAFE_MESSAGE_MODULES = ("telegram", "httpx", "httpcore")
_FIRST_LINE_MODULES = ("sqlalchemy",)
_LONG = 200

_secrets: set[str] = set()
_lock = threading.Lock()
_installed = False


def install(secrets: Iterable[str | None] = ()) -> None:
    """Redact every log record from now on; ``secrets`` (e.g. the token, the webhook secret)
    are replaced wherever they appear. Safe to call more than once."""
    global _installed
    with _lock:
        _secrets.update(s for s in secrets if s and len(s) >= 6)
        if _installed:
            return
        previous = logging.getLogRecordFactory()

        def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
            return redact_record(previous(*args, **kwargs))

        logging.setLogRecordFactory(factory)
        _installed = True


def redact_text(text: str) -> str:
    """``text`` with every known secret and anything token-shaped replaced."""
    for secret in sorted(_secrets, key=len, reverse=True):
        if secret in text:
            text = text.replace(secret, REDACTED)
    text = _TOKEN_IN_URL.sub(
        lambda m: m.group(1) + REDACTED if ":" in m.group(0) else m.group(0), text
    )
    return _TOKEN_SHAPED.sub(REDACTED, text)


def redact_record(record: logging.LogRecord) -> logging.LogRecord:
    own = record.name.split(".")[0] in OWN_LOGGERS
    try:
        message = _message(record, own)
    except Exception:  # a broken format string must not take the log line's content along
        message = f"{_shape(record.msg, own=False)} <unformattable arguments>"
    record.msg, record.args = redact_text(message), None
    if record.exc_info and record.exc_info[1] is not None:
        record.exc_text = redact_text(describe_exception(record.exc_info[1]))
        record.exc_info = None
    return record


def _message(record: logging.LogRecord, own: bool) -> str:
    template = record.msg if isinstance(record.msg, str) else _shape(record.msg, own)
    args = record.args
    if not args:
        return template
    if isinstance(args, Mapping):
        return template % {key: _shape(value, own) for key, value in args.items()}
    payload = template in _PAYLOAD_TEMPLATES
    shaped = tuple(f"<{len(str(a))} chars>" if payload else _shape(a, own) for a in args)
    return template % shaped


def _shape(value: Any, own: bool) -> Any:
    """What may be logged of one argument (numbers as they are, content by its shape)."""
    if value is None or isinstance(value, bool | int | float | enum.Enum):
        return value
    if isinstance(value, str):
        if own:
            return value
        if len(value) > _LONG or value.lstrip()[:1] in ("{", "["):
            return f"<{len(value)} chars>"
        return value
    if isinstance(value, BaseException):
        return _exception_line(value)
    if hasattr(value, "to_dict") and hasattr(value, "update_id"):
        return f"<Update {value.update_id}>"
    if isinstance(value, Mapping):
        return "<" + type(value).__name__ + ": " + ", ".join(str(k) for k in value) + ">"
    if isinstance(value, list | tuple | set | frozenset):
        if all(isinstance(v, int) for v in value):
            return value
        return f"<{type(value).__name__} of {len(value)}>"
    if type(value).__name__ == "URL":  # httpx.URL: the request line httpx logs (token redacted)
        return str(value)
    return f"<{type(value).__name__}>"


def _exception_line(exc: BaseException) -> str:
    kind = type(exc)
    name = f"{kind.__module__}.{kind.__qualname__}"
    module = kind.__module__.split(".")[0]
    if module in _SAFE_MESSAGE_MODULES:
        return f"{name}: {exc}"
    if module in _FIRST_LINE_MODULES:
        return f"{name}: {str(exc).splitlines()[0] if str(exc) else ''}"
    return name


def describe_exception(exc: BaseException) -> str:
    """The traceback of ``exc`` (and of its causes) with messages only where they are safe."""
    parts: list[str] = []
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        parts.append(_one_exception(current, current.__traceback__))
        if current.__cause__ is not None:
            parts.append("The above exception was the direct cause of the following exception:")
            current = current.__cause__
        elif current.__context__ is not None and not current.__suppress_context__:
            parts.append("During handling of the above exception, another exception occurred:")
            current = current.__context__
        else:
            current = None
    return "\n\n".join(reversed(parts))


def _one_exception(exc: BaseException, tb: TracebackType | None) -> str:
    frames = "".join(traceback.format_tb(tb)) if tb is not None else ""
    return f"Traceback (most recent call last):\n{frames}{_exception_line(exc)}"
