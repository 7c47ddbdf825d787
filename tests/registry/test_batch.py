"""The bulk evidence path gives exactly what one add_evidence call per item gives."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tatsai.core import audit
from tatsai.core.db import utcnow
from tatsai.core.errors import InvalidInput, NotFound
from tatsai.core.models import AuditEntry
from tatsai.orgs.models import OrgKind, Role
from tatsai.registry import service
from tatsai.registry.models import (
    Channel,
    EvidenceCreate,
    IndicatorChange,
    IndicatorRead,
    State,
    TransitionCreate,
)
from tests.factories import make_org, make_principal
from tests.registry.helpers import citizen_report, org_evidence

SCAM = "+66812345678"  # reported before the batch, crosses thresholds inside it
CLEARED = "+66898765432"  # cleared before the batch: re-listed only by the telco's item
FRESH = "+66811112222"
T0 = utcnow() - dt.timedelta(minutes=5)  # items carry their time: both paths see the same


def _citizen(
    value: str, reporter: str | None, *, type_: str = "phone", **kw: object
) -> EvidenceCreate:
    return EvidenceCreate(
        type=type_,
        value=value,
        categories=[str(kw.pop("category", "scam_call"))],
        channel=Channel.REPORT_SMS,
        reporter=reporter,
        reporter_weight=float(kw.pop("weight", 1.0)),  # type: ignore[arg-type]
        model_score=kw.pop("model_score", None),  # type: ignore[arg-type]
        observed_at=kw.pop("observed_at", T0),  # type: ignore[arg-type]
    )


def _org(value: str, type_: str = "phone", confidence: int = 95) -> EvidenceCreate:
    return EvidenceCreate(
        type=type_,
        value=value,
        categories=["phishing"],
        channel=Channel.PARTNER_API,
        confidence=confidence,
        observed_at=T0,
    )


def _snapshot(read: IndicatorRead | None) -> tuple[object, ...] | None:
    if read is None:
        return None
    return (
        read.type,
        read.value,
        read.verdict,
        read.state,
        read.score,
        read.categories,
        read.allow_listed,
        read.review_flag,
        read.evidence_count,
        read.first_seen,
        read.last_seen,
    )


def test_batch_equals_one_call_per_item(db_session: Session) -> None:
    telco = make_org(db_session, OrgKind.TELCO)
    bank = make_org(db_session, OrgKind.BANK)
    police, _ = make_principal(db_session, OrgKind.POLICE, Role.ANALYST)
    for n in range(3):
        citizen_report(db_session, "phone", SCAM, reporter=f"early{n}")
    record = org_evidence(db_session, telco, "phone", CLEARED, confidence=95)
    service.transition(
        db_session=db_session,
        record_id=record.id,
        transition_in=TransitionCreate(state=State.CLEARED, note="holder proved ownership"),
        principal=police,
    )
    db_session.commit()
    an_hour_ago = utcnow() - dt.timedelta(hours=1)
    items: list[tuple[EvidenceCreate, int | None]] = [
        *[(_citizen(SCAM, f"r{n}", weight=0.3 + n / 50), None) for n in range(30)],
        (_citizen(SCAM, "r1", observed_at=an_hour_ago), None),  # same reporter again, older
        (_citizen(SCAM, None, model_score=0.9), None),  # the model's verdict only
        *[(_citizen(CLEARED, f"c{n}"), None) for n in range(5)],  # untrusted: stays cleared
        (_org(CLEARED), telco.id),  # trusted: re-listed
        (_citizen(CLEARED, "c9"), None),
        (
            _citizen("https://www.kasikornbank.com/login", "r1", type_="url", category="phishing"),
            None,
        ),
        (_citizen("not a number", "r2"), None),  # refused, the others still count
        (_org("123-4-56789-0", "bank_account", 60), bank.id),
        (_citizen(FRESH, "f1", category="scam_sms"), None),
        (_org(FRESH, confidence=40), bank.id),
    ]

    one_by_one: list[IndicatorRead | None] = []
    for evidence_in, org_id in items:
        try:  # a refused value raises before add_evidence writes anything
            one_by_one.append(
                service.add_evidence(
                    db_session=db_session,
                    evidence_in=evidence_in,
                    source_org_id=org_id,
                    actor="test",
                )
            )
        except InvalidInput:
            one_by_one.append(None)
    db_session.rollback()  # the same starting point for the batch

    before_audit = db_session.execute(select(func.count()).select_from(AuditEntry)).scalar_one()
    before_changes = db_session.execute(
        select(func.count()).select_from(IndicatorChange)
    ).scalar_one()
    batch = service.add_evidence_batch(
        db_session=db_session, items=items, actor="test", skip_invalid=True
    )
    db_session.commit()

    assert [_snapshot(r) for r in batch] == [_snapshot(r) for r in one_by_one]
    final = {(r.type, r.value): r for r in batch if r is not None}
    assert final[("phone", SCAM)].state is State.SUSPECTED  # the batch crossed a threshold
    assert final[("phone", CLEARED)].state is not State.CLEARED
    assert final[("url", "https://www.kasikornbank.com/login")].review_flag
    # One evidence audit entry for the batch, before the transitions it caused (which keep
    # theirs); one change per record.
    entries = db_session.execute(
        select(AuditEntry).where(AuditEntry.seq > before_audit).order_by(AuditEntry.seq)
    ).scalars()
    actions = [e.action for e in entries]
    assert actions.count("indicator.evidence_batch") == 1
    assert "indicator.evidence" not in actions
    assert actions[0] == "indicator.evidence_batch"
    assert set(actions[1:]) == {"indicator.transition"}
    changes = db_session.execute(select(func.count()).select_from(IndicatorChange)).scalar_one()
    assert changes - before_changes == len(final)
    assert audit.verify(db_session=db_session) is None


def test_batch_writes_nothing_on_bad_input_unless_told_to_skip(db_session: Session) -> None:
    items: list[tuple[EvidenceCreate, int | None]] = [
        (_citizen(FRESH, "f1"), None),
        (_citizen("not a number", "f2"), None),
    ]
    with pytest.raises(InvalidInput):
        service.add_evidence_batch(db_session=db_session, items=items, actor="test")
    with pytest.raises(NotFound):
        service.add_evidence_batch(db_session=db_session, items=[(_org(FRESH), 10**6)], actor="t")
    db_session.rollback()
    assert service.find(db_session=db_session, type="phone", value=FRESH) is None
    results = service.add_evidence_batch(
        db_session=db_session, items=items, actor="test", skip_invalid=True
    )
    assert results[1] is None
    assert results[0] is not None
    assert results[0].evidence_count == 1


def test_one_piece_of_evidence_is_audited_as_itself_before_its_transition(
    db_session: Session,
) -> None:
    police = make_org(db_session, OrgKind.POLICE)
    before = db_session.execute(select(func.count()).select_from(AuditEntry)).scalar_one()
    org_evidence(db_session, police, "phone", "081-234-5678", confidence=95, note="raid")
    db_session.commit()
    entries = list(
        db_session.execute(
            select(AuditEntry).where(AuditEntry.seq > before).order_by(AuditEntry.seq)
        ).scalars()
    )
    assert [e.action for e in entries] == ["indicator.evidence", "indicator.transition"]
    assert entries[0].entity_id == "phone:+66812345678"
    assert json.loads(entries[0].detail)["source_org_id"] == police.id
    assert audit.verify(db_session=db_session) is None
