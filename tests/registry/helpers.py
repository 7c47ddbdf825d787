"""Shortcuts for registry tests: evidence from a citizen, from an org."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from tatsai.orgs.models import TLP, OrgRead
from tatsai.registry import service
from tatsai.registry.models import Channel, EvidenceCreate, IndicatorRead


def citizen_report(
    db_session: Session,
    type_: str,
    value: str,
    *,
    reporter: str | None,
    weight: float = 1.0,
    categories: list[str] | None = None,
    observed_at: dt.datetime | None = None,
) -> IndicatorRead:
    return service.add_evidence(
        db_session=db_session,
        evidence_in=EvidenceCreate(
            type=type_,
            value=value,
            categories=categories or ["call_center_scam"],
            channel=Channel.REPORT_SMS,
            reporter=reporter,
            reporter_weight=weight,
            observed_at=observed_at,
        ),
        source_org_id=None,
        actor="test:citizen",
    )


def org_evidence(
    db_session: Session,
    org: OrgRead,
    type_: str,
    value: str,
    *,
    confidence: int | None = None,
    categories: list[str] | None = None,
    tlp: TLP = TLP.AMBER,
    channel: Channel = Channel.PARTNER_API,
    observed_at: dt.datetime | None = None,
    note: str | None = None,
) -> IndicatorRead:
    return service.add_evidence(
        db_session=db_session,
        evidence_in=EvidenceCreate(
            type=type_,
            value=value,
            categories=categories or ["phishing"],
            channel=channel,
            confidence=confidence,
            tlp=tlp,
            observed_at=observed_at,
            note=note,
        ),
        source_org_id=org.id,
        actor=f"test:{org.name}",
    )
