"""Appeals: the holder of a number, account or domain asks for it to be cleared.

Anyone may file (the holder is usually a citizen or a small business without a key); a reviewer
of police, the regulator or the org kind that owns the type (the operator for numbers, the bank
for accounts, a platform for URLs) decides. An upheld appeal clears the value; a cleared value is
re-listed automatically only on new evidence from a trusted org (see :mod:`lifecycle`).
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from tatsai.core import audit
from tatsai.core.db import utcnow
from tatsai.core.errors import Conflict, Forbidden, NotFound
from tatsai.orgs.models import TLP
from tatsai.orgs.policy import Principal, may_see, require_role, visibility_filter
from tatsai.registry import lifecycle, scoring, service
from tatsai.registry.changes import append_change
from tatsai.registry.models import (
    AppealCreate,
    AppealDecision,
    AppealRead,
    AppealStatus,
    IndicatorAppeal,
    IndicatorRecord,
    State,
)

APPEALABLE = frozenset({State.SUSPECTED, State.CONFIRMED, State.ACTIONED})


def file(*, db_session: Session, appeal_in: AppealCreate, principal: Principal) -> AppealRead:
    """File an appeal against a listed value; 404 when nothing is listed, 409 when not listed."""
    record = service.find(db_session=db_session, type=appeal_in.type, value=appeal_in.value)
    if record is None:
        raise NotFound("nothing is listed under this value", field="value")
    if State(record.state) not in APPEALABLE:
        raise Conflict(f"the value is {record.state}; there is nothing to appeal", field="value")
    audit.record(
        db_session=db_session,
        actor=principal.actor,
        action="appeal.file",
        entity_type="indicator",
        entity_id=f"{record.type}:{record.value}",
        detail={"reason": appeal_in.reason},
    )
    # Appellants' contact details are personal data: member orgs see them (AMBER), the public not.
    appeal = IndicatorAppeal(
        record_id=record.id,
        appellant=appeal_in.appellant,
        reason=appeal_in.reason,
        status=AppealStatus.OPEN.value,
        owner_org_id=principal.org_id,
        tlp=TLP.AMBER.value,
        created_at=utcnow(),
    )
    db_session.add(appeal)
    db_session.flush()
    return AppealRead.model_validate(appeal)


def _reviewer_check(principal: Principal, record: IndicatorRecord) -> None:
    require_role(principal, *lifecycle.PEOPLE)
    allowed = lifecycle.AUTHORITIES | scoring.parameters_for(record.type).trusted_kinds
    if principal.org_kind not in allowed:
        raise Forbidden("appeals on this type are decided by police, the regulator or its owner")


def decide(
    *, db_session: Session, appeal_id: int, decision: AppealDecision, principal: Principal
) -> AppealRead:
    """Uphold (clear the value) or reject an open appeal."""
    appeal = db_session.get(IndicatorAppeal, appeal_id)
    if appeal is None or principal.is_public or not may_see(principal, appeal):
        raise NotFound("no such appeal", field="appeal_id")
    record = db_session.get(IndicatorRecord, appeal.record_id)
    assert record is not None  # a foreign key guarantees it
    _reviewer_check(principal, record)
    if appeal.status != AppealStatus.OPEN.value:
        raise Conflict(f"the appeal was already {appeal.status}", field="appeal_id")
    status = AppealStatus.UPHELD if decision.upheld else AppealStatus.REJECTED
    audit.record(
        db_session=db_session,
        actor=principal.actor,
        action="appeal.decide",
        entity_type="indicator",
        entity_id=f"{record.type}:{record.value}",
        detail={"appeal": appeal.id, "status": status.value, "note": decision.note},
    )
    record = db_session.execute(
        select(IndicatorRecord).where(IndicatorRecord.id == record.id).with_for_update()
    ).scalar_one()
    appeal.status = status.value
    appeal.decided_by = principal.actor
    appeal.decision_note = decision.note
    appeal.decided_at = utcnow()
    if status is AppealStatus.UPHELD and record.state != State.CLEARED.value:
        audit.record(
            db_session=db_session,
            actor=principal.actor,
            action="indicator.transition",
            entity_type="indicator",
            entity_id=f"{record.type}:{record.value}",
            detail={"from": record.state, "to": State.CLEARED.value, "appeal": appeal.id},
        )
        record.state = State.CLEARED.value
        record.action = None
        record.review_flag = False
        record.review_reason = None
        record.updated_at = utcnow()
        append_change(db_session=db_session, record=record)
    db_session.flush()
    return AppealRead.model_validate(appeal)


def list_appeals(
    *, db_session: Session, principal: Principal, status: AppealStatus | None = AppealStatus.OPEN
) -> list[AppealRead]:
    require_role(principal, *lifecycle.PEOPLE)
    stmt = select(IndicatorAppeal).where(visibility_filter(principal, IndicatorAppeal))
    if status is not None:
        stmt = stmt.where(IndicatorAppeal.status == status.value)
    stmt = stmt.order_by(IndicatorAppeal.id)
    return [AppealRead.model_validate(a) for a in db_session.execute(stmt).scalars()]
