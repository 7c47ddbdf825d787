"""Export and import entry points shared by the CLI (and usable by jobs)."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from tatsai.core.db import utcnow
from tatsai.core.errors import InvalidInput
from tatsai.orgs.models import TLP
from tatsai.registry import service
from tatsai.registry.exchange import (
    EXPORT_FORMATS,
    IMPORT_FORMATS,
    blocklists,
    csvfile,
    exportable,
    ftm,
    misp,
    stix,
)
from tatsai.registry.models import EvidenceCreate, Verdict


def export(*, db_session: Session, fmt: str, tlp: TLP = TLP.GREEN) -> str:
    """The registry in ``fmt``; blocklists hold verdict ``block`` only, the rest block and warn."""
    if fmt not in EXPORT_FORMATS:
        raise InvalidInput(f"unknown export format {fmt!r}; use {', '.join(EXPORT_FORMATS)}")
    now = utcnow()
    if fmt in ("e164", "senders", "rpz"):
        rows = exportable(db_session=db_session, verdicts=[Verdict.BLOCK])
        writer = {"e164": blocklists.e164, "senders": blocklists.senders, "rpz": blocklists.rpz}
        return writer[fmt](rows, now=now)
    rows = exportable(db_session=db_session)
    if fmt == "stix":
        return stix.export(rows, tlp=tlp, now=now)
    if fmt == "misp":
        return misp.export(rows, tlp=tlp, now=now)
    return ftm.export(rows)


def parse(fmt: str, text: str) -> list[EvidenceCreate]:
    if fmt == "csv":
        return csvfile.evidence_from_csv(text)
    if fmt == "stix":
        return stix.evidence_from_bundle(text)
    if fmt == "misp":
        return misp.evidence_from_event(text)
    raise InvalidInput(f"unknown import format {fmt!r}; use {', '.join(IMPORT_FORMATS)}")


@dataclass
class ImportReport:
    added: int = 0
    rejected: list[tuple[int, str]] = field(default_factory=list)  # (item number, reason)


def import_evidence(
    *,
    db_session: Session,
    fmt: str,
    text: str,
    source_org_id: int | None,
    actor: str,
) -> ImportReport:
    """Every item of the file as evidence from ``source_org_id``; bad items are reported, not
    fatal (each is added in its own savepoint)."""
    report = ImportReport()
    for number, item in enumerate(parse(fmt, text), start=1):
        try:
            with db_session.begin_nested():
                service.add_evidence(
                    db_session=db_session,
                    evidence_in=item,
                    source_org_id=source_org_id,
                    actor=actor,
                )
        except InvalidInput as exc:
            report.rejected.append((number, exc.detail))
            continue
        report.added += 1
    return report
