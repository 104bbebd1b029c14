"""File upload (multipart), getFile and download, copy and forward."""

from __future__ import annotations

import io
from typing import Any

import aiohttp
import pytest
from telegram import InputFile, MessageOriginUser
from telegram.error import BadRequest
from telegram.ext import Application

from tgemulator import BotApiEmulator

App = Application[Any, Any, Any, Any, Any, Any]

pytestmark = pytest.mark.asyncio

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x40\x00\x00\x00\x20\x08\x02"
    b"\x00\x00\x00" + bytes(40)
)


async def test_bot_uploads_and_downloads(emu: BotApiEmulator, polling_app: App) -> None:
    bot = polling_app.bot
    lena = emu.user(first_name="Lena")
    payload = "Zeile 1\nÜmlaut 2\n".encode()

    sent = await bot.send_document(
        lena.chat_id,
        InputFile(io.BytesIO(payload), filename="notes.txt"),
        caption="<b>Your</b> notes",
        parse_mode="HTML",
    )
    assert sent.document is not None and sent.document.file_name == "notes.txt"
    assert sent.caption == "Your notes" and sent.document.file_size == len(payload)
    recorded = emu.bot_messages(lena.chat_id)[-1]
    assert emu.file_bytes(recorded) == payload

    file = await bot.get_file(sent.document.file_id)
    assert file.file_path is not None
    assert bytes(await file.download_as_bytearray()) == payload

    photo = await bot.send_photo(lena.chat_id, PNG)
    assert (photo.photo[-1].width, photo.photo[-1].height) == (64, 32)
    again = await bot.send_document(lena.chat_id, sent.document.file_id)
    assert again.document is not None and again.document.file_id == sent.document.file_id
    voice = await bot.send_voice(lena.chat_id, b"OggS-voice", duration=3)
    assert voice.voice is not None
    audio = await bot.send_audio(lena.chat_id, b"ID3-audio", title="Song")
    assert audio.audio is not None and audio.audio.title == "Song"
    video = await bot.send_video(lena.chat_id, b"mp4-video")
    assert video.video is not None
    sticker = await bot.send_sticker(lena.chat_id, b"RIFF-webp")
    assert sticker.sticker is not None
    kinds = [m.media_kind for m in emu.bot_messages(lena.chat_id)]
    assert kinds == ["document", "photo", "document", "voice", "audio", "video", "sticker"]

    with pytest.raises(BadRequest, match=r"(?i)wrong file identifier"):
        await bot.send_document(lena.chat_id, "no-such-file-id")
    with pytest.raises(BadRequest, match=r"(?i)invalid file_id"):
        await bot.get_file("no-such-file-id")
    missing = f"{emu.base_file_url}123:T/documents/nothing"
    async with aiohttp.ClientSession() as session, session.get(missing) as response:
        assert response.status == 404


async def test_user_document_copy_and_forward(emu: BotApiEmulator, polling_app: App) -> None:
    bot = polling_app.bot
    user = emu.user(first_name="Mia")
    staff = emu.user(first_name="Staff")
    desk = emu.group("Desk", members={staff: "member"})
    document = await user.send_document(b"hello", file_name="a.txt", caption="see file")
    await emu.wait_for_bot_message(user.chat_id)

    copied = await bot.copy_message(desk.id, user.chat_id, document.message_id, caption="from Mia")
    copy = emu.history(desk.id)[-1]
    assert copy.message_id == copied.message_id and copy.text == "from Mia"
    assert copy.data["document"]["file_name"] == "a.txt" and "forward_origin" not in copy.data

    forwarded = await bot.forward_message(desk.id, user.chat_id, document.message_id)
    assert isinstance(forwarded.forward_origin, MessageOriginUser)
    assert forwarded.forward_origin.sender_user.id == user.id
    assert forwarded.caption == "see file"
    with pytest.raises(BadRequest, match=r"(?i)message to copy not found"):
        await bot.copy_message(desk.id, user.chat_id, 999)
