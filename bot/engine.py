"""The answering engine: a resident's message in, an answer, a clarification or "none" out.

This is the interface the Telegram handlers, the CLI and the benchmarks share. It knows nothing
of Telegram.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from bot.config import Settings
from bot.engine_build import build_in_worker
from bot.engine_store import (
    Built,
    TrainingError,
    build,
    cache_path,
    read_cache,
)
from bot.knowledge import KnowledgeBase, KnowledgeError, load_knowledge
from bot.knowledge.loader import Problem
from bot.language.analyzer import TextAnalyzer
from bot.language.detect import LanguageDetector
from bot.language.intents import EMERGENCY_ENTRY, Intents, smalltalk_language
from bot.language.normalize import clean_text, fold
from bot.language.terms import GermanTerms
from bot.languages import LANGUAGES
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
        cache = cache_path(settings, kb)
        built = read_cache(cache)
        if built is None:
            built = _build_and_load(kb, analyzer, settings, cache, timings, progress)
        timings["cache_load"] = time.perf_counter() - started - sum(timings.values())
        analyzer.use_tables(built.tables)
        detector.use_terms(GermanTerms.cached(kb, settings.cache_dir))
        matcher = Matcher(built.index, settings.matching, built.ranker)
        return cls(kb, settings, detector, analyzer, matcher, timings)

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
        decision = self.matcher.decide(self.matcher.rank(analysis, language, fold(text)))
        best = decision.best
        # "score" is the confidence the decision used; alternatives carry their relevance.
        if decision.status == "none" or best is None:
            return MatchResult(
                "none", None, language, decision.confidence, decision.candidates, certain
            )
        return MatchResult(
            decision.status,
            best.entry_id,
            language,
            decision.confidence,
            decision.candidates[1:],
            certain,
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


def _build_and_load(
    kb: KnowledgeBase,
    analyzer: TextAnalyzer,
    settings: Settings,
    cache: Path,
    timings: dict[str, float],
    progress: Progress | None = None,
) -> Built:
    """Build in a worker process and load the result; in this process if that fails
    (e.g. a read-only data folder), which costs memory but still works. A knowledge base the
    ranker cannot be trained on stops here with the reason."""
    if progress is not None:
        progress(0)
    try:
        try:
            timings.update(build_in_worker(kb, settings, cache, progress))
            built = read_cache(cache)
            if built is not None:
                return built
        except RuntimeError as exc:
            log.warning("%s; building in this process", exc)
        return build(kb, analyzer, settings, timings, progress)
    except TrainingError as exc:
        where = str(settings.knowledge_dir)
        raise KnowledgeError([Problem(where, None, None, str(exc))]) from None
