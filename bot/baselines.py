"""Two baselines to measure the engine against: rapidfuzz over every question, word BM25.

Used by `consult-bot eval --baselines` and benchmarks/engine.py (needs rank-bm25, a test
dependency)."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from rank_bm25 import BM25Okapi
from rapidfuzz import fuzz, process, utils

from bot.evaluation import EvalItem, format_table, score_groups
from bot.language.normalize import fold
from bot.languages import LANGUAGES

Ranker = Callable[[str], tuple[str | None, float]]


def fuzzy_baseline(engine) -> Ranker:  # type: ignore[no-untyped-def]
    """rapidfuzz.process.extractOne over every question in every language (plain ratio, its
    best scorer here; WRatio favours short questions and scores far lower)."""
    choices: list[str] = []
    owners: list[str] = []
    for entry in engine.knowledge:
        for lang in LANGUAGES:
            for q in entry.text(lang).questions:
                choices.append(utils.default_process(q))
                owners.append(entry.id)

    def rank(q: str) -> tuple[str | None, float]:
        found = process.extractOne(utils.default_process(q), choices, scorer=fuzz.ratio)
        return (owners[found[2]], found[1] / 100) if found else (None, 0.0)

    return rank


def bm25_baseline(engine) -> Ranker:  # type: ignore[no-untyped-def]
    """Okapi BM25 over words (folded), one document per entry and language."""
    docs: list[list[str]] = []
    owners: list[str] = []
    for entry in engine.knowledge:
        for lang in LANGUAGES:
            b = entry.text(lang)
            docs.append(fold(" ".join([b.title, *b.questions, *b.keywords])).split())
            owners.append(entry.id)
    bm25 = BM25Okapi(docs)

    def rank(q: str) -> tuple[str | None, float]:
        scores = bm25.get_scores(fold(q).split())
        best = int(scores.argmax())
        return (owners[best], float(scores[best])) if scores[best] > 0 else (None, 0.0)

    return rank


@dataclass(frozen=True)
class BaselineResult:
    """A baseline's reply in the engine's terms: answer above the cut-off, else none."""

    status: str
    entry_id: str | None
    language: str | None = None  # baselines do not choose a reply language

    @property
    def choices(self) -> tuple[str, ...]:
        return (self.entry_id,) if self.entry_id else ()


def at_wrong_rate(
    ranked: list[tuple[str | None, float]], items: Sequence[EvalItem], wrong_rate: float
) -> list[BaselineResult]:
    """Replies with the lowest cut-off whose confidently-wrong rate is at most ``wrong_rate``
    (the engine's), so the baselines are compared at the same risk of a wrong answer."""
    for cut in sorted({s for _, s in ranked} | {float("inf")}):
        replies = [
            BaselineResult("answer", r) if r and s >= cut else BaselineResult("none", None)
            for r, s in ranked
        ]
        wrong = sum(r.status == "answer" and r.entry_id != i.expect
                    for r, i in zip(replies, items, strict=True))  # fmt: skip
        if wrong <= wrong_rate * len(items):
            return replies
    return [BaselineResult("none", None) for _ in items]


def baseline_tables(engine, items: Sequence[EvalItem], wrong_rate: float) -> str:  # type: ignore[no-untyped-def]
    """Both baselines per kind at the engine's confidently-wrong rate, with their latency."""
    out = []
    for name, make in (("rapidfuzz extractOne", fuzzy_baseline), ("word BM25", bm25_baseline)):
        ranker = make(engine)
        started = time.perf_counter()
        ranked = [ranker(i.q) for i in items]
        per_question = (time.perf_counter() - started) / max(1, len(items)) * 1000
        _, kinds = score_groups(items, at_wrong_rate(ranked, items, wrong_rate))
        out.append(f"baseline {name} ({per_question:.2f} ms per question), at the engine's "
                   f"confidently-wrong rate ({100 * wrong_rate:.1f}%):")  # fmt: skip
        out.append(format_table(kinds, "kind"))
    return "\n".join(out)
