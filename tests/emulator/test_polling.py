"""A real PTB App in polling mode against the emulator."""

from __future__ import annotations

import re
from typing import Any

import pytest
from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import BadRequest
from telegram.ext import Application

from tgemulator import BotApiEmulator

App = Application[Any, Any, Any, Any, Any, Any]

pytestmark = pytest.mark.asyncio


async def test_start_echo_and_button(emu: BotApiEmulator, polling_app: App) -> None:
    alice = emu.user(first_name="Alice", username="alice", language_code="de")

    await alice.send_command("start")
    welcome = await emu.wait_for_bot_message(alice.chat_id)
    assert welcome.text == "Welcome, Alice & friends! (de)"
    assert welcome.entities == [{"type": "bold", "offset": 9, "length": 5}]
    assert welcome.button_labels == ["Ping"]

    await alice.send_text("hello")
    echo = await emu.wait_for_bot_message(alice.chat_id)
    assert echo.text == "Echo: hello"
    assert "reply_to_message" not in echo.data  # PTB quotes only in groups by default
    assert echo.button_labels == ["Again", "Docs"]

    query = await alice.press_button("Again")
    answer = await emu.wait_for_callback_answer(query)
    assert answer["text"] == "Got again:hello"
    await emu.world.wait_until(lambda: echo.edited, 5)
    assert echo.text == "You pressed again:hello"
    assert echo.buttons == []  # editMessageText without reply_markup drops the keyboard
    assert emu.callback_answers == [answer]
    assert [c.method for c in emu.calls_to("editMessageText")] == ["editMessageText"]
    update_ids = [u["update_id"] for u in emu.updates]
    assert update_ids == sorted(update_ids) and len(set(update_ids)) == 3


async def test_press_by_data_on_older_message(emu: BotApiEmulator, polling_app: App) -> None:
    bob = emu.user(first_name="Bob")
    await bob.send_command("start")
    welcome = await emu.wait_for_bot_message(bob.chat_id)
    await bob.send_text("x")
    await emu.wait_for_bot_message(bob.chat_id)
    query = await bob.press_button(data="ping", message=welcome)
    assert (await emu.wait_for_callback_answer(query))["text"] == "Got ping"
    with pytest.raises(ValueError, match="has no callback_data"):
        await bob.press_button("Docs")


async def test_user_media_and_edits_reach_handlers(emu: BotApiEmulator, polling_app: App) -> None:
    carol = emu.user(first_name="Carol")
    await carol.send_sticker("🔥")
    assert (await emu.wait_for_bot_message(carol.chat_id)).text == "Nice sticker 🔥"
    await carol.send_voice(duration=7)
    assert (await emu.wait_for_bot_message(carol.chat_id)).text == "Voice of 7s"
    await carol.send_photo()
    assert (await emu.wait_for_bot_message(carol.chat_id)).text == "Photo 256x192"
    await carol.send_location(52.52, 13.405)
    assert (await emu.wait_for_bot_message(carol.chat_id)).text == "Location 52.52,13.405"
    await carol.send_document(
        b"%PDF-1.4 hello", file_name="report.pdf", mime_type="application/pdf"
    )
    reply = await emu.wait_for_bot_message(carol.chat_id)
    assert reply.text == "Got report.pdf: 14 bytes, starts b'%PDF-'"
    sent = await carol.send_text("typo")
    await emu.wait_for_bot_message(carol.chat_id)
    await carol.edit_message(sent, "fixed")
    assert (await emu.wait_for_bot_message(carol.chat_id)).text == "Edited: fixed"


async def test_bot_errors_look_like_telegram(emu: BotApiEmulator, polling_app: App) -> None:
    bot = polling_app.bot
    dave = emu.user(first_name="Dave")
    cases: list[tuple[dict[str, Any], str]] = [
        (dict(text="<b>bold", parse_mode="HTML"), 'find end tag corresponding to start tag "b"'),
        (dict(text="line<br>break", parse_mode="HTML"), 'Unsupported start tag "br"'),
        (dict(text="a.b", parse_mode="MarkdownV2"), "Character '.' is reserved"),
        (dict(text=" "), "Message text is empty"),
        (dict(text="x" * 4097), "Message is too long"),
        (
            dict(
                text="k",
                reply_markup=InlineKeyboardMarkup(
                    [[InlineKeyboardButton("b", callback_data="x" * 65)]]
                ),
            ),
            "Button_data_invalid",
        ),
    ]
    for kwargs, expected in cases:
        with pytest.raises(BadRequest, match=f"(?i){re.escape(expected)}"):
            await bot.send_message(dave.chat_id, **kwargs)
    with pytest.raises(BadRequest, match="Chat not found"):
        await bot.send_message(424242, "hello?")
    with pytest.raises(BadRequest, match="Message to edit not found"):
        await bot.edit_message_text("new", chat_id=dave.chat_id, message_id=999)
    sent = await bot.send_message(dave.chat_id, "same")
    with pytest.raises(BadRequest, match="Message is not modified"):
        await bot.edit_message_text("same", chat_id=dave.chat_id, message_id=sent.message_id)
    edited = await bot.edit_message_text(
        "<i>new</i>", chat_id=dave.chat_id, message_id=sent.message_id, parse_mode="HTML"
    )
    assert edited.text == "new" and edited.edit_date is not None
    assert await bot.delete_message(dave.chat_id, sent.message_id)
    with pytest.raises(BadRequest, match="Message to delete not found"):
        await bot.delete_message(dave.chat_id, sent.message_id)
    failed = [c for c in emu.calls_to("sendMessage") if c.ok is False]
    assert len(failed) == 7 and "can't parse entities" in (failed[0].error or "")


async def test_keyboards_threads_and_bot_side_methods(
    emu: BotApiEmulator, polling_app: App
) -> None:
    bot = polling_app.bot
    erin = emu.user(first_name="Erin")
    from telegram import BotCommand, BotCommandScopeChat, LinkPreviewOptions, ReplyKeyboardMarkup

    first = await bot.send_message(
        erin.chat_id,
        "Choose",
        reply_markup=ReplyKeyboardMarkup([["Yes", "No"]], one_time_keyboard=True),
        link_preview_options=LinkPreviewOptions(is_disabled=True),
    )
    assert first.link_preview_options is not None and first.link_preview_options.is_disabled
    recorded = emu.bot_messages(erin.chat_id)[-1]
    assert recorded.reply_keyboard is not None
    await erin.press_reply_button("Yes")
    assert (
        await emu.wait_for_bot_message(erin.chat_id, lambda m: "Yes" in (m.text or ""))
    ).text == "Echo: Yes"
    reply = await bot.send_message(erin.chat_id, "quoted", reply_to_message_id=first.message_id)
    assert reply.reply_to_message is not None
    assert reply.reply_to_message.message_id == first.message_id
    with pytest.raises(BadRequest, match="Message to be replied not found"):
        await bot.send_message(erin.chat_id, "x", reply_to_message_id=999)

    me = await bot.get_me()
    assert me.is_bot and me.username == emu.bot.username
    scope = BotCommandScopeChat(erin.chat_id)
    assert await bot.set_my_commands(
        [BotCommand("help", "Show help")], scope=scope, language_code="de"
    )
    assert [c.command for c in await bot.get_my_commands(scope=scope, language_code="de")] == [
        "help"
    ]
    assert await bot.get_my_commands() == ()
    assert emu.commands({"type": "chat", "chat_id": erin.chat_id}, "de")[0]["command"] == "help"
    assert await bot.delete_my_commands(scope=scope, language_code="de")
    assert await bot.get_my_commands(scope=scope, language_code="de") == ()
    assert await bot.send_chat_action(erin.chat_id, "typing")
    assert emu.chat_actions == [(erin.chat_id, "typing", None)]
    chat = await bot.get_chat(erin.chat_id)
    assert chat.first_name == "Erin" and chat.type == "private"
    from telegram import MenuButtonCommands

    assert await bot.set_chat_menu_button(chat_id=erin.chat_id, menu_button=MenuButtonCommands())
    assert await bot.close() and await bot.log_out()

    erin.block_bot()
    from telegram.error import Forbidden

    with pytest.raises(Forbidden, match="bot was blocked by the user"):
        await bot.send_message(erin.chat_id, "still there?")
