"""Report center endpoints: citizens' API, the SMS and USSD gateways, partner review."""

from __future__ import annotations

import asyncio
from typing import Annotated

from fastapi import APIRouter, FastAPI, Form, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import PlainTextResponse
from sqlalchemy import Engine

from tatsai.core.db import session_factory
from tatsai.core.web import DbSession, request_engine
from tatsai.orgs.models import Role
from tatsai.orgs.policy import require_role
from tatsai.orgs.views import CurrentPrincipal
from tatsai.reports import intake, service, sms, ussd
from tatsai.reports.config import get_reports_settings
from tatsai.reports.limits import client_ip, ip_limiter
from tatsai.reports.models import (
    Channel,
    ReportAccepted,
    ReportCreate,
    ReportRead,
    ReportStatusRead,
    ReviewOutcome,
)
from tatsai.reports.sms import SmsForward, SmsReply

router = APIRouter(prefix="/v1", tags=["reports"])


@router.post(
    "/reports",
    status_code=202,
    summary="Report a scam call, SMS, link or account (no key needed)",
)
async def create_report(report_in: ReportCreate, request: Request) -> ReportAccepted:
    """Stored at once and processed in the background; follow it with the tracking code.

    Acknowledged only once committed (group commit: see :mod:`tatsai.reports.intake`).
    """
    await ip_limiter(request.app).check(client_ip(request))
    pending = intake.prepare(report_in, service.Intake(channel=Channel.API))
    engine = request_engine(request)
    reporter = pending.values["reporter"]
    if reporter is not None and get_reports_settings().per_reporter_per_hour:
        await run_in_threadpool(_check_rate, engine, reporter)
    return await _writer(request.app, engine).submit(pending)


def _check_rate(engine: Engine, reporter: str) -> None:
    with session_factory(engine)() as db_session:
        service.check_reporter_rate(db_session=db_session, reporter=reporter)


def _writer(app: FastAPI, engine: Engine) -> intake.GroupCommitWriter:
    """The app's group-commit writer on the running event loop (one per loop)."""
    writer: intake.GroupCommitWriter | None = getattr(app.state, "report_writer", None)
    if writer is None or writer.loop is not asyncio.get_running_loop():
        writer = intake.GroupCommitWriter(engine)
        app.state.report_writer = writer
    return writer


@router.get("/reports/{tracking_code}", summary="The status of my report")
def report_status(tracking_code: str, db_session: DbSession) -> ReportStatusRead:
    return service.status_by_tracking_code(db_session=db_session, tracking_code=tracking_code)


@router.get("/reports/by-id/{report_id}", summary="A report as a partner sees it")
def read_report(report_id: str, principal: CurrentPrincipal, db_session: DbSession) -> ReportRead:
    require_role(principal, Role.ADMIN, Role.ANALYST, Role.READER)
    return service.read(db_session=db_session, report_id=report_id)


@router.post("/reports/by-id/{report_id}/review", summary="Confirm or reject a report")
def review_report(
    report_id: str, outcome: ReviewOutcome, principal: CurrentPrincipal, db_session: DbSession
) -> ReportRead:
    require_role(principal, Role.ADMIN, Role.ANALYST)
    return service.review(
        db_session=db_session, report_id=report_id, outcome=outcome, actor=principal.actor
    )


@router.post("/channels/sms", summary="SMS forwarded to 1185, from the SMS gateway")
def sms_forward(
    message: SmsForward, principal: CurrentPrincipal, db_session: DbSession
) -> SmsReply:
    require_role(principal, Role.GATEWAY)
    return sms.receive(db_session=db_session, message=message, source_org_id=principal.org_id)


@router.post(
    "/channels/ussd",
    summary="USSD *1185# from the USSD gateway (CON/END text protocol)",
    response_class=PlainTextResponse,
)
def ussd_callback(
    principal: CurrentPrincipal,
    db_session: DbSession,
    session_id: Annotated[str, Form(alias="sessionId", min_length=1, max_length=100)],
    phone_number: Annotated[str, Form(alias="phoneNumber", min_length=3, max_length=40)],
    service_code: Annotated[str, Form(alias="serviceCode", max_length=40)] = "*1185#",
    text: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    require_role(principal, Role.GATEWAY)
    body = ussd.respond(
        db_session=db_session,
        session_id=session_id,
        phone_number=phone_number,
        text=text,
        service_code=service_code,
    )
    return PlainTextResponse(body)
