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
from tatsai.screening.service import LookupFn, screen_texts

router = APIRouter(prefix="/v1", tags=["screening"])


def _lookup_of(request: Request) -> LookupFn | None:
    """The app's registry lookup as ``lookup_fn(type, value)``, or None when there is none.

    ``app.state.indicator_lookup`` is either such a callable or an index object offering
    ``lookup_fn`` (loaded on first use when the app runs without its lifespan).
    """
    index = getattr(request.app.state, "indicator_lookup", None)
    if index is None:
        return None
    if getattr(index, "loaded", True) is False and callable(getattr(index, "sync", None)):
        index.sync()
    method = getattr(index, "lookup_fn", None)
    if callable(method):
        found: LookupFn = method
        return found
    return index if callable(index) else None


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
    results = screen_texts(body.texts, lookup_fn=_lookup_of(request))
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
