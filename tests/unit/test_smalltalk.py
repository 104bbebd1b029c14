"""Small talk and non-questions: a friendly word, never an entry, never "did you mean"."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.language.smalltalk import SmallTalkFileError, SmallTalkMatcher, smalltalk_matcher

SMALLTALK = [
    # (message, user's language, kind, reply language)
    ("Hallo", "de", "greeting", "de"),
    ("hallooo!!", "de", "greeting", "de"),
    ("Hallo", "en", "greeting", "en"),
    ("guten morgen 🙂", "de", "greeting", "de"),
    ("danke", "de", "thanks", "de"),
    ("Danke schön!", "de", "thanks", "de"),
    ("vielen dank, tschüss", "de", "thanks", "de"),
    ("ok", "de", "other", "de"),
    ("test", "de", "other", "de"),
    ("ja", "de", "other", "de"),
    ("hi", "en", "greeting", "en"),
    ("thnaks", "en", "thanks", "en"),
    ("thank you", "en", "thanks", "en"),
    ("bye", "en", "bye", "en"),
    ("yes", "en", "other", "en"),
    ("merhaba", "tr", "greeting", "tr"),
    ("tesekkurler", "tr", "thanks", "tr"),
    ("tamam", "tr", "other", "tr"),
    ("görüşürüz", "tr", "bye", "tr"),
    ("مرحبا", "ar", "greeting", "ar"),
    ("شكرا جزيلا", "ar", "thanks", "ar"),
    ("shukran", "ar", "thanks", "ar"),
    ("marhaba", "ar", "greeting", "ar"),
    ("تمام", "ar", "other", "ar"),
    ("привіт", "uk", "greeting", "uk"),
    ("дякую", "uk", "thanks", "uk"),
    ("dyakuyu", "uk", "thanks", "uk"),
    ("до побачення", "uk", "bye", "uk"),
    ("привет", "ru", "greeting", "ru"),
    ("спасибо большое", "ru", "thanks", "ru"),
    ("spasibo", "ru", "thanks", "ru"),
    ("ок", "ru", "other", "ru"),
    ("سلام", "fa", "greeting", "fa"),
    ("مرسی", "fa", "thanks", "fa"),
    ("mamnoon", "fa", "thanks", "fa"),
    ("خداحافظ", "fa", "bye", "fa"),
    ("cześć", "pl", "greeting", "pl"),
    ("dzieki", "pl", "thanks", "pl"),
    ("dziękuję bardzo!", "pl", "thanks", "pl"),
    ("tak", "pl", "other", "pl"),
    ("🙂", "uk", "other", "uk"),
    ("👍👍", "fa", "other", "fa"),
    ("12345", "tr", "other", "tr"),
    ("?", "pl", "other", "pl"),
    ("null", "ar", "other", "ar"),
    ("<b>hi</b>", "en", "greeting", "en"),
    # The words decide when they belong to one other language only.
    ("merhaba", "de", "greeting", "tr"),
    ("привет", "de", "greeting", "ru"),
    ("spasibo", "de", "thanks", "ru"),
]


@pytest.mark.parametrize(("text", "hint", "kind", "language"), SMALLTALK)
def test_small_talk_gets_no_entry(engine, text: str, hint: str, kind: str, language: str) -> None:  # type: ignore[no-untyped-def]
    result = engine.ask(text, hint=hint)
    assert (result.status, result.entry_id, result.kind) == ("none", None, "smalltalk")
    assert (result.smalltalk, result.language) == (kind, language)


@pytest.mark.parametrize(
    "text",
    [
        "Hallo, wie beantrage ich Geld für das Projekt unseres Vereins?",
        "hi, how do I apply for WIR2.0 funding",
        "merhaba einbürgerung için ne lazım",
        "Einbürgerungstest",
        "tests",
        "ok was kostet der einbürgerungstest",
        "danke, und wie lange dauert die einbürgerung?",
    ],
)
def test_a_question_with_a_greeting_is_still_a_question(engine, text: str) -> None:  # type: ignore[no-untyped-def]
    assert smalltalk_matcher().match(text) is None
    assert engine.ask(text).kind == "question"


@pytest.mark.parametrize(
    ("text", "hint"),
    [
        ("Hallo, was kostet der Einbürgerungstest?", "de"),
        ("hi there, how much does the naturalisation test cost? thanks", "en"),
        ("merhaba, vatandaşlık testi ne kadar", "tr"),
    ],
)
def test_a_greeting_question_is_answered(engine, text: str, hint: str) -> None:  # type: ignore[no-untyped-def]
    result = engine.ask(text, hint)
    assert (result.status, result.entry_id, result.language) == (
        "answer", "naturalisation-test", hint
    )  # fmt: skip


def test_a_bare_yaml_word_must_be_quoted(tmp_path: Path) -> None:
    bad = tmp_path / "smalltalk.yaml"
    bad.write_text(
        "greeting: {en: [hi]}\nthanks: {en: [thanks]}\nbye: {en: [bye]}\nother: {en: [no]}\n",
        encoding="utf-8",
    )
    with pytest.raises(SmallTalkFileError, match=r"other\.en: quote False"):
        SmallTalkMatcher.load(bad)
