"""What every router shares: the request's database session and problem+json responses."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Request
from fastapi.responses import JSONResponse
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from tatsai.core.db import session_scope
from tatsai.core.errors import TatsaiError

PROBLEM_JSON = "application/problem+json"


def request_engine(request: Request) -> Engine:
    engine: Engine = request.app.state.engine
    return engine


def _db_session(request: Request) -> Iterator[Session]:
    """One transaction per request, committed before the response is sent."""
    with session_scope(request_engine(request)) as session:
        yield session


DbSession = Annotated[Session, Depends(_db_session, scope="function")]


def problem_response(
    status: int,
    title: str,
    detail: str,
    *,
    errors: list[dict[str, Any]] | None = None,
    instance: str | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    body: dict[str, Any] = {
        "type": "about:blank"
        if errors is None and status >= 500
        else f"https://tatsai.dev/problems/{title.lower().replace(' ', '-')}",
        "title": title,
        "status": status,
        "detail": detail,
    }
    if errors:
        body["errors"] = errors
    if instance:
        body["instance"] = instance
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def error_response(exc: TatsaiError, instance: str | None = None) -> JSONResponse:
    headers = {"WWW-Authenticate": "Bearer"} if exc.status == 401 else None
    return JSONResponse(
        exc.problem(instance), status_code=exc.status, media_type=PROBLEM_JSON, headers=headers
    )


def freeze_heap_after_startup(app: FastAPI) -> None:
    """After the app's startup (the lookup index loaded), move every object alive then out of
    the cyclic garbage collector's reach (:func:`gc.freeze`).

    A server process holds a large, long-lived heap (frameworks, models, an index of millions of
    indicators) and allocates fast under load, so the collector's full passes, which walk the
    whole heap, stalled requests for ~100 ms each (the p99 of report intake at 1,200 reports/s
    fell from 113 ms to 8 ms with this; docs/benchmarks.md). For server processes only: frozen
    objects that later become cyclic garbage are never collected.
    """
    previous: Callable[[Any], AbstractAsyncContextManager[Any]] = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(application: Any) -> AsyncIterator[Any]:
        async with previous(application) as state:
            gc.collect()
            gc.freeze()
            yield state

    app.router.lifespan_context = lifespan
