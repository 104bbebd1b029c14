"""Where updates enter the application: their text is cleaned once, here, for every handler.

Polling, webhooks and updates replayed after a restart all pass through ``process_update``;
an update is rebuilt only when cleaning changed something (see bot/text_clean.py).
"""

from __future__ import annotations

from typing import Any

from telegram import Update

from bot.text_clean import clean_payload
from handlers.durability import DurableApplication


def cleaned(update: Update, bot: Any) -> Update:
    """``update`` with lone surrogates, NUL and other control characters removed."""
    payload = update.to_dict()
    clean = clean_payload(payload)
    if clean == payload:
        return update
    rebuilt = Update.de_json(clean, bot)
    return rebuilt if rebuilt is not None else update


class CleanApplication(DurableApplication):
    async def process_update(self, update: object) -> None:
        if isinstance(update, Update):
            update = cleaned(update, self.bot)
        await super().process_update(update)
