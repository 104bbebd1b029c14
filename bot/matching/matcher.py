"""Scoring a message against the index and deciding: answer, clarify or none.

Four kinds of evidence, each between 0 and 1:
- word: the idf-weighted share of the message's words whose form or lemma the entry uses
  (a word the index does not know counts through its closest known word, by similarity);
- char: the same for character 3-grams (typos, compounds, inflections the lemma tables do not
  know, German words inside other languages);
- phrase: the share of the message's words that one single question, keyword or title of the
  entry holds (words that merely occur somewhere in an entry do not add up to a match);
- fuzzy: rapidfuzz similarity of the message to the entry's closest string.
Documents in the message's language count fully, others with ``other_language_factor``.
A small logistic model (``confidence``) then estimates how likely the best candidate is right.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import NDArray
from rapidfuzz import fuzz, process

from bot.config import CONFIDENCE_FEATURES, MatchingSettings
from bot.language.analyzer import Analysis
from bot.matching.index import Postings, SearchIndex, phrase_coverage
from bot.matching.index_grams import char_ngrams
from bot.matching.ranker import LearnedRanker

Status = Literal["answer", "clarify", "none"]
STOP_WORD_FACTOR = 0.2
Units = list[tuple[tuple[str, ...], float]]  # (forms of a word, credit)


@dataclass(frozen=True)
class Candidate:
    entry_id: str
    score: float
    # The evidence behind the score (0-1 each), used by the confidence model.
    word: float = 0.0
    char: float = 0.0
    phrase: float = 0.0
    fuzzy: float = 0.0
    negative: bool = False  # an out-of-scope example, never offered to a resident
    learned: float = 0.0  # the learned ranker's score (0-1)


@dataclass(frozen=True)
class LearnedView:
    """What the learned ranker alone thinks: its best entry and the scores around it."""

    best: str = ""
    top: float = 0.0
    second: float = 0.0
    negative: float = 0.0  # its best out-of-scope item's score


@dataclass(frozen=True)
class Ranking:
    candidates: list[Candidate]  # best first
    known_share: float  # share of the message's word weight the knowledge base knows at all
    learned: LearnedView = LearnedView()


def learned_view(scores: NDArray[np.float64], split: int, ids: Sequence[str]) -> LearnedView:
    """The learned ranker's best entry, its top two scores and its best out-of-scope score."""
    if split == 0:
        return LearnedView()
    order = _top(scores[:split], 2)
    second = float(scores[order[1]]) if len(order) > 1 else 0.0
    negative = float(scores[split:].max()) if len(scores) > split else 0.0
    return LearnedView(ids[int(order[0])], float(scores[order[0]]), second, negative)


@dataclass(frozen=True)
class Decision:
    status: Status
    candidates: tuple[Candidate, ...]  # best first; the answer, or the choices to offer
    confidence: float = 0.0

    @property
    def best(self) -> Candidate | None:
        return self.candidates[0] if self.candidates else None


FEATURES = (
    "bias", "top", "margin", "known", "word", "char", "phrase", "fuzzy", "negative_gap",
    "learned_top", "learned_margin", "learned_agrees", "learned_best", "learned_negative_gap",
)  # fmt: skip
assert len(FEATURES) == CONFIDENCE_FEATURES


def features(ranking: Ranking) -> list[float]:
    """The confidence model's inputs, in the order of ``FEATURES``: about the best entry,
    how far it leads the next, and how far the closest out-of-scope example leads it; then
    the same as the learned ranker alone sees it, and whether it picks the same entry."""
    real = [c for c in ranking.candidates if not c.negative]
    top = real[0] if real else Candidate("", 0.0)
    second = real[1].score if len(real) > 1 else 0.0
    view = ranking.learned
    return [
        1.0, top.score, top.score - second, ranking.known_share,
        top.word, top.char, top.phrase, top.fuzzy, negative_gap(ranking),
        view.top, view.top - view.second, float(view.best == top.entry_id), top.learned,
        view.negative - view.top,
    ]  # fmt: skip


def negative_gap(ranking: Ranking) -> float:
    """Best out-of-scope example's score minus the best entry's (negative: the entry leads)."""
    negatives = [c.score for c in ranking.candidates if c.negative]
    real = [c.score for c in ranking.candidates if not c.negative]
    if not negatives:
        return -1.0
    return max(negatives) - (max(real) if real else 0.0)


def confidence(ranking: Ranking, coefficients: tuple[float, ...]) -> float:
    """Estimated probability that the best candidate is the right answer (logistic model)."""
    if not ranking.candidates:
        return 0.0
    z = sum(w * x for w, x in zip(coefficients, features(ranking), strict=True))
    return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))


@dataclass(frozen=True)
class Evidence:
    """Per document (entry-major): word and character coverage; the message's units."""

    word: NDArray[np.float64]
    char: NDArray[np.float64]
    units: Units
    weights: list[float]
    known_share: float


class Matcher:
    def __init__(
        self, index: SearchIndex, settings: MatchingSettings, ranker: LearnedRanker | None = None
    ) -> None:
        self.index = index
        self.settings = settings
        self.ranker = ranker

    def rank(self, analysis: Analysis, language: str, text: str = "") -> Ranking:
        """Entries ordered by combined score, best first: the lexical evidence's best entries
        together with the learned ranker's (``text``: the folded message it reads)."""
        if not analysis.words:
            return Ranking([], 0.0)
        s = self.settings
        share = s.ranker.weight if self.ranker else 0.0
        ev = self.evidence(analysis, language)
        shape = (len(self.index.entry_ids), len(self.index.languages))
        factors = self._language_factors(language)
        word = ev.word.reshape(shape)
        char = _above(ev.char, s.char_floor).reshape(shape)
        doc_scores = (s.word_weight * word + s.char_weight * char) * factors
        entry_scores = doc_scores.max(axis=1)
        best_docs = doc_scores.argmax(axis=1)
        learned = self.learned(text or " ".join(analysis.words))
        # The best entries, and the best out-of-scope examples to compare them with, by
        # either view.
        split = self.index.negative_from
        top = np.unique(
            np.concatenate(
                [
                    _top(entry_scores[:split], s.candidates),
                    _top(learned[:split], s.candidates),
                    split + _top(entry_scores[split:], 3),
                    split + _top(learned[split:], 3),
                ]
            )
        )
        docs = (top[:, None] * shape[1] + np.arange(shape[1])[None, :]).ravel()
        phrase = phrase_coverage(self.index.phrases, ev.units, ev.weights, docs)
        phrase = (phrase.reshape(len(top), shape[1]) * factors).max(axis=1)
        query = " ".join(analysis.words)
        lang_no = self._language_number(language)
        lexical = entry_scores[top] + s.phrase_weight * phrase
        before_fuzzy = (1 - share) * lexical + share * learned[top]
        # Fuzzy similarity is the costliest evidence and the smallest weight: only the
        # candidates that can still come first get it (the rest could not overtake them).
        reachable = before_fuzzy >= before_fuzzy.max() - (1 - share) * s.fuzzy_weight
        ranked = []
        for number, entry in enumerate(top):
            doc = int(best_docs[entry])
            fuzzy = 0.0
            if reachable[number]:
                fuzzy = float(_above(self.fuzzy(query, int(entry), lang_no, doc), s.fuzzy_floor))
            score = float(before_fuzzy[number]) + (1 - share) * s.fuzzy_weight * fuzzy
            ranked.append(
                Candidate(
                    self.index.entry_ids[entry],
                    round(min(float(score), 1.0), 4),
                    float(word[entry, doc]),
                    float(char[entry, doc]),
                    float(phrase[number]),
                    fuzzy,
                    bool(entry >= split),
                    float(learned[entry]),
                )
            )
        ranked.sort(key=lambda c: c.score, reverse=True)
        view = learned_view(learned, split, self.index.entry_ids)
        return Ranking(ranked, ev.known_share, view)

    def learned(self, text: str) -> NDArray[np.float64]:
        """The learned ranker's score per entry and out-of-scope item, rescaled to 0-1
        (decision value -1, "clearly not", is 0; +1, "clearly this", is 1)."""
        if self.ranker is None:
            return np.zeros(len(self.index.entry_ids))
        return np.clip((self.ranker.decision(text).astype(np.float64) + 1) / 2, 0.0, 1.0)

    def evidence(self, analysis: Analysis, language: str) -> Evidence:
        """Word and character coverage per document, and what the phrase scores need."""
        units = self._word_units(analysis)
        weights = self._weights(self.index.words, units, language)
        word = self._coverage(self.index.words, units, weights)
        grams: Units = [((g,), 1.0) for g in sorted(char_ngrams(analysis.words))]
        char = self._coverage(
            self.index.grams, grams, self._weights(self.index.grams, grams, language)
        )
        known = sum(w * c for w, (forms, c) in zip(weights, units, strict=True)
                    if any(f in self.index.words.docs for f in forms))  # fmt: skip
        return Evidence(word, char, units, weights, known / sum(weights) if weights else 0.0)

    def decide(self, ranking: Ranking) -> Decision:
        """Answer when the confidence model is sure enough, offer choices when it is less
        sure, and say "none" below that."""
        s = self.settings
        ranked = [c for c in ranking.candidates if not c.negative]
        sure = confidence(ranking, s.confidence)
        if negative_gap(ranking) > s.negative_margin:
            # Clearly closer to something the assistant does not cover.
            return Decision("none", tuple(ranked[: s.max_alternatives]), 0.0)
        if not ranked or sure < s.clarify_threshold:
            return Decision("none", tuple(ranked[: s.max_alternatives]), sure)
        lead = ranked[0].score - (ranked[1].score if len(ranked) > 1 else 0.0)
        if sure >= s.answer_threshold and lead >= s.answer_margin:
            return Decision("answer", tuple(ranked[: s.max_alternatives + 1]), sure)
        floor = ranked[0].score - s.clarify_window
        close = tuple(c for c in ranked[: s.max_alternatives] if c.score >= floor)
        return Decision("clarify", close, sure)

    def _word_units(self, analysis: Analysis) -> Units:
        """Each distinct word as (forms, credit): its form and lemma, or for a word the index
        does not know, the closest known word with credit equal to the similarity."""
        known = self.index.words.docs
        seen: set[str] = set()
        units: Units = []
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

    def _weights(self, postings: Postings, units: Units, language: str) -> list[float]:
        """A word's weight: its idf (an unknown word counts as the rarest), small for stop
        words; a typo-corrected word weighs as the word typed."""
        stops = self.index.stop_words.get(language, frozenset())
        weights = []
        for forms, credit in units:
            if credit < 1:
                weight = postings.weight(forms[0])
            else:
                weight = max(postings.weight(f) for f in forms)
            weights.append(weight * (STOP_WORD_FACTOR if forms[0] in stops else 1.0))
        return weights

    def _coverage(
        self, postings: Postings, units: Units, weights: list[float]
    ) -> NDArray[np.float64]:
        """Per document: weighted share of ``units`` found (a unit is found if any form is)."""
        doc_count = self.index.document_count
        total = sum(weights)
        found = np.zeros(doc_count)
        for (forms, credit), weight in zip(units, weights, strict=True):
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
        choices = [s for d in docs for s in self.index.strings(d)]
        # Below the floor the evidence counts 0 anyway; the cut-off lets rapidfuzz stop early.
        cutoff = self.settings.fuzzy_floor * 100
        found = process.extractOne(query, choices, scorer=fuzz.WRatio, score_cutoff=cutoff)
        return float(found[1]) / 100 if found else 0.0

    def _language_factors(self, language: str) -> NDArray[np.float64]:
        factors = np.full(len(self.index.languages), self.settings.other_language_factor)
        if language in self.index.languages:
            factors[self.index.languages.index(language)] = 1.0
        return factors

    def _language_number(self, language: str) -> int:
        langs = self.index.languages
        return langs.index(language) if language in langs else 0


def _above(value, floor: float):  # type: ignore[no-untyped-def]
    """Rescale so that ``floor`` (what unrelated texts typically reach) becomes 0."""
    return np.maximum(0.0, (value - floor) / (1.0 - floor)) if floor else value


def _top(scores: NDArray[np.float64], k: int) -> NDArray[np.intp]:
    if len(scores) <= k:
        return np.argsort(-scores)
    part = np.argpartition(-scores, k)[:k]
    return part[np.argsort(-scores[part])]
