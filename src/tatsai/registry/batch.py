"""Evidence in bulk: the report worker's path into the registry.

:func:`add_evidence_batch` gives exactly the records :func:`service.add_evidence` would give
when called once per item in order (scores, states, verdicts, categories, first/last seen,
review flags, transitions), at a fixed cost per batch rather than per item: one audit entry for
the batch, one query locking the existing records, one insert of the new ones, one grouped
evidence query, one multi-row evidence insert and one change-feed row per affected record.

The state rules depend on the order evidence arrives in (an expiring record revived by a second
item, a cleared value re-listed by a trusted one), so the rules are replayed item by item on
scores computed in memory from the record's grouped evidence plus the batch's items so far.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import insert, select, tuple_
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from tatsai.core import audit
from tatsai.core.db import utcnow
from tatsai.core.errors import InvalidInput, NotFound
from tatsai.core.models import AuditHead
from tatsai.orgs.models import Org
from tatsai.registry import kinds, scoring
from tatsai.registry.changes import append_changes
from tatsai.registry.models import (
    EvidenceCreate,
    IndicatorEvidence,
    IndicatorRead,
    IndicatorRecord,
)
from tatsai.registry.service import (
    REVIEW_SPOOFING,
    GroupedFacts,
    apply_score,
    get_or_create_record,
    grouped_facts,
    new_record,
    to_read,
)


def _records(
    db_session: Session, keys: list[tuple[str, str]]
) -> dict[tuple[str, str], IndicatorRecord]:
    """The records for clean (type, value) keys, locked; missing ones created in one insert."""
    stmt = (
        select(IndicatorRecord)
        .where(tuple_(IndicatorRecord.type, IndicatorRecord.value).in_(keys))
        .with_for_update()
    )
    found = {(r.type, r.value): r for r in db_session.execute(stmt).scalars()}
    missing = [k for k in keys if k not in found]
    if not missing:
        return found
    now = utcnow()
    created = {(t, v): new_record(t, v, now) for t, v in missing}
    try:
        with db_session.begin_nested():
            db_session.add_all(created.values())
    except IntegrityError:
        # A writer outside the registry's lock order created one first: one at a time.
        for key in missing:
            found[key], _ = get_or_create_record(
                db_session=db_session, type_name=key[0], value=key[1]
            )
        return found
    return found | created


@dataclass
class _Item:
    index: int
    evidence_in: EvidenceCreate
    type_name: str
    value: str
    source_org_id: int | None
    source_kind: str | None
    trusted: bool
    observed_at: dt.datetime
    actor: str


def add_evidence_batch(
    *,
    db_session: Session,
    items: Sequence[tuple[EvidenceCreate, int | None]],
    actor: str,
    actors: Sequence[str] | None = None,
    skip_invalid: bool = False,
) -> list[IndicatorRead | None]:
    """Record many pieces of evidence at once; one result per item, in order.

    Each result is the record as :func:`service.add_evidence` would have returned it for that
    item. ``actors`` (one per item) overrides ``actor`` for the evidence rows; the batch's one
    audit entry is written as ``actor`` and lists the records and the evidence count. An
    unknown type or malformed value raises 422 (the whole batch writes nothing), or with
    ``skip_invalid`` gives None for that item; an unknown source org raises 404.
    """
    now = utcnow()
    # The audit head is the first lock every registry write takes (see service's docstring);
    # the batch's entry is appended last, once the record ids are known.
    db_session.execute(select(AuditHead).where(AuditHead.id == 1).with_for_update()).all()
    org_kinds: dict[int, str] = {}
    bank_codes: dict[int, str | None] = {}
    wanted_orgs = {org_id for _, org_id in items if org_id is not None}
    if wanted_orgs:
        rows = db_session.execute(
            select(Org.id, Org.kind, Org.bank_code).where(Org.id.in_(wanted_orgs))
        )
        for row in rows:
            org_kinds[row.id], bank_codes[row.id] = row.kind, row.bank_code
        for org_id in sorted(wanted_orgs - set(org_kinds)):
            raise NotFound(f"no organization with id {org_id}", field="source_org_id")
    work: list[_Item] = []
    for index, (evidence_in, source_org_id) in enumerate(items):
        try:
            type_name = kinds.check_type(evidence_in.type)
            value = kinds.clean(type_name, evidence_in.value)
        except InvalidInput:
            if skip_invalid:
                continue
            raise
        source_kind = org_kinds.get(source_org_id) if source_org_id is not None else None
        channel = evidence_in.channel
        work.append(
            _Item(
                index=index,
                evidence_in=evidence_in,
                type_name=type_name,
                value=value,
                source_org_id=source_org_id,
                source_kind=source_kind,
                trusted=not channel.is_citizen_report
                and scoring.is_trusted(
                    type_name,
                    source_kind,
                    value=value,
                    bank_code=bank_codes.get(source_org_id) if source_org_id is not None else None,
                ),
                observed_at=evidence_in.observed_at or now,
                actor=actors[index] if actors is not None else actor,
            )
        )
    results: list[IndicatorRead | None] = [None] * len(items)
    if not work:
        return results
    keys = list(dict.fromkeys((w.type_name, w.value) for w in work))
    records = _records(db_session, keys)
    facts = grouped_facts(db_session, [r.id for r in records.values()])
    _audit(db_session, work, [records[k].id for k in keys], actor=actor)
    evidence_rows = []
    for w in work:
        record = records[(w.type_name, w.value)]
        ev = w.evidence_in
        evidence_rows.append(
            {
                "record_id": record.id,
                "owner_org_id": w.source_org_id,
                "tlp": ev.tlp.value,
                "source_kind": w.source_kind,
                "channel": ev.channel.value,
                "reference": ev.reference,
                "reporter": ev.reporter,
                "reporter_weight": ev.reporter_weight,
                "model_score": ev.model_score,
                "confidence": ev.confidence,
                "categories": json.dumps(ev.categories, ensure_ascii=False),
                "note": ev.note,
                "trusted": w.trusted,
                "observed_at": w.observed_at,
                "created_at": now,
                "actor": w.actor,
            }
        )
        results[w.index] = _apply(db_session, record, facts[record.id], w, now)
    db_session.execute(insert(IndicatorEvidence), evidence_rows)
    append_changes(db_session=db_session, records=[records[k] for k in keys])
    return results


def _audit(db_session: Session, work: list[_Item], record_ids: list[int], *, actor: str) -> None:
    """The batch's audit entry, before any transition it causes; one item is audited as
    itself (what :func:`service.add_evidence` records)."""
    if len(work) == 1:
        (w,) = work
        ev = w.evidence_in
        audit.record(
            db_session=db_session,
            actor=actor,
            action="indicator.evidence",
            entity_type="indicator",
            entity_id=f"{w.type_name}:{w.value}",
            detail={
                "channel": ev.channel.value,
                "source_org_id": w.source_org_id,
                "reference": ev.reference,
                "categories": ev.categories,
                "tlp": ev.tlp.value,
            },
        )
        return
    audit.record(
        db_session=db_session,
        actor=actor,
        action="indicator.evidence_batch",
        entity_type="indicator",
        entity_id=f"batch:{len(work)}",
        detail={
            "evidence": len(work),
            "record_ids": record_ids,
            "references": sorted(
                {w.evidence_in.reference for w in work if w.evidence_in.reference}
            ),
        },
    )


def _apply(
    db_session: Session, record: IndicatorRecord, facts: GroupedFacts, w: _Item, now: dt.datetime
) -> IndicatorRead:
    """One item's effect on its record, as :func:`service.add_evidence` has it."""
    ev = w.evidence_in
    facts.add(
        (
            w.source_org_id,
            w.source_kind,
            ev.reporter,
            ev.reporter_weight,
            ev.confidence,
            ev.model_score,
            w.trusted,
            ev.channel.value,
        ),
        w.observed_at,
    )
    categories: list[str] = json.loads(record.categories)
    categories.extend(c for c in ev.categories if c not in categories)
    record.categories = json.dumps(categories, ensure_ascii=False)
    if record.first_seen is None or w.observed_at < record.first_seen:
        record.first_seen = w.observed_at
    if record.last_seen is None or w.observed_at > record.last_seen:
        record.last_seen = w.observed_at
    if record.allow_listed and not record.review_flag:
        record.review_flag = True
        record.review_reason = REVIEW_SPOOFING
    result = scoring.score(record.type, facts.groups.values(), now=now)
    apply_score(
        db_session, record, result, now=now, new_evidence=True, new_trusted_evidence=w.trusted
    )
    return to_read(db_session, record, principal=None, score=result)
