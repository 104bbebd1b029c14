"""Every shell command in README.md works as written (the ones that are safe to run here)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BLOCK = re.compile(r"^ *```sh\n(.*?)^ *```", re.S | re.M)

# Commands not run here, and why. Everything else in a ```sh block is run.
SKIPPED = {
    "./scripts/test.sh": "runs this very suite",
    "export TELEGRAM_BOT_TOKEN": "needs a real bot token",
    "consult-bot run": "needs Telegram",
}
# Test runs are collected, not run a second time: they run in this same suite.
COLLECT_ONLY = ("pytest ",)


def readme_commands() -> list[str]:
    commands = []
    for block in BLOCK.findall((ROOT / "README.md").read_text(encoding="utf-8")):
        for line in block.splitlines():
            command = re.sub(r"\s+#.*$", "", line).strip()
            if command:
                commands.append(command)
    return commands


def test_the_readme_has_commands_to_run() -> None:
    commands = readme_commands()
    assert "./scripts/chat.sh" in commands and "pytest tests/unit" in commands
    assert any(c.startswith("consult-bot kb check") for c in commands)


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data folder of its own (the chat's database), with the project's built caches."""
    data = tmp_path_factory.mktemp("readme-data")
    if (ROOT / "data" / "cache").is_dir():
        shutil.copytree(ROOT / "data" / "cache", data / "cache")
    return data


@pytest.mark.slow
@pytest.mark.parametrize("command", readme_commands())
def test_readme_command_works_as_written(command: str, data_dir: Path) -> None:
    reason = next((why for start, why in SKIPPED.items() if command.startswith(start)), None)
    if reason:
        pytest.skip(reason)
    if command.startswith(COLLECT_ONLY):
        command += " --collect-only -q"
    env = {
        **os.environ,
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
        "CONSULT_BOT_DATA_DIR": str(data_dir),
        "NO_PROXY": "127.0.0.1,localhost", "no_proxy": "127.0.0.1,localhost",
    }  # fmt: skip
    env.pop("CONSULT_BOT_CONFIG", None)
    out = subprocess.run(
        ["bash", "-c", command], cwd=ROOT, env=env, stdin=subprocess.DEVNULL,
        capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert out.returncode == 0, f"{command}\n{out.stdout[-1500:]}\n{out.stderr[-1500:]}"
    assert "Traceback" not in out.stderr
    if "chat.sh" in command and "printf" in command:
        assert "Einbürgerung" in out.stdout.split("Einbürgerung", 1)[1]  # answered
