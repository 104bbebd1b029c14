"""Calibrate the matcher on the development set (tests/eval) and print settings for config.yaml.

Stage 1, ranking: the weights and floors of word, character and fuzzy evidence that put the
expected entry first most often (the worst language counts double).
Stage 2, decision: a logistic model of "the best candidate is right" over the matcher's
FEATURES, fitted on the same questions (out-of-scope questions are all "not right"), then the
two confidence thresholds (answer; choices instead of "none") that maximise the worse of
in-scope top-1 and correct "none", plus a little for answering directly.

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
    """Per question: word/char coverage and fuzzy similarity for every entry and language."""
    matcher = engine.matcher
    index = matcher.index
    n_entries, n_langs = len(index.entry_ids), len(index.languages)
    W = np.zeros((len(items), n_entries, n_langs))
    C = np.zeros_like(W)
    F = np.zeros_like(W)
    known = np.zeros(len(items))
    qlang = np.zeros(len(items), dtype=int)
    expect = np.full(len(items), -1)
    for i, item in enumerate(items):
        lang = engine.detector.detect(item.q).language
        analysis = engine.analyzer.analyze(item.q, lang)
        qlang[i] = index.languages.index(lang)
        if item.expect != "none":
            expect[i] = index.entry_ids.index(item.expect)
        if not analysis.words:
            continue
        w, c, known[i] = matcher.evidence(analysis, lang)
        W[i], C[i] = w.reshape(n_entries, n_langs), c.reshape(n_entries, n_langs)
        query = " ".join(analysis.words)
        for d, strings in enumerate(index.strings):
            found = process.extractOne(query, strings, scorer=fuzz.WRatio)
            F[i, d // n_langs, d % n_langs] = found[1] / 100 if found else 0
    return W, C, F, known, qlang, expect


def above(x, floor):  # type: ignore[no-untyped-def]
    return np.maximum(0, (x - floor) / (1 - floor)) if floor else x


def score(ev, p):  # type: ignore[no-untyped-def]
    """Entry scores and the top candidate's evidence, as the matcher computes them."""
    W, C, F, _known, qlang, _expect = ev
    n = len(qlang)
    factor = np.full((n, 1, W.shape[2]), p["other_language_factor"])
    factor[np.arange(n), 0, qlang] = 1.0
    char = above(C, p["char_floor"])
    docs = (p["word_weight"] * W + p["char_weight"] * char) * factor
    best_doc = docs.argmax(axis=2)
    rows, cols = np.arange(n)[:, None], np.arange(W.shape[1])[None, :]
    fz = above(F, p["fuzzy_floor"])
    fuzzy = np.maximum.reduce(
        [fz[rows, cols, qlang[:, None]], fz[:, :, 0], fz[rows, cols, best_doc]]
    )
    S = np.minimum(docs.max(axis=2) + p["fuzzy_weight"] * fuzzy, 1.0)
    order = np.argsort(-S, axis=1)
    top = order[:, 0]
    r = np.arange(n)
    ev_top = (W[r, top, best_doc[r, top]], char[r, top, best_doc[r, top]], fuzzy[r, top])
    return S, order, ev_top


def per_language(mask_ok, qlang, subset):  # type: ignore[no-untyped-def]
    return [mask_ok[subset & (qlang == lang)].mean() for lang in np.unique(qlang[subset])]


def stage_ranking(ev):  # type: ignore[no-untyped-def]
    _W, _C, _F, _known, qlang, expect = ev
    inscope = expect >= 0
    best = None
    grid = [x / 10 for x in range(11)]
    for ww, wc in itertools.product(grid, grid):
        wf = round(1 - ww - wc, 2)
        if wf < 0:
            continue
        for c0, f0, other in itertools.product(
            (0, 0.2, 0.35), (0, 0.4, 0.55, 0.7), (0.8, 0.9, 0.95)
        ):
            p = dict(
                word_weight=ww,
                char_weight=wc,
                fuzzy_weight=wf,
                char_floor=c0,
                fuzzy_floor=f0,
                other_language_factor=other,
            )
            _S, order, _ = score(ev, p)
            right = order[:, 0] == expect
            langs = per_language(right, qlang, inscope)
            objective = np.mean(langs) + min(langs)
            if best is None or objective > best[0]:
                best = (objective, p, right[inscope].mean(), min(langs))
    return best


def fit_logistic(X, y, l2=1e-3, steps=200):  # type: ignore[no-untyped-def]
    """Newton's method for L2-regularised logistic regression."""
    w = np.zeros(X.shape[1])
    for _ in range(steps):
        p = 1 / (1 + np.exp(-np.clip(X @ w, -30, 30)))
        grad = X.T @ (p - y) + l2 * w
        hess = (X * (p * (1 - p))[:, None]).T @ X + l2 * np.eye(X.shape[1])
        step = np.linalg.solve(hess, grad)
        w -= step
        if np.abs(step).max() < 1e-8:
            break
    return w


def stage_decision(ev, p):  # type: ignore[no-untyped-def]
    _W, _C, _F, known, qlang, expect = ev
    S, order, (word, char, fuzzy) = score(ev, p)
    r = np.arange(len(S))
    top, second = S[r, order[:, 0]], S[r, order[:, 1]]
    X = np.column_stack([np.ones(len(S)), top, top - second, known, word, char, fuzzy])
    right = order[:, 0] == expect
    coef = fit_logistic(X, right.astype(float))
    prob = 1 / (1 + np.exp(-np.clip(X @ coef, -30, 30)))
    inscope = expect >= 0
    best = None
    for clarify_t in np.arange(0.05, 0.9, 0.01):
        for answer_t in np.arange(clarify_t, 0.95, 0.02):
            shown = prob >= clarify_t
            top1 = per_language(right & shown, qlang, inscope)
            none = per_language(~shown, qlang, ~inscope)
            direct = (right & (prob >= answer_t))[inscope].mean()
            objective = (
                min(min(top1), np.mean(none)) * 2 + np.mean(top1) + np.mean(none) + 0.3 * direct
            )
            if best is None or objective > best[0]:
                best = (
                    objective,
                    float(clarify_t),
                    float(answer_t),
                    np.mean(top1),
                    min(top1),
                    np.mean(none),
                    min(none),
                    direct,
                )
    return coef, best


def main() -> None:
    settings = load_settings(ROOT / "config.yaml", environ={})
    engine = AnsweringEngine.from_settings(settings)
    items = read_eval_files(sorted((ROOT / "tests" / "eval").glob("*.yaml")))
    started = time.perf_counter()
    ev = collect(engine, items)
    print(f"evidence for {len(items)} questions in {time.perf_counter() - started:.1f}s")
    _, params, top1, worst = stage_ranking(ev)
    print(f"ranking: top-1 {top1:.3f}, worst language {worst:.3f}")
    coef, (_, clarify_t, answer_t, top1, top1_worst, none, none_worst, direct) = stage_decision(
        ev, params
    )
    print(
        f"decision: top-1 shown {top1:.3f} (worst {top1_worst:.3f}), none {none:.3f} "
        f"(worst {none_worst:.3f}), answered directly {direct:.3f}"
    )
    print("matching:")
    for key, value in params.items():
        print(f"  {key}: {value}")
    print(f"  confidence: [{', '.join(f'{c:.3f}' for c in coef)}]")
    print(f"  answer_threshold: {answer_t:.2f}")
    print(f"  clarify_threshold: {clarify_t:.2f}")


if __name__ == "__main__":
    main()
