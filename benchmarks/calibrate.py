"""Calibrate the matcher's weights, floors and thresholds on the development set.

Computes each question's evidence (word and character coverage, fuzzy similarity) once, then
searches the weights and thresholds that maximise the worse of in-scope top-1 accuracy and
correct "none" share, averaged with their mean. Prints the best settings for config.yaml.

    python benchmarks/calibrate.py
"""

from __future__ import annotations

import itertools
import sys
import time
from pathlib import Path

import numpy as np
from rapidfuzz import fuzz, process

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.config import load_settings  # noqa: E402
from bot.engine import AnsweringEngine  # noqa: E402
from bot.evaluation import read_eval_files  # noqa: E402


def collect(engine: AnsweringEngine, items):  # type: ignore[no-untyped-def]
    matcher = engine.matcher
    index = matcher.index
    n_entries, n_langs = len(index.entry_ids), len(index.languages)
    W = np.zeros((len(items), n_entries, n_langs))
    C = np.zeros_like(W)
    F = np.zeros((len(items), n_entries, n_langs))
    qlang = np.zeros(len(items), dtype=int)
    expect = np.full(len(items), -1)
    for i, item in enumerate(items):
        detection = engine.detector.detect(item.q)
        lang = detection.language
        analysis = engine.analyzer.analyze(item.q, lang)
        qlang[i] = index.languages.index(lang)
        if item.expect != "none":
            expect[i] = index.entry_ids.index(item.expect)
        if not analysis.words:
            continue
        w, c = matcher.evidence(analysis, lang)
        W[i] = w.reshape(n_entries, n_langs)
        C[i] = c.reshape(n_entries, n_langs)
        query = " ".join(analysis.words)
        for d, strings in enumerate(index.strings):
            found = process.extractOne(query, strings, scorer=fuzz.WRatio)
            F[i, d // n_langs, d % n_langs] = found[1] / 100 if found else 0
    return W, C, F, qlang, expect


def scores_for(W, C, F, qlang, ww, wc, wf, c0, f0, other):  # type: ignore[no-untyped-def]
    n_langs = W.shape[2]
    factor = np.full((len(qlang), 1, n_langs), other)
    factor[np.arange(len(qlang)), 0, qlang] = 1.0
    char = np.maximum(0, (C - c0) / (1 - c0))
    docs = (ww * W + wc * char) * factor
    best_doc = docs.argmax(axis=2)
    entry = docs.max(axis=2)
    fz = np.maximum(0, (F - f0) / (1 - f0))
    rows = np.arange(len(qlang))[:, None]
    cols = np.arange(W.shape[1])[None, :]
    fuzzy = np.maximum.reduce(
        [fz[rows, cols, qlang[:, None]], fz[:, :, 0], fz[rows, cols, best_doc]]
    )
    return np.minimum(entry + wf * fuzzy, 1.0)


def ranked(S):  # type: ignore[no-untyped-def]
    order = np.argsort(-S, axis=1)
    return order, S[np.arange(len(S)), order[:, 0]], S[np.arange(len(S)), order[:, 1]]


def judge(ranking, expect, qlang, answer_t, clarify_t, margin):  # type: ignore[no-untyped-def]
    order, top, second = ranking
    status = np.where(top < clarify_t, 0, np.where((top >= answer_t) & (top - second >= margin), 2, 1))
    inscope = expect >= 0
    right = (order[:, 0] == expect) & (status > 0)
    direct = right & (status == 2)
    per_lang = [right[inscope & (qlang == l)].mean() for l in np.unique(qlang[inscope])]
    none_ok = (status[~inscope] == 0).mean() if (~inscope).any() else 1.0
    none_lang = [
        (status[~inscope & (qlang == l)] == 0).mean() for l in np.unique(qlang[~inscope])
    ]
    return right[inscope].mean(), min(per_lang), none_ok, min(none_lang), direct[inscope].mean()


def main() -> None:
    settings = load_settings(ROOT / "config.yaml", environ={})
    engine = AnsweringEngine.from_settings(settings)
    items = read_eval_files(sorted((ROOT / "tests" / "eval").glob("*.yaml")))
    started = time.perf_counter()
    W, C, F, qlang, expect = collect(engine, items)
    print(f"evidence for {len(items)} questions in {time.perf_counter() - started:.1f}s")
    best = None
    grid = [x / 10 for x in range(0, 11)]
    for ww, wc in itertools.product(grid, grid):
        wf = round(1 - ww - wc, 2)
        if wf < 0:
            continue
        for c0, f0, other in itertools.product((0, 0.2, 0.35, 0.5), (0, 0.4, 0.55, 0.7), (0.85, 0.95)):
            S = ranked(scores_for(W, C, F, qlang, ww, wc, wf, c0, f0, other))
            for clarify_t in np.arange(0.15, 0.7, 0.025):
                for answer_t, margin in itertools.product((clarify_t, clarify_t + 0.05, clarify_t + 0.1), (0.0, 0.03, 0.06)):
                    top1, worst, none_ok, none_worst, direct = judge(S, expect, qlang, answer_t, clarify_t, margin)
                    objective = min(worst, none_worst) + 0.5 * (top1 + none_ok) + 0.2 * direct
                    if best is None or objective > best[0]:
                        best = (objective, dict(word_weight=ww, char_weight=wc, fuzzy_weight=wf, char_floor=c0,
                                                fuzzy_floor=f0, other_language_factor=other,
                                                clarify_threshold=round(float(clarify_t), 3),
                                                answer_threshold=round(float(answer_t), 3), answer_margin=margin),
                                (top1, worst, none_ok, none_worst, direct))
    objective, params, (top1, worst, none_ok, none_worst, direct) = best  # type: ignore[misc]
    print(f"top-1 {top1:.3f} (worst language {worst:.3f}), none {none_ok:.3f} (worst {none_worst:.3f}), direct {direct:.3f}")
    print("matching:")
    for key, value in params.items():
        print(f"  {key}: {value}")


if __name__ == "__main__":
    main()
