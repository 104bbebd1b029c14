"""The shipped knowledge base: every catalogue entry, complete in eight languages, with sources."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.knowledge import KnowledgeBase, load_knowledge
from bot.languages import LANGUAGES

ROOT = Path(__file__).resolve().parent.parent
CATALOGUE = [
    line.strip()
    for line in (ROOT / "tests" / "data" / "catalogue_ids.txt").read_text().splitlines()
    if line.strip() and not line.startswith("#")
]
# The German administrative terms a resident meets on letters, kept beside translations.
GERMAN_TERMS = {
    "residence-office": "Ausländerbehörde",
    "naturalisation-apply": "Einbürgerung",
    "funding-apply": "Zuwendungsportal",
    "funding-small": "Kleinprojekt",
}


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return load_knowledge(ROOT / "knowledge")


def test_catalogue_has_all_ids() -> None:
    assert len(CATALOGUE) == 49


@pytest.mark.parametrize("entry_id", CATALOGUE)
def test_every_catalogue_entry_is_complete(kb: KnowledgeBase, entry_id: str) -> None:
    entry = kb.get(entry_id)
    assert entry is not None, f"catalogue entry {entry_id} is missing"
    assert entry.sources, f"{entry_id} has no source"
    assert all(s.url.startswith("https://") for s in entry.sources)
    assert 1 <= len(entry.related) <= 3, f"{entry_id} offers no next step"
    for lang in LANGUAGES:
        block = entry.text(lang)
        assert block.answer.strip(), f"{entry_id}/{lang}: empty answer"
        assert len(block.answer) <= 800, f"{entry_id}/{lang}: answer over 800 characters"
        assert len(block.questions) >= 5, f"{entry_id}/{lang}: fewer than five questions"
        assert block.keywords, f"{entry_id}/{lang}: no keywords"


@pytest.mark.parametrize(("entry_id", "term"), sorted(GERMAN_TERMS.items()))
def test_german_terms_stay_beside_translations(kb: KnowledgeBase, entry_id: str, term: str) -> None:
    for lang in LANGUAGES:
        assert term.lower()[:10] in kb.get(entry_id).text(lang).answer.lower(), (entry_id, lang)


def test_no_invented_contacts(kb: KnowledgeBase) -> None:
    """Phone numbers and e-mail addresses only as they appear in the unit's fact sheet."""
    allowed_mail = {
        "ads@hannover-stadt.de",
        "demokratie-leben@hannover-stadt.de",
        "info@miso-netzwerk.de",
    }
    allowed_phone = {"110", "112", "0511 54571952"}
    for entry in kb:
        for lang in LANGUAGES:
            answer = entry.text(lang).answer
            for mail in re.findall(r"[\w.+-]+@[\w-]+\.[\w.]+", answer):
                assert mail.lower().rstrip(".") in allowed_mail, (entry.id, lang, mail)
            for phone in re.findall(r"\b0\d{2,4}[ -]\d{3,}[\d -]*\d", answer):
                assert phone.strip() in allowed_phone, (entry.id, lang, phone)


def test_arabic_and_persian_use_their_own_letters(kb: KnowledgeBase) -> None:
    for entry in kb:
        fa = entry.text("fa").answer
        assert "ي" not in fa and "ك" not in fa, entry.id  # Arabic yeh/kaf in Persian text
        uk = entry.text("uk").answer
        assert not re.search("[ыэъё]", uk), entry.id  # Russian letters in Ukrainian text


def test_topics_cover_every_entry(kb: KnowledgeBase) -> None:
    topic_ids = {t.id for t in kb.topics}
    assert {e.topic for e in kb} <= topic_ids
    assert all(kb.in_topic(t) for t in topic_ids)


@pytest.mark.parametrize("language", LANGUAGES)
def test_bot_human_names_the_button_residents_see(kb: KnowledgeBase, language: str) -> None:
    from bot.i18n import load_texts

    label = load_texts().get(language, "desk.button").removeprefix("🙋").strip()
    entry = kb.get("bot-human")
    assert entry is not None
    assert label in entry.text(language).answer and "/human" in entry.text(language).answer
