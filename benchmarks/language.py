"""Reply language on an evaluation set: the share of questions whose detected reply language is
the language they were written in, overall and by kind, for three situations: no hint, the
user's language equal to the message's, and a different user's language (de, or en for German
messages). Kinds: "mixed" (a German term inside another language), "latin-script" (Russian,
Ukrainian, Arabic or Persian in Latin letters) and "plain".

    python benchmarks/language.py [FILES...]   # default: tests/eval/*.yaml (development set)
"""

from __future__ import annotations

import re
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.evaluation import read_eval_files  # noqa: E402
from bot.knowledge import load_knowledge  # noqa: E402
from bot.language.detect import LanguageDetector  # noqa: E402
from bot.language.normalize import fold  # noqa: E402
from bot.language.terms import GermanTerms  # noqa: E402
from bot.languages import LANGUAGES  # noqa: E402

_NATIVE = re.compile(r"[\u0600-\u06ff\u0400-\u04ff]")
_WORD = re.compile(r"[^\W_]+")


def kind(question: str, lang: str, terms: GermanTerms) -> str:
    if lang in ("ar", "fa", "ru", "uk") and not _NATIVE.search(question):
        return "latin-script"
    if lang != "de" and any(fold(w) in terms for w in _WORD.findall(question)):
        return "mixed"
    return "plain"


def main() -> None:
    files = [Path(p) for p in sys.argv[1:]] or sorted((ROOT / "tests" / "eval").glob("*.yaml"))
    items = [(i.q, i.lang) for i in read_eval_files(files) if i.lang]
    terms = GermanTerms.load(load_knowledge(ROOT / "knowledge"))
    detector = LanguageDetector(LANGUAGES, terms=terms)
    situations = {
        "no hint": lambda lang: None,
        "hint = own": lambda lang: lang,
        "hint = other": lambda lang: "de" if lang != "de" else "en",
    }
    for name, hint_of in situations.items():
        right: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        for question, lang in items:
            ok = detector.detect(question, hint_of(lang)).language == lang
            for group in ("all", kind(question, lang, terms), f"lang {lang}"):
                right[group][0] += ok
                right[group][1] += 1
        cells = [f"{g} {a / n:.1%} (n={n})" for g, (a, n) in sorted(right.items())]
        print(f"{name:13s} " + "; ".join(cells))


if __name__ == "__main__":
    main()
