"""`consult-bot chat`: the README's run command, driven through a pipe like a person would type."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent.parent
pytestmark = pytest.mark.database


def chat(tmp_path: Path, script: str) -> str:
    """Run `consult-bot chat --lang de` with ``script`` as input, on the database in
    ``tmp_path`` (fresh on the first run)."""
    config = yaml.safe_load((ROOT / "config.yaml").read_text())
    config["knowledge_dir"] = str(ROOT / "knowledge")
    config["data_dir"] = str(ROOT / "data")  # shares the built index cache
    config["database_url"] = f"sqlite:///{tmp_path / 'chat.db'}"
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump(config))
    out = subprocess.run(
        [sys.executable, "-m", "bot.cli", "--config", str(path), "chat", "--lang", "de"],
        input=script, capture_output=True, text=True, timeout=240, cwd=tmp_path,
    )  # fmt: skip
    assert out.returncode == 0, out.stderr[-2000:]
    return out.stdout


def test_chat_in_the_terminal(tmp_path: Path) -> None:
    script = "/start\n3\nWie viel Geld gibt es für ein Kleinprojekt?\n/topics\n:quit\n"
    transcript = chat(tmp_path, script)
    assert "Grundsatzangelegenheiten der Einwanderung" in transcript  # greeting
    assert "[1] Deutsch" in transcript and "[2] Deutsch – einfach" in transcript  # languages
    assert "[3] English" in transcript
    assert "I will answer in English" in transcript  # pressed "3"
    assert "Kleinprojekte" in transcript  # the answer
    assert "Topics" in transcript  # the topic menu, in English now
    assert (tmp_path / "chat.db").exists()


def test_local_chat_hands_over_to_a_local_staff_group(tmp_path: Path) -> None:
    script = "/human\n1\nIch brauche Hilfe beim Antrag\n:staff Gern, was planen Sie?\n/end\n:quit\n"
    transcript = chat(tmp_path, script)
    assert "Sind Sie einverstanden?" in transcript  # consent asked first
    assert "staff group: bot: 🎫 Gespräch #1" in transcript  # the ticket's header for staff
    assert "Ich brauche Hilfe beim Antrag" in transcript.split("staff group:", 2)[-1]
    assert "bot: 💬 Staff" in transcript and "Gern, was planen Sie?" in transcript
    assert "beendet (Nr. 1)" in transcript


def test_the_piped_chat_answers_again_on_the_same_data(tmp_path: Path) -> None:
    """The README's command, twice: the second emulator session numbers updates from 1 again."""
    script = "/start\n1\nEinbürgerung\n:quit\n"
    first = chat(tmp_path, script)
    second = chat(tmp_path, script)
    for transcript in (first, second):
        replies = [line for line in transcript.splitlines() if line.startswith("bot:")]
        assert any("Grundsatzangelegenheiten der Einwanderung" in r for r in replies)  # greeting
        assert "Einbürgerung" in transcript.split("> Einbürgerung", 1)[1]  # an answer to it


def test_staff_group_buttons_are_pressed_with_press_and_links_show_their_target(
    tmp_path: Path,
) -> None:
    script = (
        "/appointment\n4\n1\nMax Muster\n1\nEin Nachbarschaftsfest planen\n1\n1\n1\n"
        ":press 9\n:press 1\nWie viel Geld gibt es für ein Kleinprojekt?\n:quit\n"
    )
    transcript = chat(tmp_path, script)
    request = transcript.split("staff group: bot: 📅 WIR-2026-0001", 1)[1]
    assert "[1] ✅ Annehmen" in request
    assert "* :press needs a staff group button's number (1-3)" in request  # :press 9
    assert "* Staff (staff) pressed [✅ Annehmen]" in request
    after = request.split("pressed [✅ Annehmen]", 1)[1]
    assert "WIR-2026-0001" in after.split("> Wie viel Geld", 1)[0]  # the resident is told
    assert "<https://" in after  # the answer's source link, with its target
