"""MISP event JSON through PyMISP: export of records as attributes, import of attributes.

Each attribute carries a ``tatsai:type="<type>"`` tag so a round trip restores the exact type;
attributes from other MISP instances are mapped by their MISP type. Categories become
``tatsai:category="<name>"`` tags; the export's TLP is a ``tlp:<level>`` tag on the event.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import cast

from pymisp import MISPAttribute, MISPEvent

from tatsai.core.errors import InvalidInput
from tatsai.orgs.models import TLP
from tatsai.registry.exchange import ExportRow
from tatsai.registry.models import Channel, EvidenceCreate

MISP_TYPES = {
    "phone": "phone-number",
    "url": "url",
    "domain": "domain",
    "email": "email",
    "bank_account": "bank-account-nr",
    "crypto_wallet": "btc",
}
FROM_MISP = {
    "phone-number": "phone",
    "url": "url",
    "domain": "domain",
    "hostname": "domain",
    "email": "email",
    "email-src": "email",
    "bank-account-nr": "bank_account",
    "btc": "crypto_wallet",
}
_TAG = re.compile(r'^tatsai:(type|category)="([^"]+)"$')


def export(rows: list[ExportRow], *, tlp: TLP = TLP.GREEN, now: dt.datetime) -> str:
    event = MISPEvent()
    event.info = f"tatsai registry export {now.date().isoformat()} ({len(rows)} indicators)"
    event.date = now.date()
    event.threat_level_id = 2
    event.analysis = 2
    event.add_tag(f"tlp:{tlp.value.lower()}")
    for row in rows:
        # One value in, one attribute out (a list only when the value is a list).
        attribute = cast(
            MISPAttribute,
            event.add_attribute(
                MISP_TYPES.get(row.type, "text"),
                row.value,
                comment=f"tatsai verdict {row.verdict} ({row.state}, score {row.score})",
                to_ids=row.verdict == "block",
            ),
        )
        attribute.add_tag(f'tatsai:type="{row.type}"')
        for category in row.categories:
            attribute.add_tag(f'tatsai:category="{category}"')
        if row.first_seen is not None:
            attribute.first_seen = row.first_seen
        if row.last_seen is not None:
            attribute.last_seen = row.last_seen
    text: str = event.to_json(indent=2)
    return text


def _tlp(tags: list[str]) -> TLP:
    for tag in tags:
        if tag.lower().startswith("tlp:"):
            name = tag.split(":", 1)[1].upper().replace("WHITE", "CLEAR")
            try:
                return TLP(name)
            except ValueError:
                continue
    return TLP.AMBER


def evidence_from_event(text: str) -> list[EvidenceCreate]:
    """Evidence for every attribute of a MISP event whose type the registry knows."""
    event = MISPEvent()
    try:
        data = json.loads(text)
        event.load(data)
    except Exception as exc:  # PyMISP raises many kinds; all mean "not a MISP event"
        raise InvalidInput(f"not a MISP event: {exc}", field="file") from exc
    event_tlp = _tlp([t.name for t in event.tags])
    items: list[EvidenceCreate] = []
    for attribute in event.attributes:
        tags = [t.name for t in attribute.tags]
        type_name = FROM_MISP.get(attribute.type)
        categories: list[str] = []
        for tag in tags:
            if m := _TAG.match(tag):
                if m.group(1) == "type":
                    type_name = m.group(2)
                else:
                    categories.append(m.group(2))
        if type_name is None:
            continue
        items.append(
            EvidenceCreate(
                type=type_name,
                value=str(attribute.value),
                categories=categories,
                channel=Channel.IMPORT_MISP,
                reference=f"misp:{event.uuid}/{attribute.uuid}",
                note=attribute.comment or None,
                tlp=_tlp(tags) if any(t.lower().startswith("tlp:") for t in tags) else event_tlp,
                observed_at=getattr(attribute, "first_seen", None),
            )
        )
    return items
