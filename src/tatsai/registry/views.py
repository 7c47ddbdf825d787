"""The registry's HTTP API: lookups (from the in-memory index), partner writes, the feed, and
what an analyst needs (records with evidence filtered by access, transitions, appeals)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Annotated, Any

from fastapi import APIRouter, BackgroundTasks, FastAPI, Path, Query, Request
from fastapi.responses import Response

from tatsai.core.errors import InvalidInput, PayloadTooLarge, TatsaiError
from tatsai.core.web import DbSession
from tatsai.orgs.models import Role
from tatsai.orgs.policy import require_role
from tatsai.orgs.views import CurrentPrincipal
from tatsai.registry import appeals, service
from tatsai.registry.changes import changes_since
from tatsai.registry.index import LookupIndex
from tatsai.registry.lifecycle import PEOPLE
from tatsai.registry.models import (
    AppealCreate,
    AppealDecision,
    AppealRead,
    AppealStatus,
    Channel,
    EvidenceCreate,
    IndicatorRead,
    IndicatorSubmit,
    LookupResult,
    TransitionCreate,
)

BATCH_LIMIT = 10_000
FEED_LIMIT = 5_000
# Ids and feed cursors are BIGINT (SQLite: 64-bit INTEGER); a larger number is a client's
# mistake (422 naming it), not a driver overflow (500).
MAX_ID = 2**63 - 1
RowId = Annotated[int, Path(le=MAX_ID)]

router = APIRouter(prefix="/v1", tags=["registry"])


def install(app: FastAPI, *, poll_interval: float = 0.2) -> LookupIndex:
    """Give ``app`` a lookup index (``app.state.indicator_lookup``) that loads on startup and
    follows the change sequence until shutdown; other routers may use it too."""
    index = LookupIndex(app.state.engine, poll_interval=poll_interval)
    app.state.indicator_lookup = index
    previous: Callable[[Any], AbstractAsyncContextManager[Any]] = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(application: Any) -> AsyncIterator[Any]:
        index.start()
        try:
            async with previous(application) as state:
                yield state
        finally:
            index.stop()

    app.router.lifespan_context = lifespan
    return index


def _index(request: Request) -> LookupIndex:
    index: LookupIndex = request.app.state.indicator_lookup
    if not index.loaded:
        index.sync()  # an app used without its lifespan (a bare test client) loads on first use
    return index


def _sync_after(request: Request, background: BackgroundTasks) -> None:
    """This worker sees its own writes at once: catch up after the response (and its commit);
    other workers catch up within their poll interval."""
    index: LookupIndex = request.app.state.indicator_lookup
    background.add_task(index.sync)


def _json(body: Any, status: int = 200) -> Response:
    return Response(
        json.dumps(body, ensure_ascii=False, separators=(",", ":"), default=_default),
        status_code=status,
        media_type="application/json",
    )


def _default(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.isoformat()
    return str(value)


@router.get(
    "/lookup",
    summary="Verdict for one value (normalized by its type)",
    response_model=LookupResult,
    response_model_exclude_none=True,
)
async def lookup(
    request: Request,
    principal: CurrentPrincipal,
    type: Annotated[str, Query(description="Indicator type, e.g. phone, url, bank_account")],
    value: Annotated[str, Query(min_length=1, max_length=2048)],
) -> Response:
    # Built as a dict straight from the index: this is the hot path of every switch. Async: the
    # lookup is a few dict probes, cheaper than the hop to the thread pool a sync route pays.
    return _json(_index(request).lookup_dict(type, value, public=principal.is_public))


@router.post(
    "/lookup/batch",
    summary=f"Verdicts for up to {BATCH_LIMIT:,} values, in order",
    response_description='{"results": [...]} in the order of the items; a bad item carries '
    '"error" and the verdict unknown',
)
async def lookup_batch(request: Request, principal: CurrentPrincipal) -> Response:
    try:
        body = json.loads(await request.body())
    except ValueError as exc:
        raise InvalidInput(f"the body is not JSON: {exc}", field="body") from exc
    items = body.get("items") if isinstance(body, dict) else None
    if not isinstance(items, list):
        raise InvalidInput('expected {"items": [{"type": …, "value": …}, …]}', field="items")
    if len(items) > BATCH_LIMIT:
        raise PayloadTooLarge(
            f"{len(items)} items; a batch holds at most {BATCH_LIMIT}", field="items"
        )
    index = _index(request)
    public = principal.is_public
    results: list[dict[str, Any]] = []
    for position, item in enumerate(items):
        if not isinstance(item, dict) or not isinstance(item.get("type"), str):
            raise InvalidInput("each item needs a type and a value", field=f"items.{position}")
        type_name, value = item["type"], item.get("value")
        if not isinstance(value, str) or not value:
            raise InvalidInput("each item needs a type and a value", field=f"items.{position}")
        try:
            results.append(index.lookup_dict(type_name, value, public=public))
        except TatsaiError as exc:
            results.append(
                {"type": type_name, "value": value, "verdict": "unknown", "error": exc.detail}
            )
    return _json({"results": results})


@router.post("/indicators", status_code=201, summary="A partner's finding (source = your org)")
def submit(
    submission: IndicatorSubmit,
    principal: CurrentPrincipal,
    db_session: DbSession,
    request: Request,
    background: BackgroundTasks,
) -> IndicatorRead:
    require_role(principal, Role.ADMIN, Role.ANALYST, Role.GATEWAY)
    _sync_after(request, background)
    evidence = submission.evidence
    created = service.add_evidence(
        db_session=db_session,
        evidence_in=EvidenceCreate(
            type=submission.type,
            value=submission.value,
            categories=submission.categories,
            channel=Channel.PARTNER_API,
            reference=evidence.reference,
            confidence=evidence.confidence,
            model_score=evidence.model_score,
            note=evidence.note,
            tlp=submission.tlp,
            observed_at=evidence.observed_at,
        ),
        source_org_id=principal.org_id,
        actor=principal.actor,
    )
    return service.get(db_session=db_session, record_id=created.id, principal=principal)


@router.get("/indicators", summary="A record with the evidence you may see (by type and value)")
def show(
    principal: CurrentPrincipal,
    db_session: DbSession,
    type: Annotated[str, Query()],
    value: Annotated[str, Query(min_length=1, max_length=2048)],
) -> IndicatorRead:
    require_role(principal, *PEOPLE, Role.READER)
    return service.show(db_session=db_session, type=type, value=value, principal=principal)


@router.get("/indicators/{record_id}", summary="A record with the evidence you may see")
def get(record_id: RowId, principal: CurrentPrincipal, db_session: DbSession) -> IndicatorRead:
    require_role(principal, *PEOPLE, Role.READER)
    return service.get(db_session=db_session, record_id=record_id, principal=principal)


@router.post("/indicators/{record_id}/transitions", summary="Move a record in its lifecycle")
def transition(
    record_id: RowId,
    transition_in: TransitionCreate,
    principal: CurrentPrincipal,
    db_session: DbSession,
    request: Request,
    background: BackgroundTasks,
) -> IndicatorRead:
    require_role(principal, *PEOPLE)
    _sync_after(request, background)
    return service.transition(
        db_session=db_session,
        record_id=record_id,
        transition_in=transition_in,
        principal=principal,
    )


@router.get("/feed", summary="Changes after a cursor, in order (incremental feed)")
def feed(
    principal: CurrentPrincipal,
    db_session: DbSession,
    since: Annotated[
        int, Query(ge=0, le=MAX_ID, description="The cursor of the last page; 0 from start")
    ] = 0,
    limit: Annotated[int, Query(ge=1, le=FEED_LIMIT)] = 1000,
) -> Response:
    require_role(principal, *PEOPLE, Role.READER, Role.GATEWAY)
    changes = changes_since(db_session=db_session, cursor=since, limit=limit)
    items = [
        {
            "seq": c.seq,
            "type": c.type,
            "value": c.value,
            "verdict": c.verdict,
            "state": c.state,
            "score": round(c.score, 1),
            "categories": json.loads(c.categories),
            "first_seen": c.first_seen,
            "last_seen": c.last_seen,
            "changed_at": c.changed_at,
        }
        for c in changes
    ]
    cursor = changes[-1].seq if changes else since
    return _json({"items": items, "cursor": cursor, "more": len(changes) == limit})


@router.post("/appeals", status_code=201, summary="The holder of a listed value appeals")
def file_appeal(
    appeal_in: AppealCreate, principal: CurrentPrincipal, db_session: DbSession
) -> AppealRead:
    return appeals.file(db_session=db_session, appeal_in=appeal_in, principal=principal)


@router.get("/appeals", summary="Appeals you may review")
def list_appeals(
    principal: CurrentPrincipal,
    db_session: DbSession,
    status: AppealStatus | None = AppealStatus.OPEN,
) -> list[AppealRead]:
    return appeals.list_appeals(db_session=db_session, principal=principal, status=status)


@router.post("/appeals/{appeal_id}/decision", summary="Uphold (clear the value) or reject")
def decide_appeal(
    appeal_id: RowId,
    decision: AppealDecision,
    principal: CurrentPrincipal,
    db_session: DbSession,
    request: Request,
    background: BackgroundTasks,
) -> AppealRead:
    _sync_after(request, background)
    return appeals.decide(
        db_session=db_session, appeal_id=appeal_id, decision=decision, principal=principal
    )
