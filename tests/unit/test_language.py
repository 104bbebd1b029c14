"""Normalisation per script and language identification."""

from __future__ import annotations

import pytest

from bot.language.detect import LanguageDetector
from bot.language.normalize import clean_text, fold
from bot.languages import LANGUAGES


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Einbürgerung", "einbuergerung"),
        ("Einbürgerung", "EINBURGERUNG"),
        ("Straße", "strasse"),
        ("başvuru nasıl", "basvuru nasil"),
        ("İSTANBUL", "istanbul"),
        ("كيف", "کیف"),  # Arabic kaf/yeh typed for Persian
        ("می\u200cخواهم", "میخواهم"),  # ZWNJ
        ("مـــرحبا", "مرحبا"),  # tatweel
        ("مُسَاعَدَة", "مساعدة"),  # harakat
        ("١٢٣", "123"),
        ("۴۵۶", "456"),
        ("Łódź", "lodz"),
        ("всё", "все"),
    ],
)
def test_fold_meets_variants(a: str, b: str) -> None:
    assert fold(a) == fold(b)


def test_clean_text_removes_direction_marks_and_controls() -> None:
    assert clean_text("\u200f\u202bمرحبا\u202c\x00  world\u200e") == "مرحبا world"


@pytest.fixture(scope="module")
def detector() -> LanguageDetector:
    return LanguageDetector(LANGUAGES, "de", short_message_words=3, min_confidence=0.8)


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Wie kann ich mich einbürgern lassen und was brauche ich dafür?", "de"),
        ("How can I apply for funding for our association?", "en"),
        ("Derneğimiz için nasıl destek başvurusu yapabiliriz?", "tr"),
        ("Vatandaslik basvurusu icin ne gerekiyor", "tr"),
        ("كيف يمكنني الحصول على الجنسية الألمانية؟", "ar"),
        ("چطور می‌توانم برای انجمن‌مان کمک مالی بگیرم؟", "fa"),
        ("Як отримати громадянство Німеччини?", "uk"),
        ("Как получить немецкое гражданство?", "ru"),
        ("Jak mogę złożyć wniosek o dofinansowanie projektu?", "pl"),
        ("Jak moge zlozyc wniosek o dofinansowanie projektu dla stowarzyszenia", "pl"),
    ],
)
def test_detects_supported_languages(detector: LanguageDetector, text: str, language: str) -> None:
    assert detector.detect(text).language == language


def test_short_message_keeps_the_users_language(detector: LanguageDetector) -> None:
    assert detector.detect("Termin", hint="en").language == "en"
    assert detector.detect("hallo", hint="pl").language == "pl"


def test_script_overrides_a_hint_that_cannot_be_right(detector: LanguageDetector) -> None:
    assert detector.detect("Привет", hint="de").language in ("ru", "uk")
    assert detector.detect("سلام", hint="en").language in ("ar", "fa")


@pytest.mark.parametrize("text", ["", "   ", "🙂🙂🙂", "12345", "\x00\x01"])
def test_no_letters_falls_back_to_hint_or_default(detector: LanguageDetector, text: str) -> None:
    assert detector.detect(text, hint="uk").language == "uk"
    assert detector.detect(text).language == "de"
