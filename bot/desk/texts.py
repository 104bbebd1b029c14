"""Texts the staff see (``bot/locales/staff/<language>.yaml``), checked when loaded."""

from __future__ import annotations

import unicodedata
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from bot.i18n import LocaleError
from bot.languages import LANGUAGES

STAFF_LOCALES = Path(__file__).resolve().parent.parent / "locales" / "staff"


class StaffTexts:
    def __init__(self, catalogue: dict[str, Any]) -> None:
        self._catalogue = catalogue

    def get(self, key: str, /, **values: Any) -> str:
        text = str(self._catalogue[key])
        return text.format(**values) if values else text

    def language_name(self, language: str) -> str:
        names: dict[str, str] = self._catalogue["language_names"]
        return names.get(language, language)


@cache
def load_staff_texts(language: str = "de", directory: Path = STAFF_LOCALES) -> StaffTexts:
    path = directory / f"{language}.yaml"
    try:
        catalogue = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise LocaleError(f"{path}: {exc}") from None
    names = catalogue.get("language_names") if isinstance(catalogue, dict) else None
    if not isinstance(names, dict) or set(names) != set(LANGUAGES):
        raise LocaleError(f"{path}: language_names must name each of {', '.join(LANGUAGES)}")
    return StaffTexts(catalogue)


def is_note(text: str, prefix: str) -> bool:
    """Whether a staff message is an internal note: ``prefix`` first, also after spaces or
    invisible characters, and in any width (``／／`` is ``//`` after NFKC). A note mistaken for a
    reply would reach the resident, so this errs on the side of the note."""
    folded = unicodedata.normalize("NFKC", text)
    visible = "".join(ch for ch in folded if unicodedata.category(ch) != "Cf")
    return visible.lstrip().startswith(unicodedata.normalize("NFKC", prefix))
