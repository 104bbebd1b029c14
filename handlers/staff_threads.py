"""Where a ticket's messages go in the staff chat: its forum topic, or a reply chain.

In a forum supergroup every ticket gets a topic, created on its first message and named by
the desk (ticket number, first name, language, subject); a topic that staff deleted is created
again, with a fresh header, on the next message. In a group without topics the ticket's header
is posted once and every later message of the ticket replies to it. Every message posted for a
ticket is linked to it, so staff can answer by replying to any of them.
"""

from __future__ import annotations

import logging

from telegram.error import BadRequest
from telegram.ext import ExtBot

from bot.conversation import Reply
from bot.desk.service import Desk
from handlers.send import send

log = logging.getLogger(__name__)
THREAD_GONE = ("thread not found", "topic_deleted", "topic not found", "topic_closed")


class StaffThreads:
    def __init__(self, bot: ExtBot, desk: Desk, staff_chat: int | None) -> None:  # type: ignore[type-arg]
        self.bot = bot
        self.desk = desk
        self.staff_chat = staff_chat
        self._forum: dict[int, bool] = {}

    async def is_forum(self, chat_id: int) -> bool:
        if chat_id not in self._forum:
            chat = await self.bot.get_chat(chat_id)
            self._forum[chat_id] = bool(chat.is_forum)
        return self._forum[chat_id]

    async def send(self, chat_id: int, reply: Reply) -> list[int]:
        """Send ``reply`` into its ticket's thread in the staff chat ``chat_id``."""
        ticket = reply.ticket
        assert ticket is not None
        header = bool(reply.key and reply.key.endswith(":opened"))
        if await self.is_forum(chat_id):
            try:
                sent = await self._in_topic(chat_id, ticket, reply, header)
            except _NoTopics:
                self._forum[chat_id] = False  # cannot manage topics: fall back to replies
                sent = await self._in_chain(chat_id, ticket, reply, header)
        else:
            sent = await self._in_chain(chat_id, ticket, reply, header)
        for message_id in sent:
            self.desk.link(chat_id, message_id, ticket)
        return sent

    async def _in_topic(self, chat_id: int, ticket: int, reply: Reply, header: bool) -> list[int]:
        thread_id, _ = self.desk.thread_of(ticket)
        fresh = thread_id is None
        if thread_id is None:
            thread_id = await self._new_topic(chat_id, ticket)
        try:
            if fresh and not header:
                await self._post_header(chat_id, ticket, thread_id)
            return await send(self.bot, chat_id, reply, thread_id=thread_id)
        except BadRequest as exc:
            if not any(gone in str(exc).lower() for gone in THREAD_GONE):
                raise
        log.info("topic of ticket %s is gone; creating it again", ticket)
        thread_id = await self._new_topic(chat_id, ticket)
        if not header:
            await self._post_header(chat_id, ticket, thread_id)
        return await send(self.bot, chat_id, reply, thread_id=thread_id)

    async def _new_topic(self, chat_id: int, ticket: int) -> int:
        try:
            topic = await self.bot.create_forum_topic(chat_id, self.desk.topic_name(ticket))
        except BadRequest as exc:
            if "not a forum" in str(exc).lower() or "not enough rights" in str(exc).lower():
                log.warning("cannot open topics in the staff chat (%s); using replies", exc)
                raise _NoTopics from exc
            raise
        self.desk.set_thread(ticket, topic.message_thread_id, None)
        return topic.message_thread_id

    async def _post_header(self, chat_id: int, ticket: int, thread_id: int) -> None:
        text = self.desk.current_header(ticket, threaded=True)
        for message_id in await send(self.bot, chat_id, Reply(text), thread_id=thread_id):
            self.desk.link(chat_id, message_id, ticket)

    async def _in_chain(self, chat_id: int, ticket: int, reply: Reply, header: bool) -> list[int]:
        _, header_id = self.desk.thread_of(ticket)
        if header or header_id is None:
            text = self.desk.current_header(ticket, threaded=False)
            posted = await send(self.bot, chat_id, Reply(text, language="de"))
            header_id = posted[0]
            self.desk.set_thread(ticket, None, header_id)
            for message_id in posted:
                self.desk.link(chat_id, message_id, ticket)
            if header:
                return posted
        return await send(self.bot, chat_id, reply, reply_to=header_id)


class _NoTopics(Exception):
    """The staff chat does not allow the bot to open topics."""
