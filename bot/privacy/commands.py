"""`consult-bot privacy report|purge`: what is held, how old, what the next purge removes."""

from __future__ import annotations

import json

import click

from bot.config import Settings
from bot.privacy import retention
from bot.storage import Database


def _rules(settings: Settings) -> list[retention.Rule]:
    return retention.rules(
        settings.privacy, settings.requests.retention_days, settings.desk.retention_days
    )


@click.group()
def privacy() -> None:
    """Stored personal data and its retention periods (config.yaml `privacy:`)."""


@privacy.command("report")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per kind of data.")
@click.pass_obj
def report(obj: object, as_json: bool) -> None:
    """Per kind of data: rows held, age of the oldest in days, the period, and how many rows
    the next nightly purge will remove (requests: anonymise).

    Example: consult-bot privacy report
    """
    settings: Settings = obj.settings  # type: ignore[attr-defined]
    db = Database(settings.effective_database_url)
    db.migrate()
    with db.session() as session:
        lines = retention.report(session, _rules(settings))
    db.dispose()
    if not as_json:
        click.echo(
            f"{'kind':<22}{'held':>7}{'oldest (days)':>15}{'kept (days)':>13}{'next purge':>12}"
        )
    for line in lines:
        oldest = "-" if line.oldest_days is None else str(line.oldest_days)
        if as_json:
            row = {"kind": line.name, "held": line.held, "oldest_days": line.oldest_days,
                   "days": line.days, "next_purge": line.due}  # fmt: skip
            click.echo(json.dumps(row))
        else:
            click.echo(f"{line.name:<22}{line.held:>7}{oldest:>15}{line.days:>13}{line.due:>12}")


@privacy.command("purge")
@click.pass_obj
def purge(obj: object) -> None:
    """Apply the retention periods now (what the nightly job does).

    Example: consult-bot privacy purge
    """
    settings: Settings = obj.settings  # type: ignore[attr-defined]
    db = Database(settings.effective_database_url)
    db.migrate()
    with db.session() as session:
        done = retention.purge(session, _rules(settings), settings.privacy.keep_requests_anonymised)
    db.dispose()
    for name, count in done.items():
        click.echo(f"{name}: {count}")
