"""Plain CSV import: ``type,value,categories,confidence,note,channel,reference,tlp``.

How contexts that must not import the registry (money trail, telco analytics) hand over their
findings as a file. ``categories`` is separated by ``;`` or ``|``; empty cells take defaults
(channel ``import:csv``, TLP AMBER). Only ``type`` and ``value`` are required.
"""

from __future__ import annotations

import io

from pydantic import ValidationError

from tatsai.core.errors import InvalidInput
from tatsai.core.textfile import csv_records
from tatsai.indicators import evidence_file
from tatsai.orgs.models import TLP
from tatsai.registry.models import Channel, EvidenceCreate

COLUMNS = evidence_file.COLUMNS


def evidence_from_csv(text: str) -> list[EvidenceCreate]:
    """One evidence item per row; 422 naming the line of the first bad row."""
    records = csv_records(io.StringIO(text, newline=""))
    _, header, refused = next(records, (1, [], None))
    if header is None:
        raise InvalidInput(f"line 1: {refused}", field="file")
    missing = {"type", "value"} - set(header)
    if missing:
        raise InvalidInput(
            f"the CSV header lacks {', '.join(sorted(missing))}; expected {','.join(COLUMNS)}",
            field="file",
        )
    items: list[EvidenceCreate] = []
    for line, record, refused in records:
        if record is None:
            raise InvalidInput(f"line {line}: {refused}", field="file")
        cell = {k: v.strip() for k, v in zip(header, record, strict=False) if k}
        try:
            items.append(
                EvidenceCreate(
                    type=cell["type"],
                    value=cell["value"],
                    categories=[
                        c
                        for c in cell.get("categories", "").replace("|", ";").split(";")
                        if c.strip()
                    ],
                    confidence=int(cell["confidence"]) if cell.get("confidence") else None,
                    note=cell.get("note") or None,
                    channel=Channel(cell["channel"]) if cell.get("channel") else Channel.IMPORT_CSV,
                    reference=cell.get("reference") or None,
                    tlp=TLP(cell["tlp"].upper()) if cell.get("tlp") else TLP.AMBER,
                )
            )
        except (ValidationError, ValueError) as exc:
            reason = exc.errors()[0]["msg"] if isinstance(exc, ValidationError) else str(exc)
            raise InvalidInput(f"line {line}: {reason}", field="file") from exc
    return items
