"""Accuracy floors on the development set (tests/eval), language detected automatically.

The questions are written the way residents type (everyday words, typos, missing accents,
German terms inside other languages) and are not copies of the entries' own questions.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.evaluation import evaluate, format_table, read_eval_files, total
from bot.languages import LANGUAGES

EVAL = sorted((Path(__file__).resolve().parent / "eval").glob("*.yaml"))
TOP1_FLOOR = 0.90
NONE_FLOOR = 0.90


@pytest.fixture(scope="module")
def scores(engine):  # type: ignore[no-untyped-def]
    result = evaluate(read_eval_files(EVAL), engine.ask, detect_language=True)
    print("\n" + format_table(result))
    return result


def test_the_set_covers_every_entry_in_every_language(engine) -> None:  # type: ignore[no-untyped-def]
    items = read_eval_files(EVAL)
    for entry in engine.knowledge:
        for lang in LANGUAGES:
            asked = [i for i in items if i.expect == entry.id and i.lang == lang]
            assert len(asked) >= 3, f"{entry.id}/{lang}: {len(asked)} evaluation questions"
            own = {q.casefold() for q in entry.text(lang).questions}
            assert not [i.q for i in asked if i.q.casefold() in own], "copied from the entry"
    for lang in LANGUAGES:
        assert len([i for i in items if i.expect == "none" and i.lang == lang]) >= 10


@pytest.mark.parametrize("lang", LANGUAGES)
def test_top1_floor_per_language(scores, lang: str) -> None:  # type: ignore[no-untyped-def]
    share = scores[lang].share("top1")
    assert share is not None and share >= TOP1_FLOOR, f"{lang}: top-1 {share:.1%}"


def test_out_of_scope_answered_none(scores) -> None:  # type: ignore[no-untyped-def]
    share = total(scores).share("none_correct")
    assert share is not None and share >= NONE_FLOOR, f"none correct {share:.1%}"
