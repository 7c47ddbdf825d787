"""Abuse resistance: a coordinated false-report campaign against a bank's real number.

The scenario of the issue, exactly: 1,000 reports from 50 new numbers within an hour against
KBank's call centre (02-888-8888, allow-listed). It must not get the number blocked.
"""

from __future__ import annotations

import itertools

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from tatsai.core.errors import TooManyRequests
from tatsai.registry import allowlist
from tatsai.reports import links, pipeline, service
from tatsai.reports.models import Report, ReportCreate, ReportIndicator

BANK_NUMBER = "02-888-8888"
ATTACKERS = [f"+66 9{n:08d}" for n in range(10_000_000, 10_000_050)]


def _flood(db_session: Session) -> tuple[int, int]:
    """1,000 reports, round-robin over 50 new numbers, each in its own request."""
    accepted = refused = 0
    texts = itertools.cycle(
        [
            "เบอร์นี้หลอกให้โอนเงิน",
            "มิจฉาชีพ อ้างเป็นธนาคาร",
            "scam call, asked for my OTP",
            "แก๊งคอลเซ็นเตอร์",
        ]
    )
    for i in range(1000):
        channel = ("ussd", "sms-1185", "api", "web")[i % 4]
        try:
            service.accept(
                db_session=db_session,
                report_in=ReportCreate.model_validate(
                    {
                        "kind": "call",
                        "indicators": [{"type": "phone", "value": BANK_NUMBER}],
                        "text": next(texts) if i % 3 else None,
                    }
                ),
                intake=service.Intake(channel=channel, reporter_msisdn=ATTACKERS[i % 50]),
            )
            db_session.commit()
            accepted += 1
        except TooManyRequests:
            db_session.rollback()
            refused += 1
    return accepted, refused


def test_flood_is_rate_limited_deduplicated_and_weighs_little(
    db_session: Session, clean_engine: Engine
) -> None:
    accepted, refused = _flood(db_session)
    assert accepted == 50 * 10  # the per-number hourly limit
    assert refused == 500
    pipeline.drain(clean_engine)
    db_session.expire_all()
    counted = db_session.execute(
        select(func.count()).select_from(Report).where(Report.duplicate_of.is_(None))
    ).scalar_one()
    # Each attacker sent at most 4 distinct texts (+ none): near-identical ones count once.
    assert counted <= 50 * 5
    attached = db_session.execute(select(func.count()).select_from(ReportIndicator)).scalar_one()
    assert attached == counted
    for number in ATTACKERS[:5]:
        psn = service.reporter_pseudonym(service.links.clean_msisdn(number))
        assert service.reputation(db_session=db_session, reporter=psn) <= 0.2


def test_flood_does_not_block_an_allow_listed_bank_number(
    db_session: Session, clean_engine: Engine
) -> None:
    allowlist.seed(db_session=db_session)
    db_session.commit()
    value = links.clean_indicator("phone", BANK_NUMBER)
    assert links.lookup_verdict(db_session=db_session, type_="phone", value=value) == "allow"
    _flood(db_session)
    pipeline.drain(clean_engine)
    db_session.expire_all()
    assert links.lookup_verdict(db_session=db_session, type_="phone", value=value) == "allow"
    statuses = dict(
        db_session.execute(select(Report.status, func.count()).group_by(Report.status)).all()
    )
    assert set(statuses) == {"rejected", "processed"}  # non-duplicates rejected; dupes processed
    psn = service.reporter_pseudonym(links.clean_msisdn(ATTACKERS[0]))
    assert service.reputation(db_session=db_session, reporter=psn) < 0.2  # now lower than new
