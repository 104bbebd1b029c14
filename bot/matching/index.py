"""The search index: word (lemma) and character n-gram postings, strings for fuzzy scoring.

One document per entry and language, laid out entry-major (entry i, language j is document
``i * L + j``) so per-entry maxima are a reshape. Inverse document frequencies count entries,
not documents: a word used by one entry in all eight languages is still rare.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from bot.knowledge.model import KnowledgeBase
from bot.language.analyzer import Analysis, TextAnalyzer
from bot.matching.index_grams import char_ngrams
from bot.matching.vocabulary import Vocabulary


@dataclass
class Postings:
    """term -> sorted array of document numbers, with an entry-level idf per term."""

    docs: dict[str, NDArray[np.int32]]
    idf: dict[str, float]
    max_idf: float

    @classmethod
    def from_documents(cls, documents: Sequence[set[str]], languages: int) -> Postings:
        by_term: dict[str, list[int]] = defaultdict(list)
        for number, terms in enumerate(documents):
            for term in terms:
                by_term[term].append(number)
        entries = max(1, len(documents) // languages)
        docs = {t: np.asarray(ds, dtype=np.int32) for t, ds in by_term.items()}
        idf = {
            t: math.log(1 + entries / len({d // languages for d in ds}))
            for t, ds in by_term.items()
        }
        return cls(docs=docs, idf=idf, max_idf=math.log(1 + entries))

    def weight(self, term: str) -> float:
        return self.idf.get(term, self.max_idf)


@dataclass
class SearchIndex:
    entry_ids: list[str]  # entries, then out-of-scope items (from ``negative_from`` on)
    negative_from: int
    languages: tuple[str, ...]
    words: Postings
    grams: Postings
    joined: list[str]  # per document: folded title, questions and keywords, one per line
    stop_words: dict[str, frozenset[str]]
    vocabulary: Vocabulary  # for words the index does not know (typos)
    phrases: PhraseTable  # the terms of every single title, question and keyword

    def strings(self, document: int) -> list[str]:
        """The folded strings of one document (kept joined: one object per document)."""
        return self.joined[document].split("\n")

    @property
    def document_count(self) -> int:
        return len(self.entry_ids) * len(self.languages)

    def document(self, entry: int, language: int) -> int:
        return entry * len(self.languages) + language

    @classmethod
    def build(
        cls, kb: KnowledgeBase, analyzer: TextAnalyzer, languages: tuple[str, ...]
    ) -> SearchIndex:
        word_docs: list[set[str]] = []
        gram_docs: list[set[str]] = []
        joined: list[str] = []
        analyses = _analyse_by_language(kb, analyzer, languages)
        for entry_number in range(len(kb.document_ids)):
            for lang in languages:
                texts = analyses[lang][entry_number]
                words = {w for a in texts for w in (*a.words, *a.lemmas)}
                word_docs.append(words)
                gram_docs.append(char_ngrams(w for a in texts for w in a.words))
                joined.append("\n".join(" ".join(a.words) for a in texts))
        word_postings = Postings.from_documents(word_docs, len(languages))
        phrases = PhraseTable.build(
            [
                [{*a.words, *a.lemmas} for a in analyses[lang][e]]
                for e in range(len(kb.document_ids))
                for lang in languages
            ],
            {term: number for number, term in enumerate(word_postings.docs)},
        )
        return cls(
            entry_ids=kb.document_ids,
            negative_from=len(kb.entries),
            languages=languages,
            words=word_postings,
            grams=Postings.from_documents(gram_docs, len(languages)),
            joined=joined,
            stop_words={lang: analyzer.stop_words(lang) for lang in languages},
            vocabulary=Vocabulary(word_postings.docs),
            phrases=phrases,
        )


@dataclass
class PhraseTable:
    """Term numbers of every string, flat (CSR): document d's strings are
    ``doc_start[d]:doc_start[d+1]``, string s's terms ``terms[term_start[s]:term_start[s+1]]``."""

    term_ids: dict[str, int]
    terms: NDArray[np.int32]
    term_start: NDArray[np.int64]
    doc_start: NDArray[np.int64]

    def string_of(self, positions: NDArray[np.int64]) -> NDArray[np.int64]:
        """The string each position of ``terms`` belongs to."""
        return np.searchsorted(self.term_start, positions, side="right") - 1

    @classmethod
    def build(cls, documents: list[list[set[str]]], term_ids: dict[str, int]) -> PhraseTable:
        terms: list[int] = []
        term_start = [0]
        doc_start = [0]
        for strings in documents:
            for string in strings:
                ids = sorted(term_ids[t] for t in string if t in term_ids)
                terms += ids
                term_start.append(len(terms))
            doc_start.append(len(term_start) - 1)
        return cls(
            term_ids,
            np.asarray(terms, dtype=np.int32),
            np.asarray(term_start, dtype=np.int64),
            np.asarray(doc_start, dtype=np.int64),
        )


def _analyse_by_language(
    kb: KnowledgeBase, analyzer: TextAnalyzer, languages: tuple[str, ...]
) -> dict[str, list[list[Analysis]]]:
    """For each language, each document's texts analysed in one batch."""
    result: dict[str, list[list[Analysis]]] = {}
    for lang in languages:
        texts: list[str] = []
        bounds: list[tuple[int, int]] = []
        for own in kb.texts(lang):
            bounds.append((len(texts), len(texts) + len(own)))
            texts.extend(own)
        analysed = analyzer.analyze_many(texts, lang)
        result[lang] = [analysed[start:end] for start, end in bounds]
    return result


def phrase_coverage(
    table: PhraseTable,
    units: list[tuple[tuple[str, ...], float]],
    weights: list[float],
    docs: NDArray[np.intp],
) -> NDArray[np.float64]:
    """Per document in ``docs``: the best share of the message's word weight that one single
    string (title, question or keyword) of the document holds."""
    total = sum(weights)
    unit_of: dict[int, int] = {}
    for number, (forms, _credit) in enumerate(units):
        for form in forms:
            term = table.term_ids.get(form)
            if term is not None:
                unit_of.setdefault(term, number)
    if not unit_of or not total or not len(docs):
        return np.zeros(len(docs))
    first, last = table.doc_start[docs], table.doc_start[docs + 1]
    starts, ends = table.term_start[first], table.term_start[last]
    positions = _ranges(starts, ends)
    query_terms = np.fromiter(sorted(unit_of), dtype=np.int64)
    query_units = np.fromiter((unit_of[t] for t in query_terms), dtype=np.int64)
    found = positions[np.isin(table.terms[positions], query_terms)]
    if not len(found):
        return np.zeros(len(docs))
    strings = table.string_of(found)
    units_found = query_units[np.searchsorted(query_terms, table.terms[found])]
    pairs = np.unique(strings * len(units) + units_found)  # each unit once per string
    value = np.array([weights[u] * units[u][1] for u in range(len(units))])
    per_string = np.bincount(
        pairs // len(units), weights=value[pairs % len(units)], minlength=int(last.max()) + 1
    )
    # The best string of each document: maxima over [first, last), empty documents 0.
    bounds = np.empty(2 * len(docs), dtype=np.int64)
    bounds[0::2], bounds[1::2] = first, last
    best = np.maximum.reduceat(per_string, bounds)[0::2]
    return np.where(last > first, best, 0.0) / total


def _ranges(starts: NDArray[np.int64], ends: NDArray[np.int64]) -> NDArray[np.int64]:
    """All of range(a, b) for each pair, concatenated (without a Python loop)."""
    lengths = ends - starts
    if not lengths.sum():
        return np.zeros(0, dtype=np.int64)
    offsets = np.repeat(starts - np.cumsum(lengths) + lengths, lengths)
    return offsets + np.arange(int(lengths.sum()))
