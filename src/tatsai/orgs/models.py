"""Organizations, their API keys, and the marking every shareable record carries."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, declared_attr, mapped_column, relationship

from tatsai.core.db import Base, UTCDateTime, utcnow


class OrgKind(StrEnum):
    TELCO = "telco"
    BANK = "bank"
    POLICE = "police"
    REGULATOR = "regulator"
    PLATFORM = "platform"
    PUBLIC = "public"


class Role(StrEnum):
    ADMIN = "admin"  # manages the org's keys; sees and writes all the org may
    ANALYST = "analyst"  # sees and writes all the org may
    GATEWAY = "gateway"  # a machine: an SMS/USSD gateway or a switch; intake and lookups
    READER = "reader"  # read-only person


class TLP(StrEnum):
    """Traffic Light Protocol 2.0 markings, from least to most restricted."""

    CLEAR = "CLEAR"
    GREEN = "GREEN"
    AMBER = "AMBER"
    AMBER_STRICT = "AMBER+STRICT"
    RED = "RED"

    @property
    def rank(self) -> int:
        return list(TLP).index(self)


class Org(Base):
    __tablename__ = "orgs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True, nullable=False)
    kind: Mapped[str] = mapped_column(String(20), nullable=False)
    # A bank's 3-digit Thai interbank code: it confirms accounts at that bank, no other.
    bank_code: Mapped[str | None] = mapped_column(String(3))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)

    keys: Mapped[list[ApiKey]] = relationship(back_populates="org")


class ApiKey(Base):
    """An API key: only its SHA-256 is stored; the prefix finds the row without the secret."""

    __tablename__ = "api_keys"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("orgs.id"), nullable=False, index=True)
    role: Mapped[str] = mapped_column(String(20), nullable=False)
    prefix: Mapped[str] = mapped_column(String(32), unique=True, nullable=False)
    key_hash: Mapped[str] = mapped_column(String(64), nullable=False)
    label: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    org: Mapped[Org] = relationship(back_populates="keys")


class Shareable:
    """Mixin for every record partners may share: an owning org and a TLP marking."""

    @declared_attr
    def owner_org_id(cls) -> Mapped[int | None]:  # noqa: N805 - declared_attr takes the class
        # None only for records the platform itself owns (seeded reference data).
        return mapped_column(ForeignKey("orgs.id"), nullable=True, index=True)

    @declared_attr
    def tlp(cls) -> Mapped[str]:  # noqa: N805
        return mapped_column(String(16), nullable=False, default=TLP.AMBER.value)


class OrgCreate(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    kind: OrgKind
    bank_code: str | None = Field(
        default=None, description="a bank's 3-digit Thai interbank code, e.g. 004 (KBank)"
    )


class OrgRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    kind: OrgKind
    bank_code: str | None = None
    created_at: dt.datetime


class ApiKeyCreate(BaseModel):
    org_name: str
    role: Role
    label: str | None = None


class ApiKeyRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    org_id: int
    role: Role
    prefix: str
    label: str | None
    created_at: dt.datetime
    revoked_at: dt.datetime | None


class IssuedKey(BaseModel):
    """A newly created key: ``secret`` is the only time the full key is ever shown."""

    key: ApiKeyRead
    secret: str
