"""Start-up benchmark: time from launching the local chat to the first answer.

Runs ``consult-bot chat`` (the README's ``./scripts/chat.sh`` minus the install check) as a
person would, with a question piped in, and measures wall time from process start to the bot's
first reply to that question, on a data folder of its own:

- cold: an empty data folder (lemma tables and search index are built, progress is shown);
- warm: the same folder again (everything from the cache), several times;
- edited: after a one-line change to one answer in a copy of the knowledge base.

Also reports when the first progress line appeared on the cold start, and the CPU time of
each run (the bot and its build workers). Wall time depends a lot on the machine's load; the
load average is printed alongside, and CPU time is the steadier number.

    python benchmarks/startup.py              # cold once, warm 3 times, edited once
    python benchmarks/startup.py --warm 5 --no-edit
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
QUESTION = "Einbürgerung Voraussetzungen"


def write_config(folder: Path, knowledge: Path) -> Path:
    config = yaml.safe_load((ROOT / "config.yaml").read_text(encoding="utf-8"))
    config["knowledge_dir"] = str(knowledge)
    config["data_dir"] = str(folder / "data")
    config.pop("database_url", None)
    path = folder / "config.yaml"
    path.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    return path


def cpu_of_children() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def time_to_first_answer(config: Path) -> tuple[float, float | None, float]:
    """Seconds to the first reply to QUESTION, to the first progress line (if any), and the
    CPU seconds the run used (its worker processes included; less sensitive to load)."""
    cpu_before = cpu_of_children()
    started = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "--config", str(config), "chat", "--lang", "de"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True, cwd=config.parent, env={**os.environ, "NO_PROXY": "127.0.0.1,localhost"},
    )  # fmt: skip
    progress: list[float] = []

    def watch_stderr() -> None:
        assert proc.stderr is not None
        for line in proc.stderr:
            if "%" in line and not progress:
                progress.append(time.perf_counter() - started)

    watcher = threading.Thread(target=watch_stderr, daemon=True)
    watcher.start()
    assert proc.stdin is not None and proc.stdout is not None
    proc.stdin.write(QUESTION + "\n")
    proc.stdin.flush()
    asked = False
    answer_at: float | None = None
    for line in proc.stdout:
        asked = asked or line.startswith(f"> {QUESTION}")
        if asked and line.startswith("bot:"):
            answer_at = time.perf_counter() - started
            break
    proc.stdin.write(":quit\n")
    proc.stdin.close()
    proc.wait(timeout=60)
    if answer_at is None:
        raise SystemExit(f"no answer to {QUESTION!r}; exit code {proc.returncode}")
    return answer_at, progress[0] if progress else None, cpu_of_children() - cpu_before


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--warm", type=int, default=3, help="warm starts to time")
    parser.add_argument("--no-edit", action="store_true", help="skip the edited-knowledge run")
    args = parser.parse_args()
    print(f"load average before: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    with tempfile.TemporaryDirectory(prefix="startup-") as tmp:
        folder = Path(tmp)
        knowledge = folder / "knowledge"
        shutil.copytree(ROOT / "knowledge", knowledge)
        config = write_config(folder, knowledge)
        cold, shown, cpu = time_to_first_answer(config)
        first = f"{shown:.1f} s" if shown is not None else "none"
        print(f"cold start (empty data folder): {cold:5.1f} s to the first answer "
              f"({cpu:.1f} CPU s); first progress line after {first}")  # fmt: skip
        runs = [time_to_first_answer(config) for _ in range(args.warm)]
        warm, warm_cpu = [r[0] for r in runs], statistics.median(r[2] for r in runs)
        print(f"warm start (from cache), {len(warm)} runs: median {statistics.median(warm):.1f} s, "
              f"max {max(warm):.1f} s ({warm_cpu:.1f} CPU s)")  # fmt: skip
        if not args.no_edit:
            edit_one_answer(knowledge)
            edited, _, cpu = time_to_first_answer(config)
            print(f"after a one-line answer edit: {edited:5.1f} s to the first answer "
                  f"({cpu:.1f} CPU s)")  # fmt: skip
    print(f"load average after: {os.getloadavg()[0]:.1f}")


def edit_one_answer(knowledge: Path) -> None:
    """Change one line of one answer, as an editor fixing a phone number would."""
    path = next(p for p in sorted(knowledge.rglob("*.yaml")) if "answer:" in p.read_text("utf-8"))
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    at = next(i for i, line in enumerate(lines) if line.strip().startswith("answer:"))
    lines[at + 1] = lines[at + 1].rstrip("\n") + " (Stand: heute)\n"
    path.write_text("".join(lines), encoding="utf-8")


if __name__ == "__main__":
    main()
