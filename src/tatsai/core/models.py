"""Tables owned by core: the hash-chained audit log and its head."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel
from sqlalchemy import BigInteger, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from tatsai.core.db import Base, UTCDateTime

GENESIS_HASH = "0" * 64


class AuditEntry(Base):
    """One audited write. Append-only: ``entry_hash`` covers every field and ``prev_hash``."""

    __tablename__ = "audit_log"

    seq: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    ts: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False)
    actor: Mapped[str] = mapped_column(String(200), nullable=False)
    action: Mapped[str] = mapped_column(String(100), nullable=False, index=True)
    entity_type: Mapped[str] = mapped_column(String(100), nullable=False)
    entity_id: Mapped[str] = mapped_column(String(300), nullable=False)
    detail: Mapped[str] = mapped_column(Text, nullable=False)  # canonical JSON, hashed as stored
    prev_hash: Mapped[str] = mapped_column(String(64), nullable=False)
    entry_hash: Mapped[str] = mapped_column(String(64), nullable=False)


class AuditHead(Base):
    """Single row holding the last sequence number and hash; locked to serialize appends."""

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger, nullable=False)
    entry_hash: Mapped[str] = mapped_column(String(64), nullable=False)


class AuditRead(BaseModel):
    seq: int
    ts: dt.datetime
    actor: str
    action: str
    entity_type: str
    entity_id: str
    detail: str
    entry_hash: str


class AuditProblem(BaseModel):
    """The first place the chain is broken: ``kind`` is modified, inserted or deleted."""

    seq: int
    kind: str
    explanation: str
