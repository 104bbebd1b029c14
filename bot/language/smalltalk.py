"""Small talk and non-questions: greetings, thanks, goodbyes, yes/no/ok, "test", a lone emoji.

Precise on purpose: only a message made entirely of such phrases (plus punctuation, emoji and
numbers) is small talk, so "Hallo, wie beantrage ich Geld?" is still a question. The phrases
live in ``smalltalk.yaml`` beside this module.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, cached_property
from pathlib import Path

import yaml
from rapidfuzz import process
from rapidfuzz.distance import OSA

from bot.language.normalize import fold

PHRASES_FILE = Path(__file__).resolve().parent / "smalltalk.yaml"
KINDS = ("thanks", "bye", "greeting", "other")  # the first kind present names the reply
MAX_WORDS = 8
TYPO_MIN_LENGTH = 5  # shorter words must be exact: "dank" is not "bank"

_MARKUP = re.compile(r"<[^<>]{0,40}>|&\w{1,8};")
_TOKEN = re.compile(r"[^\W_]+")
_REPEATS = re.compile(r"(.)\1+")


class SmallTalkFileError(Exception):
    pass


@dataclass(frozen=True)
class SmallTalk:
    kind: str  # greeting, thanks, bye or other
    languages: tuple[str, ...]  # languages the phrases belong to; () for no words at all


def words(text: str) -> list[str]:
    """The message's words as the phrase list sees them: folded, repeats collapsed."""
    text = _MARKUP.sub(" ", fold(text))
    return [_REPEATS.sub(r"\1", t) for t in _TOKEN.findall(text)]


@dataclass(frozen=True)
class SmallTalkMatcher:
    # phrase (tuple of words) -> (kind, languages)
    phrases: dict[tuple[str, ...], tuple[str, frozenset[str]]]
    longest: int

    def match(self, text: str) -> SmallTalk | None:
        """The small talk ``text`` consists of, or None if it says anything more."""
        tokens = [t for t in words(text) if not t.isdigit()]
        if not tokens:
            return SmallTalk("other", ())
        if len(tokens) > MAX_WORDS:
            return None
        found = self._cover(tokens)
        if found is None:
            return None
        kinds = {kind for kind, _ in found}
        kind = next(k for k in KINDS if k in kinds)
        common = frozenset.intersection(*(langs for _, langs in found))
        languages = common or frozenset().union(*(langs for _, langs in found))
        return SmallTalk(kind, tuple(sorted(languages)))

    def strip(self, text: str) -> str:
        """``text`` without a greeting before or thanks after the question ("Hallo, wie ...?"),
        when at least two words of question remain; otherwise unchanged."""
        spans = [(m.start(), m.end()) for m in _TOKEN.finditer(text)]
        tokens = [_REPEATS.sub(r"\1", fold(text[a:b])) for a, b in spans]
        head = self._covered(tokens)
        tail = self._covered(tokens[head:][::-1], backwards=True)
        if len(tokens) - head - tail < 2 or head + tail == 0:
            return text
        start = spans[head][0] if head else 0
        end = spans[len(tokens) - tail - 1][1] if tail else len(text)
        return text[start:end] + (text[end:] if not tail else "")

    def _covered(self, tokens: list[str], backwards: bool = False) -> int:
        """How many leading tokens are small talk (a whole phrase each)."""
        i = 0
        while i < len(tokens):
            for size in range(min(self.longest, len(tokens) - i), 0, -1):
                words_ = tokens[i : i + size]
                if self.phrases.get(tuple(words_[::-1] if backwards else words_)) is not None:
                    i += size
                    break
            else:
                return i
        return i

    def _cover(self, tokens: list[str]) -> list[tuple[str, frozenset[str]]] | None:
        """Phrases covering all tokens, longest first at each position; None if a gap."""
        found = []
        i = 0
        while i < len(tokens):
            for size in range(min(self.longest, len(tokens) - i), 0, -1):
                hit = self._lookup(tuple(tokens[i : i + size]))
                if hit is not None:
                    found.append(hit)
                    i += size
                    break
            else:
                return None
        return found

    def _lookup(self, key: tuple[str, ...]) -> tuple[str, frozenset[str]] | None:
        hit = self.phrases.get(key)
        if hit is not None or len(key) != 1 or len(key[0]) < TYPO_MIN_LENGTH:
            return hit
        near = process.extractOne(
            key[0], self.long_words, scorer=OSA.distance, score_cutoff=1
        )  # one typo: "thnaks", "dankee", "merhba"
        return self.phrases[(near[0],)] if near is not None else None

    @cached_property
    def long_words(self) -> list[str]:
        return [p[0] for p in self.phrases if len(p) == 1 and len(p[0]) >= TYPO_MIN_LENGTH]

    @classmethod
    def load(cls, path: Path = PHRASES_FILE) -> SmallTalkMatcher:
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (OSError, yaml.YAMLError) as exc:
            raise SmallTalkFileError(f"{path}: {exc}") from None
        if not isinstance(data, dict) or set(data) != set(KINDS):
            raise SmallTalkFileError(f"{path}: expected the kinds {', '.join(KINDS)}")
        found: dict[tuple[str, ...], tuple[str, set[str]]] = {}
        for kind, per_language in data.items():
            if not isinstance(per_language, dict):
                raise SmallTalkFileError(f"{path}: '{kind}' must map languages to phrases")
            for language, phrases in per_language.items():
                for phrase in phrases or ():
                    if not isinstance(phrase, str):  # YAML reads a bare no, yes or null
                        raise SmallTalkFileError(f"{path}: {kind}.{language}: quote {phrase!r}")
                    key = tuple(words(phrase))
                    if not key:
                        raise SmallTalkFileError(f"{path}: {kind}.{language}: empty {phrase!r}")
                    found.setdefault(key, (kind, set()))[1].add(language)
        frozen = {k: (kind, frozenset(langs)) for k, (kind, langs) in found.items()}
        return cls(frozen, max(len(k) for k in frozen))


@cache
def smalltalk_matcher() -> SmallTalkMatcher:
    return SmallTalkMatcher.load()
