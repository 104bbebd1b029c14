"""Scoring a message against the index and deciding: answer, clarify or none.

Three kinds of evidence, each between 0 and 1:
- word: the idf-weighted share of the message's words whose form or lemma the entry uses;
- char: the idf-weighted share of the message's character 3-grams the entry uses (typos,
  compounds, inflections the lemma tables do not know, German words inside other languages);
- fuzzy: rapidfuzz similarity of the whole message to the entry's closest question or keyword,
  computed for the best candidates only.
Documents in the message's language count fully, others with ``other_language_factor``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import NDArray
from rapidfuzz import fuzz, process

from bot.config import MatchingSettings
from bot.language.analyzer import Analysis
from bot.matching.index import Postings, SearchIndex
from bot.matching.index_grams import char_ngrams

Status = Literal["answer", "clarify", "none"]
STOP_WORD_FACTOR = 0.2


@dataclass(frozen=True)
class Candidate:
    entry_id: str
    score: float
    # The evidence behind the score (0-1 each), used by the confidence model.
    word: float = 0.0
    char: float = 0.0
    fuzzy: float = 0.0


@dataclass(frozen=True)
class Ranking:
    candidates: list[Candidate]  # best first
    known_share: float  # share of the message's word weight the knowledge base knows at all


FEATURES = ("bias", "top", "margin", "known", "word", "char", "fuzzy")


def features(ranking: Ranking) -> list[float]:
    """The confidence model's inputs, in the order of ``FEATURES``."""
    c = ranking.candidates
    top = c[0] if c else Candidate("", 0.0)
    second = c[1].score if len(c) > 1 else 0.0
    return [1.0, top.score, top.score - second, ranking.known_share, top.word, top.char, top.fuzzy]


def confidence(ranking: Ranking, coefficients: tuple[float, ...]) -> float:
    """Estimated probability that the best candidate is the right answer (logistic model)."""
    if not ranking.candidates:
        return 0.0
    z = sum(w * x for w, x in zip(coefficients, features(ranking), strict=True))
    return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))


@dataclass(frozen=True)
class Decision:
    status: Status
    candidates: tuple[Candidate, ...]  # best first; the answer, or the choices to offer
    confidence: float = 0.0

    @property
    def best(self) -> Candidate | None:
        return self.candidates[0] if self.candidates else None


class Matcher:
    def __init__(self, index: SearchIndex, settings: MatchingSettings) -> None:
        self.index = index
        self.settings = settings

    def rank(self, analysis: Analysis, language: str) -> Ranking:
        """Entries ordered by combined score, best first (at most ``settings.candidates``)."""
        if not analysis.words:
            return Ranking([], 0.0)
        s = self.settings
        units = self._word_units(analysis)
        word = self._coverage(self.index.words, units, language)
        grams = sorted(char_ngrams(analysis.words))
        char = _above(
            self._coverage(self.index.grams, [((g,), 1.0) for g in grams], language), s.char_floor
        )
        shape = (len(self.index.entry_ids), len(self.index.languages))
        factors = self._language_factors(language)
        doc_scores = (s.word_weight * word + s.char_weight * char).reshape(shape) * factors
        entry_scores = doc_scores.max(axis=1)
        best_docs = doc_scores.argmax(axis=1)
        word, char = word.reshape(shape), char.reshape(shape)
        query = " ".join(analysis.words)
        lang_no = self._language_number(language)
        ranked = []
        for entry in _top(entry_scores, s.candidates):
            doc = int(best_docs[entry])
            fuzzy = _above(self.fuzzy(query, int(entry), lang_no, doc), s.fuzzy_floor)
            score = float(entry_scores[entry]) + s.fuzzy_weight * fuzzy
            ranked.append(
                Candidate(
                    self.index.entry_ids[entry],
                    round(min(score, 1.0), 4),
                    float(word[entry, doc % shape[1]]),
                    float(char[entry, doc % shape[1]]),
                    float(fuzzy),
                )
            )
        ranked.sort(key=lambda c: c.score, reverse=True)
        return Ranking(ranked, self._known_share(units, language))

    def _known_share(self, units: list[tuple[tuple[str, ...], float]], language: str) -> float:
        """Weighted share of the message's words found anywhere in the knowledge base."""
        postings = self.index.words
        stops = self.index.stop_words.get(language, frozenset())
        total = known = 0.0
        for forms, credit in units:
            weight = postings.weight(forms[0]) * (STOP_WORD_FACTOR if forms[0] in stops else 1.0)
            total += weight
            if any(f in postings.docs for f in forms):
                known += weight * credit
        return known / total if total else 0.0

    def evidence(
        self, analysis: Analysis, language: str
    ) -> tuple[NDArray[np.float64], NDArray[np.float64], float]:
        """Word and character coverage per document, and the known share (for calibration)."""
        units = self._word_units(analysis)
        word = self._coverage(self.index.words, units, language)
        grams = sorted(char_ngrams(analysis.words))
        char = self._coverage(self.index.grams, [((g,), 1.0) for g in grams], language)
        return word, char, self._known_share(units, language)

    def _word_units(self, analysis: Analysis) -> list[tuple[tuple[str, ...], float]]:
        """Each distinct word as (forms, credit): its form and lemma, or for a word the index
        does not know, the closest known word with credit equal to the similarity."""
        known = self.index.words.docs
        seen: set[str] = set()
        units = []
        for word, lemma in zip(analysis.words, analysis.lemmas, strict=True):
            if word in seen:
                continue
            seen.add(word)
            forms = (word,) if word == lemma else (word, lemma)
            if any(f in known for f in forms):
                units.append((forms, 1.0))
                continue
            closest = self.index.vocabulary.closest(word)
            units.append(((word, closest[0]), closest[1]) if closest else (forms, 1.0))
        return units

    def _language_number(self, language: str) -> int:
        langs = self.index.languages
        return langs.index(language) if language in langs else 0

    def decide(self, ranking: Ranking) -> Decision:
        """Answer when the confidence model is sure enough, offer choices when it is less
        sure, and say "none" below that."""
        s = self.settings
        ranked = ranking.candidates
        sure = confidence(ranking, s.confidence)
        if not ranked or sure < s.clarify_threshold:
            return Decision("none", tuple(ranked[: s.max_alternatives]), sure)
        if sure >= s.answer_threshold:
            return Decision("answer", tuple(ranked[: s.max_alternatives + 1]), sure)
        floor = ranked[0].score - s.clarify_window
        close = tuple(c for c in ranked[: s.max_alternatives] if c.score >= floor)
        return Decision("clarify", close, sure)

    def _language_factors(self, language: str) -> NDArray[np.float64]:
        factors = np.full(len(self.index.languages), self.settings.other_language_factor)
        if language in self.index.languages:
            factors[self.index.languages.index(language)] = 1.0
        return factors

    def _coverage(
        self, postings: Postings, units: list[tuple[tuple[str, ...], float]], language: str
    ) -> NDArray[np.float64]:
        """Per document: weighted share of ``units`` found (a unit is found if any form is).

        A word's weight is its idf (an unknown word counts as the rarest); stop words count
        little; a typo-corrected word earns its similarity as credit."""
        stops = self.index.stop_words.get(language, frozenset())
        doc_count = self.index.document_count
        total = 0.0
        found = np.zeros(doc_count)
        for forms, credit in units:
            weight = (
                min(postings.weight(f) for f in forms[:1])
                if credit < 1
                else max(postings.weight(f) for f in forms)
            )
            if forms[0] in stops:
                weight *= STOP_WORD_FACTOR
            total += weight
            lists = [postings.docs[f] for f in forms if f in postings.docs]
            if not lists:
                continue
            docs = lists[0] if len(lists) == 1 else np.union1d(lists[0], lists[1])
            found += np.bincount(docs, minlength=doc_count) * (weight * credit)
        return found / total if total else found

    def fuzzy(self, query: str, entry: int, lang_no: int, best_doc: int) -> float:
        """Similarity of the message to the closest string of the entry (message's language,
        the best-scoring language and German, where the official terms are)."""
        docs = {self.index.document(entry, lang_no), best_doc, self.index.document(entry, 0)}
        choices = [s for d in docs for s in self.index.strings[d]]
        found = process.extractOne(query, choices, scorer=fuzz.WRatio)
        return float(found[1]) / 100 if found else 0.0


def _above(value, floor: float):  # type: ignore[no-untyped-def]
    """Rescale so that ``floor`` (what unrelated texts typically reach) becomes 0."""
    return np.maximum(0.0, (value - floor) / (1.0 - floor)) if floor else value


def _top(scores: NDArray[np.float64], k: int) -> NDArray[np.intp]:
    if len(scores) <= k:
        return np.argsort(-scores)
    part = np.argpartition(-scores, k)[:k]
    return part[np.argsort(-scores[part])]
