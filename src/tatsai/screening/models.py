"""Pydantic schemas of the screening API (screening keeps no tables)."""

from __future__ import annotations

from pydantic import BaseModel, Field

MAX_TEXTS = 10_000


class ScreenCreate(BaseModel):
    """A batch of messages to screen (at most 10,000; more is refused with 413)."""

    texts: list[str] = Field(..., description="Messages, Thai or English, one per item.")


class UrlRiskRead(BaseModel):
    url: str
    host: str
    score: float
    verdict: str
    reasons: list[str]


class ScreenRead(BaseModel):
    verdict: str = Field(..., description="scam | spam | ham | unknown")
    score: float = Field(..., ge=0.0, le=1.0, description="Scam score in [0, 1].")
    category: str | None = None
    reasons: list[str]
    probabilities: dict[str, float]
    urls: list[UrlRiskRead]


class ScreenBatchRead(BaseModel):
    results: list[ScreenRead]
