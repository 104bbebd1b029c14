"""Benchmark of the answering engine against two baselines, at growing knowledge-base sizes.

Prints, in one run:
- on the development set (tests/eval) and, separately, the held-out set (tests/heldout, never
  used for tuning): per language and per kind, answered directly and right, confidently wrong,
  helpful, in-scope "none", reply language right, out-of-scope and small talk "none"; the two
  baselines (rapidfuzz extractOne over every question; word BM25 over entry documents) at the
  engine's confidently-wrong rate; per-question latency p50/p99;
- engine latency at 50, 500 and 2,000 entries (synthetic scale-up of the real entries);
- start-up time and peak memory of a fresh process at each size.

    python benchmarks/engine.py            # everything
    python benchmarks/engine.py --quick    # smaller sizes, fewer repetitions
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.config import load_settings  # noqa: E402
from bot.evaluation import (  # noqa: E402
    EvalItem,
    format_table,
    read_eval_files,
    score_groups,
    total,
)
from bot.knowledge import load_knowledge  # noqa: E402
from bot.knowledge.model import KnowledgeBase  # noqa: E402
from bot.languages import LANGUAGES  # noqa: E402


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def scaled(kb: KnowledgeBase, size: int) -> KnowledgeBase:
    """``size`` entries: the real ones, then copies that each bring a word of their own in
    every language (as a new entry brings its own topic words), sharing the rest."""
    entries = list(kb.entries)
    k = 0
    while len(entries) < size:
        source = kb.entries[k % len(kb.entries)]
        tag = f"{k:x}"
        data = source.model_dump(exclude_none=True)
        data["id"] = f"{source.id}-s{k}"
        data["related"] = []
        for lang in LANGUAGES:
            block = data[lang]
            word = f"{lang}{tag}x"
            block["title"] = f"{block['title']} {word}"
            block["questions"] = [f"{q} {word}" for q in block["questions"]]
            block["keywords"] = [*block["keywords"], word]
        entries.append(type(source).model_validate(data))
        k += 1
    return KnowledgeBase(entries=entries[:size], topics=kb.topics)


def engine_for(size: int):  # type: ignore[no-untyped-def]
    from bot.engine import AnsweringEngine, make_detector

    settings = load_settings(ROOT / "config.yaml", environ={})
    detector = make_detector(settings)  # first, as AnsweringEngine.from_settings does
    kb = load_knowledge(settings.knowledge_dir)
    if size:
        kb = scaled(kb, size)
    return AnsweringEngine.from_knowledge(kb, settings, detector)


def child(size: int, questions: list[tuple[str, str | None]]) -> dict[str, float]:
    """Run in a fresh process: start-up, latency, peak memory at one size."""
    started = time.perf_counter()
    engine = engine_for(size)
    startup = time.perf_counter() - started
    latencies = []
    for _ in range(3):
        for q, _lang in questions:
            t = time.perf_counter()
            engine.ask(q)
            latencies.append((time.perf_counter() - t) * 1000)
    return {
        "entries": len(engine.knowledge),
        "startup_s": startup,
        "p50_ms": percentile(latencies, 50),
        "p99_ms": percentile(latencies, 99),
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        **{f"t_{k}": v for k, v in engine.timings.items()},
    }


def run_child(size: int) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, __file__, "--child", str(size)],
        check=True,
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def report(engine, name: str, items: list[EvalItem]) -> None:  # type: ignore[no-untyped-def]
    from bot.baselines import baseline_tables

    latencies, results = [], []
    for item in items:
        started = time.perf_counter()
        results.append(engine.ask(item.q))
        latencies.append((time.perf_counter() - started) * 1000)
    languages, kinds = score_groups(items, results)
    p50, p99 = percentile(latencies, 50), percentile(latencies, 99)
    in_scope = sum(i.expect != "none" for i in items)
    print(f"== {name}: {len(items)} items ({in_scope} in scope);"
          f" engine p50 {p50:.2f} ms, p99 {p99:.2f} ms")  # fmt: skip
    print(format_table(languages))
    print(format_table(kinds, "kind"))
    print(baseline_tables(engine, items, total(kinds).share("wrong") or 0.0))
    print()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--accuracy-only", action="store_true", help="skip the scale-up runs")
    args = parser.parse_args()
    items = read_eval_files(sorted((ROOT / "tests" / "eval").glob("*.yaml")))
    questions = [(i.q, i.lang) for i in items]
    if args.child is not None:
        print(json.dumps(child(args.child, questions)))
        return

    engine = engine_for(0)
    report(engine, "development set (tests/eval, used for calibration)", items)
    heldout = sorted((ROOT / "tests" / "heldout").glob("*.yaml"))
    if heldout:
        report(engine, "held-out set (tests/heldout, never tuned on)", read_eval_files(heldout))
    if args.accuracy_only:
        return
    sizes = [0, 50, 500] if args.quick else [0, 50, 500, 2000]
    print("size     entries  start    cold start (lemmas, index, ranker)   p50 ms  p99 ms"
          "  peak MB (cold)")  # fmt: skip
    for size in sizes:
        cold = run_child(size)  # builds and caches lemma tables and index for this content
        warm = run_child(size)  # what every later start of the same knowledge base costs
        print(
            f"{size or 'real':<8} {int(warm['entries']):>7}  {warm['startup_s']:5.2f}s"
            f"  {cold['startup_s']:6.2f}s ({cold.get('t_lemma_tables', 0):5.2f}s,"
            f" {cold.get('t_index', 0):5.2f}s, {cold.get('t_ranker', 0):5.2f}s)"
            f"       {warm['p50_ms']:6.2f}  {warm['p99_ms']:6.2f}"
            f"  {warm['peak_mb']:7.0f} ({cold['peak_mb']:.0f})"
        )
    print("(start = a fresh process loading the knowledge base, the cached index and the language")
    print(" model; cold start = the first start after the knowledge base changed, which builds")
    print(" them)")


if __name__ == "__main__":
    main()
