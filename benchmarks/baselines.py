"""The engine next to two baselines on the same questions: accuracy and latency."""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable, Sequence

from rank_bm25 import BM25Okapi
from rapidfuzz import fuzz, process, utils

from bot.evaluation import EvalItem
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


def _with_cutoff(ranker: Ranker, items: Sequence[EvalItem]) -> tuple[list, float]:
    """Each item's (best, score); the cutoff for "none" that suits the baseline best."""
    results = [ranker(i.q) for i in items]
    best_cut, best_acc = 0.0, -1.0
    for cut in sorted({s for _, s in results} | {0.0}):
        acc = sum(
            (r if s >= cut else "none") == i.expect
            for (r, s), i in zip(results, items, strict=True)
        )
        if acc > best_acc:
            best_cut, best_acc = cut, acc
    return results, best_cut


def compare(engine, items: Sequence[EvalItem]) -> str:  # type: ignore[no-untyped-def]
    rows = []
    in_scope = [i for i in items if i.expect != "none"]
    oos = [i for i in items if i.expect == "none"]
    for name, ranker in (
        ("engine", None),
        ("rapidfuzz extractOne", fuzzy_baseline(engine)),
        ("word BM25", bm25_baseline(engine)),
    ):
        latencies = []
        if ranker is None:
            got = []
            for i in items:
                t = time.perf_counter()
                r = engine.ask(i.q)
                latencies.append((time.perf_counter() - t) * 1000)
                got.append(r.entry_id if r.status != "none" else "none")
        else:
            for i in items[:200]:
                t = time.perf_counter()
                ranker(i.q)
                latencies.append((time.perf_counter() - t) * 1000)
            results, cut = _with_cutoff(ranker, items)
            got = [r if s >= cut and r else "none" for r, s in results]
        per_lang: dict[str, list[bool]] = defaultdict(list)
        for i, g in zip(items, got, strict=True):
            if i.expect != "none":
                per_lang[i.lang or "?"].append(g == i.expect)
        top1 = sum(g == i.expect for i, g in zip(items, got, strict=True) if i.expect != "none")
        none_ok = sum(g == "none" for i, g in zip(items, got, strict=True) if i.expect == "none")
        latencies.sort()
        rows.append(
            (
                name,
                100 * top1 / max(1, len(in_scope)),
                100 * none_ok / max(1, len(oos)),
                min(100 * sum(v) / len(v) for v in per_lang.values()),
                latencies[len(latencies) // 2],
                latencies[int(0.99 * (len(latencies) - 1))],
            )
        )
    lines = ["method                 top-1   none-ok  worst-lang   p50 ms   p99 ms"]
    for name, top1, none_ok, worst, p50, p99 in rows:
        lines.append(
            f"{name:<22} {top1:5.1f}%   {none_ok:5.1f}%     {worst:5.1f}%  {p50:7.3f}  {p99:7.3f}"
        )
    best_baseline = max(r[1] for r in rows[1:])
    lines.append(
        f"engine top-1 lead over the best baseline: {rows[0][1] - best_baseline:+.1f} points"
    )
    lines.append("(baselines get the 'none' cut-off that suits them best on this very set)")
    return "\n".join(lines)
