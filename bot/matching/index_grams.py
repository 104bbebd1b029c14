"""Character n-grams shared by the index and the vocabulary."""

from __future__ import annotations

from collections.abc import Iterable

NGRAM = 3


def char_ngrams(words: Iterable[str]) -> set[str]:
    """Character 3-grams of each word padded with spaces (whole short words count as one)."""
    grams: set[str] = set()
    for word in words:
        padded = f" {word} "
        if len(padded) <= NGRAM:
            grams.add(padded)
            continue
        grams.update(padded[i : i + NGRAM] for i in range(len(padded) - NGRAM + 1))
    return grams
