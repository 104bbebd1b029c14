"""Parsing of Bot API request parameters.

Telegram accepts the query string, ``application/x-www-form-urlencoded``,
``multipart/form-data`` (file uploads) and ``application/json``. In the first three every
value is a string and JSON-valued fields (``reply_markup``, ``commands``, ``entities``...)
arrive as JSON text; :class:`Params` decodes values on access so handlers need not care.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from aiohttp import BodyPartReader, web

from .errors import bad_request


@dataclass(frozen=True)
class Upload:
    """A file part of a multipart request."""

    data: bytes
    filename: str | None
    content_type: str | None


class Params:
    """Request parameters with typed accessors that decode form strings."""

    def __init__(self, values: dict[str, Any], uploads: dict[str, Upload] | None = None) -> None:
        self._values = values
        self._uploads = uploads or {}

    @property
    def raw(self) -> dict[str, Any]:
        """All non-file parameters as received (plus upload names), for call recording."""
        recorded = dict(self._values)
        for name, upload in self._uploads.items():
            recorded.setdefault(name, f"<upload {upload.filename!r}, {len(upload.data)} bytes>")
        return recorded

    def has(self, name: str) -> bool:
        """Whether the parameter was sent (files included)."""
        return name in self._values or name in self._uploads

    def get_str(self, name: str, default: str | None = None) -> str | None:
        """A string parameter (JSON values are re-encoded to text)."""
        value = self._values.get(name)
        if value is None:
            return default
        if isinstance(value, str):
            return value
        return json.dumps(value)

    def required_str(self, name: str) -> str:
        """A mandatory string parameter."""
        value = self.get_str(name)
        if value is None:
            raise bad_request(f"{name} is empty")
        return value

    def get_int(self, name: str, default: int | None = None) -> int | None:
        """An integer parameter; ``"10.0"`` (a timedelta sent by PTB) is accepted."""
        value = self._values.get(name)
        if value is None or value == "":
            return default
        try:
            return int(float(value)) if isinstance(value, str) else int(value)
        except (TypeError, ValueError):
            raise bad_request(f'field "{name}" must be a valid Number') from None

    def get_float(self, name: str, default: float | None = None) -> float | None:
        """A floating point parameter."""
        value = self._values.get(name)
        if value is None or value == "":
            return default
        try:
            return float(value)
        except (TypeError, ValueError):
            raise bad_request(f'field "{name}" must be a valid Number') from None

    def get_bool(self, name: str, default: bool = False) -> bool:
        """A boolean parameter (``true``/``false``/``1``/``0``)."""
        value = self._values.get(name)
        if value is None:
            return default
        if isinstance(value, bool):
            return value
        return str(value).strip().lower() in ("true", "1", "yes")

    def get_json(self, name: str, default: Any = None) -> Any:
        """A JSON-valued parameter, decoded when it arrived as text."""
        value = self._values.get(name)
        if value is None or value == "":
            return default
        if not isinstance(value, str):
            return value
        try:
            return json.loads(value)
        except json.JSONDecodeError:
            raise bad_request(f"can't parse {name} JSON object") from None

    def chat_id(self, name: str = "chat_id") -> int | str:
        """A chat identifier: an integer or an ``@username``."""
        value = self._values.get(name)
        if value is None or value == "":
            raise bad_request("chat_id is empty")
        if isinstance(value, int):
            return value
        text = str(value).strip()
        if text.startswith("@"):
            return text
        try:
            return int(text)
        except ValueError:
            raise bad_request("chat not found") from None

    def upload(self, name: str) -> Upload | None:
        """The uploaded file for ``name`` (direct part or an ``attach://`` reference)."""
        if name in self._uploads:
            return self._uploads[name]
        value = self._values.get(name)
        if isinstance(value, str) and value.startswith("attach://"):
            return self._uploads.get(value[len("attach://") :])
        return None


async def parse_request(request: web.Request) -> Params:
    """Collect parameters from the query string and the body of ``request``."""
    values: dict[str, Any] = dict(request.query)
    uploads: dict[str, Upload] = {}
    if not request.body_exists:
        return Params(values)
    content_type = request.content_type
    if content_type == "application/json":
        try:
            body = await request.json()
        except ValueError:
            raise bad_request("can't parse JSON object") from None
        if not isinstance(body, dict):
            raise bad_request("can't parse JSON object")
        values.update(body)
    elif content_type == "multipart/form-data":
        reader = await request.multipart()
        async for part in reader:
            if not isinstance(part, BodyPartReader) or part.name is None:
                continue
            if part.filename is not None:
                data = bytes(await part.read())
                ctype = part.headers.get("Content-Type")
                uploads[part.name] = Upload(data, part.filename, ctype)
            else:
                values[part.name] = await part.text()
    else:
        form = await request.post()
        for key, value in form.items():
            values[key] = value if isinstance(value, str) else str(value)
    return Params(values, uploads)
