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
from collections.abc import Callable
from pathlib import Path

from bot.config import Settings
from bot.knowledge import KnowledgeBase

PROGRESS = "progress "  # worker's stderr lines starting with this carry a percentage


def build_in_worker(
    kb: KnowledgeBase,
    settings: Settings,
    cache: Path,
    progress: Callable[[int], None] | None = None,
) -> dict[str, float]:
    """Run the build in ``python -m bot.engine_build``; return its timings. Progress lines
    the worker writes to stderr go to ``progress``; the rest is kept for an error message."""
    worker = subprocess.Popen(
        [sys.executable, "-m", "bot.engine_build"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip
    assert worker.stdin is not None and worker.stdout is not None and worker.stderr is not None
    worker.stdin.write(pickle.dumps((kb, settings, cache), protocol=pickle.HIGHEST_PROTOCOL))
    worker.stdin.close()
    errors: list[bytes] = []
    for line in worker.stderr:
        if line.startswith(PROGRESS.encode()) and line[len(PROGRESS) :].strip().isdigit():
            if progress is not None:
                progress(int(line[len(PROGRESS) :]))
        else:
            errors.append(line)
    output = worker.stdout.read()
    if worker.wait() != 0:
        detail = b"".join(errors).decode(errors="replace")[-2000:]
        raise RuntimeError(f"building the search index failed:\n{detail}")
    timings: dict[str, float] = json.loads(output.decode().strip().splitlines()[-1])
    return timings


def _main() -> None:
    from bot.engine import _build, _write_cache
    from bot.language.analyzer import TextAnalyzer

    kb, settings, cache = pickle.loads(sys.stdin.buffer.read())  # noqa: S301 - from our parent
    timings: dict[str, float] = {}
    def report(percent: int) -> None:
        print(f"{PROGRESS}{percent}", file=sys.stderr, flush=True)

    built = _build(kb, TextAnalyzer(), settings, timings, report)
    if not _write_cache(cache, built):
        raise SystemExit("cannot write the search index cache")
    print(json.dumps(timings))


if __name__ == "__main__":
    _main()
