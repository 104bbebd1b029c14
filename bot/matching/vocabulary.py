"""Typo tolerance at the word level: the closest known word for a word the index does not know.

Candidates are the vocabulary words sharing the most character 3-grams with the unknown word;
rapidfuzz's ratio picks among them. Only words of at least ``MIN_LENGTH`` characters are
corrected: short words have too many neighbours to correct safely.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

import numpy as np
from numpy.typing import NDArray
from rapidfuzz import fuzz, process

from bot.matching.index_grams import char_ngrams

MIN_LENGTH = 4
MIN_SIMILARITY = 80.0
CANDIDATES = 24


class Vocabulary:
    def __init__(self, words: Iterable[str]) -> None:
        self.words = sorted({w for w in words if len(w) >= MIN_LENGTH and not w.isdigit()})
        postings: dict[str, list[int]] = defaultdict(list)
        for number, word in enumerate(self.words):
            for gram in char_ngrams([word]):
                postings[gram].append(number)
        self._postings: dict[str, NDArray[np.int32]] = {
            g: np.asarray(ids, dtype=np.int32) for g, ids in postings.items()
        }
        self._cache: dict[str, tuple[str, float] | None] = {}

    def __getstate__(self) -> dict[str, object]:
        return {**self.__dict__, "_cache": {}}  # pickled without the memo

    def closest(self, word: str) -> tuple[str, float] | None:
        """The most similar known word and its similarity (0-1), if similar enough."""
        if word not in self._cache:
            if len(self._cache) > 20000:
                self._cache.clear()
            self._cache[word] = self._closest(word)
        return self._cache[word]

    def _closest(self, word: str) -> tuple[str, float] | None:
        """The most similar known word and its similarity (0-1), if similar enough."""
        if len(word) < MIN_LENGTH or not self.words:
            return None
        lists = [self._postings[g] for g in char_ngrams([word]) if g in self._postings]
        if not lists:
            return None
        counts = np.bincount(np.concatenate(lists), minlength=len(self.words))
        top = np.argpartition(-counts, min(CANDIDATES, len(counts) - 1))[:CANDIDATES]
        choices = [self.words[i] for i in top if counts[i] > 0]
        found = process.extractOne(word, choices, scorer=fuzz.ratio, score_cutoff=MIN_SIMILARITY)
        return (found[0], found[1] / 100) if found else None
