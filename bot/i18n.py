"""Interface texts from ``bot/locales/<lang>.yaml``: one file per language, the same keys in each.

Loading checks that every language has every key and the same ``{placeholders}``, so a missing
translation stops start-up instead of showing a resident an empty message.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from bot.languages import LANGUAGES

# libyaml's safe parser when available: the pure-Python one takes seconds at every start.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
LOCALES = Path(__file__).resolve().parent / "locales"
SOURCE = "en"
_PLACEHOLDER = re.compile(r"\{(\w+)\}")


class LocaleError(Exception):
    pass


class Texts:
    def __init__(self, catalogues: dict[str, dict[str, Any]], fallback: str = "de") -> None:
        self._catalogues = catalogues
        self.fallback = fallback

    def get(self, language: str, key: str, /, **values: Any) -> str:
        catalogue = self._catalogues.get(language) or self._catalogues[self.fallback]
        node: Any = catalogue
        for part in key.split("."):
            node = node[part]
        return str(node).format(**values) if values else str(node)

    def languages(self) -> tuple[str, ...]:
        return tuple(self._catalogues)


@cache
def load_texts(directory: Path = LOCALES, fallback: str = "de") -> Texts:
    catalogues: dict[str, dict[str, Any]] = {}
    for lang in LANGUAGES:
        path = directory / f"{lang}.yaml"
        try:
            catalogues[lang] = yaml.load(path.read_text(encoding="utf-8"), Loader=_LOADER)  # noqa: S506
        except (OSError, yaml.YAMLError) as exc:
            raise LocaleError(f"{path}: {exc}") from None
    problems = check_catalogues(catalogues)
    if problems:
        raise LocaleError("locale files are inconsistent:\n  " + "\n  ".join(problems))
    return Texts(catalogues, fallback)


def check_catalogues(catalogues: dict[str, dict[str, Any]]) -> list[str]:
    """Every key of the source language present in every language, same placeholders."""
    source = _flatten(catalogues[SOURCE])
    problems = []
    for lang, catalogue in catalogues.items():
        flat = _flatten(catalogue)
        for key, text in source.items():
            if key not in flat:
                problems.append(f"{lang}.yaml: missing key '{key}'")
            elif set(_PLACEHOLDER.findall(text)) != set(_PLACEHOLDER.findall(flat[key])):
                problems.append(f"{lang}.yaml: key '{key}' has other placeholders than {SOURCE}")
            elif not flat[key].strip():
                problems.append(f"{lang}.yaml: key '{key}' is empty")
        problems += [f"{lang}.yaml: unknown key '{k}'" for k in flat if k not in source]
    return problems


def _flatten(node: dict[str, Any], prefix: str = "") -> dict[str, str]:
    flat: dict[str, str] = {}
    for key, value in node.items():
        if isinstance(value, dict):
            flat.update(_flatten(value, f"{prefix}{key}."))
        else:
            flat[f"{prefix}{key}"] = str(value)
    return flat
