"""Language identification restricted to the supported languages.

Routing by script first (Arabic script: ar or fa; Cyrillic: uk or ru; Latin: de, en, tr, pl),
letters only one language of a script uses, then py3langid restricted to that script's languages.
Short or unclear messages keep the hint (the user's language) when it fits the script: no
identifier is reliable on one or two words.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from dataclasses import dataclass
from typing import Any

ARABIC_SCRIPT = ("ar", "fa")
CYRILLIC = ("uk", "ru")
LATIN = ("de", "en", "tr", "pl")

# Letters that decide between two languages of one script.
_PERSIAN_ONLY = re.compile("[پچژگ]")
_ARABIC_ONLY = re.compile("[ةىأإؤئ]|ال")
_UKRAINIAN_ONLY = re.compile("[іїєґІЇЄҐ]")
_RUSSIAN_ONLY = re.compile("[ыэъёЫЭЪЁ]")
_TURKISH_ONLY = re.compile("[ğşıİĞŞ]")
_POLISH_ONLY = re.compile("[ąęłńśźżĄĘŁŃŚŹŻ]")
_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class Detection:
    language: str
    confidence: float
    reason: str  # "script", "letters", "model", "hint" or "default"


class LanguageDetector:
    def __init__(
        self,
        supported: tuple[str, ...],
        default: str = "de",
        short_message_words: int = 3,
        min_confidence: float = 0.8,
    ) -> None:
        self.supported = supported
        self.default = default
        self.short_message_words = short_message_words
        self.min_confidence = min_confidence
        self._loaded: Any = None
        self._lock = threading.Lock()

    def detect(self, text: str, hint: str | None = None) -> Detection:
        """The language of ``text``; ``hint`` is the user's language, if known."""
        hint = hint if hint in self.supported else None
        candidates = self._script_candidates(text)
        if not candidates:
            return Detection(hint or self.default, 0.0, "hint" if hint else "default")
        if len(candidates) == 1:
            return Detection(candidates[0], 1.0, "script")
        by_letters = self._by_letters(text, candidates)
        if by_letters:
            return Detection(by_letters, 0.95, "letters")
        short = len(_WORD.findall(text)) < self.short_message_words
        if short and hint in candidates:
            return Detection(hint, 0.5, "hint")
        language, confidence = self._model(text, candidates)
        if confidence < self.min_confidence and hint in candidates:
            return Detection(hint, confidence, "hint")
        return Detection(language, confidence, "model")

    def _script_candidates(self, text: str) -> tuple[str, ...]:
        counts = {"arabic": 0, "cyrillic": 0, "latin": 0}
        for char in text:
            if not char.isalpha():
                continue
            name = unicodedata.name(char, "")
            if name.startswith(("ARABIC", "PERSIAN")):
                counts["arabic"] += 1
            elif name.startswith("CYRILLIC"):
                counts["cyrillic"] += 1
            elif name.startswith("LATIN"):
                counts["latin"] += 1
        script = max(counts, key=lambda k: counts[k])
        if counts[script] == 0:
            return ()
        group = {"arabic": ARABIC_SCRIPT, "cyrillic": CYRILLIC, "latin": LATIN}[script]
        return tuple(lang for lang in group if lang in self.supported)

    @staticmethod
    def _by_letters(text: str, candidates: tuple[str, ...]) -> str | None:
        if candidates == ARABIC_SCRIPT:
            if _PERSIAN_ONLY.search(text) or ("ی" in text and "ي" not in text):
                return "fa"
            if _ARABIC_ONLY.search(text):
                return "ar"
        if candidates == CYRILLIC:
            uk, ru = bool(_UKRAINIAN_ONLY.search(text)), bool(_RUSSIAN_ONLY.search(text))
            if uk != ru:
                return "uk" if uk else "ru"
        if set(candidates) == set(LATIN):
            hits = [
                lang
                for lang, pattern in (("tr", _TURKISH_ONLY), ("pl", _POLISH_ONLY))
                if pattern.search(text)
            ]
            if len(hits) == 1:
                return hits[0]
        return None

    def _model(self, text: str, candidates: tuple[str, ...]) -> tuple[str, float]:
        """Rank with one identifier restricted to all supported languages, keep the script's."""
        ranked = [(str(lang), float(p)) for lang, p in self._identifier().rank(text)]
        within = [(lang, p) for lang, p in ranked if lang in candidates]
        total = sum(p for _, p in within) or 1.0
        language, probability = within[0]
        return language, probability / total

    def _identifier(self) -> Any:
        """The py3langid identifier, loaded on first use (0.5 s, about 100 MB)."""
        with self._lock:
            if self._loaded is None:
                from py3langid.langid import MODEL_FILE, LanguageIdentifier

                identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
                identifier.set_languages(list(self.supported))
                # Keep only our languages' columns: the full 97-language model is not needed
                # again and would stay in memory (about 70 MB).
                identifier.nb_ptc = identifier.nb_ptc.copy()
                identifier._full_model = (
                    identifier.nb_ptc,
                    identifier.nb_pc,
                    identifier.nb_classes,
                )
                self._loaded = identifier
            return self._loaded

    def warm_up(self) -> None:
        self._identifier()
