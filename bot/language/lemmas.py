"""Lemma tables pruned to the knowledge base's vocabulary, built from simplemma's bundled data.

simplemma's full dictionaries take about 900 MB for the eight languages. Only lemmas that occur
in the knowledge base can ever help a match, so each language's table keeps just the word forms
whose lemma is one of those: tens of thousands of forms instead of millions. Tables are built in
a worker process (the full dictionary never enters the bot's own memory) and cached on disk,
keyed by the vocabulary, so later starts only read a small JSON file.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import subprocess
import sys
from collections.abc import Callable, Iterable, Mapping
from importlib.metadata import version
from pathlib import Path
from typing import Any

import numpy as np

from bot.language.normalize import fold

log = logging.getLogger(__name__)


class LemmaTables:
    """Folded word form -> folded lemma, per language.

    Stored compactly: per language a sorted array of 64-bit hashes of the forms and, for each,
    the number of its lemma in a list (Turkish alone has about 200,000 forms; as a dict of
    strings that would be about 30 MB, as arrays it is about 2.5 MB)."""

    def __init__(self, tables: Mapping[str, Mapping[str, str]]) -> None:
        self._tables = {lang: _Compact.build(table) for lang, table in tables.items()}

    def lemma(self, language: str, folded_word: str) -> str:
        table = self._tables.get(language)
        if table is None:
            return folded_word
        return table.get(folded_word) or folded_word

    @classmethod
    def for_vocabulary(
        cls,
        vocabulary: Mapping[str, Iterable[str]],
        cache_dir: Path | None,
        progress: Callable[[float], None] | None = None,
    ) -> LemmaTables:
        """Tables for ``vocabulary`` (language -> words as written), from cache or built;
        ``progress`` gets the share of languages done (0-1) while building."""
        words = {lang: sorted(set(ws)) for lang, ws in vocabulary.items()}
        tables: dict[str, dict[str, str]] = {}
        missing: list[str] = []
        for lang, ws in words.items():
            cached = _read_cache(cache_dir, lang, ws)
            if cached is None:
                missing.append(lang)
            else:
                tables[lang] = cached
        if missing:
            built = _build_in_workers({lang: words[lang] for lang in missing}, progress)
            for lang, table in built.items():
                tables[lang] = table
                _write_cache(cache_dir, lang, words[lang], table)
        return cls(tables)


class _Compact:
    __slots__ = ("keys", "lemma_of", "lemmas")

    def __init__(self, keys: Any, lemma_of: Any, lemmas: list[str]) -> None:
        self.keys, self.lemma_of, self.lemmas = keys, lemma_of, lemmas

    @classmethod
    def build(cls, table: Mapping[str, str]) -> _Compact:
        lemmas = sorted(set(table.values()))
        number = {lemma: i for i, lemma in enumerate(lemmas)}
        pairs = sorted(
            (_hash(form), number[lemma]) for form, lemma in table.items() if form != lemma
        )
        keys = np.fromiter((k for k, _ in pairs), dtype=np.uint64, count=len(pairs))
        lemma_of = np.fromiter((v for _, v in pairs), dtype=np.int32, count=len(pairs))
        return cls(keys, lemma_of, lemmas)

    def get(self, form: str) -> str | None:
        key = _hash(form)
        at = int(np.searchsorted(self.keys, key))
        if at < len(self.keys) and self.keys[at] == key:
            return self.lemmas[int(self.lemma_of[at])]
        return None


def _hash(text: str) -> int:
    """A stable 64-bit hash (Python's own hash() changes from process to process)."""
    return int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "little")


def _cache_path(cache_dir: Path, language: str, words: list[str]) -> Path:
    digest = hashlib.sha256(version("simplemma").encode())
    for word in words:
        digest.update(b"\x00" + word.encode())
    return cache_dir / f"lemmas-{language}-{digest.hexdigest()[:16]}.json"


def _read_cache(cache_dir: Path | None, language: str, words: list[str]) -> dict[str, str] | None:
    if cache_dir is None:
        return None
    path = _cache_path(cache_dir, language, words)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _write_cache(
    cache_dir: Path | None, language: str, words: list[str], table: dict[str, str]
) -> None:
    if cache_dir is None:
        return
    path = _cache_path(cache_dir, language, words)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps(table, ensure_ascii=False), encoding="utf-8")
        tmp.replace(path)
        for old in path.parent.glob(f"lemmas-{language}-*.json"):
            if old != path:
                old.unlink(missing_ok=True)
    except OSError as exc:  # a read-only data folder only costs time on the next start
        log.warning("cannot cache lemma table for %s: %s", language, exc)


def _build_in_workers(
    words: dict[str, list[str]], progress: Callable[[float], None] | None = None
) -> dict[str, dict[str, str]]:
    """Build tables in ``python -m bot.language.lemmas`` workers, two at a time (two cores)."""
    log.info("building lemma tables for %s", ", ".join(words))
    order = sorted(words, key=lambda lang: lang != "pl")  # the largest first
    results: dict[str, dict[str, str]] = {}
    running: list[tuple[str, subprocess.Popen[bytes]]] = []
    while order or running:
        while order and len(running) < 2:
            lang = order.pop(0)
            worker = subprocess.Popen(  # noqa: S603 - our own module, no shell
                [sys.executable, "-m", "bot.language.lemmas", lang],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
            )
            assert worker.stdin is not None
            worker.stdin.write(json.dumps(words[lang]).encode())
            worker.stdin.close()
            running.append((lang, worker))
        lang, worker = running.pop(0)
        assert worker.stdout is not None
        output = worker.stdout.read()
        if worker.wait() != 0:
            raise RuntimeError(f"building the lemma table for '{lang}' failed")
        results[lang] = json.loads(output)
        if progress is not None:
            progress(len(results) / len(words))
    return results


def build_table(language: str, words: list[str]) -> dict[str, str]:
    """The pruned table for one language (runs in a worker; loads the full dictionary)."""
    import simplemma
    from simplemma.strategies.dictionaries import DefaultDictionaryFactory

    lemmas = {word: simplemma.lemmatize(word, lang=language) for word in words}
    wanted = set(lemmas.values())
    dictionary = DefaultDictionaryFactory().get_dictionary(language)
    table: dict[str, str] = {}
    for form, lemma in dictionary.items():
        if lemma in wanted:
            key = fold(form)
            if key not in table or key == fold(lemma):
                table[key] = fold(lemma)
    for word, lemma in lemmas.items():
        table[fold(word)] = fold(lemma)
    return {k: v for k, v in table.items() if k and v}


if __name__ == "__main__":
    # Worker: language as argument, JSON list of words on stdin, JSON table on stdout.
    _table = build_table(sys.argv[1], json.loads(sys.stdin.buffer.read()))
    sys.stdout.write(json.dumps(_table, ensure_ascii=False))
