"""The ``consult-bot`` command line.

Examples::

    consult-bot ask "Wie beantrage ich Fördergeld für unseren Verein?"
    echo "how do I become German" | consult-bot ask --json
    consult-bot kb check
    consult-bot eval tests/eval/*.yaml
"""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path
from typing import Any

import click

from bot import log_privacy
from bot.config import CONFIG_ENV, ConfigError, Settings, find_config_file, load_settings
from bot.intake.requests import STATUSES
from bot.knowledge import KnowledgeError, load_knowledge
from bot.languages import LANGUAGES
from bot.privacy import commands as privacy_commands


class Context:
    def __init__(self, config: str | None) -> None:
        self.config_path = config
        self._settings: Settings | None = None

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            try:
                self._settings = load_settings(self.config_path)
            except ConfigError as exc:
                raise click.ClickException(str(exc)) from None
        return self._settings

    def knowledge_dir(self) -> Path:
        """The knowledge folder; if it is missing, say which setting pointed there."""
        directory = self.settings.knowledge_dir
        if directory.is_dir():
            return directory
        config = find_config_file(self.config_path)
        if config is None:
            raise click.ClickException(
                f"no config.yaml in {Path.cwd()} and no knowledge folder at {directory}.\n"
                "Run consult-bot in the project's folder, or give --config "
                f"/path/to/config.yaml (or set {CONFIG_ENV})."
            )
        raise click.ClickException(
            f"knowledge folder not found: {directory}\n(knowledge_dir in {config}, relative to "
            "that file's folder, or CONSULT_BOT_KNOWLEDGE_DIR): correct the path."
        )

    def engine(self) -> Any:
        from bot.engine import AnsweringEngine

        self.knowledge_dir()
        try:
            return AnsweringEngine.from_settings(self.settings, show_progress)
        except KnowledgeError as exc:
            raise click.ClickException(str(exc)) from None


pass_context = click.make_pass_decorator(Context)


def show_progress(percent: int) -> None:
    """A cold start's progress on stderr (one updated line at a terminal)."""
    text = f"building the search index (first start after a knowledge-base change) … {percent} %"
    if sys.stderr.isatty():
        sys.stderr.write("\r" + text + ("\n" if percent >= 100 else ""))
    else:
        sys.stderr.write(text + "\n")
    sys.stderr.flush()


@click.group()
@click.option("--config", "config", type=click.Path(dir_okay=False), help="Path to config.yaml.")
@click.option("-v", "--verbose", is_flag=True, help="Log progress to stderr.")
@click.version_option(package_name="hannover-consult-bot")
@click.pass_context
def main(ctx: click.Context, config: str | None, verbose: bool) -> None:
    """Consultation assistant of Hannover's unit for immigration policy."""
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    log_privacy.install()  # no token or message contents in any log (see bot/log_privacy.py)
    ctx.obj = Context(config)


@main.command()
@click.argument("question", required=False)
@click.option("--lang", type=click.Choice(LANGUAGES), help="The asker's language (a hint).")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per question.")
@pass_context
def ask(obj: Context, question: str | None, lang: str | None, as_json: bool) -> None:
    """Answer one question, or with --json and no QUESTION one per line of stdin.

    Example: consult-bot ask "Einbürgerung Voraussetzungen" --lang de
    """
    engine = obj.engine()
    if question is None:
        if not as_json:
            raise click.UsageError("give a QUESTION, or use --json to read questions from stdin")
        for line in sys.stdin:
            result = engine.ask(line.rstrip("\n"), lang)
            click.echo(json.dumps(result.to_json(), ensure_ascii=False))
            sys.stdout.flush()
        return
    result = engine.ask(question, lang)
    if as_json:
        click.echo(json.dumps(result.to_json(), ensure_ascii=False))
        return
    click.echo(_describe(engine, result))


def _describe(engine: Any, result: Any) -> str:
    kb = engine.knowledge
    lang = result.language
    if result.kind == "smalltalk":
        return f"[none] ({lang}) Small talk ({result.smalltalk}), not a question: no entry."
    if result.status == "none":
        return f"[none] ({lang}) No entry fits this question (confidence {result.score:.2f})."
    if result.status == "clarify":
        lines = [f"[clarify] ({lang}) Did you mean:"]
        for entry_id in result.choices:
            lines.append(f"  - {entry_id}: {kb.get(entry_id).text(lang).title}")
        return "\n".join(lines)
    entry = kb.get(result.entry_id)
    block = entry.text(lang)
    lines = [f"[answer] ({lang}) {entry.id}  confidence {result.score:.2f}", "", block.title, ""]
    from bot.conversation.render import PERSON_SPAN

    lines += [PERSON_SPAN.sub(r"\1", block.answer), ""]
    for s in entry.sources:
        dated = f"as of {s.as_of}, " if s.as_of else ""
        lines.append(f"Source: {s.title} <{s.url}> ({dated}checked {s.checked})")
    return "\n".join(lines)


@main.group()
def kb() -> None:
    """Check and describe the knowledge base."""


@kb.command("check")
@pass_context
def kb_check(obj: Context) -> None:
    """Validate every knowledge file; exit 1 with the list of problems.

    Example: consult-bot kb check
    """
    from bot.knowledge.loader import advice

    directory = obj.knowledge_dir()
    try:
        knowledge = load_knowledge(directory)
    except KnowledgeError as exc:
        click.echo(str(exc), err=True)
        sys.exit(1)
    warnings = advice(knowledge, directory)
    for warning in warnings:
        click.echo(f"warning: {warning}", err=True)
    note = f" ({len(warnings)} warning(s) above)" if warnings else ""
    click.echo(
        f"{directory}: {len(knowledge)} entries, {len(knowledge.topics)} topics, all valid{note}"
    )


@kb.command("stats")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@pass_context
def kb_stats(obj: Context, as_json: bool) -> None:
    """Entries, languages, questions per language and review status.

    Example: consult-bot kb stats
    """
    try:
        knowledge = load_knowledge(obj.knowledge_dir())
    except KnowledgeError as exc:
        raise click.ClickException(str(exc)) from None
    rows: dict[str, dict[str, Any]] = {}
    for lang in LANGUAGES:
        blocks = [e.text(lang) for e in knowledge]
        rows[lang] = {
            "entries": len(blocks),
            "questions": sum(len(b.questions) for b in blocks),
            "keywords": sum(len(b.keywords) for b in blocks),
            "reviewed": sum(b.reviewed for b in blocks),
            "unreviewed": [e.id for e in knowledge if not e.text(lang).reviewed],
        }
    without_plain = [e.id for e in knowledge if e.de.plain is None]
    if as_json:
        click.echo(json.dumps(
            {"entries": len(knowledge), "languages": rows, "without_plain": without_plain},
            ensure_ascii=False,
        ))  # fmt: skip
        return
    click.echo(
        f"{len(knowledge)} entries in {len(knowledge.topics)} topics, {len(LANGUAGES)} languages"
    )
    click.echo("lang  entries  questions  keywords  reviewed")
    for lang, row in rows.items():
        click.echo(
            f"{lang:<5} {row['entries']:>7}  {row['questions']:>9}  {row['keywords']:>8}"
            f"  {row['reviewed']:>4}/{row['entries']}"
        )
    waiting = sum(len(r["unreviewed"]) for r in rows.values())
    if waiting:
        click.echo(f"{waiting} translations wait for a native speaker's review (reviewed: false):")
        for entry in knowledge:
            langs = [lang for lang in LANGUAGES if entry.id in rows[lang]["unreviewed"]]
            if langs:
                click.echo(f"  {entry.id}: {' '.join(langs)}")
    if without_plain:
        click.echo(
            f"warning: {len(without_plain)} of {len(knowledge)} entries have no plain-German "
            f"answer (de.plain): {', '.join(without_plain)}"
        )


@main.command("eval")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
@click.option("--hint", is_flag=True, help="Pass each item's lang as the user's language.")
@click.option("--misses", is_flag=True, help="List every question answered wrongly.")
@click.option("--baselines", is_flag=True, help="Also rapidfuzz and BM25 at the same risk.")
@pass_context
def eval_(obj: Context, files: tuple[str, ...], hint: bool, misses: bool, baselines: bool) -> None:
    """Per language and per kind: answered directly and right, confidently wrong, helpful,
    in-scope "none", reply language, out-of-scope "none" (YAML lists of {q, expect, lang, kind}).

    Example: consult-bot eval tests/eval/*.yaml --misses
    """
    from bot.evaluation import evaluate_groups, format_table, read_eval_files, total

    try:
        items = read_eval_files(Path(f) for f in files)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
    engine = obj.engine()
    languages, kinds = evaluate_groups(items, engine.ask, detect_language=not hint)
    click.echo(format_table(languages))
    click.echo()
    click.echo(format_table(kinds, "kind"))
    if baselines:
        from bot.baselines import baseline_tables

        click.echo()
        click.echo(baseline_tables(engine, items, total(kinds).share("wrong") or 0.0))
    if misses:
        for lang, score in languages.items():
            for q, expected, got in score.misses:
                click.echo(f"{lang}  {q!r}  expected {expected}, got {got}")


@main.command()
@click.option("--webhook", is_flag=True, help="Receive updates by webhook instead of polling.")
@pass_context
def run(obj: Context, webhook: bool) -> None:
    """Run the bot against Telegram (or the Bot API server in TELEGRAM_BASE_URL).

    Needs TELEGRAM_BOT_TOKEN. Example: TELEGRAM_BOT_TOKEN=123:abc consult-bot run
    """
    from handlers.app import check_bot_api, run_polling, run_webhook
    from handlers.services import Services

    settings = obj.settings
    obj.knowledge_dir()
    if not settings.telegram.token:
        raise click.ClickException(
            "TELEGRAM_BOT_TOKEN is not set. Set it to the token from @BotFather, "
            "or try the bot locally with: consult-bot chat"
        )
    try:
        check_bot_api(settings)  # before the (possibly long) first build of the index
        services = Services.create(settings, progress=show_progress)
        (run_webhook if webhook else run_polling)(settings, services)
    except (ConfigError, KnowledgeError) as exc:
        raise click.ClickException(str(exc)) from None


@main.command()
@click.option("--lang", type=click.Choice(LANGUAGES), default=None, help="Your Telegram language.")
@pass_context
def chat(obj: Context, lang: str | None) -> None:
    """Chat with the real bot in this terminal through a local Bot API emulator (no token).

    Buttons are shown as numbered choices; type the number to press one. Example: consult-bot chat
    """
    from handlers.local import run_chat

    obj.knowledge_dir()
    try:
        run_chat(obj.settings, lang, show_progress)
    except KnowledgeError as exc:
        raise click.ClickException(str(exc)) from None


@main.group()
def requests() -> None:
    """Consultation requests, for the unit's office work."""


STATUS = click.Choice(STATUSES)


def _request_rows(obj: Context, status: str | None) -> list[dict[str, Any]]:
    from bot.intake.export import request_rows
    from bot.storage import Database

    db = Database(obj.settings.effective_database_url)
    db.migrate()
    with db.session() as session:
        rows = request_rows(session, obj.settings.consultation.zone, status)
    db.dispose()
    return rows


@requests.command("list")
@click.option("--status", type=STATUS, help="Only requests with this status.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per request.")
@pass_context
def requests_list(obj: Context, status: str | None, as_json: bool) -> None:
    """List requests, oldest first; times are Hannover time with their UTC offset.

    Example: consult-bot requests list --status pending
    """
    rows = _request_rows(obj, status)
    if as_json:
        for row in rows:
            click.echo(json.dumps(row, ensure_ascii=False))
        return
    if not rows:
        click.echo("no requests")
    for row in rows:
        who = row["organisation"] or row["contact_name"]
        slot = row["slot_start"] or (
            f"{row['cancelled_slot_start']} (cancelled)" if row["cancelled_slot_start"] else "-"
        )
        click.echo(f"{row['reference']}  {row['status']:<9} {row['kind']:<20} {who}  slot {slot}")


@requests.command("export")
@click.option("--csv", "csv_path", required=True, type=click.Path(dir_okay=False))
@click.option("--status", type=STATUS, help="Only requests with this status.")
@pass_context
def requests_export(obj: Context, csv_path: str, status: str | None) -> None:
    """Write requests to a CSV file (UTF-8 with BOM, so spreadsheet programs read umlauts);
    times are Hannover time with their UTC offset, pre-check answers in their own columns.

    Example: consult-bot requests export --csv requests.csv
    """
    import csv

    from bot.intake.export import FIELDS

    rows = _request_rows(obj, status)
    try:
        with open(csv_path, "w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=FIELDS)
            writer.writeheader()
            writer.writerows(rows)
    except OSError as exc:
        raise click.ClickException(
            f"cannot write {csv_path}: {exc.strerror}. "
            "Give a file in a folder that exists and that you may write to."
        ) from None
    click.echo(f"{len(rows)} request(s) written to {csv_path}")


@main.group()
def tickets() -> None:
    """Conversations handed to the unit's staff."""


@tickets.command("list")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per open ticket.")
@pass_context
def tickets_list(obj: Context, as_json: bool) -> None:
    """Open tickets, unclaimed first, then the longest waiting.

    Example: consult-bot tickets list
    """
    from bot.desk.tickets import inbox
    from bot.storage import Database

    db = Database(obj.settings.effective_database_url)
    db.migrate()
    with db.session() as session:
        rows = inbox(session)
    db.dispose()
    for row in rows:
        waited = int(row.waiting.total_seconds() // 60) if row.waiting else None
        if as_json:
            click.echo(json.dumps({"ticket": row.ticket_id, "subject": row.subject,
                                   "language": row.language, "claimed_by": row.claimed_by,
                                   "waiting_minutes": waited}, ensure_ascii=False))  # fmt: skip
        else:
            who = row.claimed_by or "unclaimed"
            click.echo(
                f"#{row.ticket_id}  {row.language}  {who:<12} waiting {waited} min  {row.subject}"
            )
    if not rows and not as_json:
        click.echo("no open tickets")


@main.group("inbox")
def inbox_group() -> None:
    """Updates set aside (unreadable, or their handling failed three times)."""


def _inbox(obj: Context) -> Any:
    from bot.storage import Database
    from bot.storage.inbox import Inbox

    db = Database(obj.settings.effective_database_url)
    db.migrate()
    return Inbox(db)


@inbox_group.command("list")
@pass_context
def inbox_list(obj: Context) -> None:
    """Set-aside updates: update id, when, attempts, reason (never their content).

    Example: consult-bot inbox list
    """
    rows = _inbox(obj).dead()
    for row in rows:
        click.echo(f"{row['update_id']}  set aside {row['dead_at']:%Y-%m-%d %H:%M}  "
                   f"attempts {row['attempts']}  {row['error']}")  # fmt: skip
    if not rows:
        click.echo("nothing set aside")


@inbox_group.command("retry")
@click.argument("update_ids", nargs=-1, type=int, required=True)
@pass_context
def inbox_retry(obj: Context, update_ids: tuple[int, ...]) -> None:
    """Process these set-aside updates again (at the bot's next start).

    Example: consult-bot inbox retry 123456789
    """
    click.echo(f"{_inbox(obj).retry(update_ids)} update(s) will be processed at the next start")


@inbox_group.command("discard")
@click.argument("update_ids", nargs=-1, type=int, required=True)
@pass_context
def inbox_discard(obj: Context, update_ids: tuple[int, ...]) -> None:
    """Give up on these set-aside updates for good.

    Example: consult-bot inbox discard 123456789
    """
    click.echo(f"{_inbox(obj).discard(update_ids)} update(s) discarded")


main.add_command(privacy_commands.privacy)

if __name__ == "__main__":
    main()
