"""Who may act as staff: the user ids in ``desk.staff_ids``, and members of the staff group as
Telegram says right now.

Only creators, administrators and plain members count: ``restricted`` members (muted, or
limited by an administrator), those who ``left`` and the ``kicked`` are refused. A positive
answer is remembered for at most ``MEMBERSHIP_TTL`` seconds (staff write in bursts; one
getChatMember per message would be wasteful); a negative one is not remembered, so someone
added to the group is admitted at once, and someone removed is refused within that time, or at
once when Telegram reports the change (a ``chat_member`` update, with the bot an administrator,
or the service message about a member who left).
"""

from __future__ import annotations

import logging
import time

from telegram import Update
from telegram.error import BadRequest, Forbidden
from telegram.ext import ContextTypes

log = logging.getLogger(__name__)
MEMBER_STATUSES = ("creator", "administrator", "member")
MEMBERSHIP_TTL = 30.0
_CACHE_KEY = "staff_membership"


async def is_staff(context: ContextTypes.DEFAULT_TYPE, user_id: int) -> bool:
    settings = context.application.bot_data["services"].settings
    if user_id in settings.desk.staff_ids:
        return True
    group = settings.telegram.staff_chat_id
    if group is None:
        return False
    admitted: dict[int, float] = context.application.bot_data.setdefault(_CACHE_KEY, {})
    now = time.monotonic()
    if now - admitted.get(user_id, -MEMBERSHIP_TTL) < MEMBERSHIP_TTL:
        return True
    try:
        member = await context.bot.get_chat_member(group, user_id)
    except (BadRequest, Forbidden, TypeError, ValueError) as exc:  # not there, or an odd shape
        log.warning("could not check staff membership of %s: %s", user_id, exc)
        return False
    # Any other TelegramError (timeout, 5xx, 429, connection) propagates: the update is tried
    # again (handlers/durability.py) instead of a staff message being refused and lost.
    if member.status in MEMBER_STATUSES:
        admitted[user_id] = now
        return True
    admitted.pop(user_id, None)
    return False


async def membership_changed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Someone's membership in the staff group changed: ask Telegram again next time."""
    admitted: dict[int, float] = context.application.bot_data.setdefault(_CACHE_KEY, {})
    if update.chat_member is not None:
        admitted.pop(update.chat_member.new_chat_member.user.id, None)
    message = update.effective_message
    if message is not None and message.left_chat_member is not None:
        admitted.pop(message.left_chat_member.id, None)
