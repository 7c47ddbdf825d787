"""The FastAPI app factory: wires each context's router and maps errors to problem+json."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import ValidationError
from sqlalchemy import Engine
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

import tatsai
from tatsai.core.db import get_engine
from tatsai.core.errors import PayloadTooLarge, TatsaiError
from tatsai.core.settings import get_settings
from tatsai.core.web import error_response, freeze_heap_after_startup, problem_response
from tatsai.orgs import views as orgs_views
from tatsai.registry import views as registry_views
from tatsai.reports import views as reports_views
from tatsai.reports import web as reports_web
from tatsai.screening import views as screening_views


class BodyLimit:
    """Refuses request bodies over ``max_bytes`` with 413 before the route reads them."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        declared = headers.get(b"content-length")
        too_large = PayloadTooLarge(f"request body exceeds {self.max_bytes} bytes", field="body")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await error_response(too_large)(scope, receive, send)
            return
        seen = 0

        async def limited_receive() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:
                    raise too_large
            return message

        try:
            await self.app(scope, limited_receive, send)
        except PayloadTooLarge as exc:
            await error_response(exc)(scope, receive, send)


def _field_name(loc: tuple[Any, ...] | list[Any], kind: str = "") -> str:
    if kind == "json_invalid":
        return "body"  # its location is a character offset into the body, not a field
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header", "form")]
    return ".".join(parts) or str(loc[0] if loc else "body")


def create_app(engine: Engine | None = None, *, max_body_bytes: int | None = None) -> FastAPI:
    """The tatsai API. ``engine`` defaults to the configured database."""
    settings = get_settings()
    app = FastAPI(
        title="tatsai",
        version=tatsai.__version__,
        description="Cut the line: scam reports, screening, the shared indicator registry.",
    )
    app.state.engine = engine or get_engine()
    app.state.principal_cache = {}

    @app.exception_handler(TatsaiError)
    async def _tatsai_error(request: Request, exc: TatsaiError) -> JSONResponse:
        return error_response(exc, instance=request.url.path)

    def _invalid(request: Request, errors: list[dict[str, str]]) -> JSONResponse:
        names = ", ".join(e["field"] for e in errors)
        return problem_response(
            422,
            "Invalid input",
            f"invalid request: {names}",
            errors=errors,
            instance=request.url.path,
        )

    @app.exception_handler(RequestValidationError)
    async def _validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
        return _invalid(
            request,
            [
                {"field": _field_name(e["loc"], e.get("type", "")), "reason": e["msg"]}
                for e in exc.errors()
            ],
        )

    @app.exception_handler(ValidationError)
    async def _model_error(request: Request, exc: ValidationError) -> JSONResponse:
        # A model built inside a route from checked input (e.g. evidence from a submission)
        # has rules of its own; breaking one is the caller's input, as in the CLI, not a 500.
        return _invalid(
            request, [{"field": _field_name(e["loc"]), "reason": e["msg"]} for e in exc.errors()]
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        return problem_response(
            exc.status_code,
            str(exc.detail) if exc.status_code != 404 else "Not found",
            str(exc.detail),
            instance=request.url.path,
        )

    @app.get("/healthz", tags=["ops"], summary="Liveness and database reachability")
    def healthz() -> dict[str, str]:
        with app.state.engine.connect() as conn:
            conn.exec_driver_sql("SELECT 1")
        return {"status": "ok", "version": tatsai.__version__}

    app.include_router(orgs_views.router)
    app.include_router(registry_views.router)
    registry_views.install(app)  # app.state.indicator_lookup: the in-memory lookup index
    app.include_router(reports_views.router)
    app.include_router(reports_web.router)
    app.include_router(screening_views.router)
    app.add_middleware(BodyLimit, max_bytes=max_body_bytes or settings.max_body_bytes)
    return app


def create_server_app() -> FastAPI:
    """The app as ``tatsai serve`` runs it: :func:`create_app`, its heap frozen after startup."""
    app = create_app()
    freeze_heap_after_startup(app)
    return app
