"""Accuracy on an evaluation set, per language and per kind of message.

What a resident notices, for every group of items:
- direct: answered directly (no "did you mean") with the expected entry;
- wrong: answered directly with another entry (a question the bot does not cover answered
  directly counts here too) — "confidently wrong", share of all items;
- helpful: direct, or the expected entry among the "did you mean" choices;
- in-none: an in-scope question answered "I don't know";
- lang: the reply language is the item's ``lang``;
- none-ok: out-of-scope questions and small talk (``expect: none``) answered "none".
Shares of in-scope questions except where said. Items may say what ``kind`` of message they are
(short, german-term, translit, well-formed, smalltalk, out-of-scope, urgent); without one an item
counts as well-formed, or out-of-scope when it expects "none".
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from bot.knowledge.loader import read_yaml

NONE = "none"
KINDS = ("short", "german-term", "translit", "well-formed", "smalltalk", "out-of-scope", "urgent")


class EvalItem(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    q: str
    expect: str = Field(min_length=1)
    lang: str | None = None
    kind: str | None = None

    @property
    def group(self) -> str:
        """The item's kind, or what it counts as without one."""
        return self.kind or ("out-of-scope" if self.expect == NONE else "well-formed")


@dataclass
class Score:
    items: int = 0
    questions: int = 0  # in scope
    top1: int = 0
    top3: int = 0
    answered: int = 0  # answered directly and right
    wrong: int = 0  # answered directly and wrong (in scope or not)
    helpful: int = 0
    in_scope_none: int = 0
    language_known: int = 0
    language_right: int = 0
    out_of_scope: int = 0
    none_correct: int = 0
    misses: list[tuple[str, str, str]] = field(default_factory=list)  # q, expected, got

    def share(self, attr: str) -> float | None:
        base = {
            "none_correct": self.out_of_scope,
            "wrong": self.items,
            "language_right": self.language_known,
        }.get(attr, self.questions)
        return getattr(self, attr) / base if base else None

    def add(self, other: Score) -> None:
        for name in self.__dataclass_fields__:
            if name != "misses":
                setattr(self, name, getattr(self, name) + getattr(other, name))


LanguageScore = Score  # the name the accuracy tests knew


def read_eval_files(paths: Iterable[Path]) -> list[EvalItem]:
    items: list[EvalItem] = []
    adapter = TypeAdapter(list[EvalItem])
    for path in paths:
        try:
            items += adapter.validate_python(read_yaml(path) or [])
        except ValidationError as exc:
            raise ValueError(f"{path}: {exc}") from None
    return items


def score_item(item: EvalItem, result: Any) -> Score:
    """One item's contribution (``result``: an engine MatchResult)."""
    s = Score(items=1)
    if item.lang:
        s.language_known = 1
        s.language_right = int(result.language == item.lang)
    direct = result.status == "answer"
    if item.expect == NONE:
        s.out_of_scope = 1
        s.none_correct = int(result.status == "none")
        s.wrong = int(direct)
        if result.status != "none":
            s.misses.append((item.q, NONE, f"{result.status}:{result.entry_id}"))
        return s
    s.questions = 1
    ranked = [] if result.status == "none" else list(result.choices)
    s.top1 = int(ranked[:1] == [item.expect])
    s.top3 = int(item.expect in ranked[:3])
    s.answered = int(direct and s.top1)
    s.wrong = int(direct and not s.top1)
    s.helpful = int(s.answered or (result.status == "clarify" and item.expect in ranked))
    s.in_scope_none = int(result.status == "none")
    if not s.top1:
        s.misses.append((item.q, item.expect, f"{result.status}:{result.entry_id}"))
    return s


def evaluate(
    items: Sequence[EvalItem], ask: Callable[[str, str | None], Any], detect_language: bool = True
) -> dict[str, Score]:
    """Run every item through ``ask(question, hint)``; the hint is withheld when detecting.
    Scores per language (the item's ``lang``)."""
    return evaluate_groups(items, ask, detect_language)[0]


def evaluate_groups(
    items: Sequence[EvalItem], ask: Callable[[str, str | None], Any], detect_language: bool = True
) -> tuple[dict[str, Score], dict[str, Score]]:
    """Scores per language and per kind."""
    results = [ask(item.q, None if detect_language else item.lang) for item in items]
    return score_groups(items, results)


def score_groups(
    items: Sequence[EvalItem], results: Sequence[Any]
) -> tuple[dict[str, Score], dict[str, Score]]:
    """Scores per language and per kind of replies already made."""
    by_language: dict[str, Score] = defaultdict(Score)
    by_kind: dict[str, Score] = defaultdict(Score)
    for item, result in zip(items, results, strict=True):
        one = score_item(item, result)
        for group in (by_language[item.lang or "?"], by_kind[item.group]):
            group.add(one)
            group.misses += one.misses
    kinds = {k: by_kind[k] for k in (*KINDS, *sorted(by_kind)) if k in by_kind}
    return dict(sorted(by_language.items())), kinds


def total(scores: dict[str, Score]) -> Score:
    all_ = Score()
    for s in scores.values():
        all_.add(s)
    return all_


def format_table(scores: dict[str, Score], title: str = "lang") -> str:
    def pct(value: float | None) -> str:
        return "    -  " if value is None else f"{100 * value:6.1f}%"

    columns = ("answered", "wrong", "helpful", "in_scope_none", "top3", "language_right")
    lines = [
        f"{title:<12} items  in-scope  direct   wrong  helpful  in-none   top-3    lang"
        "   out-of-scope  none-ok"
    ]
    for name, s in [*scores.items(), ("all", total(scores))]:
        shares = "".join(f" {pct(s.share(c))}" for c in columns)
        lines.append(
            f"{name:<12} {s.items:>5} {s.questions:>9}{shares}"
            f"  {s.out_of_scope:>12}  {pct(s.share('none_correct'))}"
        )
    return "\n".join(lines)
