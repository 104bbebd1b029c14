"""Danger now: a rule, kept apart from the statistical matcher, that recognises emergencies.

The patterns live in ``emergency.yaml`` beside this module (one section per language and per
romanised form). It is checked before any matching, so a resident in danger always gets the
emergency numbers first, whatever the matcher would have said.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

from bot.language.normalize import fold

PATTERNS_FILE = Path(__file__).resolve().parent / "emergency.yaml"


class PatternFileError(Exception):
    """A data file of this package is broken: names the file, the section and the pattern."""


Script = str  # "latin", "cyrillic", "arabic" or "any"
_SCRIPT_OF_SECTION = {
    "ru": "cyrillic", "uk": "cyrillic", "ar": "arabic", "fa": "arabic", "any": "any"
}  # fmt: skip
_HAS = {
    "latin": re.compile("[a-z]"),
    "cyrillic": re.compile("[\u0400-\u04ff]"),
    "arabic": re.compile("[\u0600-\u06ff]"),
}


@dataclass(frozen=True)
class EmergencyRule:
    # Per script of the patterns: only those whose letters the message has are tried.
    strong: dict[Script, tuple[re.Pattern[str], ...]]
    weak: dict[Script, tuple[re.Pattern[str], ...]]
    unless: tuple[re.Pattern[str], ...]

    def matches(self, text: str) -> bool:
        """Whether ``text`` is about danger now."""
        folded = fold(text)
        scripts = ["any", *(name for name, has in _HAS.items() if has.search(folded))]
        if any(p.search(folded) for s in scripts for p in self.strong.get(s, ())):
            return True
        if not any(p.search(folded) for s in scripts for p in self.weak.get(s, ())):
            return False
        return not any(p.search(folded) for p in self.unless)

    @classmethod
    def load(cls, path: Path = PATTERNS_FILE) -> EmergencyRule:
        data = _read(path)
        strong: dict[Script, tuple[re.Pattern[str], ...]] = {}
        weak: dict[Script, tuple[re.Pattern[str], ...]] = {}
        unless = compile_patterns(path, "unless", data.pop("unless", []))
        for section, kinds in data.items():
            if not isinstance(kinds, dict) or set(kinds) - {"strong", "weak"}:
                raise PatternFileError(f"{path}: section '{section}' needs 'strong' and/or 'weak'")
            script = _SCRIPT_OF_SECTION.get(section, "latin")
            for kind, found in (("strong", strong), ("weak", weak)):
                compiled = compile_patterns(path, f"{section}.{kind}", kinds.get(kind, []))
                found[script] = found.get(script, ()) + tuple(compiled)
        return cls(strong, weak, tuple(unless))


def _read(path: Path) -> dict[str, object]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise PatternFileError(f"{path}: {exc}") from None
    if not isinstance(data, dict):
        raise PatternFileError(f"{path}: expected a mapping of sections")
    return data


def compile_patterns(path: Path, where: str, patterns: object) -> list[re.Pattern[str]]:
    """Folded like the messages they are matched against; a bad one is named."""
    if not isinstance(patterns, list):
        raise PatternFileError(f"{path}: '{where}' must be a list of patterns")
    compiled = []
    for pattern in patterns:
        try:
            compiled.append(re.compile(fold(str(pattern))))
        except re.error as exc:
            raise PatternFileError(f"{path}: '{where}': pattern {pattern!r}: {exc}") from None
    return compiled


@cache
def emergency_rule() -> EmergencyRule:
    return EmergencyRule.load()
