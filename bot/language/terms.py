"""German official terms, names and acronyms, which do not decide the reply language.

A resident writing Arabic, Russian or English keeps "Einbürgerung" or "Ausländerbehörde" in
German, as on their letters; those words say nothing about the language they read. The lexicon
joins a curated list (``german_terms.yaml``) with what the knowledge base itself shows: the
Latin-script words of its Arabic, Persian, Russian and Ukrainian texts, and the German words its
English, Turkish and Polish texts keep beside their own ("residence permit
(Aufenthaltserlaubnis)").
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import yaml

from bot.knowledge import KnowledgeBase
from bot.language.normalize import fold

TERMS_FILE = Path(__file__).resolve().parent / "german_terms.yaml"
COMPOUND_PART = 6  # a word beginning or ending with a term this long is a compound of it
_WORD = re.compile(r"[^\W_]+")
_LATIN_WORD = re.compile(r"[A-Za-zÄÖÜäöüß][A-Za-zÄÖÜäöüß0-9]*")
_IN_BRACKETS = re.compile(r"\(([^()]{2,80})\)")
_ACRONYM = re.compile(r"[A-ZÄÖÜ][A-ZÄÖÜ0-9]+")


@dataclass(frozen=True)
class GermanTerms:
    words: frozenset[str]  # folded

    def __contains__(self, word: object) -> bool:
        """Whether a folded word is a term or a compound of one."""
        if not isinstance(word, str):
            return False
        if word in self.words:
            return True
        for size in range(COMPOUND_PART, len(word)):
            if word[:size] in self.words or word[-size:] in self.words:
                return True
        return False

    @classmethod
    def load(cls, kb: KnowledgeBase | None = None, path: Path = TERMS_FILE) -> GermanTerms:
        words = set(_curated(path))
        if kb is not None:
            words |= from_knowledge(kb) - _common_words()
        return cls(frozenset(words))


def _curated(path: Path) -> set[str]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    terms = data.get("terms") if isinstance(data, dict) else None
    if not isinstance(terms, list) or not all(isinstance(t, str) for t in terms):
        raise ValueError(f"{path}: 'terms' must be a list of words")
    return {w for term in terms for w in _WORD.findall(fold(term)) if len(w) >= 2}


def from_knowledge(kb: KnowledgeBase) -> set[str]:
    """The German words the knowledge base keeps inside its other languages."""
    found: set[str] = set()
    for entry in kb:
        german = {fold(w) for w in _WORD.findall(_all_text(entry.text("de")))}
        for lang in ("ar", "fa", "ru", "uk"):
            found |= _useful(_LATIN_WORD.findall(_all_text(entry.text(lang))))
        for lang in ("en", "tr", "pl"):
            block = entry.text(lang)
            kept = [m for text in (block.title, block.answer) for m in _IN_BRACKETS.findall(text)]
            kept += [k for k in block.keywords if k in entry.text("de").keywords]
            words = [w for text in kept for w in _LATIN_WORD.findall(text)]
            found |= {w for w in _useful(words) if w in german}
    return found


def _common_words() -> set[str]:
    """Words that carry sentences (stop words, marker words): never taken as terms."""
    from spacy.lang.de.stop_words import STOP_WORDS as DE
    from spacy.lang.en.stop_words import STOP_WORDS as EN
    from spacy.lang.pl.stop_words import STOP_WORDS as PL
    from spacy.lang.tr.stop_words import STOP_WORDS as TR

    from bot.language.markers import markers

    return {fold(w) for w in (*DE, *EN, *PL, *TR)} | set(markers().vocabulary())


def _all_text(block: object) -> str:
    title, questions, keywords, answer = (getattr(block, f) for f in
                                          ("title", "questions", "keywords", "answer"))  # fmt: skip
    return " ".join([title, *questions, *keywords, answer])


def _useful(words: Iterable[str]) -> set[str]:
    """Words long enough to mean something, or acronyms; never a common short word."""
    return {fold(w) for w in words if len(w) >= 5 or _ACRONYM.fullmatch(w)}
