"""The worker: exactly-once processing, dedupe, campaigns, reputation, review, retention."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from tatsai.core.db import utcnow
from tatsai.reports import pipeline, service
from tatsai.reports.models import (
    Campaign,
    Report,
    ReportCreate,
    Reporter,
    ReporterContact,
    ReportIndicator,
    ReviewOutcome,
)


def _file(
    db_session: Session,
    *,
    text: str | None = None,
    phone: str | None = None,
    url: str | None = None,
    reporter: str | None = None,
) -> str:
    indicators = []
    if phone:
        indicators.append({"type": "phone", "value": phone})
    if url:
        indicators.append({"type": "url", "value": url})
    accepted = service.accept(
        db_session=db_session,
        report_in=ReportCreate.model_validate(
            {"kind": "call", "text": text, "indicators": indicators}
        ),
        intake=service.Intake(channel="api", reporter_msisdn=reporter),
    )
    db_session.commit()
    return accepted.report_id


def test_worker_processes_each_report_once(db_session: Session, clean_engine: Engine) -> None:
    ids = [_file(db_session, phone=f"08123456{i:02d}") for i in range(5)]
    assert pipeline.drain(clean_engine) == 5
    assert pipeline.drain(clean_engine) == 0
    db_session.expire_all()
    for report_id in ids:
        report = db_session.get(Report, report_id)
        assert report is not None
        assert report.status == "processed"
        assert report.processed_at is not None
    assert db_session.execute(select(func.count()).select_from(ReportIndicator)).scalar_one() == 5


def test_a_crash_inside_a_batch_leaves_nothing_half_done(
    db_session: Session, clean_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    ids = [_file(db_session, phone=f"08123457{i:02d}") for i in range(3)]

    def killed(*, db_session: Session, reports: list[Report]) -> None:
        raise SystemExit("worker killed")  # not an Exception: escapes the per-report guard

    monkeypatch.setattr(pipeline, "process_batch", killed)
    with pytest.raises(SystemExit):
        pipeline.run_batch(clean_engine)
    monkeypatch.undo()
    db_session.expire_all()
    assert {db_session.get(Report, i).status for i in ids} == {"received"}  # type: ignore[union-attr]
    assert pipeline.drain(clean_engine) == 3
    assert db_session.execute(select(func.count()).select_from(ReportIndicator)).scalar_one() == 3


def test_a_failing_report_is_retried_later_without_blocking_others(
    db_session: Session, clean_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    bad = _file(db_session, phone="0812345001")
    good = _file(db_session, phone="0812345002")
    real = pipeline.process_batch

    def flaky(*, db_session: Session, reports: list[Report]) -> None:
        if any(r.id == bad for r in reports):
            raise RuntimeError("registry unavailable")
        real(db_session=db_session, reports=reports)

    monkeypatch.setattr(pipeline, "process_batch", flaky)
    assert pipeline.drain(clean_engine) == 1
    db_session.expire_all()
    failed = db_session.get(Report, bad)
    assert failed is not None
    assert failed.status == "processing"
    assert failed.attempts == 1
    assert failed.available_at > utcnow()
    assert db_session.get(Report, good).status == "processed"  # type: ignore[union-attr]


def test_near_identical_reports_by_one_reporter_count_once(
    db_session: Session, clean_engine: Engine
) -> None:
    first = _file(
        db_session, text="โอนเงินด่วน!! บัญชีถูกระงับ", phone="0811110000", reporter="+66891234567"
    )
    again = _file(
        db_session, text="โอนเงินด่วน บัญชีถูกระงับ ", phone="081-111-0000", reporter="+66891234567"
    )
    other = _file(
        db_session, text="โอนเงินด่วน บัญชีถูกระงับ", phone="0811110000", reporter="+66897654321"
    )
    pipeline.drain(clean_engine)
    db_session.expire_all()
    assert db_session.get(Report, again).duplicate_of == first  # type: ignore[union-attr]
    assert db_session.get(Report, other).duplicate_of is None  # type: ignore[union-attr]
    attached = db_session.execute(
        select(func.count()).select_from(ReportIndicator).where(ReportIndicator.report_id == again)
    ).scalar_one()
    assert attached == 0


def test_reports_sharing_indicators_form_one_campaign(
    db_session: Session, clean_engine: Engine
) -> None:
    a = _file(db_session, phone="0820000001", url="https://kerry-th.top/p")
    b = _file(db_session, phone="0820000002")
    c = _file(db_session, url="https://kerry-th.top/p")
    pipeline.drain(clean_engine)
    # d links b's campaign with a's: the two merge.
    d = _file(db_session, phone="0820000002", url="https://kerry-th.top/p")
    lone = _file(db_session, phone="0820000099")
    pipeline.drain(clean_engine)
    db_session.expire_all()
    campaigns = {r: db_session.get(Report, r).campaign_id for r in (a, b, c, d, lone)}  # type: ignore[union-attr]
    assert campaigns[a] == campaigns[b] == campaigns[c] == campaigns[d]
    assert campaigns[lone] != campaigns[a]
    merged = db_session.get(Campaign, campaigns[a])
    assert merged is not None
    assert merged.report_count == 4


def test_reputation_starts_low_and_follows_reviews(
    db_session: Session, clean_engine: Engine
) -> None:
    number = "+66812223333"
    psn = service.reporter_pseudonym(number)
    assert service.reputation(db_session=db_session, reporter=psn) == pytest.approx(0.2)
    ids = [_file(db_session, phone=f"08300000{i:02d}", reporter=number) for i in range(4)]
    pipeline.drain(clean_engine)
    for report_id in ids[:3]:
        service.review(
            db_session=db_session, report_id=report_id, outcome=ReviewOutcome.CONFIRMED, actor="t"
        )
    db_session.commit()
    raised = service.reputation(db_session=db_session, reporter=psn)
    assert raised >= 0.5
    service.review(
        db_session=db_session, report_id=ids[3], outcome=ReviewOutcome.REJECTED, actor="t"
    )
    db_session.commit()
    assert service.reputation(db_session=db_session, reporter=psn) < raised
    assert db_session.get(Report, ids[3]).status == "rejected"  # type: ignore[union-attr]
    row = db_session.get(Reporter, psn)
    assert row is not None
    assert (row.confirmed, row.rejected) == (3, 1)


def test_purge_removes_personal_data_past_retention(db_session: Session) -> None:
    service.accept(
        db_session=db_session,
        report_in=ReportCreate(kind="call", text="ขู่ว่าเป็นตำรวจ", contact="0891112222"),  # type: ignore[arg-type]
        intake=service.Intake(channel="api"),
    )
    db_session.commit()
    assert service.purge(db_session=db_session).contacts == 0
    later = utcnow() + dt.timedelta(days=366)
    purged = service.purge(db_session=db_session, now=later)
    db_session.commit()
    assert purged.contacts == 1
    assert purged.texts == 1
    assert db_session.execute(select(func.count()).select_from(ReporterContact)).scalar_one() == 0
    assert db_session.execute(select(Report.text)).scalar_one() is None
