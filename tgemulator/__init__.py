"""A local Telegram Bot API emulator for end-to-end tests of python-telegram-bot bots.

See ``tgemulator/README.md``. The main entry points::

    from tgemulator import BotApiEmulator, run_terminal_chat
"""

from .driver import SimChat, SimUser
from .emulator import BotApiEmulator
from .errors import ApiError
from .models import ApiCall, BotEvent, CallbackQueryState, FaultRecord, RecordedMessage, Topic
from .terminal import run_terminal_chat

__all__ = [
    "ApiCall",
    "ApiError",
    "BotApiEmulator",
    "BotEvent",
    "CallbackQueryState",
    "FaultRecord",
    "RecordedMessage",
    "SimChat",
    "SimUser",
    "Topic",
    "run_terminal_chat",
]
