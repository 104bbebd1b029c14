""" "Delete my data" in any of the eight languages: a rule, like the commands, decided before
the matcher. A short message that names deleting and the writer's own data is the request to
/forget; the reply asks for confirmation, so a false match deletes nothing."""

from __future__ import annotations

import re

from bot.text_clean import clean_text

MAX_WORDS = 12
# Per language: (a verb of deleting, the writer's data). Stems, matched inside words.
_PHRASES: dict[str, tuple[str, str]] = {
    "de": (r"l(ö|oe|o)sch|entfern", r"(meine|mein|alle)\s+(\w+\s+)?(daten|informationen|angaben)"),
    "en": (r"delete|erase|remove|wipe", r"\bmy\s+(\w+\s+)?(data|information|info|details)"),
    "tr": (r"\bsil|kald[ıi]r", r"verilerim|bilgilerim|kay[ıi]tlar[ıi]m"),
    "ar": (r"احذف|حذف|امسح|مسح|أزل|ازالة|إزالة", r"بياناتي|معلوماتي"),
    "uk": (r"видал|стер|знищ", r"мо[їi]\s+(\w+\s+)?(дан|інформац)"),
    "ru": (r"удал|стер|сотр|уничтож", r"мо[иё]\s+(\w+\s+)?(данн|информац)"),
    "fa": (r"پاک|حذف", r"اطلاعاتم|داده\u200c?هایم|اطلاعات\s+من|داده\u200c?های\s+من"),
    "pl": (r"usu[nń]|skasuj|wyma[zż]", r"moje\s+(\w+\s+)?dane|moich\s+danych"),
}  # fmt: skip
_RULES = [(re.compile(verb), re.compile(data)) for verb, data in _PHRASES.values()]


def wants_erasure(text: str) -> bool:
    """True for "delete my data" and its kin in the eight languages."""
    cleaned = clean_text(text).lower()
    if not cleaned or len(cleaned.split()) > MAX_WORDS:
        return False
    return any(verb.search(cleaned) and data.search(cleaned) for verb, data in _RULES)
