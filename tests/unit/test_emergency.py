"""Danger now: every phrasing in tests/data/emergencies.yaml gets the emergency entry first."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bot.language.emergency import EmergencyRule, PatternFileError, emergency_rule

DATA = yaml.safe_load(
    (Path(__file__).resolve().parent.parent / "data" / "emergencies.yaml").read_text("utf-8")
)
EMERGENCIES = [(lang, q) for lang, qs in DATA["emergencies"].items() for q in qs]
SECTIONS = ("de", "en", "tr", "pl", "ar", "ar-latn", "fa", "fa-latn", "ru", "ru-latn", "uk", "uk-latn")


def test_every_language_and_romanised_form_has_ten_phrasings() -> None:
    for section in SECTIONS:
        assert len(DATA["emergencies"][section]) >= 10, section


@pytest.mark.parametrize(("lang", "text"), EMERGENCIES)
def test_the_rule_recognises_danger(lang: str, text: str) -> None:
    assert emergency_rule().matches(text), (lang, text)


@pytest.mark.parametrize(("lang", "text"), EMERGENCIES)
def test_the_engine_answers_the_emergency_entry(engine, lang: str, text: str) -> None:  # type: ignore[no-untyped-def]
    result = engine.ask(text)
    assert (result.status, result.entry_id, result.kind) == ("answer", "emergency", "emergency")


@pytest.mark.parametrize("text", DATA["not_emergencies"])
def test_papers_and_thanks_are_no_emergency(text: str) -> None:
    assert not emergency_rule().matches(text)


def test_without_punctuation_or_case(engine) -> None:  # type: ignore[no-untyped-def]
    for text in ("HELP HE HAS A KNIFE", "help he has a knife", "Help! He has a knife!!!"):
        assert engine.ask(text, hint="en").entry_id == "emergency"


def test_a_broken_pattern_file_is_named(tmp_path: Path) -> None:
    bad = tmp_path / "emergency.yaml"
    bad.write_text("unless: []\nde:\n  strong: ['(unclosed']\n", encoding="utf-8")
    with pytest.raises(PatternFileError, match=r"emergency\.yaml.*de\.strong.*unclosed"):
        EmergencyRule.load(bad)
