"""The conversation with a resident, independent of the messenger.

Adapters (``handlers/`` for Telegram) turn messages and button presses into calls on
``Assistant`` and show the ``Reply`` objects it returns.
"""

from bot.conversation.assistant import Assistant
from bot.conversation.replies import Button, Reply, UserRef

__all__ = ["Assistant", "Button", "Reply", "UserRef"]
