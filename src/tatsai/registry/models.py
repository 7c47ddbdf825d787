"""Registry tables and schemas: indicator records, evidence, the change sequence, appeals.

One record per (type, normalized value). Evidence items are shareable (owning org = the source
org, TLP marking); the record's verdict, score, state and categories are what every caller may
learn through a lookup. Every change to what a lookup answers appends a row to
``indicator_changes`` with a strictly increasing ``seq``: lookup indexes in every worker follow
it, and so does the partners' feed.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator
from sqlalchemy import (
    BigInteger,
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tatsai.core.db import Base, UTCDateTime, utcnow
from tatsai.orgs.models import TLP, Shareable

# BIGINT on PostgreSQL; SQLite only autoincrements an INTEGER PRIMARY KEY.
BigId = BigInteger().with_variant(Integer, "sqlite")


class State(StrEnum):
    """Lifecycle of a record: observed → suspected → confirmed → actioned → expired | cleared."""

    OBSERVED = "observed"
    SUSPECTED = "suspected"
    CONFIRMED = "confirmed"
    ACTIONED = "actioned"
    EXPIRED = "expired"
    CLEARED = "cleared"


class Action(StrEnum):
    """What a partner did to an actioned value."""

    BLOCKED = "blocked"  # operator: calls/SMS to or from the number or sender ID
    SUSPENDED = "suspended"  # operator: the SIM / IMEI / IMSI
    FROZEN = "frozen"  # bank: the account or PromptPay ID
    TAKEN_DOWN = "taken_down"  # platform or registrar: the URL, domain, LINE ID, e-mail


class Verdict(StrEnum):
    BLOCK = "block"
    WARN = "warn"
    ALLOW = "allow"
    UNKNOWN = "unknown"


class Channel(StrEnum):
    """Where a piece of evidence came from."""

    REPORT_SMS = "report:sms-1185"
    REPORT_USSD = "report:ussd"
    REPORT_WEB = "report:web"
    REPORT_API = "report:api"
    PARTNER_API = "partner:api"
    ANALYSIS_TELCO = "analysis:telco"
    ANALYSIS_MONEY = "analysis:money"
    ANALYSIS_SCREENING = "analysis:screening"
    IMPORT_STIX = "import:stix"
    IMPORT_MISP = "import:misp"
    IMPORT_CSV = "import:csv"
    MANUAL = "manual"

    @property
    def is_citizen_report(self) -> bool:
        return self.value.startswith("report:")

    @property
    def is_analysis(self) -> bool:
        return self.value.startswith("analysis:")


class AppealStatus(StrEnum):
    OPEN = "open"
    UPHELD = "upheld"  # the appellant was right: the value is cleared
    REJECTED = "rejected"


# ---------------------------------------------------------------------------------- tables


class IndicatorRecord(Base):
    """The registry's one record per (type, normalized value).

    ``score`` is in [0, 100] as of ``scored_at``; ``categories`` is a JSON list of category
    names; ``allow_listed`` marks official values (never blocked automatically) and
    ``allow_org`` names their holder; ``review_flag`` asks an analyst to look (evidence against
    an allow-listed value: likely spoofing or a lookalike).
    """

    __tablename__ = "indicator_records"
    __table_args__ = (UniqueConstraint("type", "value", name="uq_indicator_records_type_value"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    type: Mapped[str] = mapped_column(String(32), nullable=False)
    value: Mapped[str] = mapped_column(String(2048), nullable=False)
    state: Mapped[str] = mapped_column(String(16), nullable=False, default=State.OBSERVED.value)
    action: Mapped[str | None] = mapped_column(String(16))
    score: Mapped[float] = mapped_column(Float, nullable=False, default=0.0)
    scored_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    categories: Mapped[str] = mapped_column(Text, nullable=False, default="[]")
    allow_listed: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    allow_org: Mapped[str | None] = mapped_column(String(200))
    allow_category: Mapped[str | None] = mapped_column(String(32))
    review_flag: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    review_reason: Mapped[str | None] = mapped_column(String(500))
    first_seen: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    last_seen: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)

    evidence: Mapped[list[IndicatorEvidence]] = relationship(
        back_populates="record", order_by="IndicatorEvidence.id"
    )


class IndicatorEvidence(Shareable, Base):
    """One piece of evidence about a record. ``owner_org_id`` is the source org (None: citizen)."""

    __tablename__ = "indicator_evidence"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    record_id: Mapped[int] = mapped_column(
        ForeignKey("indicator_records.id"), nullable=False, index=True
    )
    source_kind: Mapped[str | None] = mapped_column(String(20))  # org kind at the time
    channel: Mapped[str] = mapped_column(String(32), nullable=False)
    reference: Mapped[str | None] = mapped_column(String(200))
    reporter: Mapped[str | None] = mapped_column(String(100))
    reporter_weight: Mapped[float] = mapped_column(Float, nullable=False, default=1.0)
    model_score: Mapped[float | None] = mapped_column(Float)
    confidence: Mapped[int | None] = mapped_column(Integer)
    categories: Mapped[str] = mapped_column(Text, nullable=False, default="[]")
    note: Mapped[str | None] = mapped_column(Text)
    trusted: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    observed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    actor: Mapped[str] = mapped_column(String(200), nullable=False)

    record: Mapped[IndicatorRecord] = relationship(back_populates="evidence")


class IndicatorChange(Base):
    """One change of what a lookup answers, in commit order (``seq`` strictly increasing).

    Carries the record's full lookup state, so a follower applies changes idempotently.
    """

    __tablename__ = "indicator_changes"

    seq: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=False)
    record_id: Mapped[int] = mapped_column(
        ForeignKey("indicator_records.id"), nullable=False, index=True
    )
    type: Mapped[str] = mapped_column(String(32), nullable=False)
    value: Mapped[str] = mapped_column(String(2048), nullable=False)
    verdict: Mapped[str] = mapped_column(String(16), nullable=False)
    state: Mapped[str] = mapped_column(String(16), nullable=False)
    score: Mapped[float] = mapped_column(Float, nullable=False)
    categories: Mapped[str] = mapped_column(Text, nullable=False)
    allow_listed: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    first_seen: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    last_seen: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    changed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)


class IndicatorChangeHead(Base):
    """Single row with the last change ``seq``; locked per write so seq order is commit order."""

    __tablename__ = "indicator_change_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger, nullable=False)


class IndicatorAppeal(Shareable, Base):
    """The holder of a value asks for it to be cleared; a reviewer decides."""

    __tablename__ = "indicator_appeals"
    __table_args__ = (Index("ix_indicator_appeals_status", "status"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    record_id: Mapped[int] = mapped_column(
        ForeignKey("indicator_records.id"), nullable=False, index=True
    )
    appellant: Mapped[str] = mapped_column(String(200), nullable=False)  # keyed pseudonym or org
    reason: Mapped[str] = mapped_column(Text, nullable=False)
    status: Mapped[str] = mapped_column(String(16), nullable=False, default=AppealStatus.OPEN.value)
    decided_by: Mapped[str | None] = mapped_column(String(200))
    decision_note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    decided_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


# --------------------------------------------------------------------------------- schemas


class EvidenceCreate(BaseModel):
    """One piece of evidence as a caller hands it in; ``value`` is raw, normalized by its type."""

    type: str = Field(min_length=1, max_length=32)
    value: str = Field(min_length=1, max_length=2048)
    categories: list[str] = Field(default_factory=list, max_length=20)
    channel: Channel
    reference: str | None = Field(default=None, max_length=200)
    reporter: str | None = Field(default=None, max_length=100)
    reporter_weight: float = Field(default=1.0, ge=0.0, le=1.0)
    model_score: float | None = Field(default=None, ge=0.0, le=1.0)
    confidence: int | None = Field(default=None, ge=0, le=100)
    note: str | None = Field(default=None, max_length=4000)
    tlp: TLP = TLP.AMBER
    observed_at: dt.datetime | None = None

    @field_validator("categories")
    @classmethod
    def _categories(cls, value: list[str]) -> list[str]:
        out: list[str] = []
        for raw in value:
            name = raw.strip().lower().replace("-", "_").replace(" ", "_")
            if not name or len(name) > 40 or not name.replace("_", "").isalnum():
                raise ValueError(f"category {raw!r} must be 1-40 letters, digits or _")
            if name not in out:
                out.append(name)
        return out

    @field_validator("observed_at")
    @classmethod
    def _aware(cls, value: dt.datetime | None) -> dt.datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("observed_at must carry a time zone (UTC)")
        return value.astimezone(dt.UTC) if value is not None else None


class EvidenceRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    owner_org_id: int | None
    source_kind: str | None
    tlp: str
    channel: str
    reference: str | None
    reporter: str | None
    reporter_weight: float
    model_score: float | None
    confidence: int | None
    categories: list[str]
    note: str | None
    trusted: bool
    observed_at: dt.datetime
    created_at: dt.datetime


class IndicatorRead(BaseModel):
    """A record as its service returns it; ``evidence`` only what the caller may see."""

    id: int
    type: str
    value: str
    verdict: Verdict
    state: State
    action: Action | None = None
    score: float
    categories: list[str]
    allow_listed: bool
    allow_org: str | None = None
    review_flag: bool
    review_reason: str | None = None
    first_seen: dt.datetime | None
    last_seen: dt.datetime | None
    evidence_count: int = 0
    evidence: list[EvidenceRead] = Field(default_factory=list)
    explanation: dict[str, Any] = Field(default_factory=dict)


class LookupResult(BaseModel):
    """A verdict at time of check. Public callers get ``verdict`` and ``categories`` only.

    ``matched`` says how the value was matched (exact, domain, prefix, range, wildcard, none);
    ``reason`` says which rule or threshold decided.
    """

    type: str
    value: str
    verdict: Verdict
    categories: list[str] = Field(default_factory=list)
    score: float | None = None
    state: State | None = None
    first_seen: dt.datetime | None = None
    last_seen: dt.datetime | None = None
    matched: str | None = None
    matched_value: str | None = None
    reason: str | None = None


class IndicatorSubmit(BaseModel):
    """``POST /v1/indicators``: a partner's finding; the source org is the caller's org."""

    type: str = Field(min_length=1, max_length=32)
    value: str = Field(min_length=1, max_length=2048)
    categories: list[str] = Field(default_factory=list, max_length=20)
    tlp: TLP = TLP.AMBER
    evidence: SubmittedEvidence = Field(default_factory=lambda: SubmittedEvidence())


class SubmittedEvidence(BaseModel):
    note: str | None = Field(default=None, max_length=4000)
    confidence: int | None = Field(default=None, ge=0, le=100)
    reference: str | None = Field(default=None, max_length=200)
    model_score: float | None = Field(default=None, ge=0.0, le=1.0)
    observed_at: dt.datetime | None = None


IndicatorSubmit.model_rebuild()


class TransitionCreate(BaseModel):
    state: State
    action: Action | None = None
    note: str | None = Field(default=None, max_length=4000)


class AppealCreate(BaseModel):
    type: str = Field(min_length=1, max_length=32)
    value: str = Field(min_length=1, max_length=2048)
    appellant: str = Field(min_length=1, max_length=200, description="How to reach the holder.")
    reason: str = Field(min_length=1, max_length=4000)


class AppealDecision(BaseModel):
    upheld: bool
    note: str | None = Field(default=None, max_length=4000)


class AppealRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    record_id: int
    appellant: str
    reason: str
    status: AppealStatus
    decided_by: str | None
    decision_note: str | None
    created_at: dt.datetime
    decided_at: dt.datetime | None
