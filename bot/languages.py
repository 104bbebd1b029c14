"""The languages the assistant speaks, in the order they are offered."""

from typing import Final, Literal

LanguageCode = Literal["de", "en", "tr", "ar", "uk", "ru", "fa", "pl"]

LANGUAGES: Final[tuple[str, ...]] = ("de", "en", "tr", "ar", "uk", "ru", "fa", "pl")

# Names as speakers of each language write them, for language menus.
NATIVE_NAMES: Final[dict[str, str]] = {
    "de": "Deutsch",
    "en": "English",
    "tr": "Türkçe",
    "ar": "العربية",
    "uk": "Українська",
    "ru": "Русский",
    "fa": "فارسی",
    "pl": "Polski",
}

# German in plain language (Einfache Sprache): a choice in the language menu, not a language of
# its own. The interface stays German and German questions are matched as before; answers use
# an entry's ``plain`` text where it has one (docs/knowledge-format.md). Stored as the user's
# chosen language (at most 8 characters, the column's width).
PLAIN_GERMAN: Final = "de-plain"
PLAIN_GERMAN_NAME: Final = "Deutsch – einfach"

# What the language menu offers, in its order: plain German right after German.
CHOICES: Final[tuple[str, ...]] = ("de", PLAIN_GERMAN, *LANGUAGES[1:])


def choice_name(choice: str) -> str:
    """The menu label of a language or of plain German."""
    return PLAIN_GERMAN_NAME if choice == PLAIN_GERMAN else NATIVE_NAMES[choice]


def base_language(choice: str) -> str:
    """The language a choice speaks in its interface and matching: plain German is German."""
    return "de" if choice == PLAIN_GERMAN else choice


RIGHT_TO_LEFT: Final[frozenset[str]] = frozenset({"ar", "fa"})
