"""Plain German (Einfache Sprache): every written ``de.plain`` answer is short and readable.

Limits from the plain-language guideline the unit follows: no sentence over 15 words, on
average at most 10, and a German Flesch reading ease (Amstad) of at least 65.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import textstat

from bot.knowledge import load_knowledge

ROOT = Path(__file__).resolve().parent.parent
MAX_WORDS = 15
MAX_AVERAGE_WORDS = 10
MIN_AMSTAD = 65

KB = load_knowledge(ROOT / "knowledge")
PLAIN = {entry.id: entry.de.plain for entry in KB if entry.de.plain is not None}


def sentences(text: str) -> list[str]:
    """Sentences as a reader meets them: each line (a bullet point, a heading) ends one,
    and so do ., ! and ? before a space."""
    text = re.sub(r"\[/?person\]", "", text)
    found = []
    for line in text.splitlines():
        line = line.strip().lstrip("•-").strip()
        found += [s for s in re.split(r"(?<=[.!?])\s+", line) if words(s)]
    return found


def words(sentence: str) -> list[str]:
    return [w for w in sentence.split() if re.search(r"\w", w)]


def amstad(text: str) -> float:
    """Flesch reading ease for German (Amstad); each sentence closed with a full stop so that
    textstat counts lines as sentences."""
    textstat.set_lang("de")
    closed = " ".join(s if s[-1] in ".!?" else s + "." for s in sentences(text))
    return float(textstat.flesch_reading_ease(closed))


def test_some_entries_have_plain_text() -> None:
    assert len(PLAIN) >= 19, "the plain-German answers are gone"


@pytest.mark.parametrize("entry_id", sorted(PLAIN))
def test_plain_answer_is_short_and_readable(entry_id: str) -> None:
    text = PLAIN[entry_id]
    lengths = {s: len(words(s)) for s in sentences(text)}
    too_long = [s for s, n in lengths.items() if n > MAX_WORDS]
    assert not too_long, f"sentences over {MAX_WORDS} words: {too_long}"
    average = sum(lengths.values()) / len(lengths)
    assert average <= MAX_AVERAGE_WORDS, f"{average:.1f} words per sentence on average"
    score = amstad(text)
    assert score >= MIN_AMSTAD, f"Flesch-Amstad {score:.0f}, at least {MIN_AMSTAD} wanted"


def test_the_measure_tells_plain_from_official_german() -> None:
    """The checks above can fail: an official-style sentence breaks them."""
    official = (
        "Die Zuwendungsempfängerin hat die zweckentsprechende Verwendung der bewilligten "
        "Fördermittel innerhalb der im Bewilligungsbescheid festgelegten Frist durch einen "
        "qualifizierten Verwendungsnachweis einschließlich Sachbericht nachzuweisen."
    )
    assert len(words(sentences(official)[0])) > MAX_WORDS
    assert amstad(official) < MIN_AMSTAD
    assert amstad("Sie können hier fragen. Wir helfen Ihnen gern.") >= MIN_AMSTAD
