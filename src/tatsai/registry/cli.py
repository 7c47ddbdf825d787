"""``tatsai indicators add|show|import|export|seed-allowlist|rescore`` and ``tatsai lookup``.

The CLI is the platform operator's tool on the server: it sees every piece of evidence, and
evidence it adds or imports comes from ``--org`` (or, without it, from the channel itself).
"""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy.orm import Session

from tatsai.core.db import session_scope
from tatsai.core.errors import NotFound
from tatsai.core.textfile import read_utf8
from tatsai.orgs import service as orgs_service
from tatsai.orgs.models import TLP, OrgKind, Role
from tatsai.orgs.policy import Principal
from tatsai.registry import allowlist, service
from tatsai.registry.exchange import service as exchange
from tatsai.registry.models import Channel, EvidenceCreate, IndicatorRead

console = Console(stderr=True)
indicators_app = typer.Typer(help="The shared scam-indicator registry.", no_args_is_help=True)

# The operator's view: every detail, as police would see it.
OPERATOR = Principal(
    org_id=-1, org_name="platform operator", org_kind=OrgKind.REGULATOR, role=Role.ANALYST
)


class ExportFormat(StrEnum):
    STIX = "stix"
    MISP = "misp"
    FTM = "ftm"
    E164 = "e164"
    SENDERS = "senders"
    RPZ = "rpz"


class ImportFormat(StrEnum):
    CSV = "csv"
    STIX = "stix"
    MISP = "misp"


def _org_id(db_session: Session, name: str | None) -> int | None:
    if name is None:
        return None
    return orgs_service.get_by_name(db_session=db_session, name=name).id


def _print_record(record: IndicatorRead) -> None:
    out = Console()
    out.print(
        f"[bold]{record.type}[/bold] {record.value}  verdict [bold]{record.verdict}[/bold]  "
        f"state {record.state}{f' ({record.action})' if record.action else ''}  "
        f"score {record.score}"
    )
    out.print(f"categories: {', '.join(record.categories) or '-'}")
    if record.allow_listed:
        out.print(f"allow-listed: {record.allow_org}")
    if record.review_flag:
        out.print(f"[yellow]review: {record.review_reason}[/yellow]")
    out.print(f"why: {json.dumps(record.explanation, ensure_ascii=False)}")
    if record.evidence:
        table = Table("id", "observed", "channel", "org", "trusted", "conf", "tlp", "note")
        for e in record.evidence:
            table.add_row(
                str(e.id),
                e.observed_at.isoformat(timespec="seconds"),
                e.channel,
                str(e.owner_org_id or "-"),
                "yes" if e.trusted else "",
                str(e.confidence if e.confidence is not None else ""),
                e.tlp,
                (e.note or "")[:60],
            )
        out.print(table)


@indicators_app.command("add")
def add(
    type_: str = typer.Argument(..., metavar="TYPE", help="phone, url, bank_account, …"),
    value: str = typer.Argument(..., help="The raw value; normalized by its type."),
    org: str | None = typer.Option(None, "--org", help="Source organization (name)."),
    category: list[str] = typer.Option([], "--category", help="Repeat for several."),
    confidence: int | None = typer.Option(None, "--confidence", min=0, max=100),
    note: str | None = typer.Option(None, "--note"),
    tlp: TLP = typer.Option(TLP.AMBER, "--tlp"),
    channel: Channel = typer.Option(Channel.MANUAL, "--channel"),
    reference: str | None = typer.Option(None, "--reference"),
) -> None:
    """Add one piece of evidence and show the record's new verdict."""
    with session_scope() as db_session:
        record = service.add_evidence(
            db_session=db_session,
            evidence_in=EvidenceCreate(
                type=type_,
                value=value,
                categories=category,
                channel=channel,
                confidence=confidence,
                note=note,
                tlp=tlp,
                reference=reference,
            ),
            source_org_id=_org_id(db_session, org),
            actor=f"cli:{org or 'operator'}",
        )
    _print_record(record)


@indicators_app.command("show")
def show(
    type_: str = typer.Argument(..., metavar="TYPE"),
    value: str = typer.Argument(...),
) -> None:
    """A record with all its evidence (the operator's view)."""
    with session_scope() as db_session:
        record = service.find(db_session=db_session, type=type_, value=value)
        if record is None:
            raise NotFound("no such indicator record", field="value")
        read = service.to_read(db_session, record, principal=OPERATOR, with_evidence=True)
    _print_record(read)


@indicators_app.command("import")
def import_(
    file: Path = typer.Argument(..., exists=True, dir_okay=False, help="The file to import."),
    fmt: ImportFormat = typer.Option(..., "--format", help="csv, stix or misp."),
    org: str | None = typer.Option(None, "--org", help="Source organization (name)."),
) -> None:
    """Import a file as evidence; bad rows are listed, the rest is added."""
    text = read_utf8(file, field="file")
    with session_scope() as db_session:
        report = exchange.import_evidence(
            db_session=db_session,
            fmt=fmt.value,
            text=text,
            source_org_id=_org_id(db_session, org),
            actor=f"cli:{org or 'operator'}",
        )
    for number, reason in report.rejected:
        typer.echo(f"item {number} rejected: {reason}", err=True)
    typer.echo(f"imported {report.added} items, rejected {len(report.rejected)}")
    if report.rejected and not report.added:
        raise typer.Exit(2)


@indicators_app.command("export")
def export(
    fmt: ExportFormat = typer.Option(..., "--format", help="stix, misp, ftm, e164, senders, rpz."),
    output: Path | None = typer.Option(
        None, "--output", dir_okay=False, help="File to write; default stdout."
    ),
    tlp: TLP = typer.Option(TLP.GREEN, "--tlp", help="Marking of the export (stix, misp)."),
) -> None:
    """Export the registry (blocklists: verdict block; others: block and warn)."""
    with session_scope() as db_session:
        text = exchange.export(db_session=db_session, fmt=fmt.value, tlp=tlp)
    if output is None:
        sys.stdout.write(text)
    else:
        output.write_text(text, encoding="utf-8")
        console.print(f"wrote {fmt.value} export to {output}")


@indicators_app.command("seed-allowlist")
def seed_allowlist() -> None:
    """Allow-list the official reference values (idempotent)."""
    with session_scope() as db_session:
        report = allowlist.seed(db_session=db_session)
    typer.echo(
        f"allow-list: {report.added} added, {report.updated} updated, "
        f"{report.unchanged} unchanged, {len(report.skipped)} skipped"
    )
    for entry, reason in report.skipped:
        typer.echo(f"skipped {entry.type} {entry.value}: {reason}", err=True)


@indicators_app.command("rescore")
def rescore() -> None:
    """Apply decay to every live record and expire what fell below its threshold."""
    with session_scope() as db_session:
        changed = service.rescore_all(db_session=db_session)
    typer.echo(f"{changed} records changed")


def lookup_command(
    type_: str = typer.Argument(..., metavar="TYPE"),
    value: str = typer.Argument(...),
) -> None:
    """The verdict for VALUE as JSON (normalized by its TYPE)."""
    with session_scope() as db_session:
        result = service.lookup(db_session=db_session, type=type_, value=value, principal=OPERATOR)
    typer.echo(result.model_dump_json(indent=2, exclude_none=True))
