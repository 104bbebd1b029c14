"""Bot API methods about chats: getChat, members, administrators and forum topics."""

from __future__ import annotations

from typing import Any

from .errors import bad_request
from .models import BotEvent, ChatState, Topic
from .params import Params
from .registry import api_method
from .world import World

JSON = dict[str, Any]
TOPIC_COLORS = frozenset({7322096, 16766590, 13338331, 9367192, 16749490, 16478047})


@api_method("getChat")
async def get_chat(world: World, p: Params) -> JSON:
    """``ChatFullInfo`` of a known chat."""
    return world.resolve_chat(p.chat_id()).to_full_api()


@api_method("getChatMember")
async def get_chat_member(world: World, p: Params) -> JSON:
    """Membership of a user; ``left`` for known users who are not in the chat."""
    chat = world.resolve_chat(p.chat_id())
    user = world.users.get(p.get_int("user_id") or 0)
    if user is None:
        raise bad_request("user not found")
    return world.member_json(chat, user)


@api_method("getChatAdministrators")
async def get_chat_administrators(world: World, p: Params) -> list[JSON]:
    """Creator and administrators of a group."""
    chat = world.resolve_chat(p.chat_id())
    if chat.type == "private":
        raise bad_request("there are no administrators in the private chat")
    return [
        world.member_json(chat, world.users[user_id])
        for user_id, status in chat.members.items()
        if status in ("creator", "administrator") and user_id in world.users
    ]


@api_method("getChatMemberCount")
async def get_chat_member_count(world: World, p: Params) -> int:
    """Number of members (creator, administrators, members, restricted)."""
    chat = world.resolve_chat(p.chat_id())
    present = ("creator", "administrator", "member", "restricted")
    return sum(1 for status in chat.members.values() if status in present)


def _forum(world: World, p: Params) -> ChatState:
    chat = world.resolve_chat(p.chat_id())
    if not chat.is_forum:
        raise bad_request("the chat is not a forum")
    if not world.bot_is_admin(chat):
        raise bad_request("not enough rights to manage topics in the chat")
    return chat


def _existing_topic(world: World, chat: ChatState, p: Params) -> Topic:
    thread_id = p.get_int("message_thread_id")
    if thread_id is None:
        raise bad_request("message thread not found")
    return world.topic(chat, thread_id)


def _service(world: World, chat: ChatState, topic: Topic, content: JSON) -> None:
    world.new_message(chat, world.bot, content, thread_id=topic.thread_id)


@api_method("createForumTopic")
async def create_forum_topic(world: World, p: Params) -> JSON:
    """Open a topic in a forum supergroup; returns ``ForumTopic``."""
    chat = _forum(world, p)
    name = (p.get_str("name") or "").strip()
    if not 1 <= len(name) <= 128:
        raise bad_request("TOPIC_TITLE_EMPTY" if not name else "TOPIC_TITLE_TOO_LONG")
    color = p.get_int("icon_color", 7322096) or 7322096
    if color not in TOPIC_COLORS:
        raise bad_request("TOPIC_ICON_COLOR_INVALID")
    topic, _ = world.create_topic(
        chat,
        world.bot,
        name,
        icon_color=color,
        icon_custom_emoji_id=p.get_str("icon_custom_emoji_id"),
    )
    return topic.to_api()


@api_method("editForumTopic")
async def edit_forum_topic(world: World, p: Params) -> bool:
    """Rename a topic or change its icon."""
    chat = _forum(world, p)
    topic = _existing_topic(world, chat, p)
    changes: JSON = {}
    name = p.get_str("name")
    if name is not None and name != topic.name:
        topic.name = changes["name"] = name
    emoji = p.get_str("icon_custom_emoji_id")
    if emoji is not None and emoji != (topic.icon_custom_emoji_id or ""):
        topic.icon_custom_emoji_id = changes["icon_custom_emoji_id"] = emoji or None
    if not changes:
        raise bad_request("TOPIC_NOT_MODIFIED")
    _service(world, chat, topic, {"forum_topic_edited": changes})
    return True


def _set_closed(world: World, p: Params, closing: bool) -> bool:
    chat = _forum(world, p)
    topic = _existing_topic(world, chat, p)
    if topic.closed == closing:
        raise bad_request("TOPIC_NOT_MODIFIED")
    topic.closed = closing
    _service(world, chat, topic, {"forum_topic_closed" if closing else "forum_topic_reopened": {}})
    return True


@api_method("closeForumTopic")
async def close_forum_topic(world: World, p: Params) -> bool:
    """Close a topic (only members with rights may write in a closed topic)."""
    return _set_closed(world, p, True)


@api_method("reopenForumTopic")
async def reopen_forum_topic(world: World, p: Params) -> bool:
    """Reopen a closed topic."""
    return _set_closed(world, p, False)


@api_method("deleteForumTopic")
async def delete_forum_topic(world: World, p: Params) -> bool:
    """Delete a topic with all its messages."""
    chat = _forum(world, p)
    topic = _existing_topic(world, chat, p)
    topic.deleted = True
    for message in world.history.get(chat.id, []):
        if message.thread_id == topic.thread_id and not message.deleted:
            message.deleted = True
            world.emit(BotEvent("delete", chat.id, message))
    return True
