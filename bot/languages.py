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

RIGHT_TO_LEFT: Final[frozenset[str]] = frozenset({"ar", "fa"})
