"""The example questions the bot itself shows residents are answered directly, in every language."""

from __future__ import annotations

import re

import pytest

from bot.i18n import load_texts
from bot.languages import LANGUAGES

QUOTED = re.compile(r'[„"«“]([^„"«»“”]+?[?؟])[“"»”]')
# Every locale text that shows an example question, and the entry that answers it.
EXPECTED = {"help": "funding-apply", "smalltalk.other": "funding-who"}


def examples() -> list[tuple[str, str, str]]:
    """(language, locale key, question) for every quoted question in the interface texts."""
    texts = load_texts()
    found = []
    for lang in LANGUAGES:
        for key in _keys(texts._catalogues[lang]):
            found += [(lang, key, q) for q in QUOTED.findall(texts.get(lang, key))]
    return found


def _keys(node: dict[str, object], prefix: str = "") -> list[str]:
    keys = []
    for key, value in node.items():
        if isinstance(value, dict):
            keys += _keys(value, f"{prefix}{key}.")  # type: ignore[arg-type]
        else:
            keys.append(f"{prefix}{key}")
    return keys


def test_every_language_shows_the_examples() -> None:
    shown = {(lang, key) for lang, key, _ in examples()}
    assert shown == {(lang, key) for lang in LANGUAGES for key in EXPECTED}


@pytest.mark.parametrize(("lang", "key", "question"), examples())
def test_an_example_is_answered_directly(engine, lang: str, key: str, question: str) -> None:  # type: ignore[no-untyped-def]
    assert key in EXPECTED, f"{lang}.yaml '{key}' shows an example: name its entry in EXPECTED"
    for hint in (lang, None):
        result = engine.ask(question, hint=hint)
        assert (result.status, result.entry_id, result.language) == ("answer", EXPECTED[key], lang)
