"""Bulk import of partner reports from CSV or JSONL, with per-row validation and rejects.

Columns (CSV header or JSONL keys): ``kind``, ``text``, ``indicator_type``,
``indicator_value``, ``occurred_at`` (ISO-8601 with zone; ``ts`` also read), ``amount_lost_thb``,
``reporter`` (a phone number, or a ``psn_…`` pseudonym the partner already holds) and
``report_id`` (the partner's id: re-importing the same file adds nothing). The canonical
``reports`` table of the simulator has these columns. Each row is accepted or written, with
its line number and the reason, to the rejects file; a rejected row stores nothing.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from sqlalchemy.orm import Session

from tatsai.core.errors import InvalidInput, TatsaiError
from tatsai.core.textfile import csv_records, not_utf8
from tatsai.reports import links, service
from tatsai.reports.models import Channel, ReportCreate

FIELDS = (
    "kind",
    "text",
    "indicator_type",
    "indicator_value",
    "occurred_at",
    "amount_lost_thb",
    "reporter",
    "report_id",
)


@dataclass
class ImportResult:
    accepted: int = 0
    rejected: int = 0
    rejects: list[dict[str, Any]] = field(default_factory=list)


def read_rows(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """(line number, row) of a ``.csv`` or ``.jsonl`` file; a bad JSON line becomes a row
    holding ``_error``; a file that is not UTF-8 is :class:`InvalidInput` (field ``path``)."""
    try:
        yield from _rows(path)
    except UnicodeDecodeError as exc:
        raise not_utf8(path, field="path") from exc


def _rows(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    if path.suffix.lower() in (".jsonl", ".ndjson", ".json"):
        with path.open(encoding="utf-8") as handle:
            for number, line in enumerate(handle, start=1):
                if not line.strip():
                    continue
                try:
                    row = json.loads(line)
                except json.JSONDecodeError as exc:
                    yield number, {"_error": f"not JSON: {exc.msg}", "_raw": line.rstrip("\n")}
                    continue
                yield number, row if isinstance(row, dict) else {"_error": "not an object"}
        return
    if path.suffix.lower() != ".csv":
        raise InvalidInput("give a .csv or .jsonl file", field="path")
    with path.open(encoding="utf-8-sig", newline="") as handle:
        records = csv_records(handle)
        _, header, problem = next(records, (1, [], None))
        if header is None:
            raise InvalidInput(f"{path} header: {problem}", field="path")
        for number, record, refused in records:
            if record is None:
                yield number, {"_error": str(refused)}
            elif len(record) != len(header):
                why = f"{len(record)} fields, header has {len(header)}"
                yield number, {"_error": why, **dict(zip(header, record, strict=False))}
            else:
                yield number, dict(zip(header, record, strict=True))


def _payload(row: dict[str, Any]) -> tuple[dict[str, Any], str | None, str | None]:
    """The ReportCreate payload, the reporter's number and the reporter's pseudonym of a row."""
    if "_error" in row:
        raise InvalidInput(str(row["_error"]), field="row")
    payload: dict[str, Any] = {"kind": (row.get("kind") or "other").strip()}
    if row.get("text"):
        payload["text"] = row["text"]
    if row.get("indicator_value"):
        payload["indicators"] = [
            {"type": row.get("indicator_type") or "phone", "value": str(row["indicator_value"])}
        ]
    occurred = row.get("occurred_at") or row.get("ts")
    if occurred:
        payload["occurred_at"] = occurred
    if row.get("amount_lost_thb") not in (None, ""):
        payload["amount_lost_thb"] = row["amount_lost_thb"]
    reporter = str(row.get("reporter") or "").strip()
    number = pseudonym = None
    if reporter.startswith("psn_"):
        pseudonym = reporter
    elif reporter:
        try:
            number = links.clean_msisdn(reporter)
        except InvalidInput as exc:
            raise InvalidInput(exc.detail, field="reporter") from exc
    return payload, number, pseudonym


def import_rows(
    *,
    db_session: Session,
    rows: Iterable[tuple[int, dict[str, Any]]],
    source_org_id: int | None,
    source: str,
) -> ImportResult:
    """Accept each valid row (in its own savepoint) and collect the rejects."""
    result = ImportResult()
    for number, row in rows:
        try:
            payload, msisdn, psn = _payload(row)
            partner_id = str(row.get("report_id") or "").strip()
            material = partner_id or json.dumps(row, sort_keys=True, ensure_ascii=False)
            digest = hashlib.sha256(material.encode()).hexdigest()[:40]
            payload["idempotency_key"] = f"bulk:{source}:{digest}"
            report_in = ReportCreate.model_validate(payload)
            with db_session.begin_nested():
                service.accept(
                    db_session=db_session,
                    report_in=report_in,
                    intake=service.Intake(
                        channel=Channel.BULK,
                        reporter_msisdn=msisdn,
                        reporter=psn,
                        source_org_id=source_org_id,
                    ),
                )
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"]) or "row"
            result.rejects.append(
                {"line": number, "field": where, "reason": first["msg"], "row": row}
            )
            result.rejected += 1
            continue
        except TatsaiError as exc:
            result.rejects.append(
                {"line": number, "field": exc.field or "row", "reason": exc.detail, "row": row}
            )
            result.rejected += 1
            continue
        result.accepted += 1
    return result


def write_rejects(path: Path, rejects: list[dict[str, Any]]) -> None:
    """One JSON object per rejected row: line, field, reason and the row as read."""
    with path.open("w", encoding="utf-8") as handle:
        for reject in rejects:
            handle.write(json.dumps(reject, ensure_ascii=False, default=str) + "\n")
