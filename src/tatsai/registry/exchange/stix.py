"""STIX 2.1 bundles: export of records as Indicators with patterns, import of Indicators.

Patterns use STIX's cyber-observable types where one exists (``url``, ``domain-name``,
``email-addr``) and custom ``x-tatsai-<type>`` objects for the rest (phone numbers, sender IDs,
accounts, PromptPay IDs, LINE IDs, IMEI/IMSI, wallets). Covering types: a phone prefix is
``LIKE '+697%'``, a range ``>= first AND <= last``, a wildcard domain ``LIKE '%.example.com'``
with an OR for the domain itself. TLP markings are the TLP 2.0 marking definitions published
for STIX 2.1 by the OASIS CTI TC (a property extension, with AMBER+STRICT its own level); on
import the older STIX 2.1 TLP 1.0 definitions are read too (WHITE as CLEAR).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import stix2

from tatsai.core.errors import InvalidInput
from tatsai.orgs.models import TLP
from tatsai.registry import scoring
from tatsai.registry.exchange import ExportRow
from tatsai.registry.models import Channel, EvidenceCreate

STANDARD = {"url": "url", "domain": "domain-name", "email": "email-addr"}
_FROM_OBJECT = {v: k for k, v in STANDARD.items()}
# The TLP 2.0 extension definition and its five marking definitions (OASIS
# cti-stix-common-objects, extension-definition-specifications/tlp-2.0): fixed, well-known ids.
TLP2_EXTENSION = "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d"
_TLP2_IDS = {
    TLP.CLEAR: "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487",
    TLP.GREEN: "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb",
    TLP.AMBER: "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421",
    TLP.AMBER_STRICT: "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003",
    TLP.RED: "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1",
}
_MARKINGS = {
    tlp: stix2.MarkingDefinition(
        id=marking_id,
        created="2022-10-01T00:00:00.000Z",
        name=f"TLP:{tlp.value}",
        extensions={
            TLP2_EXTENSION: {
                "extension_type": "property-extension",
                "tlp_2_0": tlp.value.lower(),
            }
        },
    )
    for tlp, marking_id in _TLP2_IDS.items()
}
_TLP_BY_ID = {marking_id: tlp for tlp, marking_id in _TLP2_IDS.items()} | {
    stix2.TLP_WHITE.id: TLP.CLEAR,
    stix2.TLP_GREEN.id: TLP.GREEN,
    stix2.TLP_AMBER.id: TLP.AMBER,
    stix2.TLP_RED.id: TLP.RED,
}
PRODUCER = stix2.Identity(
    id="identity--6b0e4a3c-9f1d-5c1e-8d55-7a7461747361",
    name="tatsai indicator registry",
    identity_class="system",
)


def _object(type_name: str) -> str:
    if type_name in STANDARD:
        return STANDARD[type_name]
    base = {"phone_prefix": "phone", "phone_range": "phone", "domain_wildcard": "domain"}
    base_type = base.get(type_name, type_name)
    return STANDARD.get(base_type, "x-tatsai-" + base_type.replace("_", "-"))


def _quote(value: str) -> str:
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def pattern(type_name: str, value: str) -> str:
    obj = _object(type_name)
    if type_name == "phone_prefix":
        return f"[{obj}:value LIKE {_quote(value + '%')}]"
    if type_name == "phone_range":
        first, last = value.split("-")
        return f"[{obj}:value >= {_quote(first)} AND {obj}:value <= {_quote(last)}]"
    if type_name == "domain_wildcard":
        domain = value.removeprefix("*.")
        return f"[{obj}:value = {_quote(domain)} OR {obj}:value LIKE {_quote('%.' + domain)}]"
    return f"[{obj}:value = {_quote(value)}]"


_EXACT = re.compile(r"^\[([a-z0-9\-]+):value = '((?:[^'\\]|\\.)*)'\]$")
_PREFIX = re.compile(r"^\[x-tatsai-phone:value LIKE '(\+\d+)%'\]$")
_RANGE = re.compile(
    r"^\[x-tatsai-phone:value >= '(\+\d+)' AND x-tatsai-phone:value <= '(\+\d+)'\]$"
)
_WILDCARD = re.compile(r"^\[domain-name:value = '([^']+)' OR domain-name:value LIKE '%\.\1'\]$")


def parse_pattern(text: str) -> tuple[str, str]:
    """``(type, value)`` of a pattern this module writes (or a plain ``[obj:value = '…']``)."""
    text = text.strip()
    if m := _PREFIX.match(text):
        return "phone_prefix", m.group(1)
    if m := _RANGE.match(text):
        return "phone_range", f"{m.group(1)}-{m.group(2)}"
    if m := _WILDCARD.match(text):
        return "domain_wildcard", "*." + m.group(1)
    if m := _EXACT.match(text):
        obj, raw = m.group(1), re.sub(r"\\(.)", r"\1", m.group(2))
        if obj in _FROM_OBJECT:
            return _FROM_OBJECT[obj], raw
        if obj.startswith("x-tatsai-"):
            return obj.removeprefix("x-tatsai-").replace("-", "_"), raw
    raise InvalidInput(f"unsupported STIX pattern {text!r}", field="pattern")


def export(rows: list[ExportRow], *, tlp: TLP = TLP.GREEN, now: dt.datetime) -> str:
    marking = _MARKINGS[tlp]
    objects: list[Any] = [PRODUCER]
    for row in rows:
        valid_from = row.first_seen or now
        lifetime = scoring.parameters_for(row.type).lifetime_days
        valid_until = (row.last_seen or valid_from) + dt.timedelta(days=lifetime)
        objects.append(
            stix2.Indicator(
                name=f"{row.type} {row.value}",
                description=f"tatsai verdict {row.verdict} ({row.state}, score {row.score})",
                pattern=pattern(row.type, row.value),
                pattern_type="stix",
                indicator_types=["malicious-activity"],
                valid_from=valid_from,
                valid_until=max(valid_until, valid_from + dt.timedelta(seconds=1)),
                confidence=round(row.score),
                labels=row.categories or None,
                created_by_ref=PRODUCER.id,
                object_marking_refs=[marking],
                allow_custom=True,
            )
        )
    objects.append(marking)
    bundle = stix2.Bundle(objects=objects, allow_custom=True)
    text: str = bundle.serialize(pretty=True)
    return text


def evidence_from_bundle(text: str) -> list[EvidenceCreate]:
    """Evidence for every Indicator in a STIX 2.1 bundle (other objects are ignored)."""
    try:
        bundle = stix2.parse(text, allow_custom=True)
    except Exception as exc:  # stix2 raises many kinds; all mean "not a valid bundle"
        raise InvalidInput(f"not a STIX 2.1 bundle: {exc}", field="file") from exc
    items: list[EvidenceCreate] = []
    for obj in getattr(bundle, "objects", None) or []:
        if getattr(obj, "type", None) != "indicator" or obj.pattern_type != "stix":
            continue
        type_name, value = parse_pattern(obj.pattern)
        markings = [_TLP_BY_ID[m] for m in obj.get("object_marking_refs", []) if m in _TLP_BY_ID]
        items.append(
            EvidenceCreate(
                type=type_name,
                value=value,
                categories=list(obj.get("labels", [])),
                channel=Channel.IMPORT_STIX,
                reference=obj.id,
                confidence=obj.get("confidence"),
                note=obj.get("description"),
                tlp=max(markings, key=lambda t: t.rank) if markings else TLP.AMBER,
                observed_at=obj.valid_from,
            )
        )
    return items
