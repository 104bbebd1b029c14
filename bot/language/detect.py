"""Language identification restricted to the supported languages.

The reply language comes from the words that carry the sentence: German official terms, names
and acronyms (bot/language/terms.py) are set aside first, so "كيف أقدم على Einbürgerung" is
Arabic and "how do I apply for Einbürgerung" English. Of the remaining words, the script with
most words decides the group (Arabic script: ar or fa; Cyrillic: uk or ru; Latin: de, en, tr,
pl, and ru, uk, ar, fa written in Latin letters); within it, letters only one language uses,
then marker words (bot/language/markers.py: "kak", "yak", "3ala", "chetor", "nasil"), then
py3langid restricted to the group. Short or unclear messages keep the hint (the user's
language): no identifier is reliable on one or two words.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from dataclasses import dataclass
from typing import Any

from bot.language.markers import ROMANISED, Markers, markers
from bot.language.normalize import fold
from bot.language.terms import GermanTerms

ARABIC_SCRIPT = ("ar", "fa")
CYRILLIC = ("uk", "ru")
LATIN = ("de", "en", "tr", "pl")

# Letters that decide between two languages of one script.
_PERSIAN_ONLY = re.compile("[پچژگ]")
_ARABIC_ONLY = re.compile(r"[ةىأإؤئ]|(?<!\w)ال")
_UKRAINIAN_ONLY = re.compile("[іїєґІЇЄҐ]")
_RUSSIAN_ONLY = re.compile("[ыэъёЫЭЪЁ]")
_TURKISH_ONLY = re.compile("[ğşıİĞŞ]")
_POLISH_ONLY = re.compile("[ąęłńśźżĄĘŁŃŚŹŻ]")
_WORD = re.compile(r"[^\W_]+")
MARKER_LEAD = 1.0  # marker evidence a romanised language needs over every other language


@dataclass(frozen=True)
class Detection:
    language: str
    confidence: float
    reason: str  # "script", "letters", "markers", "model", "hint" or "default"


class LanguageDetector:
    def __init__(
        self,
        supported: tuple[str, ...],
        default: str = "de",
        short_message_words: int = 3,
        min_confidence: float = 0.8,
        terms: GermanTerms | None = None,
    ) -> None:
        self.supported = supported
        self.default = default
        self.short_message_words = short_message_words
        self.min_confidence = min_confidence
        self.terms = terms or GermanTerms.load()
        self.markers: Markers = markers()
        self._loaded: Any = None
        self._lock = threading.Lock()

    def use_terms(self, terms: GermanTerms) -> None:
        """The lexicon of German terms, once the knowledge base is known."""
        self.terms = terms

    def detect(self, text: str, hint: str | None = None) -> Detection:
        """The language of ``text``; ``hint`` is the user's language, if known."""
        hint = hint if hint in self.supported else None
        words = [w for w in _WORD.findall(text) if any(c.isalpha() for c in w)]
        own = [w for w in words if fold(w) not in self.terms]
        if not words or (not own and hint):  # no words, or only German terms and names
            return Detection(hint or self.default, 0.0, "hint" if hint else "default")
        script, carrying = _carrying_script(own or words)
        candidates = tuple(lang for lang in script if lang in self.supported)
        if len(candidates) == 1:
            return Detection(candidates[0], 1.0, "script")
        sentence = " ".join(carrying)
        by_letters = self._by_letters(sentence, candidates)
        if by_letters:
            return Detection(by_letters, 0.95, "letters")
        by_markers = self._by_markers(carrying, candidates, hint)
        if by_markers:
            return by_markers
        short = len(words) < self.short_message_words
        keeps_hint = hint in candidates or (script == LATIN and hint is not None)
        if short and keeps_hint:
            return Detection(hint, 0.5, "hint")  # type: ignore[arg-type]
        language, confidence = self._model(sentence, candidates)
        if confidence < self.min_confidence and keeps_hint:
            return Detection(hint, confidence, "hint")  # type: ignore[arg-type]
        return Detection(language, confidence, "model")

    def _by_markers(
        self, words: list[str], candidates: tuple[str, ...], hint: str | None
    ) -> Detection | None:
        """A language whose marker words clearly lead; in Latin letters also ru, uk, ar, fa."""
        scores = self.markers.scores(words)
        allowed = candidates + (ROMANISED if candidates == LATIN else ())
        ranked = sorted(((scores.get(lang, 0.0), lang) for lang in allowed), reverse=True)
        (best, language), (second, _) = ranked[0], ranked[1]
        if candidates == LATIN and language in ROMANISED:
            if best >= MARKER_LEAD and best - second >= MARKER_LEAD / 2:
                return Detection(self._tie(ranked, hint), best / (best + second), "markers")
            return None
        if best >= 1 and best >= 3 * second:
            return Detection(self._tie(ranked, hint), best / (best + second), "markers")
        return None

    @staticmethod
    def _tie(ranked: list[tuple[float, str]], hint: str | None) -> str:
        """The leader, or the user's language when it scores as high."""
        best = ranked[0][0]
        if hint is not None and any(s == best and lang == hint for s, lang in ranked):
            return hint
        return ranked[0][1]

    def script_languages(self, text: str) -> tuple[str, ...]:
        """The languages of the script most of ``text``'s letters are in; () without letters."""
        words = [w for w in _WORD.findall(text) if any(c.isalpha() for c in w)]
        if not words:
            return ()
        script, _ = _carrying_script(words)
        return tuple(lang for lang in script if lang in self.supported)

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


def _script_of(word: str) -> tuple[str, ...]:
    for char in word:
        if char.isalpha():
            name = unicodedata.name(char, "")
            if name.startswith(("ARABIC", "PERSIAN")):
                return ARABIC_SCRIPT
            if name.startswith("CYRILLIC"):
                return CYRILLIC
            return LATIN
    return LATIN


def _carrying_script(words: list[str]) -> tuple[tuple[str, ...], list[str]]:
    """The script most words are written in (Arabic or Cyrillic on a tie: Latin words inside
    them are terms and names), and those words."""
    by_script: dict[tuple[str, ...], list[str]] = {ARABIC_SCRIPT: [], CYRILLIC: [], LATIN: []}
    for word in words:
        by_script[_script_of(word)].append(word)
    order = (ARABIC_SCRIPT, CYRILLIC, LATIN)
    script = max(order, key=lambda s: (len(by_script[s]), -order.index(s)))
    return script, by_script[script]
