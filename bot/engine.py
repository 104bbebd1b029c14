"""The answering engine: a resident's message in, an answer, a clarification or "none" out.

This is the interface the Telegram handlers, the CLI and the benchmarks share. It knows nothing
of Telegram.
"""

from __future__ import annotations

import hashlib
import logging
import os
import pickle
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib.metadata import version
from pathlib import Path
from typing import Any, Literal

from bot.config import Settings
from bot.knowledge import KnowledgeBase, load_knowledge
from bot.language.analyzer import TextAnalyzer
from bot.language.detect import LanguageDetector
from bot.language.intents import EMERGENCY_ENTRY, Intents, smalltalk_language
from bot.language.lemmas import LemmaTables
from bot.language.normalize import clean_text
from bot.language.terms import GermanTerms
from bot.languages import LANGUAGES
from bot.matching.index import SearchIndex
from bot.matching.matcher import Candidate, Matcher, Status

log = logging.getLogger(__name__)
Progress = Callable[[int], None]  # percent of a cold build done

# question: matched; emergency: the danger rule gave the emergency entry; smalltalk: no entry.
Kind = Literal["question", "emergency", "smalltalk"]


@dataclass(frozen=True)
class MatchResult:
    status: Status
    entry_id: str | None  # the best candidate for "answer" and "clarify", None for "none"
    language: str  # the reply language: detected from the text, or kept from the hint
    score: float
    alternatives: tuple[Candidate, ...] = ()  # other candidates, best first
    language_certain: bool = False  # detected from the text itself, not kept from the hint
    kind: Kind = "question"
    smalltalk: str | None = None  # for small talk: greeting, thanks, bye or other

    @property
    def choices(self) -> tuple[str, ...]:
        """For "clarify": every entry to offer, best first."""
        head = (self.entry_id,) if self.entry_id else ()
        return head + tuple(c.entry_id for c in self.alternatives)

    def to_json(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "kind": self.kind,
            "entry_id": self.entry_id,
            "language": self.language,
            "score": round(self.score, 4),
            "alternatives": [
                {"entry_id": c.entry_id, "score": round(c.score, 4)} for c in self.alternatives
            ],
        }


@dataclass
class AnsweringEngine:
    knowledge: KnowledgeBase
    settings: Settings
    detector: LanguageDetector
    analyzer: TextAnalyzer
    matcher: Matcher
    timings: dict[str, float] = field(default_factory=dict)
    intents: Intents = field(default_factory=Intents.load)

    @classmethod
    def from_settings(cls, settings: Settings, progress: Progress | None = None) -> AnsweringEngine:
        """Load the knowledge base from the settings' folder and build everything around it.
        ``progress(percent)`` is called while a missing cache is built (a cold start)."""
        started = time.perf_counter()
        detector = make_detector(settings)
        kb = load_knowledge(settings.knowledge_dir)
        engine = cls.from_knowledge(kb, settings, detector, progress)
        engine.timings["load_knowledge"] = (
            time.perf_counter() - started - sum(engine.timings.values())
        )
        return engine

    @classmethod
    def from_knowledge(
        cls,
        kb: KnowledgeBase,
        settings: Settings,
        detector: LanguageDetector | None = None,
        progress: Progress | None = None,
    ) -> AnsweringEngine:
        timings: dict[str, float] = {}
        detector = detector or make_detector(settings)
        started = time.perf_counter()
        analyzer = TextAnalyzer()
        cache = _cache_path(settings, kb)
        built = _read_cache(cache)
        if built is None:
            built = _build_and_load(kb, analyzer, settings, cache, timings, progress)
        timings["cache_load"] = time.perf_counter() - started - sum(timings.values())
        tables, index = built
        analyzer.use_tables(tables)
        detector.use_terms(GermanTerms.cached(kb, settings.cache_dir))
        return cls(kb, settings, detector, analyzer, Matcher(index, settings.matching), timings)

    def ask(self, text: str, hint: str | None = None) -> MatchResult:
        """Match one message. ``hint`` is the user's language, used for short or unclear text."""
        text = clean_text(text[: self.settings.matching.max_query_chars * 4])
        text = text[: self.settings.matching.max_query_chars]
        detection = self.detector.detect(text, hint)
        language = detection.language
        certain = detection.reason in ("script", "letters", "markers", "model")
        before = self._before_matching(text, hint, language, certain)
        if before is not None:
            return before
        text = self.intents.smalltalk.strip(text)  # "Hallo, wie ...?": the question only
        analysis = self.analyzer.analyze(text, language)
        decision = self.matcher.decide(self.matcher.rank(analysis, language))
        best = decision.best
        if decision.status == "none" or best is None:
            score = best.score if best else 0.0
            return MatchResult("none", None, language, score, decision.candidates, certain)
        # "score" is the best candidate's relevance; the decision used the confidence model.
        return MatchResult(
            decision.status, best.entry_id, language, best.score, decision.candidates[1:], certain
        )


    def _before_matching(
        self, text: str, hint: str | None, language: str, certain: bool
    ) -> MatchResult | None:
        """Danger now gets the emergency entry; small talk gets no entry (kept apart from the
        matcher, see bot/language/intents.py)."""
        if EMERGENCY_ENTRY in self.knowledge and self.intents.emergency.matches(text):
            return MatchResult("answer", EMERGENCY_ENTRY, language, 1.0, (), certain, "emergency")
        talk = self.intents.smalltalk.match(text)
        if talk is None:
            return None
        script = self.detector.script_languages(text)
        reply, sure = smalltalk_language(talk, script, hint, self.detector.default)
        return MatchResult("none", None, reply, 0.0, (), sure, "smalltalk", talk.kind)


def make_detector(settings: Settings) -> LanguageDetector:
    """The language identifier, loaded now: decompressing its model briefly takes about 60 MB,
    which costs least while the process is still small (before the knowledge base)."""
    lang = settings.languages
    detector = LanguageDetector(
        LANGUAGES, lang.default, lang.short_message_words, lang.min_confidence
    )
    detector.warm_up()
    return detector


# Bump when the index's structure changes, so old caches are not loaded.
INDEX_FORMAT = 5


def _build_and_load(
    kb: KnowledgeBase,
    analyzer: TextAnalyzer,
    settings: Settings,
    cache: Path,
    timings: dict[str, float],
    progress: Progress | None = None,
) -> tuple[LemmaTables, SearchIndex]:
    """Build in a worker process and load the result; in this process if that fails
    (e.g. a read-only data folder), which costs memory but still works."""
    from bot.engine_build import build_in_worker

    if progress is not None:
        progress(0)
    try:
        timings.update(build_in_worker(kb, settings, cache, progress))
        built = _read_cache(cache)
        if built is not None:
            return built
    except RuntimeError as exc:
        log.warning("%s; building in this process", exc)
    return _build(kb, analyzer, settings, timings, progress)


# Share of a cold build's time spent on the lemma tables (the rest is the index), measured.
LEMMA_SHARE = 80


def _build(
    kb: KnowledgeBase,
    analyzer: TextAnalyzer,
    settings: Settings,
    timings: dict[str, float],
    progress: Progress | None = None,
) -> tuple[LemmaTables, SearchIndex]:
    """Lemma tables for the knowledge base's vocabulary, then the search index."""
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
        vocabulary, settings.cache_dir, lambda done: report(round(done * LEMMA_SHARE))
    )
    analyzer.use_tables(tables)
    timings["lemma_tables"] = time.perf_counter() - started
    report(LEMMA_SHARE)
    started = time.perf_counter()
    index = SearchIndex.build(kb, analyzer, LANGUAGES)
    timings["index"] = time.perf_counter() - started
    report(100)
    return tables, index


def _cache_path(settings: Settings, kb: KnowledgeBase) -> Path:
    key = f"{kb.fingerprint()}-{version('simplemma')}-{version('spacy')}-v{INDEX_FORMAT}"
    return settings.cache_dir / f"engine-{hashlib.sha256(key.encode()).hexdigest()[:20]}.pickle"


def _read_cache(path: Path) -> tuple[LemmaTables, SearchIndex] | None:
    """The engine built earlier for exactly this knowledge base (our own file in data/)."""
    try:
        with path.open("rb") as handle:
            loaded = pickle.load(handle)  # noqa: S301 - written by _write_cache, not user input
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError):
        return None
    if not (isinstance(loaded, tuple) and len(loaded) == 2):
        return None
    return loaded


def _write_cache(path: Path, built: tuple[LemmaTables, SearchIndex]) -> bool:
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
