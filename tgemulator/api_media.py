"""Bot API methods with files: sendDocument/Photo/Voice/Audio/Video/Sticker, getFile."""

from __future__ import annotations

import os
from typing import Any
from urllib.parse import urlparse

import aiohttp

from .content import CAPTION_LIMIT, formatted_text, send, text_content
from .errors import bad_request
from .models import StoredFile
from .params import Params
from .registry import api_method
from .world import World

JSON = dict[str, Any]
_PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def image_size(data: bytes) -> tuple[int, int]:
    """Width and height of a PNG; 512x512 for anything else (images are not decoded)."""
    if data.startswith(_PNG_MAGIC) and len(data) >= 24:
        return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    return 512, 512


def media_object(kind: str, stored: StoredFile, **extra: Any) -> Any:
    """The Bot API object for ``kind`` (``photo`` gives a list of ``PhotoSize``)."""
    base: JSON = {
        "file_id": stored.file_id,
        "file_unique_id": stored.file_unique_id,
        "file_size": len(stored.data),
    }
    if kind == "photo":
        width, height = image_size(stored.data)
        return [{**base, "width": width, "height": height}]
    if kind in ("document", "audio", "video") and stored.file_name:
        base["file_name"] = stored.file_name
    if kind in ("document", "audio", "video", "voice") and stored.mime_type:
        base["mime_type"] = stored.mime_type
    if kind in ("voice", "audio", "video"):
        base["duration"] = int(extra.get("duration") or 1)
    if kind == "audio":
        base.update({k: extra[k] for k in ("performer", "title") if extra.get(k)})
    if kind == "video":
        base.update(width=int(extra.get("width") or 640), height=int(extra.get("height") or 360))
    if kind == "sticker":
        base.update(width=512, height=512, is_animated=False, is_video=False, type="regular")
        if extra.get("emoji"):
            base["emoji"] = extra["emoji"]
    return base


async def resolve_input_file(world: World, p: Params, field: str, kind: str) -> StoredFile:
    """An uploaded part, a known ``file_id`` or an HTTP URL (fetched, loopback only)."""
    upload = p.upload(field)
    if upload is not None:
        return world.store_file(
            upload.data, kind, file_name=upload.filename, mime_type=upload.content_type
        )
    reference = p.get_str(field)
    if not reference:
        raise bad_request(f"there is no {field} in the request")
    if reference.startswith(("http://", "https://")):
        try:
            timeout = aiohttp.ClientTimeout(total=5)
            async with (
                aiohttp.ClientSession(timeout=timeout) as session,
                session.get(reference) as response,
            ):
                response.raise_for_status()
                data = await response.read()
                mime = response.content_type
        except (aiohttp.ClientError, TimeoutError):
            raise bad_request("failed to get HTTP URL content") from None
        name = os.path.basename(urlparse(reference).path) or None
        return world.store_file(data, kind, file_name=name, mime_type=mime)
    stored = world.files.get(reference)
    if stored is None:
        raise bad_request("wrong file identifier/HTTP URL specified")
    return stored


async def _send_media(world: World, p: Params, kind: str, **extra: Any) -> JSON:
    caption, entities = formatted_text(p, "caption", limit=CAPTION_LIMIT, required=False)
    stored = await resolve_input_file(world, p, kind, kind)
    content: JSON = {kind: media_object(kind, stored, **extra)}
    content.update(text_content(caption, entities, caption=True))
    return send(world, p, content)


@api_method("sendDocument")
async def send_document(world: World, p: Params) -> JSON:
    """Send a general file."""
    return await _send_media(world, p, "document")


@api_method("sendPhoto")
async def send_photo(world: World, p: Params) -> JSON:
    """Send a photo (one ``PhotoSize``; PNG dimensions are read, others are 512x512)."""
    return await _send_media(world, p, "photo")


@api_method("sendVoice")
async def send_voice(world: World, p: Params) -> JSON:
    """Send a voice note."""
    return await _send_media(world, p, "voice", duration=p.get_int("duration"))


@api_method("sendAudio")
async def send_audio(world: World, p: Params) -> JSON:
    """Send an audio file."""
    return await _send_media(
        world,
        p,
        "audio",
        duration=p.get_int("duration"),
        performer=p.get_str("performer"),
        title=p.get_str("title"),
    )


@api_method("sendVideo")
async def send_video(world: World, p: Params) -> JSON:
    """Send a video."""
    return await _send_media(
        world,
        p,
        "video",
        duration=p.get_int("duration"),
        width=p.get_int("width"),
        height=p.get_int("height"),
    )


@api_method("sendSticker")
async def send_sticker(world: World, p: Params) -> JSON:
    """Send a sticker (a regular static sticker)."""
    stored = await resolve_input_file(world, p, "sticker", "sticker")
    return send(world, p, {"sticker": media_object("sticker", stored, emoji=p.get_str("emoji"))})


@api_method("sendLocation")
async def send_location(world: World, p: Params) -> JSON:
    """Send a point on the map."""
    latitude, longitude = p.get_float("latitude"), p.get_float("longitude")
    if latitude is None or longitude is None:
        raise bad_request("wrong latitude or longitude specified")
    return send(world, p, {"location": {"latitude": latitude, "longitude": longitude}})


@api_method("getFile")
async def get_file(world: World, p: Params) -> JSON:
    """File info with ``file_path`` for download under ``/file/bot<token>/``."""
    stored = world.files.get(p.get_str("file_id") or "")
    if stored is None:
        raise bad_request("invalid file_id")
    return stored.to_api()
