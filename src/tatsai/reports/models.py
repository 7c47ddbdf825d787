"""Report center 1185: the tables and schemas of intake, the queue, reporters and campaigns.

The ``reports`` table is also the durable queue: a report is written once at intake (one
INSERT, status ``received``) and the worker claims it from there. Reporter numbers are never
stored in the clear except in ``reporter_contacts``, which exists only so that the service can
reply by SMS and is purged after ``retention_days``.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator
from sqlalchemy import Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from tatsai.core.db import Base, UTCDateTime, utcnow


class ReportStatus(StrEnum):
    RECEIVED = "received"  # stored and acknowledged, waiting in the queue
    PROCESSING = "processing"  # waiting for a detail from the reporter, or being retried
    PROCESSED = "processed"  # indicators extracted, evidence attached, campaign assigned
    REJECTED = "rejected"  # reviewed and found false, or against an allow-listed indicator


class ReportKind(StrEnum):
    CALL = "call"
    SMS = "sms"
    URL = "url"
    ACCOUNT = "account"
    OTHER = "other"


class Channel(StrEnum):
    API = "api"
    SMS = "sms-1185"
    USSD = "ussd"
    WEB = "web"
    BULK = "bulk"


class Report(Base):
    """One citizen's or partner's report; also the queue entry the worker claims."""

    __tablename__ = "reports"
    __table_args__ = (
        Index("ix_reports_queue", "status", "available_at"),
        Index("ix_reports_reporter_received", "reporter", "received_at"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    tracking_code: Mapped[str] = mapped_column(String(16), unique=True, nullable=False)
    idempotency_key: Mapped[str | None] = mapped_column(String(200), unique=True)
    channel: Mapped[str] = mapped_column(String(20), nullable=False)
    kind: Mapped[str] = mapped_column(String(20), nullable=False)
    text: Mapped[str | None] = mapped_column(Text)
    # JSON list of {"type", "value"} as the reporter gave them (raw; cleaned by the worker).
    claimed_indicators: Mapped[str] = mapped_column(Text, nullable=False, default="[]")
    occurred_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    received_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False)
    available_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False)
    amount_lost_thb: Mapped[float | None] = mapped_column(Float)
    reporter: Mapped[str | None] = mapped_column(String(64))  # keyed pseudonym
    lang: Mapped[str] = mapped_column(String(2), nullable=False, default="th")
    source_org_id: Mapped[int | None] = mapped_column(ForeignKey("orgs.id"))
    status: Mapped[str] = mapped_column(String(12), nullable=False)
    attempts: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    processed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    fingerprint: Mapped[str | None] = mapped_column(String(64), index=True)
    duplicate_of: Mapped[str | None] = mapped_column(String(32))
    campaign_id: Mapped[int | None] = mapped_column(Integer, index=True)
    model_score: Mapped[float | None] = mapped_column(Float)


class ReportIndicator(Base):
    """An indicator a processed report names, and whether it reached the registry.

    The primary key (report, type, value) is the idempotency guarantee of evidence
    attachment: the row and the registry's evidence are written in one transaction, so a
    restarted worker can never attach the same report's evidence twice.
    """

    __tablename__ = "report_indicators"
    __table_args__ = (Index("ix_report_indicators_type_value", "type", "value"),)

    report_id: Mapped[str] = mapped_column(
        ForeignKey("reports.id", ondelete="CASCADE"), primary_key=True
    )
    type: Mapped[str] = mapped_column(String(30), primary_key=True)
    value: Mapped[str] = mapped_column(String(500), primary_key=True)
    attached: Mapped[bool] = mapped_column(nullable=False, default=False)
    registry_verdict: Mapped[str | None] = mapped_column(String(10))
    campaign_id: Mapped[int | None] = mapped_column(Integer)  # the report's, for clustering


class Reporter(Base):
    """Reputation of one reporter (by pseudonym): confirmed reports raise it, rejected lower it."""

    __tablename__ = "reporters"

    pseudonym: Mapped[str] = mapped_column(String(64), primary_key=True)
    first_seen: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    reports: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    confirmed: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    rejected: Mapped[int] = mapped_column(Integer, nullable=False, default=0)


class ReporterContact(Base):
    """The clear number of a reporter, kept only to reply by SMS; purged after retention."""

    __tablename__ = "reporter_contacts"

    pseudonym: Mapped[str] = mapped_column(String(64), primary_key=True)
    msisdn: Mapped[str] = mapped_column(String(20), nullable=False)  # E.164
    lang: Mapped[str] = mapped_column(String(2), nullable=False, default="th")
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)


class Campaign(Base):
    """Reports that share indicators, clustered; ``report_count`` counts non-duplicates."""

    __tablename__ = "report_campaigns"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    first_seen: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False)
    last_seen: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False)
    report_count: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    merged_into: Mapped[int | None] = mapped_column(Integer)


class OutboundSms(Base):
    """An SMS the service wants sent (the outbox); a sender delivers and marks it."""

    __tablename__ = "sms_outbox"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    to_msisdn: Mapped[str] = mapped_column(String(20), nullable=False)
    text: Mapped[str] = mapped_column(Text, nullable=False)
    report_id: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    sent_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


class UssdSession(Base):
    """One USSD dialogue: language chosen and when it expires."""

    __tablename__ = "ussd_sessions"

    session_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    reporter: Mapped[str] = mapped_column(String(64), nullable=False)
    lang: Mapped[str] = mapped_column(String(2), nullable=False, default="th")
    started_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False)
    report_id: Mapped[str | None] = mapped_column(String(32))


class QueueLease(Base):
    """One row per queue; the SQLite worker writes it first so batches take one writer at a time."""

    __tablename__ = "report_queue_lease"
    __table_args__ = (UniqueConstraint("name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(40), nullable=False)
    holder: Mapped[str | None] = mapped_column(String(100))
    taken_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


# --- schemas -------------------------------------------------------------------------------


class ClaimedIndicator(BaseModel):
    """An indicator as the reporter gave it; ``value`` is raw and is cleaned by its type."""

    type: str = Field(min_length=1, max_length=30)
    value: str = Field(min_length=1, max_length=500)


class ReportCreate(BaseModel):
    """A report from any channel. At least one of ``indicators`` and ``text`` is required."""

    model_config = ConfigDict(extra="forbid")

    kind: ReportKind
    indicators: list[ClaimedIndicator] = Field(default_factory=list, max_length=20)
    text: str | None = Field(default=None, max_length=5000)
    occurred_at: dt.datetime | None = None
    amount_lost_thb: float | None = Field(default=None, ge=0, le=1e10)
    contact: str | None = Field(default=None, max_length=40, description="Reporter's phone.")
    idempotency_key: str | None = Field(default=None, min_length=8, max_length=200)
    lang: str = Field(default="th", pattern="^(th|en)$")

    @field_validator("occurred_at")
    @classmethod
    def _aware(cls, value: dt.datetime | None) -> dt.datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("give a timezone, e.g. 2026-11-28T10:00:00+07:00")
        return value

    @field_validator("text")
    @classmethod
    def _strip(cls, value: str | None) -> str | None:
        if value is None:
            return None
        value = value.strip()
        return value or None


class ReportAccepted(BaseModel):
    report_id: str
    tracking_code: str


class ReportStatusRead(BaseModel):
    """What a reporter may see about their own report: nothing about anyone else."""

    tracking_code: str
    status: ReportStatus
    kind: ReportKind
    channel: str
    received_at: dt.datetime
    processed_at: dt.datetime | None


class ReportRead(BaseModel):
    """A report as a partner sees it: the reporter only as a pseudonym."""

    model_config = ConfigDict(from_attributes=True)

    id: str
    channel: str
    kind: str
    status: str
    received_at: dt.datetime
    processed_at: dt.datetime | None
    reporter: str | None
    campaign_id: int | None
    duplicate_of: str | None
    indicators: list[dict[str, Any]] = Field(default_factory=list)


class ReviewOutcome(StrEnum):
    CONFIRMED = "confirmed"
    REJECTED = "rejected"
