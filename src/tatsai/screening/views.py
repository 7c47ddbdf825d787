"""``POST /v1/screen``: screen up to 10,000 messages per request."""

from __future__ import annotations

from fastapi import APIRouter, Request

from tatsai.core.errors import PayloadTooLarge
from tatsai.orgs.views import CurrentPrincipal
from tatsai.screening.models import (
    MAX_TEXTS,
    ScreenBatchRead,
    ScreenCreate,
    ScreenRead,
    UrlRiskRead,
)
from tatsai.screening.service import screen_texts

router = APIRouter(prefix="/v1", tags=["screening"])


@router.post("/screen", summary="Screen messages for scams (≤ 10,000 per request)")
def screen(body: ScreenCreate, request: Request, principal: CurrentPrincipal) -> ScreenBatchRead:
    """Verdict, scam score, category and reasons for each text, in order.

    Registry hits count when the app has an ``indicator_lookup`` (set by the app factory).
    """
    del principal  # public callers may screen; the key only identifies who asked
    if len(body.texts) > MAX_TEXTS:
        raise PayloadTooLarge(
            f"{len(body.texts)} texts; at most {MAX_TEXTS} per request", field="texts"
        )
    lookup = getattr(request.app.state, "indicator_lookup", None)
    results = screen_texts(body.texts, lookup_fn=lookup)
    return ScreenBatchRead(
        results=[
            ScreenRead(
                verdict=r.verdict,
                score=r.score,
                category=r.category,
                reasons=r.reasons,
                probabilities=r.probabilities,
                urls=[
                    UrlRiskRead(
                        url=u.url, host=u.host, score=u.score, verdict=u.verdict, reasons=u.reasons
                    )
                    for u in r.urls
                ],
            )
            for r in results
        ]
    )
