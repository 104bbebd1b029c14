"""The answering engine on the real knowledge base: what residents type, and bad input."""

from __future__ import annotations

import pytest

from bot.languages import LANGUAGES


@pytest.mark.parametrize(
    ("question", "entry_id"),
    [
        ("Einbürgerung için hangi belgeler lazım, nereye başvuruyorum?", "naturalisation-apply"),
        (
            "wie lange muss ich in deutschland leben fur die einburgerung",
            "naturalisation-requirements",
        ),
        ("wieviel geld bekommt man fur ein kleinprojekt", "funding-small"),
        ("Как записаться на Einbürgerungstest?", "naturalisation-test"),
        ("اختبار الجنسية كم سؤال", "naturalisation-test"),
    ],
)
def test_residents_phrasing_finds_the_entry(engine, question: str, entry_id: str) -> None:  # type: ignore[no-untyped-def]
    result = engine.ask(question)
    assert result.status in ("answer", "clarify")
    assert result.entry_id == entry_id, result


def test_a_vague_word_offers_choices(engine) -> None:  # type: ignore[no-untyped-def]
    result = engine.ask("Einbürgerung", hint="de")
    assert result.status == "clarify"
    assert 2 <= len(result.choices) <= 3
    assert all(c.startswith("naturalisation-") for c in result.choices)


def test_out_of_scope_is_none(engine) -> None:  # type: ignore[no-untyped-def]
    result = engine.ask("rezept für linsensuppe")
    assert result.status == "none" and result.entry_id is None


BAD_INPUT = [
    "",
    "   \n\t ",
    "x" * 100_000,
    "Einbürgerung " * 10_000,
    "🙂🎉👍" * 50,
    "\x00\x01\x02\xff\ufffd" * 100,
    bytes(range(256)).decode("latin-1"),
    "\u200f\u202e\u200fکمک\u200f\u202c مالی\u200e",
    "مرحبا hello привет cześć merhaba",
    "\u200f" * 5000,
    "?" * 300,
]


@pytest.mark.parametrize("text", BAD_INPUT, ids=range(len(BAD_INPUT)))
@pytest.mark.parametrize("hint", [None, "ar"])
def test_bad_input_never_raises(engine, text: str, hint: str | None) -> None:  # type: ignore[no-untyped-def]
    result = engine.ask(text, hint=hint)
    assert result.status in ("answer", "clarify", "none")
    assert result.language in LANGUAGES
    if result.status == "none":
        assert result.entry_id is None
    else:
        assert result.entry_id in engine.knowledge


def test_json_shape(engine) -> None:  # type: ignore[no-untyped-def]
    data = engine.ask("How do I apply for WIR2.0 funding?").to_json()
    assert set(data) == {"status", "kind", "entry_id", "language", "score", "alternatives"}
    assert data["language"] == "en" and data["kind"] == "question"
    assert all(set(a) == {"entry_id", "score"} for a in data["alternatives"])
