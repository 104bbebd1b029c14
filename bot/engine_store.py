"""Building the engine's parts (lemma tables, search index, learned ranker) and caching them.

Shared by the engine (which loads the cache, or has it built) and the build worker
(bot/engine_build.py), so neither imports the other. The cache file is keyed by a hash of the
knowledge base's content, the settings the build uses and the versions of the libraries that
shape it: a change to any of them builds anew, a stale model is never loaded.
"""

from __future__ import annotations

import hashlib
import logging
import os
import pickle
import time
from collections.abc import Callable
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path

from bot.config import Settings
from bot.knowledge import KnowledgeBase
from bot.language.analyzer import TextAnalyzer
from bot.language.lemmas import LemmaTables
from bot.language.normalize import fold
from bot.language.translit import romanisations
from bot.languages import LANGUAGES
from bot.matching.index import SearchIndex
from bot.matching.ranker import LearnedRanker, RankerOptions

log = logging.getLogger(__name__)

# Bump when the structure of what is cached changes, so old caches are not loaded.
INDEX_FORMAT = 7
Progress = Callable[[int], None]  # percent of a cold build done
# Shares of a cold build's time (percent at the end of each step), measured on the real
# knowledge base: lemma tables, search index, then the learned ranker.
LEMMA_DONE, INDEX_DONE = 50, 60


@dataclass(frozen=True)
class Built:
    tables: LemmaTables
    index: SearchIndex
    ranker: LearnedRanker


class TrainingError(ValueError):
    """The knowledge base cannot train the ranker; the message says why."""


def build(
    kb: KnowledgeBase,
    analyzer: TextAnalyzer,
    settings: Settings,
    timings: dict[str, float],
    progress: Progress | None = None,
) -> Built:
    """Lemma tables for the knowledge base's vocabulary, the search index, the ranker."""
    shown: list[int] = []

    def report(percent: int) -> None:  # each step once
        if progress is not None and (not shown or percent > shown[-1]):
            shown.append(percent)
            progress(percent)

    started = time.perf_counter()
    vocabulary = {
        lang: [w for texts in kb.texts(lang) for ws in analyzer.tokens(texts, lang) for w in ws]
        for lang in LANGUAGES
    }
    tables = LemmaTables.for_vocabulary(
        vocabulary, settings.cache_dir, lambda done: report(round(done * LEMMA_DONE))
    )
    analyzer.use_tables(tables)
    timings["lemma_tables"] = time.perf_counter() - started
    report(LEMMA_DONE)
    started = time.perf_counter()
    index = SearchIndex.build(kb, analyzer, LANGUAGES)
    timings["index"] = time.perf_counter() - started
    report(INDEX_DONE)
    started = time.perf_counter()
    share = 100 - INDEX_DONE
    ranker = train_ranker(kb, settings, lambda done: report(INDEX_DONE + int(done * share)))
    timings["ranker"] = time.perf_counter() - started
    report(100)
    return Built(tables, index, ranker)


def training_texts(kb: KnowledgeBase, transliterate: bool) -> list[list[str]]:
    """Per entry, then per out-of-scope item: its folded texts in every language, and (with
    ``transliterate``) the Latin-letter forms of its Russian, Ukrainian, Arabic and Persian texts
    as residents type them without their own keyboard."""
    documents: list[list[str]] = [[] for _ in kb.document_ids]
    for lang in LANGUAGES:
        for number, texts in enumerate(kb.texts(lang)):
            folded = [fold(t) for t in texts]
            documents[number] += folded
            if transliterate:
                documents[number] += [r for t in folded for r in romanisations(t, lang)]
    return [sorted(set(d)) for d in documents]


def train_ranker(
    kb: KnowledgeBase, settings: Settings, progress: Callable[[float], None] | None = None
) -> LearnedRanker:
    s = settings.matching.ranker
    options = RankerOptions(c=s.c, neighbours=s.neighbours, sample=s.sample, prune=s.prune)
    try:
        return LearnedRanker.train(training_texts(kb, s.transliterate), options, progress)
    except ValueError as exc:
        raise TrainingError(f"the learned ranker cannot be trained on it: {exc}") from exc


def cache_path(settings: Settings, kb: KnowledgeBase) -> Path:
    libraries = "-".join(version(name) for name in ("simplemma", "spacy", "scikit-learn"))
    trained = settings.matching.ranker.model_dump_json(exclude={"weight"})
    key = f"{kb.fingerprint()}-{libraries}-{trained}-v{INDEX_FORMAT}"
    return settings.cache_dir / f"engine-{hashlib.sha256(key.encode()).hexdigest()[:20]}.pickle"


def read_cache(path: Path) -> Built | None:
    """The engine built earlier for exactly this knowledge base (our own file in data/)."""
    try:
        with path.open("rb") as handle:
            loaded = pickle.load(handle)  # noqa: S301 - written by write_cache, not user input
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError):
        return None
    return loaded if isinstance(loaded, Built) else None


def write_cache(path: Path, built: Built) -> bool:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        with tmp.open("wb") as handle:
            pickle.dump(built, handle, protocol=pickle.HIGHEST_PROTOCOL)
        tmp.replace(path)
        for old in path.parent.glob("engine-*.pickle"):
            if old != path:
                old.unlink(missing_ok=True)
        return True
    except OSError as exc:  # a read-only data folder only costs time on the next start
        log.warning("cannot cache the search index: %s", exc)
        return False
