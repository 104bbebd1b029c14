"""Build the engine's lemma tables, search index and learned ranker in a worker process.

Analysing every text of the knowledge base grows spaCy's vocabulary and string store by
hundreds of megabytes at 2,000 entries, and training holds the full feature matrix; done here,
that memory is returned to the system when the worker ends, and the bot only loads the compact
result from the cache.

Worker protocol: a pickled ``(KnowledgeBase, Settings, cache_path)`` on stdin; progress lines
(``progress 42``, percent) on stderr; writes the cache file and prints the build timings as JSON.
Exit status 3: the knowledge base cannot train the ranker (the reason on stderr).
"""

from __future__ import annotations

import json
import pickle
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from bot.config import Settings
from bot.engine_store import TrainingError, build, write_cache
from bot.knowledge import KnowledgeBase
from bot.language.analyzer import TextAnalyzer

PROGRESS = "progress "  # worker's stderr lines starting with this carry a percentage
TRAINING_FAILED = 3


def build_in_worker(
    kb: KnowledgeBase,
    settings: Settings,
    cache: Path,
    progress: Callable[[int], None] | None = None,
) -> dict[str, float]:
    """Run the build in ``python -m bot.engine_build``; return its timings.

    Raises TrainingError when the knowledge base cannot train the ranker, RuntimeError when
    the worker fails otherwise."""
    worker = subprocess.Popen(
        [sys.executable, "-m", "bot.engine_build"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=False,
    )
    assert worker.stdin and worker.stdout and worker.stderr
    worker.stdin.write(pickle.dumps((kb, settings, cache), protocol=pickle.HIGHEST_PROTOCOL))
    worker.stdin.close()
    errors: list[str] = []
    for raw in worker.stderr:
        line = raw.decode(errors="replace").rstrip("\n")
        if line.startswith(PROGRESS) and line[len(PROGRESS) :].strip().isdigit():
            if progress is not None:
                progress(int(line[len(PROGRESS) :]))
        else:
            errors.append(line)
    output = worker.stdout.read().decode()
    status = worker.wait()
    message = "\n".join(errors)[-2000:]
    if status == TRAINING_FAILED:
        raise TrainingError(errors[-1] if errors else "training failed")
    if status != 0:
        raise RuntimeError(f"building the search index failed:\n{message}")
    timings: dict[str, float] = json.loads(output.strip().splitlines()[-1])
    return timings


def _main() -> None:
    kb, settings, cache = pickle.loads(sys.stdin.buffer.read())  # noqa: S301 - from our parent
    timings: dict[str, float] = {}

    def progress(percent: int) -> None:
        print(f"{PROGRESS}{percent}", file=sys.stderr, flush=True)

    try:
        built = build(kb, TextAnalyzer(), settings, timings, progress)
    except TrainingError as exc:
        print(exc, file=sys.stderr, flush=True)
        raise SystemExit(TRAINING_FAILED) from None
    if not write_cache(cache, built):
        raise SystemExit("cannot write the search index cache")
    print(json.dumps(timings))


if __name__ == "__main__":
    _main()
