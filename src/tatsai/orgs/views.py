"""Authentication dependency and the organization endpoints."""

from __future__ import annotations

import time
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from starlette.concurrency import run_in_threadpool

from tatsai.core.db import session_factory
from tatsai.core.errors import Unauthorized
from tatsai.core.web import DbSession, request_engine
from tatsai.orgs import service
from tatsai.orgs.models import OrgRead
from tatsai.orgs.policy import Principal

PRINCIPAL_TTL_S = 5.0


async def _principal(request: Request) -> Principal:
    """The caller: an org key from ``Authorization: Bearer <key>``, or the public.

    Async so that the common cases (the public, a cached key) run on the event loop with no
    hop to the thread pool; only a cache miss reads the database, in the thread pool."""
    header = request.headers.get("authorization")
    if not header:
        return Principal.public()
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("use Authorization: Bearer <key>", field="Authorization")
    token = token.strip()
    # A few seconds of caching keeps lookups off the database; revocation takes effect
    # within PRINCIPAL_TTL_S.
    cache: dict[str, tuple[float, Principal]] = request.app.state.principal_cache
    now = time.monotonic()
    hit = cache.get(token)
    if hit is not None and hit[0] > now:
        return hit[1]
    principal = await run_in_threadpool(_authenticate, request, token)
    if len(cache) > 10_000:
        cache.clear()
    cache[token] = (now + PRINCIPAL_TTL_S, principal)
    return principal


def _authenticate(request: Request, token: str) -> Principal:
    with session_factory(request_engine(request))() as db_session:
        return service.authenticate(db_session=db_session, secret=token)


CurrentPrincipal = Annotated[Principal, Depends(_principal)]

router = APIRouter(prefix="/v1", tags=["orgs"])


@router.get("/me", summary="Who the presented key belongs to")
def whoami(principal: CurrentPrincipal, db_session: DbSession) -> OrgRead | dict[str, str]:
    if principal.is_public or principal.org_id is None:
        return {"principal": "public"}
    return service.get(db_session=db_session, org_id=principal.org_id)
