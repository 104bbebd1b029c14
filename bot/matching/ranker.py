"""A learned ranker: linear classifiers over TF-IDF character and word n-grams.

Trained on the knowledge base itself: every title, question and keyword (all languages) is an
example of its entry, every out-of-scope example of its out-of-scope item. Features are
character 2-5-grams within words (typos, inflections, compounds, German words inside other
languages) and word 1-2-grams, each block TF-IDF weighted (sublinear) and L2-normalised.

One linear SVM per class (one-vs-rest). Each is trained against the examples of the classes
closest to it (by centroid similarity) plus a fixed-size random sample of the rest: for a small
knowledge base that is nearly everything, and a large one still trains in linear time. Each
class's weights are non-zero only on features its training examples contain, so the model is
kept as a sparse matrix (feature-major, for gathering the rows a message has).

At question time the n-grams are computed here (the same function trained on), not through
scikit-learn's vectorizer, whose per-call overhead is a few milliseconds.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy import sparse

CHAR_RANGE = (2, 5)
_WORD = re.compile(r"\w+")
Progress = Callable[[float], None]


@dataclass(frozen=True)
class RankerOptions:
    """How the ranker is trained (part of the cache key)."""

    c: float = 1.0  # the SVM's regularisation (larger: fit the examples more closely)
    neighbours: int = 16  # closest classes whose examples every class is trained against
    sample: int = 1500  # random examples of the other classes added to that
    seed: int = 0
    prune: float = 0.1  # see _one_vs_rest


def char_grams(text: str) -> list[str]:
    """Character 2-5-grams of each word padded with spaces (a short word counts once)."""
    grams: list[str] = []
    low, high = CHAR_RANGE
    for word in text.split():
        padded = f" {word} "
        size = len(padded)
        for n in range(low, high + 1):
            if n >= size:
                grams.append(padded)
                break
            grams.extend(padded[i : i + n] for i in range(size - n + 1))
    return grams


def word_grams(text: str) -> list[str]:
    """Words and pairs of neighbouring words."""
    words = _WORD.findall(text)
    return words + [f"{a} {b}" for a, b in itertools.pairwise(words)]


class LearnedRanker:
    def __init__(
        self,
        vocabulary: tuple[dict[str, int], dict[str, int]],
        idf: NDArray[np.float32],
        weights: sparse.csr_matrix,
        intercept: NDArray[np.float32],
    ) -> None:
        self.char_vocabulary, self.word_vocabulary = vocabulary
        self.idf = idf
        self.weights = weights  # features x classes
        self.intercept = intercept
        self._memo: dict[str, tuple[int, ...]] = {}

    @property
    def classes(self) -> int:
        return len(self.intercept)

    def decision(self, text: str) -> NDArray[np.float32]:
        """Each class's decision value for one folded message (about +1: this class)."""
        ids, values = self.features(text)
        w = self.weights
        starts, ends = w.indptr[ids], w.indptr[ids + 1]
        lengths = ends - starts
        if not lengths.sum():
            return self.intercept.copy()
        # The rows of the message's features, gathered and summed per class (a sparse
        # vector-matrix product without scipy's per-call overhead).
        at = np.repeat(starts - np.cumsum(lengths) + lengths, lengths) + np.arange(lengths.sum())
        scores = np.bincount(
            w.indices[at], weights=w.data[at] * np.repeat(values, lengths), minlength=self.classes
        )
        return scores.astype(np.float32) + self.intercept

    def features(self, text: str) -> tuple[NDArray[np.intp], NDArray[np.float32]]:
        """The message's TF-IDF vector (both blocks L2-normalised), as indices and values."""
        words = text.split()
        char_ids = [i for w in words for i in self._char_ids(w)]
        offset = len(self.char_vocabulary)
        known = self.word_vocabulary
        word_ids = [known[g] + offset for g in word_grams(text) if g in known]
        all_ids, all_values = [], []
        for block in (char_ids, word_ids):
            if not block:
                continue
            ids, counts = np.unique(np.asarray(block, dtype=np.intp), return_counts=True)
            values = (1.0 + np.log(counts)) * self.idf[ids]
            all_ids.append(ids)
            all_values.append(values / np.sqrt(np.dot(values, values)))
        if not all_ids:
            return np.zeros(0, dtype=np.intp), np.zeros(0, dtype=np.float32)
        return np.concatenate(all_ids), np.concatenate(all_values).astype(np.float32)

    def _char_ids(self, word: str) -> tuple[int, ...]:
        """The known character n-grams of one word (memoised: words recur)."""
        found = self._memo.get(word)
        if found is None:
            if len(self._memo) > 50_000:
                self._memo.clear()
            known = self.char_vocabulary
            found = tuple(known[g] for g in char_grams(word) if g in known)
            self._memo[word] = found
        return found

    def __getstate__(self) -> dict[str, object]:
        return {**self.__dict__, "_memo": {}}  # pickled without the memo

    @classmethod
    def train(
        cls,
        documents: Sequence[Sequence[str]],
        options: RankerOptions,
        progress: Progress | None = None,
    ) -> LearnedRanker:
        """Train on ``documents[c]``, the folded example texts of class ``c``.

        Raises ValueError (with the reason) when the texts cannot make a model."""
        from sklearn.feature_extraction.text import TfidfVectorizer

        texts = [t for doc in documents for t in doc]
        labels = np.repeat(np.arange(len(documents)), [len(d) for d in documents])
        if len(documents) < 2 or not texts:
            raise ValueError("it needs examples of at least two entries")
        blocks = []
        vocabularies = []
        idfs = []
        for analyzer in (char_grams, word_grams):
            vectorizer = TfidfVectorizer(analyzer=analyzer, sublinear_tf=True, dtype=np.float32)
            blocks.append(vectorizer.fit_transform(texts))
            vocabularies.append({str(k): int(v) for k, v in vectorizer.vocabulary_.items()})
            idfs.append(vectorizer.idf_.astype(np.float32))
        matrix = sparse.hstack(blocks, format="csr", dtype=np.float32)
        if progress:
            progress(0.05)
        weights, intercept = _one_vs_rest(matrix, labels, len(documents), options, progress)
        return cls((vocabularies[0], vocabularies[1]), np.concatenate(idfs), weights, intercept)


def _one_vs_rest(
    matrix: sparse.csr_matrix,
    labels: NDArray[np.intp],
    classes: int,
    options: RankerOptions,
    progress: Progress | None,
) -> tuple[sparse.csr_matrix, NDArray[np.float32]]:
    """One SVM per class against its closest classes' examples and a random sample."""
    from sklearn.preprocessing import normalize
    from sklearn.svm import LinearSVC

    membership = sparse.csr_matrix(
        (np.ones(len(labels)), (labels, np.arange(len(labels)))), shape=(classes, len(labels))
    )
    centroids = normalize(membership @ matrix)
    similarity = (centroids @ centroids.T).toarray()
    np.fill_diagonal(similarity, -np.inf)
    rng = np.random.default_rng(options.seed)
    rows_of = [np.flatnonzero(labels == c) for c in range(classes)]
    coef_rows: list[NDArray[np.intp]] = []
    coef_cols: list[NDArray[np.intp]] = []
    coef_values: list[NDArray[np.float32]] = []
    intercept = np.zeros(classes, dtype=np.float32)
    for c in range(classes):
        near = np.argsort(-similarity[c])[: options.neighbours]
        chosen = np.zeros(classes, dtype=bool)
        chosen[near] = True
        chosen[c] = True
        rest = np.flatnonzero(~chosen[labels])
        if len(rest) > options.sample:
            rest = rng.choice(rest, options.sample, replace=False)
        rows = np.concatenate([*(rows_of[k] for k in np.flatnonzero(chosen)), rest])
        sub = matrix[rows]
        columns = np.unique(sub.indices)
        model = LinearSVC(C=options.c).fit(sub[:, columns], (labels[rows] == c).astype(np.int8))
        keep = model.coef_[0] != 0
        if options.prune:
            # Weights on features the class's own examples lack only push it down; the
            # small ones change little and would make the model large.
            own = np.zeros(matrix.shape[1], dtype=bool)
            own[matrix[rows_of[c]].indices] = True
            keep &= own[columns] | (np.abs(model.coef_[0]) >= options.prune)
        coef_rows.append(columns[keep])
        coef_cols.append(np.full(int(keep.sum()), c, dtype=np.intp))
        coef_values.append(model.coef_[0][keep].astype(np.float32))
        intercept[c] = model.intercept_[0]
        if progress:
            progress(0.05 + 0.95 * (c + 1) / classes)
    weights = sparse.csr_matrix(
        (np.concatenate(coef_values), (np.concatenate(coef_rows), np.concatenate(coef_cols))),
        shape=(matrix.shape[1], classes),
        dtype=np.float32,
    )
    return weights, intercept
