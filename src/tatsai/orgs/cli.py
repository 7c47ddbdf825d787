"""Commands for organizations and API keys."""

from __future__ import annotations

import typer
from rich.console import Console
from rich.table import Table

from tatsai.core.db import session_scope
from tatsai.orgs import service
from tatsai.orgs.models import OrgCreate, OrgKind, Role

console = Console()
org_app = typer.Typer(help="Manage partner organizations.", no_args_is_help=True)
key_app = typer.Typer(help="Issue and revoke API keys.", no_args_is_help=True)


@org_app.command("create")
def org_create(
    name: str = typer.Option(..., "--name", help="Unique organization name."),
    kind: OrgKind = typer.Option(..., "--kind", help="What the organization is."),
    bank_code: str | None = typer.Option(
        None,
        "--bank-code",
        help="A bank's 3-digit Thai interbank code (e.g. 004): it confirms accounts at that bank.",
    ),
) -> None:
    """Create an organization."""
    with session_scope() as db_session:
        org = service.create(
            db_session=db_session, org_in=OrgCreate(name=name, kind=kind, bank_code=bank_code)
        )
    code = f", bank code {org.bank_code}" if org.bank_code else ""
    console.print(f"created organization {org.name} ({org.kind}{code}) with id {org.id}")


@org_app.command("list")
def org_list() -> None:
    """List organizations."""
    table = Table("id", "name", "kind", "bank code", "created")
    with session_scope() as db_session:
        for org in service.list_orgs(db_session=db_session):
            table.add_row(
                str(org.id), org.name, org.kind, org.bank_code or "", org.created_at.isoformat()
            )
    console.print(table)


@key_app.command("create")
def key_create(
    org: str = typer.Option(..., "--org", help="Organization name."),
    role: Role = typer.Option(..., "--role", help="What the key may do."),
    label: str | None = typer.Option(None, "--label", help="A note on who holds it."),
) -> None:
    """Issue a key. It is shown once, alone on the last line; only its hash is stored."""
    with session_scope() as db_session:
        issued = service.create_key(db_session=db_session, org_name=org, role=role, label=label)
    typer.echo(
        f"key {issued.key.prefix} for {org} with role {role.value}; store it now, "
        "it is not shown again:",
        err=True,
    )
    typer.echo(issued.secret)


@key_app.command("list")
def key_list(org: str = typer.Option(..., "--org", help="Organization name.")) -> None:
    """List an organization's keys (prefixes only)."""
    table = Table("prefix", "role", "label", "created", "revoked")
    with session_scope() as db_session:
        for k in service.list_keys(db_session=db_session, org_name=org):
            table.add_row(
                k.prefix,
                k.role,
                k.label or "",
                k.created_at.isoformat(),
                k.revoked_at.isoformat() if k.revoked_at else "",
            )
    console.print(table)


@key_app.command("revoke")
def key_revoke(prefix: str = typer.Argument(..., help="The key's prefix (second part).")) -> None:
    """Revoke a key at once."""
    with session_scope() as db_session:
        key = service.revoke_key(db_session=db_session, prefix=prefix)
    console.print(f"key {key.prefix} revoked")
