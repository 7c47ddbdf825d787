"""Commands for settings, the database and the audit log."""

from __future__ import annotations

import typer
from rich.console import Console
from rich.table import Table

from tatsai.core import audit, migrate
from tatsai.core.db import session_scope
from tatsai.core.settings import get_settings

console = Console()

config_app = typer.Typer(help="Show the effective settings.", invoke_without_command=True)
db_app = typer.Typer(help="Create or upgrade the database schema.", no_args_is_help=True)
audit_app = typer.Typer(help="Inspect and verify the hash-chained audit log.", no_args_is_help=True)


@config_app.callback()
def config_show() -> None:
    """Print the effective settings (env TATSAI_*), secrets masked."""
    table = Table("setting", "value", "env")
    for key, value in get_settings().shown().items():
        table.add_row(key, str(value), f"TATSAI_{key.upper()}")
    console.print(table)


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply every pending migration."""
    migrate.upgrade()
    console.print(f"database at {get_settings().shown()['database_url']} is up to date")


@audit_app.command("verify")
def audit_verify() -> None:
    """Check the chain; exit 1 naming the first modified, inserted or deleted entry."""
    with session_scope() as db_session:
        problem = audit.verify(db_session=db_session)
    if problem is None:
        console.print("[green]audit log intact[/green]")
        return
    typer.echo(
        f"audit log broken at entry {problem.seq}: {problem.kind} ({problem.explanation})", err=True
    )
    raise typer.Exit(1)


@audit_app.command("list")
def audit_list(
    # Bounded: past the 64-bit integers a database takes, the limit was an internal error.
    limit: int = typer.Option(20, min=1, max=100_000, help="How many of the latest entries."),
) -> None:
    """Show the latest entries."""
    table = Table("seq", "ts", "actor", "action", "entity")
    with session_scope() as db_session:
        for e in audit.list_entries(db_session=db_session, limit=limit):
            table.add_row(
                str(e.seq), e.ts.isoformat(), e.actor, e.action, f"{e.entity_type}:{e.entity_id}"
            )
    console.print(table)
