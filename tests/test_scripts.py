"""scripts/chat.sh and test.sh install only when pyproject.toml changed, so they work offline."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OFFLINE = {"PIP_NO_INDEX": "1", "PIP_FIND_LINKS": "", "PIP_INDEX_URL": "http://127.0.0.1:9/"}


def ensure(folder: Path, extras: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", "-c", f'set -euo pipefail; . scripts/venv.sh; ensure_venv "{extras}"'],
        cwd=folder, capture_output=True, text=True, timeout=300,
        env={**os.environ, **OFFLINE},
    )  # fmt: skip


def project_copy(tmp_path: Path) -> Path:
    """pyproject.toml and the scripts, with a .venv whose python is this one."""
    (tmp_path / "scripts").mkdir()
    shutil.copy(ROOT / "scripts" / "venv.sh", tmp_path / "scripts")
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    (tmp_path / ".venv" / "bin").mkdir(parents=True)
    (tmp_path / ".venv" / "bin" / "python").symlink_to(sys.executable)
    return tmp_path


def test_a_complete_venv_is_used_offline_without_installing(tmp_path: Path) -> None:
    folder = project_copy(tmp_path)
    digest = hashlib.sha256((folder / "pyproject.toml").read_bytes()).hexdigest()
    (folder / ".venv" / ".installed-test").write_text(digest + "\n")
    for extras in ("", "[test,dev]"):  # the test install serves the plain bot too
        out = ensure(folder, extras)
        assert out.returncode == 0, out.stderr
        assert out.stderr == "" and out.stdout == ""


def test_a_changed_pyproject_installs_and_says_what_failed_offline(tmp_path: Path) -> None:
    folder = project_copy(tmp_path)
    (folder / ".venv" / ".installed-base").write_text("an older pyproject.toml\n")
    out = ensure(folder, "")
    assert out.returncode == 1
    assert "installing the project into .venv (pyproject.toml is new or changed)" in out.stderr
    assert "a package index must be" in out.stderr
    assert (folder / ".venv" / ".installed-base").read_text() == "an older pyproject.toml\n"
