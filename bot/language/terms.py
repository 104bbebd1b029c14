"""German official terms, names and acronyms, which do not decide the reply language.

A resident writing Arabic, Russian or English keeps "Einbürgerung" or "Ausländerbehörde" in
German, as on their letters; those words say nothing about the language they read. The lexicon
joins a curated list (``german_terms.yaml``) with what the knowledge base itself shows: the
Latin-script words of its Arabic, Persian, Russian and Ukrainian titles, questions and keywords,
and the German words its English, Turkish and Polish ones keep beside their own (in brackets,
or a keyword the German text has too).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import yaml

from bot.knowledge import KnowledgeBase
from bot.knowledge.schema import LanguageBlock
from bot.language.normalize import fold

log = logging.getLogger(__name__)

TERMS_FILE = Path(__file__).resolve().parent / "german_terms.yaml"
FORMAT = 1  # bump when the derivation changes, so old caches are not read
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
    def cached(cls, kb: KnowledgeBase, cache_dir: Path) -> GermanTerms:
        """``load(kb)``, kept in ``cache_dir`` keyed by the knowledge base's content and the
        word lists: deriving takes seconds at thousands of entries, reading milliseconds."""
        from bot.language.markers import MARKERS_FILE

        digest = hashlib.sha256(f"{kb.fingerprint()}-v{FORMAT}".encode())
        for data in (TERMS_FILE, MARKERS_FILE):
            digest.update(data.read_bytes())
        path = cache_dir / f"terms-{digest.hexdigest()[:20]}.json"
        try:
            return cls(frozenset(json.loads(path.read_text(encoding="utf-8"))))
        except (OSError, ValueError, TypeError):
            pass
        terms = cls.load(kb)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(f".{os.getpid()}.tmp")
            tmp.write_text(json.dumps(sorted(terms.words), ensure_ascii=False), encoding="utf-8")
            tmp.replace(path)
            for old in path.parent.glob("terms-*.json"):
                if old != path:
                    old.unlink(missing_ok=True)
        except OSError as exc:  # a read-only data folder only costs time on the next start
            log.warning("cannot cache the German terms: %s", exc)
        return terms

    @classmethod
    def load(cls, kb: KnowledgeBase | None = None, path: Path = TERMS_FILE) -> GermanTerms:
        words = _curated(path) | (from_knowledge(kb) if kb is not None else set())
        return cls(frozenset(words - _common_words()))


def _curated(path: Path) -> set[str]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    terms = data.get("terms") if isinstance(data, dict) else None
    if not isinstance(terms, list) or not all(isinstance(t, str) for t in terms):
        raise ValueError(f"{path}: 'terms' must be a list of words")
    return {w for term in terms for w in _WORD.findall(fold(term)) if len(w) >= 2}


def from_knowledge(kb: KnowledgeBase) -> set[str]:
    """The German words the knowledge base keeps inside its other languages (in titles,
    questions and keywords: what the knowledge base's fingerprint covers). A word counts only
    if the entry's German text has it too: Russian typed in Latin letters is no German term."""
    found: set[str] = set()
    for entry in kb:
        german = entry.text("de")
        german_words = set(_LATIN_WORD.findall(_all_text(german).casefold()))
        for lang in ("ar", "fa", "ru", "uk"):
            words = _LATIN_WORD.findall(_all_text(entry.text(lang)))
            found.update(w for w in words if w.casefold() in german_words)
        for lang in ("en", "tr", "pl"):
            block = entry.text(lang)
            kept = _IN_BRACKETS.findall(_all_text(block))
            kept += [k for k in block.keywords if k in german.keywords]
            words = [w for text in kept for w in _LATIN_WORD.findall(text)]
            found.update(w for w in words if w.casefold() in german_words)
    return _useful(found)


def _common_words() -> set[str]:
    """Words that carry sentences (stop words, marker words): never taken as terms."""
    from spacy.lang.de.stop_words import STOP_WORDS as DE
    from spacy.lang.en.stop_words import STOP_WORDS as EN
    from spacy.lang.pl.stop_words import STOP_WORDS as PL
    from spacy.lang.tr.stop_words import STOP_WORDS as TR

    from bot.language.markers import markers

    return {fold(w) for w in (*DE, *EN, *PL, *TR)} | set(markers().vocabulary())


def _all_text(block: LanguageBlock) -> str:
    return " ".join([block.title, *block.questions, *block.keywords])


def _useful(words: Iterable[str]) -> set[str]:
    """Words long enough to mean something, or acronyms; never a common short word."""
    return {fold(w) for w in words if len(w) >= 5 or _ACRONYM.fullmatch(w)}
