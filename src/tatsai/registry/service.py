"""The registry's service: evidence in, scores and lifecycle, lookups, records for analysts.

Plain functions taking a session; the caller commits. Every write takes the audit log's head
lock first (through :func:`tatsai.core.audit.record`), then the record's row, then the change
head, in that order, so concurrent writers on PostgreSQL never deadlock one another.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field, replace
from urllib.parse import urlsplit

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from tatsai.core import audit
from tatsai.core.db import utcnow
from tatsai.core.errors import InvalidInput, NotFound
from tatsai.indicators.reference import official_domain_entry
from tatsai.orgs.policy import Principal, may_see
from tatsai.registry import kinds, lifecycle, scoring
from tatsai.registry.changes import append_change, lookup_categories, record_verdict
from tatsai.registry.models import (
    Action,
    EvidenceCreate,
    EvidenceRead,
    IndicatorEvidence,
    IndicatorRead,
    IndicatorRecord,
    LookupResult,
    State,
    TransitionCreate,
    Verdict,
)

RULES_ACTOR = "system:rules"
_EVIDENCE_KINDS = ("citizen_reports", "org_evidence", "model_only")
REVIEW_SPOOFING = "evidence against an allow-listed official value: likely spoofing or a lookalike"


def host_of(type_name: str, value: str) -> str | None:
    """The host a clean url, e-mail or domain value lives on; None for other types."""
    if type_name == "domain":
        return value
    if type_name == "url":
        return urlsplit(value).hostname
    if type_name == "email":
        return value.rpartition("@")[2] or None
    return None


def official_match(type_name: str, value: str) -> tuple[str, str] | None:
    """``(org, category)`` when a value is covered by the official reference (hosts only here;
    exact numbers and sender IDs are seeded into the allow-list by :mod:`allowlist`)."""
    host = host_of(type_name, value)
    if host is None and type_name == "domain_wildcard":
        host = value.removeprefix("*.")
    if host is None:
        return None
    entry = official_domain_entry(host)
    return (entry.org, entry.category) if entry is not None else None


# ----------------------------------------------------------------------------- records


def new_record(type_name: str, value: str, now: dt.datetime) -> IndicatorRecord:
    """A fresh, unsaved record for a clean (type, value), allow-listed when it is official."""
    record = IndicatorRecord(
        type=type_name,
        value=value,
        state=State.OBSERVED.value,
        score=0.0,
        scored_at=now,
        categories="[]",
        created_at=now,
        updated_at=now,
    )
    official = official_match(type_name, value)
    if official is not None:
        record.allow_listed = True
        record.allow_org, record.allow_category = official
    return record


def get_or_create_record(
    *, db_session: Session, type_name: str, value: str
) -> tuple[IndicatorRecord, bool]:
    """The record for a clean (type, value), locked for this transaction; True when new."""
    stmt = (
        select(IndicatorRecord)
        .where(IndicatorRecord.type == type_name, IndicatorRecord.value == value)
        .with_for_update()
    )
    record = db_session.execute(stmt).scalar_one_or_none()
    if record is not None:
        return record, False
    record = new_record(type_name, value, utcnow())
    try:
        with db_session.begin_nested():
            db_session.add(record)
    except IntegrityError:
        # Another transaction created it first: use theirs.
        return db_session.execute(stmt).scalar_one(), False
    return record, True


# The evidence columns scoring reads, except time: one group per distinct combination.
_GroupKey = tuple[int | None, str | None, str | None, float, int | None, float | None, bool, str]


@dataclass
class GroupedFacts:
    """A record's evidence as scoring sees it: per group, the newest time and the count."""

    groups: dict[_GroupKey, scoring.EvidenceFact] = field(default_factory=dict)

    def add(self, key: _GroupKey, observed_at: dt.datetime, count: int = 1) -> None:
        known = self.groups.get(key)
        if known is None:
            self.groups[key] = scoring.EvidenceFact(
                observed_at=observed_at,
                source_org_id=key[0],
                source_kind=key[1],
                reporter=key[2],
                reporter_weight=key[3],
                confidence=key[4],
                model_score=key[5],
                trusted=key[6],
                channel=key[7],
                count=count,
            )
        else:
            self.groups[key] = replace(
                known,
                observed_at=max(known.observed_at, observed_at),
                count=known.count + count,
            )


def grouped_facts(db_session: Session, record_ids: list[int]) -> dict[int, GroupedFacts]:
    """The grouped evidence of every record in ``record_ids``, in one query.

    Grouped by everything scoring reads except time: within a group only the newest item
    counts (decay only falls with age), so scoring on the groups is exact, and a value reported
    a thousand times by fifty people is fifty groups.
    """
    e = IndicatorEvidence
    keys = (
        e.owner_org_id,
        e.source_kind,
        e.reporter,
        e.reporter_weight,
        e.confidence,
        e.model_score,
        e.trusted,
        e.channel,
    )
    facts: dict[int, GroupedFacts] = {rid: GroupedFacts() for rid in record_ids}
    if not record_ids:
        return facts
    stmt = (
        select(e.record_id, func.max(e.observed_at), *keys, func.count())
        .where(e.record_id.in_(record_ids))
        .group_by(e.record_id, *keys)
    )
    for row in db_session.execute(stmt):
        facts[row[0]].add(tuple(row[2:10]), row[1], row[10])  # type: ignore[arg-type]
    return facts


def score_of(
    db_session: Session, record: IndicatorRecord, *, now: dt.datetime | None = None
) -> scoring.Score:
    facts = grouped_facts(db_session, [record.id])[record.id]
    return scoring.score(record.type, facts.groups.values(), now=now or utcnow())


def rescore(
    *,
    db_session: Session,
    record: IndicatorRecord,
    now: dt.datetime | None = None,
    new_evidence: bool = False,
    new_trusted_evidence: bool = False,
) -> tuple[bool, scoring.Score]:
    """Recompute score and automatic state; True when what a lookup answers changed."""
    now = now or utcnow()
    db_session.flush()
    before = (record_verdict(record)[0], record.state, round(record.score, 1))
    result = score_of(db_session, record, now=now)
    apply_score(
        db_session,
        record,
        result,
        now=now,
        new_evidence=new_evidence,
        new_trusted_evidence=new_trusted_evidence,
    )
    after = (record_verdict(record)[0], record.state, round(record.score, 1))
    return before != after, result


def apply_score(
    db_session: Session,
    record: IndicatorRecord,
    result: scoring.Score,
    *,
    now: dt.datetime,
    new_evidence: bool,
    new_trusted_evidence: bool,
) -> None:
    """Store ``result`` on the record and make the automatic transition it calls for (audited)."""
    record.score = result.value
    record.scored_at = now
    current = State(record.state)
    target = lifecycle.automatic_state(
        current=current,
        score=result.value,
        params=scoring.parameters_for(record.type),
        allow_listed=record.allow_listed,
        new_evidence=new_evidence,
        new_trusted_evidence=new_trusted_evidence,
    )
    if target is not current:
        record.state = target.value
        if target is not State.ACTIONED:
            record.action = None
        audit.record(
            db_session=db_session,
            actor=RULES_ACTOR,
            action="indicator.transition",
            entity_type="indicator",
            entity_id=f"{record.type}:{record.value}",
            detail={"from": current.value, "to": target.value, **result.explanation()},
        )
    record.updated_at = now


def add_evidence(
    *, db_session: Session, evidence_in: EvidenceCreate, source_org_id: int | None, actor: str
) -> IndicatorRead:
    """Record one piece of evidence, rescore, apply automatic transitions, publish the change.

    ``source_org_id=None`` means a citizen channel. Raises 422 for an unknown type or a value
    that is not one (the reason says why), 404 for an unknown source org.
    """
    # One code path for one item and many: a batch of one (registry/batch.py builds on this
    # module's record helpers, hence the import here).
    from tatsai.registry.batch import add_evidence_batch

    (result,) = add_evidence_batch(
        db_session=db_session, items=[(evidence_in, source_org_id)], actor=actor
    )
    assert result is not None  # without skip_invalid a bad item raises instead
    return result


# ------------------------------------------------------------------------------- reads


def to_read(
    db_session: Session,
    record: IndicatorRecord,
    *,
    principal: Principal | None,
    with_evidence: bool = False,
    score: scoring.Score | None = None,
) -> IndicatorRead:
    """The record as a schema; evidence only what ``principal`` may see (None: none listed).

    ``score`` is the record's score already computed at ``scored_at`` (saves a second query).
    """
    verdict, reason = record_verdict(record)
    result = score or score_of(db_session, record, now=record.scored_at)
    visible: list[EvidenceRead] = []
    if with_evidence and principal is not None:
        for e in record.evidence:
            if may_see(principal, e):
                fields = {name: getattr(e, name) for name in EvidenceRead.model_fields}
                fields["categories"] = json.loads(e.categories)
                visible.append(EvidenceRead.model_validate(fields))
    return IndicatorRead(
        id=record.id,
        type=record.type,
        value=record.value,
        verdict=verdict,
        state=State(record.state),
        action=Action(record.action) if record.action else None,
        score=round(record.score, 1),
        categories=json.loads(record.categories),
        allow_listed=record.allow_listed,
        allow_org=record.allow_org,
        review_flag=record.review_flag,
        review_reason=record.review_reason,
        first_seen=record.first_seen,
        last_seen=record.last_seen,
        evidence_count=sum(result.counts.get(k, 0) for k in _EVIDENCE_KINDS),
        evidence=visible,
        explanation={"rule": reason, **result.explanation()},
    )


def _visible_record(record: IndicatorRecord | None, principal: Principal) -> IndicatorRecord:
    """The record when ``principal`` may see it in detail, else 404 that reveals nothing.

    Detail is for member orgs: the record must be allow-listed (public reference data) or carry
    at least one piece of evidence the principal may see.
    """
    if (
        record is None
        or principal.is_public
        or not (record.allow_listed or any(may_see(principal, e) for e in record.evidence))
    ):
        raise NotFound("no such indicator record", field="value")
    return record


def get(*, db_session: Session, record_id: int, principal: Principal) -> IndicatorRead:
    record = _visible_record(db_session.get(IndicatorRecord, record_id), principal)
    return to_read(db_session, record, principal=principal, with_evidence=True)


def find(*, db_session: Session, type: str, value: str) -> IndicatorRecord | None:
    """The record for a raw (type, value), normalized first; None when there is none."""
    type_name = kinds.check_type(type)
    clean = kinds.clean(type_name, value)
    stmt = select(IndicatorRecord).where(
        IndicatorRecord.type == type_name, IndicatorRecord.value == clean
    )
    return db_session.execute(stmt).scalar_one_or_none()


def show(*, db_session: Session, type: str, value: str, principal: Principal) -> IndicatorRead:
    record = _visible_record(find(db_session=db_session, type=type, value=value), principal)
    return to_read(db_session, record, principal=principal, with_evidence=True)


def _lookup_result(
    type_name: str, value: str, record: IndicatorRecord, matched: str
) -> LookupResult:
    verdict, reason = record_verdict(record)
    return LookupResult(
        type=type_name,
        value=value,
        verdict=verdict,
        categories=lookup_categories(record),
        score=round(record.score, 1),
        state=State(record.state),
        first_seen=record.first_seen,
        last_seen=record.last_seen,
        matched=matched,
        matched_value=None if matched == "exact" else f"{record.type}:{record.value}",
        reason=reason,
    )


def shape_for(result: LookupResult, principal: Principal) -> LookupResult:
    """Public callers get verdict and categories only."""
    if not principal.is_public:
        return result
    return LookupResult(
        type=result.type, value=result.value, verdict=result.verdict, categories=result.categories
    )


def _covering(
    db_session: Session, type_name: str, value: str
) -> tuple[IndicatorRecord, str] | None:
    def one(t: str, values: list[str]) -> IndicatorRecord | None:
        if not values:
            return None
        stmt = select(IndicatorRecord).where(
            IndicatorRecord.type == t, IndicatorRecord.value.in_(values)
        )
        found = list(db_session.execute(stmt).scalars())
        # The most specific (longest) covering value wins.
        return max(found, key=lambda r: len(r.value)) if found else None

    if type_name == "phone" and value.startswith("+"):
        hit = one("phone_prefix", [value[:n] for n in range(2, len(value))])
        if hit is not None:
            return hit, "prefix"
        number = int(value[1:])
        stmt = select(IndicatorRecord).where(IndicatorRecord.type == "phone_range")
        for r in db_session.execute(stmt).scalars():
            first, last, digits = kinds.range_bounds(r.value)
            if digits == len(value) - 1 and first <= number <= last:
                return r, "range"
        return None
    host = host_of(type_name, value)
    if host is None:
        return None
    if type_name != "domain":
        hit = one("domain", [host])
        if hit is not None:
            return hit, "domain"
    labels = host.split(".")
    wildcards = ["*." + ".".join(labels[i:]) for i in range(len(labels) - 1)]
    hit = one("domain_wildcard", wildcards)
    return (hit, "wildcard") if hit is not None else None


def lookup(*, db_session: Session, type: str, value: str, principal: Principal) -> LookupResult:
    """The verdict for a raw value from the database (the API serves it from the index).

    Exact matches win; a phone falls back to prefixes and ranges, a URL or e-mail to its
    domain, a host to wildcard domains. Raises 422 for an unknown type or a malformed value.
    """
    type_name = kinds.check_type(type)
    try:
        clean = kinds.clean(type_name, value)
    except InvalidInput:
        # Spoofed caller IDs are often not valid numbers (+697…): prefixes and ranges still
        # cover them; anything else malformed is a 422.
        dialled = kinds.dialled_number(type_name, value)
        covering = _covering(db_session, type_name, dialled) if dialled else None
        if covering is None:
            raise
        return shape_for(_lookup_result(type_name, dialled or value, *covering), principal)
    stmt = select(IndicatorRecord).where(
        IndicatorRecord.type == type_name, IndicatorRecord.value == clean
    )
    record = db_session.execute(stmt).scalar_one_or_none()
    if record is not None:
        return shape_for(_lookup_result(type_name, clean, record, "exact"), principal)
    covering = _covering(db_session, type_name, clean)
    if covering is not None:
        return shape_for(_lookup_result(type_name, clean, *covering), principal)
    official = official_match(type_name, clean)
    if official is not None:
        result = LookupResult(
            type=type_name,
            value=clean,
            verdict=Verdict.ALLOW,
            categories=[f"official_{official[1]}"],
            matched="official",
            reason="official reference domain",
        )
        return shape_for(result, principal)
    result = LookupResult(type=type_name, value=clean, verdict=Verdict.UNKNOWN, reason="no record")
    return shape_for(result, principal)


# ----------------------------------------------------------------------------- lifecycle


def transition(
    *,
    db_session: Session,
    record_id: int,
    transition_in: TransitionCreate,
    principal: Principal,
) -> IndicatorRead:
    """A manual lifecycle transition by a member org, checked against the rules and audited."""
    record = _visible_record(db_session.get(IndicatorRecord, record_id), principal)
    current = State(record.state)
    lifecycle.check_transition(
        principal,
        type_name=record.type,
        value=record.value,
        current=current,
        target=transition_in.state,
        action=transition_in.action,
    )
    audit.record(
        db_session=db_session,
        actor=principal.actor,
        action="indicator.transition",
        entity_type="indicator",
        entity_id=f"{record.type}:{record.value}",
        detail={
            "from": current.value,
            "to": transition_in.state.value,
            "action": transition_in.action.value if transition_in.action else None,
            "note": transition_in.note,
        },
    )
    record = db_session.execute(
        select(IndicatorRecord).where(IndicatorRecord.id == record.id).with_for_update()
    ).scalar_one()
    record.state = transition_in.state.value
    record.action = transition_in.action.value if transition_in.action else None
    if transition_in.state is State.CLEARED:
        record.review_flag = False
        record.review_reason = None
    record.updated_at = utcnow()
    append_change(db_session=db_session, record=record)
    return to_read(db_session, record, principal=principal, with_evidence=True)


def rescore_all(*, db_session: Session, now: dt.datetime | None = None) -> int:
    """Apply decay to every live record (a scheduled job); returns how many changed."""
    now = now or utcnow()
    # The audit head is the first lock every registry write takes (see the module docstring).
    audit.record(
        db_session=db_session,
        actor=RULES_ACTOR,
        action="indicator.rescore",
        entity_type="registry",
        entity_id="all",
        detail={"at": now.isoformat()},
    )
    live = [s.value for s in (State.OBSERVED, State.SUSPECTED, State.CONFIRMED)]
    stmt = select(IndicatorRecord.id).where(IndicatorRecord.state.in_(live))
    changed = 0
    for record_id in list(db_session.execute(stmt).scalars()):
        record = db_session.execute(
            select(IndicatorRecord).where(IndicatorRecord.id == record_id).with_for_update()
        ).scalar_one()
        if rescore(db_session=db_session, record=record, now=now)[0]:
            append_change(db_session=db_session, record=record)
            changed += 1
    return changed


# The bulk path lives in its own module (it replays these rules item by item); re-exported here.
from tatsai.registry.batch import add_evidence_batch as add_evidence_batch  # noqa: E402
