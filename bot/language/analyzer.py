"""Tokens and lemmas through spaCy blank pipelines with a lemma-table component.

No trained pipeline is needed: ``spacy.blank(lang)`` supplies each language's tokenizer and stop
words; the ``table_lemmatizer`` component sets ``token.lemma_`` from the pruned lemma tables.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import cast

import spacy
from spacy.language import Language
from spacy.tokens import Doc

from bot.language.lemmas import LemmaTables
from bot.language.normalize import fold

COMPONENT = "table_lemmatizer"


class TableLemmatizer:
    """spaCy component: lemma of each token from a LemmaTables, by folded form."""

    def __init__(self, language: str) -> None:
        self.language = language
        self.tables: LemmaTables = LemmaTables({})

    def __call__(self, doc: Doc) -> Doc:
        for token in doc:
            token.lemma_ = self.tables.lemma(self.language, fold(token.text))
        return doc


@Language.factory(COMPONENT, default_config={"language": "xx"})
def _make_table_lemmatizer(nlp: Language, name: str, language: str) -> TableLemmatizer:
    return TableLemmatizer(language)


@dataclass(frozen=True)
class Analysis:
    """A text as the matcher sees it: folded words and their lemmas, punctuation dropped."""

    words: tuple[str, ...]
    lemmas: tuple[str, ...]


# spaCy's vocabulary and string store keep every new word they see; renewing a pipeline after
# this many messages keeps a long-running bot's memory bounded.
RENEW_AFTER = 20_000


class TextAnalyzer:
    """One blank pipeline per language, created on first use."""

    def __init__(self, tables: LemmaTables | None = None) -> None:
        self.tables = tables or LemmaTables({})
        self._pipelines: dict[str, Language] = {}
        self._uses: dict[str, int] = {}
        self._lock = threading.Lock()

    def pipeline(self, language: str) -> Language:
        with self._lock:
            nlp = self._pipelines.get(language)
            self._uses[language] = self._uses.get(language, 0) + 1
            if nlp is not None and self._uses[language] > RENEW_AFTER:
                nlp = None
                self._uses[language] = 0
            if nlp is None:
                nlp = spacy.blank(language)
                component = cast(
                    TableLemmatizer, nlp.add_pipe(COMPONENT, config={"language": language})
                )
                component.tables = self.tables
                self._pipelines[language] = nlp
            return nlp

    def use_tables(self, tables: LemmaTables) -> None:
        self.tables = tables
        for nlp in self._pipelines.values():
            cast(TableLemmatizer, nlp.get_pipe(COMPONENT)).tables = tables

    def tokens(self, texts: Iterable[str], language: str) -> list[list[str]]:
        """Words as written (no lemmas): what the lemma tables are built from."""
        tokenizer = self.pipeline(language).tokenizer
        return [[t.text for t in tokenizer(text) if _is_word(t.text)] for text in texts]

    def analyze(self, text: str, language: str) -> Analysis:
        return _to_analysis(self.pipeline(language)(text))

    def analyze_many(self, texts: Sequence[str], language: str) -> list[Analysis]:
        return [_to_analysis(doc) for doc in self.pipeline(language).pipe(texts, batch_size=256)]

    def stop_words(self, language: str) -> frozenset[str]:
        return frozenset(fold(w) for w in self.pipeline(language).Defaults.stop_words)


def _is_word(text: str) -> bool:
    return any(ch.isalnum() for ch in text)


def _to_analysis(doc: Doc) -> Analysis:
    kept = [t for t in doc if _is_word(t.text)]
    return Analysis(words=tuple(fold(t.text) for t in kept), lemmas=tuple(t.lemma_ for t in kept))
