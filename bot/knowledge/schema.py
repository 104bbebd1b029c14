"""The one place where the knowledge files' shape is defined.

Every rule a single entry must satisfy lives here; rules that span entries (duplicate ids,
dangling ``related``, unknown topics) live in ``loader.py``.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
)

from bot.languages import LANGUAGES

# An answer as the bot sends it (title, answer, source lines) must fit one Telegram message;
# checked in loader.py on the rendered text, see docs/knowledge-format.md.
TELEGRAM_MESSAGE_LIMIT = 4096
# Advice, not rules: ``kb check`` warns beyond these (docs/knowledge-format.md).
ANSWER_ADVICE_CHARS = 900
QUESTIONS_ADVICE = 5

EntryId = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$", max_length=56)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
Action = Literal["appointment", "human"]


def _number_as_text(value: object) -> object:
    """A keyword like ``1998`` or ``110`` is meant as text, not a number."""
    return str(value) if isinstance(value, int | float) and not isinstance(value, bool) else value


Keyword = Annotated[
    str, BeforeValidator(_number_as_text), StringConstraints(strip_whitespace=True, min_length=1)
]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Source(_Strict):
    url: Annotated[str, StringConstraints(pattern=r"^https?://[^\s]+$")]
    title: Text
    # When the entry was last reviewed against the source; not the date of the information.
    checked: dt.date
    # How current the information is ("Stand"): a year or year-month from the source's dating.
    as_of: Annotated[
        str | None,
        BeforeValidator(_number_as_text),
        StringConstraints(pattern=r"^\d{4}(-(0[1-9]|1[0-2]))?$"),
    ] = None


class LanguageBlock(_Strict):
    """What an entry says in one language."""

    title: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=120)]
    questions: list[Keyword] = Field(min_length=1)
    keywords: list[Keyword] = Field(default_factory=list)
    answer: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
    # The answer in plain German (Einfache Sprache), German block only; None: not written yet,
    # residents who chose plain German get ``answer``.
    plain: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)] | None = None
    reviewed: bool = False

    @field_validator("answer", "plain")
    @classmethod
    def _person_spans_closed(cls, value: str | None) -> str | None:
        """``[person]…[/person]`` (the sentence about the talk-to-a-person button) in pairs."""
        if value is None:
            return value
        depth = 0
        for tag in re.findall(r"\[/?person\]", value):
            depth += 1 if tag == "[person]" else -1
            if depth not in (0, 1):
                raise ValueError("[person] and [/person] must come in pairs, not nested")
        if depth:
            raise ValueError("a [person] span is not closed with [/person]")
        return value


class Entry(_Strict):
    id: EntryId
    topic: EntryId
    sources: list[Source] = Field(min_length=1)
    related: list[EntryId] = Field(default_factory=list, max_length=3)
    actions: list[Action] = Field(default_factory=list)
    de: LanguageBlock
    en: LanguageBlock
    tr: LanguageBlock
    ar: LanguageBlock
    uk: LanguageBlock
    ru: LanguageBlock
    fa: LanguageBlock
    pl: LanguageBlock

    @field_validator("en", "tr", "ar", "uk", "ru", "fa", "pl")
    @classmethod
    def _plain_only_in_german(cls, value: LanguageBlock) -> LanguageBlock:
        if value.plain is not None:
            raise ValueError("plain (plain-German answer) belongs in the de block only")
        return value

    @field_validator("related")
    @classmethod
    def _no_repeats(cls, value: list[str]) -> list[str]:
        if len(set(value)) != len(value):
            raise ValueError("names an entry twice")
        return value

    def text(self, language: str) -> LanguageBlock:
        """The entry in ``language`` (German if the language is not supported)."""
        block: LanguageBlock = getattr(self, language if language in LANGUAGES else "de")
        return block

    def blocks(self) -> list[tuple[str, LanguageBlock]]:
        return [(lang, self.text(lang)) for lang in LANGUAGES]


class OutOfScope(_Strict):
    """Messages the assistant does not answer, per language: examples of "none"."""

    id: EntryId
    note: str = ""
    de: list[Keyword] = Field(min_length=1)
    en: list[Keyword] = Field(min_length=1)
    tr: list[Keyword] = Field(min_length=1)
    ar: list[Keyword] = Field(min_length=1)
    uk: list[Keyword] = Field(min_length=1)
    ru: list[Keyword] = Field(min_length=1)
    fa: list[Keyword] = Field(min_length=1)
    pl: list[Keyword] = Field(min_length=1)

    def examples(self, language: str) -> list[str]:
        found: list[str] = getattr(self, language)
        return found


class Topic(_Strict):
    id: EntryId
    title: dict[str, Text]

    @field_validator("title")
    @classmethod
    def _every_language(cls, value: dict[str, str]) -> dict[str, str]:
        missing = [lang for lang in LANGUAGES if lang not in value]
        unknown = [lang for lang in value if lang not in LANGUAGES]
        if missing:
            raise ValueError(f"missing language(s): {', '.join(missing)}")
        if unknown:
            raise ValueError(f"unknown language(s): {', '.join(unknown)}")
        return value


class EntryFile(_Strict):
    entries: list[dict[str, object]]


class TopicFile(_Strict):
    topics: list[dict[str, object]]


class OutOfScopeFile(_Strict):
    out_of_scope: list[dict[str, object]]
