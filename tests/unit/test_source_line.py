"""The source line under an answer: how current the information is, apart from the review date."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.conversation.render import answer_text
from bot.i18n import load_texts
from bot.knowledge import KnowledgeError, load_knowledge
from bot.languages import LANGUAGES
from tests.helpers import entry, write_kb

DATED = {
    "url": "https://www.hannover.de",
    "title": "hannover.de: Kuratorium",
    "checked": "2026-12-03",
    "as_of": "2022-07",
}
UNDATED = {"url": "https://www.bamf.de", "title": "BAMF", "checked": "2026-12-03"}


def test_a_dated_source_shows_its_date_beside_the_review_date(tmp_path: Path) -> None:
    kb = load_knowledge(write_kb(tmp_path, {"a.yaml": [entry("one", sources=[DATED, UNDATED])]}))
    texts = load_texts()
    german = answer_text(kb.get("one"), "de", texts).splitlines()
    assert german[-2].endswith("Kuratorium</a> · Stand: 2022-07 · Eintrag geprüft 2026-12-03</i>")
    assert german[-1].endswith("BAMF</a> · Eintrag geprüft 2026-12-03</i>")
    english = answer_text(kb.get("one"), "en", texts)
    assert "as of 2022-07 · entry reviewed 2026-12-03" in english
    for language in LANGUAGES:
        rendered = answer_text(kb.get("one"), language, texts)
        assert "2022-07" in rendered and "{date}" not in rendered
        assert rendered.count("2026-12-03") == 2


@pytest.mark.parametrize("as_of", ["Juni 2025", "2025-13", "25", "2025-6"])
def test_an_unreadable_as_of_stops_loading_with_the_field_named(
    tmp_path: Path, as_of: str
) -> None:
    bad = entry("one", sources=[{**DATED, "as_of": as_of}])
    with pytest.raises(KnowledgeError) as caught:
        load_knowledge(write_kb(tmp_path, {"a.yaml": [bad]}))
    assert any(
        "entry 'one'" in str(p) and "field 'sources.0.as_of'" in str(p)
        for p in caught.value.problems
    )


def test_a_year_alone_is_read_as_text(tmp_path: Path) -> None:
    kb = load_knowledge(
        write_kb(tmp_path, {"a.yaml": [entry("one", sources=[{**DATED, "as_of": 2023}])]})
    )
    assert kb.get("one").sources[0].as_of == "2023"
