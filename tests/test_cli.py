"""The consult-bot command line, run as a resident of the office would run it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.helpers import entry, write_kb

ROOT = Path(__file__).resolve().parent.parent


def run(*args: str, stdin: str | None = None, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args], input=stdin, capture_output=True, text=True,
        cwd=cwd, timeout=300,
    )  # fmt: skip


def test_ask_json_reads_stdin_line_by_line() -> None:
    lines = ["Wie viel Geld gibt es für ein Kleinprojekt?", "", "weather tomorrow?", "🙂"]
    out = run("ask", "--json", stdin="\n".join(lines) + "\n")
    assert out.returncode == 0, out.stderr
    rows = [json.loads(line) for line in out.stdout.splitlines()]
    assert len(rows) == 4
    assert rows[0]["status"] == "answer" and rows[0]["entry_id"] == "funding-small"
    assert rows[1]["status"] == "none" and rows[1]["entry_id"] is None
    assert rows[2]["status"] == "none"


def test_ask_json_small_talk_is_none_and_danger_is_the_emergency_entry() -> None:
    lines = ["Hallo", "danke!", "ok", "test", "🙂", "spasibo", "help he has a knife"]
    out = run("ask", "--json", "--lang", "de", stdin="\n".join(lines) + "\n")
    assert out.returncode == 0, out.stderr
    rows = [json.loads(line) for line in out.stdout.splitlines()]
    assert [(r["status"], r["kind"], r["entry_id"]) for r in rows] == [
        *[("none", "smalltalk", None)] * 6,
        ("answer", "emergency", "emergency"),
    ]
    assert [r["language"] for r in rows[:6]] == ["de", "de", "de", "de", "de", "ru"]


def test_ask_human_readable_shows_answer_and_source() -> None:
    out = run("ask", "Was kostet der Einbürgerungstest?", "--lang", "de")
    assert out.returncode == 0, out.stderr
    assert "[answer]" in out.stdout and "Source:" in out.stdout and "checked 2026-" in out.stdout


def test_kb_check_passes_on_the_shipped_knowledge_base() -> None:
    out = run("kb", "check")
    assert out.returncode == 0, out.stderr
    assert "all valid" in out.stdout


def test_kb_check_fails_with_every_problem_named(tmp_path: Path) -> None:
    kb = write_kb(tmp_path / "kb", {"a.yaml": [entry("one", related=["ghost"]), entry("one")]})
    config = tmp_path / "config.yaml"
    config.write_text(yaml.safe_dump({"knowledge_dir": str(kb), "data_dir": str(tmp_path / "d")}))
    out = run("--config", str(config), "kb", "check")
    assert out.returncode == 1
    assert "entry 'one': field 'related': no entry 'ghost'" in out.stderr
    assert "duplicate id" in out.stderr


def test_kb_stats_counts_languages_and_reviews() -> None:
    out = run("kb", "stats", "--json")
    data = json.loads(out.stdout)
    assert data["entries"] >= 49
    assert set(data["languages"]) == {"de", "en", "tr", "ar", "uk", "ru", "fa", "pl"}
    assert all(row["questions"] >= 5 * data["entries"] for row in data["languages"].values())


def test_eval_prints_per_language_and_per_kind(tmp_path: Path) -> None:
    items = [
        {"q": "wie viel geld fuer ein kleinprojekt", "expect": "funding-small", "lang": "de"},
        {"q": "recipe for banana bread", "expect": "none", "lang": "en"},
        {"q": "hallo", "expect": "none", "lang": "de", "kind": "smalltalk"},
    ]
    path = tmp_path / "set.yaml"
    path.write_text(yaml.safe_dump(items))
    out = run("eval", str(path))
    assert out.returncode == 0, out.stderr
    by_language, by_kind = out.stdout.split("\n\n")[:2]
    rows = {line.split()[0]: line.split() for line in by_language.splitlines()[1:]}
    # items, in scope, direct, wrong, helpful: the question is answered directly and right.
    assert rows["de"][1:6] == ["2", "1", "100.0%", "0.0%", "100.0%"]
    assert rows["en"][2] == "0" and rows["en"][-2:] == ["1", "100.0%"]  # out of scope: none
    kinds = {line.split()[0]: line.split() for line in by_kind.splitlines()[1:]}
    assert set(kinds) == {"well-formed", "smalltalk", "out-of-scope", "all"}
    assert kinds["smalltalk"][-2:] == ["1", "100.0%"]  # small talk: no entry


def test_run_without_token_says_so_in_one_line(tmp_path: Path) -> None:
    out = subprocess.run(
        [sys.executable, "-m", "bot.cli", "run"], capture_output=True, text=True, cwd=ROOT,
        env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}, timeout=60,
    )  # fmt: skip
    assert out.returncode != 0
    assert "TELEGRAM_BOT_TOKEN is not set" in out.stderr
    assert "Traceback" not in out.stderr


@pytest.mark.database
def test_requests_list_json_csv_in_local_time_winter_and_summer(tmp_path: Path) -> None:
    """09:00 in December is 08:00 UTC, 13:00 in July is 11:00 UTC: both read as Hannover time
    with their offsets; a cancelled request keeps its slot; pre-check answers have columns."""
    import csv
    import datetime as dt

    from bot.intake.hours import ConsultationHours, Slot
    from bot.intake.requests import RequestForm, cancel, create_request
    from bot.storage import Database
    from bot.storage.models import ConsultationRequest
    from tests.databases import fresh_database_url

    url = fresh_database_url(tmp_path)
    db = Database(url)
    db.migrate()
    hours = ConsultationHours()
    form = RequestForm(
        kind="funding_application", requester="organisation", contact_name="Jürgen Öztürk",
        contact_channel="telegram", description="Nachbarschaftscafé", language="de",
        organisation="Kulturverein", precheck={"applicant": "association", "amount": "small"},
    )  # fmt: skip
    winter = Slot.from_key("2026-12-08T08:00:00Z", hours)  # Tuesday 09:00 CET
    summer = Slot.from_key("2026-07-09T11:00:00Z", hours)  # Thursday 13:00 CEST
    assert winter is not None and summer is not None
    with db.session() as session:
        create_request(session, form, None, "k1", hours, winter,
                       now=dt.datetime(2026, 11, 25, 9, 30, tzinfo=dt.UTC))  # fmt: skip
        second = create_request(session, form, None, "k2", hours, summer,
                                now=dt.datetime(2026, 6, 20, 10, 0, tzinfo=dt.UTC))  # fmt: skip
        second.created_at = dt.datetime(2026, 6, 20, 10, 0, tzinfo=dt.UTC)
        cancel(session, second, now=dt.datetime(2026, 7, 1, 6, 15, tzinfo=dt.UTC))
        first = session.query(ConsultationRequest).filter_by(idempotency_key="k1").one()
        first.created_at = dt.datetime(2026, 11, 25, 9, 30, tzinfo=dt.UTC)
        first.status, first.decided_by = "accepted", "Frau Berater"
        first.decided_at = dt.datetime(2026, 11, 26, 13, 5, tzinfo=dt.UTC)
    db.dispose()
    config = tmp_path / "config.yaml"
    config.write_text(
        yaml.safe_dump({"database_url": url, "knowledge_dir": str(ROOT / "knowledge")})
    )
    listed = run("--config", str(config), "requests", "list")
    assert listed.returncode == 0, listed.stderr
    assert "WIR-2026-0001  accepted" in listed.stdout and "Kulturverein" in listed.stdout
    assert "2026-12-08T09:00:00+01:00" in listed.stdout
    assert "2026-07-09T13:00:00+02:00 (cancelled)" in listed.stdout
    as_json = run("--config", str(config), "requests", "list", "--json")
    rows = {r["status"]: r for r in map(json.loads, as_json.stdout.splitlines())}
    assert rows["accepted"]["slot_start"] == "2026-12-08T09:00:00+01:00"
    assert rows["accepted"]["created_at"] == "2026-11-25T10:30:00+01:00"
    assert rows["accepted"]["decided_at"] == "2026-11-26T14:05:00+01:00"
    assert rows["accepted"]["decided_by"] == "Frau Berater"
    assert rows["accepted"]["precheck_applicant"] == "association"
    assert rows["cancelled"]["slot_start"] is None
    assert rows["cancelled"]["cancelled_slot_start"] == "2026-07-09T13:00:00+02:00"
    assert rows["cancelled"]["cancelled_at"] == "2026-07-01T08:15:00+02:00"
    assert rows["cancelled"]["created_at"] == "2026-06-20T12:00:00+02:00"
    target = tmp_path / "requests.csv"
    run("--config", str(config), "requests", "export", "--csv", str(target))
    exported = {r["status"]: r for r in csv.DictReader(target.open(encoding="utf-8-sig"))}
    assert exported["accepted"]["contact_name"] == "Jürgen Öztürk"
    assert exported["accepted"]["slot_start"] == "2026-12-08T09:00:00+01:00"
    assert exported["accepted"]["precheck_amount"] == "small"
    assert exported["cancelled"]["cancelled_slot_start"] == "2026-07-09T13:00:00+02:00"
    only = run("--config", str(config), "requests", "list", "--status", "cancelled", "--json")
    assert [json.loads(line)["status"] for line in only.stdout.splitlines()] == ["cancelled"]
    bogus = run("--config", str(config), "requests", "list", "--status", "bogus")
    assert bogus.returncode == 2 and "no requests" not in bogus.stdout
    assert "'bogus' is not one of" in bogus.stderr and "'cancelled'" in bogus.stderr


@pytest.mark.database
def test_privacy_report_shows_what_is_held_and_what_the_next_purge_removes(tmp_path: Path) -> None:
    import datetime as dt

    from bot.storage import Database
    from bot.storage.models import UnansweredQuestion, utcnow
    from tests.e2e.conftest import fresh_database_url

    url = fresh_database_url(tmp_path)
    db = Database(url)
    db.migrate()
    with db.session() as session:
        for age in (200, 3):
            session.add(UnansweredQuestion(text="Wohngeld?", language="de", status="none",
                                           created_at=utcnow() - dt.timedelta(days=age)))  # fmt: skip
    db.dispose()
    config = tmp_path / "config.yaml"
    config.write_text(
        yaml.safe_dump({"database_url": url, "knowledge_dir": str(ROOT / "knowledge")})
    )
    report = run("--config", str(config), "privacy", "report", "--json")
    assert report.returncode == 0, report.stderr
    lines = {row["kind"]: row for row in map(json.loads, report.stdout.splitlines())}
    assert lines["unanswered_questions"] == {"kind": "unanswered_questions", "held": 2,
                                             "oldest_days": 200, "days": 180, "next_purge": 1}  # fmt: skip
    assert lines["feedback"]["held"] == 0
    purged = run("--config", str(config), "privacy", "purge")
    assert "unanswered_questions: 1" in purged.stdout
    again = run("--config", str(config), "privacy", "report")
    assert again.returncode == 0 and "unanswered_questions" in again.stdout
    row = next(line for line in again.stdout.splitlines() if line.startswith("unanswered"))
    assert row.split()[1:] == ["1", "3", "180", "0"]


def test_outside_the_project_folder_the_cli_says_what_is_missing(tmp_path: Path) -> None:
    out = run("kb", "check", cwd=tmp_path)
    assert out.returncode == 1
    assert f"no config.yaml in {tmp_path}" in out.stderr and "--config" in out.stderr
    assert "Traceback" not in out.stderr and len(out.stderr.splitlines()) <= 2
    inside = run("--config", str(ROOT / "config.yaml"), "kb", "check", cwd=tmp_path)
    assert inside.returncode == 0, inside.stderr  # relative paths follow the config file


def test_a_bad_environment_variable_is_blamed_not_the_file(tmp_path: Path) -> None:
    out = subprocess.run(
        [sys.executable, "-m", "bot.cli", "tickets", "list"], capture_output=True, text=True,
        cwd=ROOT, env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "STAFF_CHAT_ID": "abc"},
        timeout=60,
    )  # fmt: skip
    assert out.returncode == 1
    assert out.stderr.startswith("Error: environment variable STAFF_CHAT_ID:")
    assert "Traceback" not in out.stderr


def test_export_to_an_unwritable_path_says_so_in_one_line(tmp_path: Path) -> None:
    config = tmp_path / "config.yaml"
    config.write_text(yaml.safe_dump({"database_url": f"sqlite:///{tmp_path / 'o.db'}"}))
    out = run("--config", str(config), "requests", "export", "--csv", "/nonexistent/x.csv")
    assert out.returncode == 1
    assert out.stderr.strip().splitlines() == [
        "Error: cannot write /nonexistent/x.csv: No such file or directory. "
        "Give a file in a folder that exists and that you may write to."
    ]


def test_an_unreachable_bot_api_is_retried_then_named_in_one_line(capsys) -> None:  # type: ignore[no-untyped-def]
    import pytest

    from bot.config import load_settings
    from handlers.app import BotApiUnreachable, check_bot_api

    settings = load_settings(ROOT / "config.yaml", environ={
        "TELEGRAM_BOT_TOKEN": "1:x", "TELEGRAM_BASE_URL": "http://127.0.0.1:9/bot"})  # fmt: skip
    with pytest.raises(BotApiUnreachable) as err:
        check_bot_api(settings, delays=(0.1,))
    assert str(err.value).startswith("cannot reach the Bot API at http://127.0.0.1:9/bot (")
    assert "after 2 tries" in str(err.value) and "\n" not in str(err.value)
    assert "trying again in 0.1 s" in capsys.readouterr().err


def test_kb_check_warns_but_passes_and_kb_stats_lists_unreviewed(tmp_path: Path) -> None:
    long = entry("long")
    long["de"]["answer"] = "Wort " * 200  # 1,000 characters
    kb = write_kb(tmp_path / "kb", {"a.yaml": [long]})
    config = tmp_path / "config.yaml"
    config.write_text(yaml.safe_dump({"knowledge_dir": str(kb), "data_dir": str(tmp_path / "d")}))
    out = run("--config", str(config), "kb", "check")
    assert out.returncode == 0, out.stderr
    assert "warning: " in out.stderr
    assert "entry 'long': field 'de.answer': 999 characters" in out.stderr
    assert "field 'en.questions': 1 question(s); at least 5" in out.stderr
    assert "field 'de.plain': 1 of 1 entries have no plain-German answer yet" in out.stderr
    assert "all valid (10 warning(s) above)" in out.stdout
    stats = run("--config", str(config), "kb", "stats")
    assert "  long: de en tr ar uk ru fa pl" in stats.stdout
