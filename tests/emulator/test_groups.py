"""Groups, forum topics and membership checks."""

from __future__ import annotations

from typing import Any

import pytest
from telegram import ChatMemberAdministrator, ChatMemberLeft, ChatMemberMember
from telegram.error import BadRequest, Forbidden
from telegram.ext import Application

from tgemulator import BotApiEmulator

App = Application[Any, Any, Any, Any, Any, Any]

pytestmark = pytest.mark.asyncio


async def test_forum_topic_lifecycle(emu: BotApiEmulator, polling_app: App) -> None:
    bot = polling_app.bot
    staff = emu.user(first_name="Sam", username="sam_support")
    forum = emu.group("Support", forum=True, members={staff: "administrator"})

    topic = await bot.create_forum_topic(forum.id, "Ticket #1")
    assert topic.name == "Ticket #1" and topic.message_thread_id > 0
    thread = topic.message_thread_id
    sent = await bot.send_message(forum.id, "New ticket from Alice", message_thread_id=thread)
    assert sent.message_thread_id == thread and sent.is_topic_message
    assert [m.text for m in emu.bot_messages(forum.id, thread_id=thread)] == [
        "New ticket from Alice"
    ]

    # Staff answer in the topic by replying; the bot (echo) answers in the same topic.
    bot_message = emu.bot_messages(forum.id, thread_id=thread)[-1]
    emu.skip_bot_messages(forum.id)
    answer = await staff.reply(bot_message, "We are on it")
    assert answer.thread_id == thread
    echo = await emu.wait_for_bot_message(forum.id, thread_id=thread)
    assert echo.text == "Echo: We are on it"
    assert echo.data["reply_to_message"]["message_id"] == answer.message_id
    received = [u["message"] for u in emu.updates if "message" in u]
    assert received[-1]["reply_to_message"]["message_id"] == bot_message.message_id
    assert received[-1]["message_thread_id"] == thread

    # A plain message in a topic quotes the topic's creation message, as Telegram does.
    plain = await staff.send_text("note", chat=forum, thread_id=thread)
    assert plain.data["reply_to_message"]["forum_topic_created"]["name"] == "Ticket #1"

    assert await bot.edit_forum_topic(forum.id, thread, name="Ticket #1 (urgent)")
    assert forum.topic(thread).name == "Ticket #1 (urgent)"
    assert await bot.close_forum_topic(forum.id, thread)
    visitor = emu.user(first_name="Visitor")
    forum.add_member(visitor)
    with pytest.raises(ValueError, match="closed"):
        await visitor.send_text("hi", chat=forum, thread_id=thread)
    assert await bot.reopen_forum_topic(forum.id, thread)
    assert await bot.delete_forum_topic(forum.id, thread)
    with pytest.raises(BadRequest, match=r"(?i)message thread not found"):
        await bot.send_message(forum.id, "anyone?", message_thread_id=thread)
    assert all(m.deleted for m in forum.messages(thread))

    # A member opens a topic: the bot gets the service message.
    new_thread = await forum.create_topic("Question", by=staff)
    created = [u["message"] for u in emu.updates if "message" in u][-1]
    assert created["forum_topic_created"]["name"] == "Question"
    assert created["message_thread_id"] == new_thread


async def test_read_cursors_per_thread(emu: BotApiEmulator, polling_app: App) -> None:
    bot = polling_app.bot
    forum = emu.group("Desk", forum=True)
    first = (await bot.create_forum_topic(forum.id, "A")).message_thread_id
    second = (await bot.create_forum_topic(forum.id, "B")).message_thread_id
    await bot.send_message(forum.id, "to A", message_thread_id=first)
    await bot.send_message(forum.id, "to B", message_thread_id=second)
    assert (await emu.wait_for_bot_message(forum.id, thread_id=second)).text == "to B"
    assert (await emu.wait_for_bot_message(forum.id, thread_id=first)).text == "to A"
    assert (await emu.wait_for_bot_message(forum.id)).text == "to A"
    emu.skip_bot_messages(forum.id)
    with pytest.raises(TimeoutError, match="latest bot messages"):
        await emu.wait_for_bot_message(forum.id, timeout=0.1)


async def test_topics_need_a_forum(emu: BotApiEmulator, polling_app: App) -> None:
    group = emu.group("Plain", supergroup=False)
    with pytest.raises(BadRequest, match=r"(?i)the chat is not a forum"):
        await polling_app.bot.create_forum_topic(group.id, "x")


async def test_membership_checks(emu: BotApiEmulator, polling_app: App) -> None:
    bot = polling_app.bot
    admin, member, outsider = (emu.user(first_name=n) for n in ("Ann", "Max", "Out"))
    club = emu.group("Club", username="club", members={admin: "administrator", member: "member"})

    assert isinstance(await bot.get_chat_member(club.id, member.id), ChatMemberMember)
    assert isinstance(await bot.get_chat_member("@club", admin.id), ChatMemberAdministrator)
    assert isinstance(await bot.get_chat_member(club.id, outsider.id), ChatMemberLeft)
    with pytest.raises(BadRequest, match=r"(?i)user not found"):
        await bot.get_chat_member(club.id, 555)
    admins = await bot.get_chat_administrators(club.id)
    assert {a.user.id for a in admins} == {admin.id, emu.bot.id}
    assert await bot.get_chat_member_count(club.id) == 3
    chat = await bot.get_chat(club.id)
    assert chat.title == "Club" and chat.type == "supergroup"

    with pytest.raises(ValueError, match="not a member"):
        await outsider.send_text("let me in", chat=club)
    club.add_member(outsider, "kicked")
    with pytest.raises(ValueError, match="not a member"):
        await outsider.send_text("let me in", chat=club)

    await member.send_text("hello group", chat=club)
    echo = await emu.wait_for_bot_message(club.id)
    assert echo.text == "Echo: hello group"

    club.set_bot_status("left")
    with pytest.raises(Forbidden, match=r"(?i)bot is not a member of the supergroup chat"):
        await bot.send_message(club.id, "hi")


async def test_privacy_mode_hides_plain_group_messages() -> None:
    async with BotApiEmulator(privacy_mode=True) as emu:
        user = emu.user(first_name="Pat")
        group = emu.group("Quiet", supergroup=False, members={user: "member"}, bot_status="member")
        await user.send_text("chatter", chat=group)
        await user.send_command("help", chat=group)
        await user.send_text(f"hey @{emu.bot.username}", chat=group)
        assert [u["message"]["text"] for u in emu.updates] == ["/help", f"hey @{emu.bot.username}"]
