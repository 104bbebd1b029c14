"""Accuracy on an evaluation set: top-1, top-3 and correct "none" per language."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from bot.knowledge.loader import read_yaml

NONE = "none"


class EvalItem(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    q: str
    expect: str = Field(min_length=1)
    lang: str | None = None


@dataclass
class LanguageScore:
    questions: int = 0
    top1: int = 0
    top3: int = 0
    answered: int = 0  # answered directly (no "did you mean") and right
    out_of_scope: int = 0
    none_correct: int = 0
    misses: list[tuple[str, str, str]] = field(default_factory=list)  # q, expected, got

    def share(self, attr: str) -> float | None:
        base = self.out_of_scope if attr == "none_correct" else self.questions
        return getattr(self, attr) / base if base else None


def read_eval_files(paths: Iterable[Path]) -> list[EvalItem]:
    items: list[EvalItem] = []
    adapter = TypeAdapter(list[EvalItem])
    for path in paths:
        try:
            items += adapter.validate_python(read_yaml(path) or [])
        except ValidationError as exc:
            raise ValueError(f"{path}: {exc}") from None
    return items


def evaluate(
    items: Sequence[EvalItem], ask: Callable[[str, str | None], Any], detect_language: bool = True
) -> dict[str, LanguageScore]:
    """Run every item through ``ask(question, hint)``; the hint is withheld when detecting."""
    scores: dict[str, LanguageScore] = defaultdict(LanguageScore)
    for item in items:
        lang = item.lang or "?"
        result = ask(item.q, None if detect_language else item.lang)
        score = scores[lang]
        if item.expect == NONE:
            score.out_of_scope += 1
            if result.status == "none":
                score.none_correct += 1
            else:
                score.misses.append((item.q, NONE, str(result.entry_id)))
            continue
        score.questions += 1
        ranked = [result.entry_id, *(c.entry_id for c in result.alternatives)]
        if result.status == "none":
            ranked = []
        if ranked[:1] == [item.expect]:
            score.top1 += 1
            score.answered += result.status == "answer"
        else:
            score.misses.append((item.q, item.expect, f"{result.status}:{result.entry_id}"))
        if item.expect in ranked[:3]:
            score.top3 += 1
    return dict(sorted(scores.items()))


def total(scores: dict[str, LanguageScore]) -> LanguageScore:
    all_ = LanguageScore()
    for s in scores.values():
        all_.questions += s.questions
        all_.top1 += s.top1
        all_.top3 += s.top3
        all_.answered += s.answered
        all_.out_of_scope += s.out_of_scope
        all_.none_correct += s.none_correct
    return all_


def format_table(scores: dict[str, LanguageScore]) -> str:
    def pct(value: float | None) -> str:
        return "   -  " if value is None else f"{100 * value:5.1f}%"

    lines = ["lang  questions   top-1   top-3  direct  out-of-scope  none-correct"]
    for lang, s in [*scores.items(), ("all", total(scores))]:
        lines.append(
            f"{lang:<5} {s.questions:>9}  {pct(s.share('top1'))}  {pct(s.share('top3'))}"
            f"  {pct(s.share('answered'))}"
            f"  {s.out_of_scope:>12}  {pct(s.share('none_correct'))}"
        )
    return "\n".join(lines)
