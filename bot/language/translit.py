"""Latin-letter forms of Russian, Ukrainian, Arabic and Persian texts, as residents type them
without their own keyboard ("kak poluchit grazhdanstvo", "kif a2dam 3ala", "chetor dar khast").

Deterministic letter mappings applied to *folded* text (bot.language.normalize.fold: й, ё and ї
are already и, е and і there; Arabic-script letter variants unified). For each language two
forms: a standard romanisation (Russian and Ukrainian close to the BGN/PCGN scheme; Arabic with
the Arabizi digits 2 3 7 5 for ء/ق ع ح خ) and a common informal variant (h for х, c for ц,
ja/ju; Arabic with letters instead of digits; Persian with o/e vowels). They are extra training
texts for the learned ranker, which compares character n-grams, so a spelling that differs in a
letter or two still lands close.
"""

from __future__ import annotations

_COMMON_CYRILLIC = {
    "а": "a", "б": "b", "в": "v", "д": "d", "е": "e", "ж": "zh", "з": "z", "к": "k", "л": "l",
    "м": "m", "н": "n", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f",
    "ш": "sh", "ъ": "", "ь": "", "э": "e", "і": "i", "ґ": "g",
}  # fmt: skip
_STANDARD = {
    "ru": {**_COMMON_CYRILLIC, "г": "g", "и": "i", "х": "kh", "ц": "ts", "ч": "ch", "щ": "shch",
           "ы": "y", "ю": "yu", "я": "ya", "є": "ye"},
    "uk": {**_COMMON_CYRILLIC, "г": "h", "и": "y", "х": "kh", "ц": "ts", "ч": "ch", "щ": "shch",
           "ы": "y", "ю": "iu", "я": "ia", "є": "ie"},
}  # fmt: skip
_INFORMAL = {
    "ru": {**_COMMON_CYRILLIC, "г": "g", "и": "i", "х": "h", "ц": "c", "ч": "ch", "щ": "sch",
           "ы": "i", "ю": "ju", "я": "ja", "є": "je", "ж": "j"},
    "uk": {**_COMMON_CYRILLIC, "г": "g", "и": "i", "х": "h", "ц": "c", "ч": "ch", "щ": "sch",
           "ы": "i", "ю": "yu", "я": "ya", "є": "ye"},
}  # fmt: skip

_ARABIC_LETTERS = {
    "ا": "a", "ب": "b", "ت": "t", "ث": "th", "ج": "j", "د": "d", "ذ": "th", "ر": "r", "ز": "z",
    "س": "s", "ش": "sh", "ص": "s", "ض": "d", "ط": "t", "ظ": "z", "غ": "gh", "ف": "f", "ک": "k",
    "ل": "l", "م": "m", "ن": "n", "ه": "a", "و": "w", "ی": "i", "پ": "p", "چ": "ch", "ژ": "zh",
    "گ": "g",
}  # fmt: skip
_ARABIZI = {**_ARABIC_LETTERS, "ء": "2", "ق": "2", "ع": "3", "ح": "7", "خ": "5"}
_ARABIC_PLAIN = {**_ARABIC_LETTERS, "ء": "", "ق": "q", "ع": "a", "ح": "h", "خ": "kh"}
_PERSIAN = {**_ARABIC_LETTERS, "ء": "", "ق": "gh", "ع": "", "ح": "h", "خ": "kh", "ذ": "z",
            "ث": "s", "ض": "z", "و": "v", "ه": "h"}  # fmt: skip
_PERSIAN_VOWELS = {**_PERSIAN, "و": "o", "ه": "e", "ی": "i"}

_SCHEMES: dict[str, tuple[dict[str, str], ...]] = {
    "ru": (_STANDARD["ru"], _INFORMAL["ru"]),
    "uk": (_STANDARD["uk"], _INFORMAL["uk"]),
    "ar": (_ARABIZI, _ARABIC_PLAIN),
    "fa": (_PERSIAN, _PERSIAN_VOWELS),
}
_TABLES = {
    lang: tuple(str.maketrans(scheme) for scheme in schemes) for lang, schemes in _SCHEMES.items()
}


def romanisations(folded: str, language: str) -> list[str]:
    """The distinct Latin-letter forms of a folded text (none for other languages, or for a
    text with nothing to transliterate)."""
    forms = []
    for table in _TABLES.get(language, ()):
        form = " ".join(folded.translate(table).split())
        if form != folded and form not in forms:
            forms.append(form)
    return forms
