"""``tatsai reports …``, ``tatsai worker`` and ``tatsai purge``."""

from __future__ import annotations

import os
import signal
import threading
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy import func, select

from tatsai.core.db import get_engine, session_scope
from tatsai.core.errors import InvalidInput
from tatsai.reports import bulk, pipeline, service, sms
from tatsai.reports.models import Campaign, OutboundSms, Report, ReviewOutcome

reports_app = typer.Typer(help="Report center 1185: import, review, follow reports.")


@reports_app.command("import")
def import_command(
    path: Path = typer.Argument(..., exists=True, dir_okay=False, help="A .csv or .jsonl file."),
    org: str | None = typer.Option(None, "--org", help="The partner organization it came from."),
    rejects: Path | None = typer.Option(
        None,
        "--rejects",
        dir_okay=False,
        help="Where rejected rows go (default: <file>.rejects.jsonl).",
    ),
) -> None:
    """Import partner reports; each row is validated, rejected rows go to a rejects file."""
    from tatsai.orgs import service as orgs_service

    rejects_path = rejects or path.with_name(path.name + ".rejects.jsonl")
    # Checked before importing, so the refusal comes before any work; the rejects are also
    # written inside the unit of work, so a write that fails anyway imports nothing.
    if not rejects_path.parent.is_dir() or not os.access(rejects_path.parent, os.W_OK):
        raise InvalidInput(f"cannot write rejects to {rejects_path}", field="rejects")
    with session_scope() as db_session:
        org_id = orgs_service.get_by_name(db_session=db_session, name=org).id if org else None
        result = bulk.import_rows(
            db_session=db_session,
            rows=bulk.read_rows(path),
            source_org_id=org_id,
            source=org or path.name,
        )
        if result.rejects:
            # Before the commit (where the database keeps it whole): a failed write imports
            # nothing.
            bulk.write_rejects(rejects_path, result.rejects)
    typer.echo(f"accepted {result.accepted}, rejected {result.rejected}")
    if result.rejects:
        typer.echo(f"rejected rows: {rejects_path}")


@reports_app.command("status")
def status_command(tracking_code: str) -> None:
    """A report's status by its tracking code."""
    with session_scope() as db_session:
        status = service.status_by_tracking_code(db_session=db_session, tracking_code=tracking_code)
    typer.echo(status.model_dump_json())


@reports_app.command("review")
def review_command(
    report_id: str,
    outcome: ReviewOutcome = typer.Argument(..., help="confirmed or rejected"),
    actor: str = typer.Option("cli", "--actor", help="Who reviewed it (audit log)."),
) -> None:
    """Confirm or reject a report: it moves its reporter's reputation."""
    with session_scope() as db_session:
        read = service.review(
            db_session=db_session, report_id=report_id, outcome=outcome, actor=actor
        )
    typer.echo(read.model_dump_json())


@reports_app.command("stats")
def stats_command() -> None:
    """Reports by channel and status, and campaigns."""
    with session_scope() as db_session:
        rows = db_session.execute(
            select(Report.channel, Report.status, func.count()).group_by(
                Report.channel, Report.status
            )
        ).all()
        campaigns = db_session.execute(
            select(func.count()).select_from(Campaign).where(Campaign.report_count > 1)
        ).scalar_one()
    table = Table("channel", "status", "reports")
    for channel, status, count in sorted(rows):
        table.add_row(channel, status, str(count))
    Console().print(table)
    typer.echo(f"campaigns with more than one report: {campaigns}")


@reports_app.command("outbox")
def outbox_command(
    send: bool = typer.Option(False, "--send", help="Deliver through the log sender."),
) -> None:
    """Show (or deliver) replies waiting in the SMS outbox."""
    with session_scope() as db_session:
        if send:
            typer.echo(f"sent {sms.deliver_outbox(db_session=db_session, sender=sms.LogSender())}")
            return
        pending = db_session.execute(
            select(func.count()).select_from(OutboundSms).where(OutboundSms.sent_at.is_(None))
        ).scalar_one()
    typer.echo(f"waiting in the outbox: {pending}")


def worker_command(
    once: bool = typer.Option(False, "--once", help="Drain the queue and exit."),
    batch: int = typer.Option(0, "--batch", min=0, help="Reports per batch (0: the setting)."),
) -> None:
    """Process the report queue: extract, screen, dedupe, cluster, attach evidence."""
    from tatsai.core import migrate
    from tatsai.core.settings import get_settings

    if get_settings().database_url is None:
        migrate.upgrade()
    engine = get_engine()
    if once:
        typer.echo(f"processed {pipeline.drain(engine, limit=batch or None)}")
        return
    stop = threading.Event()

    def _stop(_signum: int, _frame: object) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    total = pipeline.run_worker(engine, stop, limit=batch or None)
    typer.echo(f"processed {total}")


def purge_command(
    yes: bool = typer.Option(False, "--yes", help="Do it (without: say what would go)."),
) -> None:
    """Delete personal data older than the retention setting (PDPA)."""
    from tatsai.core.settings import get_settings

    days = get_settings().retention_days
    if not yes:
        raise InvalidInput(
            f"this deletes reporters' numbers and message texts older than {days} days; "
            "add --yes to do it",
            field="yes",
        )
    with session_scope() as db_session:
        purged = service.purge(db_session=db_session)
    typer.echo(
        f"purged {purged.contacts} reporter numbers, {purged.outbox} outbound messages, "
        f"{purged.texts} report texts, {purged.ussd_sessions} USSD sessions "
        f"(retention {days} days)"
    )
