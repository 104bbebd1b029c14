"""Marker words per language (``markers.yaml``): evidence where letters do not decide.

Latin letters are shared by German, English, Turkish and Polish and by Russian, Ukrainian,
Arabic and Persian written in Latin letters; Cyrillic by Russian and Ukrainian; Arabic script
by Arabic and Persian. Each marker word a message uses counts for its languages (a word listed
for k languages counts 1/k for each); Arabizi words, letters mixed with the digits that stand
for Arabic sounds ("3ala", "a2dam", "7abibi"), count for Arabic.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

from bot.language.normalize import fold

MARKERS_FILE = Path(__file__).resolve().parent / "markers.yaml"
ROMANISED = ("ru", "uk", "ar", "fa")  # written in Latin letters by many residents
_ARABIZI = re.compile(r"^(?=.*[a-z])(?:[a-z]*[235679][a-z]+|[a-z]+[235679][a-z]*)$")
_REPEATS = re.compile(r"(.)\1{2,}")


@dataclass(frozen=True)
class Markers:
    weights: dict[str, dict[str, float]]  # folded word -> language -> weight

    def scores(self, words: Iterable[str]) -> dict[str, float]:
        """Evidence per language for the (unfolded) words of a message."""
        total: dict[str, float] = defaultdict(float)
        for word in words:
            key = _REPEATS.sub(r"\1", fold(word))
            for language, weight in self.weights.get(key, {}).items():
                total[language] += weight
            if _ARABIZI.match(key) and not key.isdigit():
                total["ar"] += 1.0
        return dict(total)

    @classmethod
    def load(cls, path: Path = MARKERS_FILE) -> Markers:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        if not isinstance(data, dict):
            raise ValueError(f"{path}: expected languages with lists of words")
        sections = {k: v for k, v in data.items() if k != "native"}
        native = data.get("native") or {}
        owners: dict[str, set[str]] = defaultdict(set)
        for group in (sections, native):
            for language, words in group.items():
                for word in words:
                    if not isinstance(word, str):  # YAML reads a bare no or on as a boolean
                        raise ValueError(f"{path}: {language}: quote {word!r}")
                    owners[fold(word)].add(language)
        weights = {w: {lang: 1 / len(langs) for lang in langs} for w, langs in owners.items()}
        return cls(weights)

    def vocabulary(self) -> frozenset[str]:
        return frozenset(self.weights)


@cache
def markers() -> Markers:
    return Markers.load()
