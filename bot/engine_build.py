"""Build the engine's lemma tables and search index in a worker process.

Analysing every text of the knowledge base grows spaCy's vocabulary and string store by
hundreds of megabytes at 2,000 entries; done here, that memory is returned to the system when
the worker ends, and the bot only loads the compact result from the cache.

Worker protocol: a pickled ``(KnowledgeBase, Settings, cache_path)`` on stdin; writes the cache
file and prints the build timings as JSON.
"""

from __future__ import annotations

import json
import pickle
import subprocess
import sys
from pathlib import Path

from bot.config import Settings
from bot.knowledge import KnowledgeBase


def build_in_worker(kb: KnowledgeBase, settings: Settings, cache: Path) -> dict[str, float]:
    """Run the build in ``python -m bot.engine_build``; return its timings."""
    done = subprocess.run(
        [sys.executable, "-m", "bot.engine_build"],
        input=pickle.dumps((kb, settings, cache), protocol=pickle.HIGHEST_PROTOCOL),
        capture_output=True,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"building the search index failed:\n{done.stderr.decode()[-2000:]}")
    timings: dict[str, float] = json.loads(done.stdout.decode().strip().splitlines()[-1])
    return timings


def _main() -> None:
    from bot.engine import _build, _write_cache
    from bot.language.analyzer import TextAnalyzer

    kb, settings, cache = pickle.loads(sys.stdin.buffer.read())  # noqa: S301 - from our parent
    timings: dict[str, float] = {}
    built = _build(kb, TextAnalyzer(), settings, timings)
    if not _write_cache(cache, built):
        raise SystemExit("cannot write the search index cache")
    print(json.dumps(timings))


if __name__ == "__main__":
    _main()
