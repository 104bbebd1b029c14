"""Normalisation per script.

Two levels:
- ``clean_text``: what a person typed, made safe to process and show (NFKC, no control or
  direction marks, whitespace folded). Meaning is unchanged.
- ``fold``: a matching key. Case folded, accents and Arabic diacritics removed, German umlauts
  and ß folded both ways (``ü``, ``ue`` and ``u`` meet), Arabic/Persian letter variants unified,
  tatweel removed, ZWNJ joined, digits made ASCII. Applied to the knowledge base and to messages
  alike, so both meet in the same form.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# Bidi controls, zero-width characters other than ZWNJ, BOM and other invisibles people paste.
_INVISIBLE = re.compile(
    "[\u200b\u200d\u200e\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff\u00ad]"
)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_SPACES = re.compile(r"\s+")

ZWNJ = "\u200c"
TATWEEL = "\u0640"

# Arabic-script letter variants: Arabic keyboards type ي ك where Persian uses ی ک.
_ARABIC_SCRIPT = str.maketrans(
    {
        "ي": "ی",
        "ى": "ی",
        "ئ": "ی",
        "ك": "ک",
        "أ": "ا",
        "إ": "ا",
        "آ": "ا",
        "ٱ": "ا",
        "ؤ": "و",
        "ة": "ه",
        "ۀ": "ه",
        TATWEEL: "",
        ZWNJ: "",
        "٪": "%",
        "،": ",",
        "؛": ";",
        "؟": "?",
    }
)
# Letters that do not decompose under NFKD.
_LATIN_EXTRA = str.maketrans({"ł": "l", "ı": "i", "đ": "d", "ø": "o", "æ": "ae", "œ": "oe"})
_GERMAN_DIGRAPHS = re.compile(r"(?<=[a-z])(ae|oe|ue)|ss")
_DIGRAPH_TO_VOWEL = {"ae": "a", "oe": "o", "ue": "u", "ss": "s"}


def clean_text(text: str) -> str:
    """Make a message safe to process: NFKC, no invisible or control characters, tidy spaces."""
    text = unicodedata.normalize("NFKC", text)
    text = _INVISIBLE.sub("", text)
    text = _CONTROL.sub(" ", text)
    return _SPACES.sub(" ", text).strip()


@lru_cache(maxsize=65536)
def fold(text: str) -> str:
    """The matching key of a text (see the module docstring)."""
    text = unicodedata.normalize("NFKC", text).casefold()
    text = text.replace("ß", "ss").translate(_ARABIC_SCRIPT)
    text = _strip_marks(text).translate(_LATIN_EXTRA)
    text = _GERMAN_DIGRAPHS.sub(lambda m: _DIGRAPH_TO_VOWEL[m.group(0)], text)
    text = _INVISIBLE.sub("", text)
    return _SPACES.sub(" ", text).strip()


def _strip_marks(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    kept = []
    for char in decomposed:
        if unicodedata.combining(char):
            continue
        if char.isdigit() and not char.isascii():
            kept.append(str(unicodedata.digit(char, 0)))
            continue
        kept.append(char)
    return unicodedata.normalize("NFC", "".join(kept))
