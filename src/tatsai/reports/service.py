"""Intake, status, review, reputation and retention of reports. The caller commits.

Intake stores first and acknowledges: :func:`accept` validates everything before it writes,
then writes the report with one INSERT (the queue entry itself); the worker does the rest.
"""

from __future__ import annotations

import datetime as dt
import json
import secrets
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.engine import CursorResult
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from tatsai.core import audit
from tatsai.core.db import utcnow
from tatsai.core.errors import InvalidInput, NotFound, TooManyRequests
from tatsai.core.pseudonym import pseudonym
from tatsai.core.settings import get_settings
from tatsai.reports import links
from tatsai.reports.config import get_reports_settings
from tatsai.reports.models import (
    OutboundSms,
    Report,
    ReportAccepted,
    ReportCreate,
    Reporter,
    ReporterContact,
    ReportIndicator,
    ReportKind,
    ReportRead,
    ReportStatus,
    ReportStatusRead,
    ReviewOutcome,
    UssdSession,
)

# Crockford's base32 without I, L, O, U: easy to read out over the phone.
_CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

# Reputation prior: a new reporter counts as 1 confirmed in 5 (weight 0.2).
PRIOR_CONFIRMED = 1.0
PRIOR_TOTAL = 5.0


def new_report_id() -> str:
    return "rep_" + secrets.token_hex(12)


def new_tracking_code() -> str:
    """10 characters (50 random bits), shown as ``XXXXX-XXXXX``."""
    bits = int.from_bytes(secrets.token_bytes(7), "big")  # one system call for 50 bits
    raw = "".join(_CODE_ALPHABET[(bits >> (5 * i)) & 31] for i in range(10))
    return f"{raw[:5]}-{raw[5:]}"


def normalize_tracking_code(code: str) -> str:
    cleaned = code.strip().upper().replace("-", "").replace(" ", "")
    cleaned = cleaned.replace("O", "0").replace("I", "1").replace("L", "1")
    return f"{cleaned[:5]}-{cleaned[5:]}" if len(cleaned) == 10 else cleaned


def reporter_pseudonym(msisdn: str) -> str:
    """The keyed pseudonym of a reporter's number (E.164), the only form stored with reports."""
    return pseudonym(msisdn, purpose="reporter")


def thai_or_english(text: str | None) -> str:
    """``th`` when ``text`` contains Thai script, else ``en``."""
    if text and any("\u0e00" <= ch <= "\u0e7f" for ch in text):
        return "th"
    return "en"


@dataclass(frozen=True)
class Intake:
    """Who filed a report and how; ``reporter_msisdn`` is E.164 and never stored in clear here."""

    channel: str
    reporter_msisdn: str | None = None
    source_org_id: int | None = None
    reporter: str | None = None  # a pseudonym given by a partner (bulk), used as-is
    status: ReportStatus = ReportStatus.RECEIVED
    hold_s: float = 0.0


def validate(report_in: ReportCreate) -> list[dict[str, str]]:
    """The claimed indicators, cleaned; raises 422 naming the field before anything is stored."""
    if not report_in.indicators and not report_in.text:
        raise InvalidInput("give at least one indicator or the text of the message", field="text")
    cleaned: list[dict[str, str]] = []
    for i, claimed in enumerate(report_in.indicators):
        try:
            value = links.clean_indicator(claimed.type, claimed.value)
        except InvalidInput as exc:
            raise InvalidInput(exc.detail, field=f"indicators.{i}.{exc.field or 'value'}") from exc
        item = {"type": claimed.type, "value": value}
        if item not in cleaned:
            cleaned.append(item)
    return cleaned


def check_reporter_rate(*, db_session: Session, reporter: str) -> None:
    limit = get_reports_settings().per_reporter_per_hour
    if not limit:
        return
    since = utcnow() - dt.timedelta(hours=1)
    count = db_session.execute(
        select(func.count())
        .select_from(Report)
        .where(Report.reporter == reporter, Report.received_at >= since)
    ).scalar_one()
    if count >= limit:
        raise TooManyRequests(
            f"this number has filed {count} reports in the last hour; thank you, "
            "we will look at them first",
            field="reporter",
        )


def remember_contact(*, db_session: Session, msisdn: str, lang: str) -> str:
    """Keep the clear number of a reporter we must reply to; returns its pseudonym."""
    psn = reporter_pseudonym(msisdn)
    contact = db_session.get(ReporterContact, psn)
    if contact is None:
        db_session.add(
            ReporterContact(pseudonym=psn, msisdn=msisdn, lang=lang, updated_at=utcnow())
        )
    else:
        contact.msisdn, contact.lang, contact.updated_at = msisdn, lang, utcnow()
    return psn


def report_row(
    report_in: ReportCreate, intake: Intake, *, cleaned: list[dict[str, str]], reporter: str | None
) -> dict[str, Any]:
    """The ``reports`` row of a validated report: new id and tracking code, queued per intake."""
    now = utcnow()
    return {
        "id": new_report_id(),
        "tracking_code": new_tracking_code(),
        "idempotency_key": report_in.idempotency_key,
        "channel": intake.channel,
        "kind": report_in.kind.value,
        "text": report_in.text,
        "claimed_indicators": json.dumps(cleaned, ensure_ascii=False),
        "occurred_at": report_in.occurred_at,
        "received_at": now,
        "available_at": now + dt.timedelta(seconds=intake.hold_s),
        "amount_lost_thb": report_in.amount_lost_thb,
        "reporter": reporter,
        "lang": report_in.lang,
        "source_org_id": intake.source_org_id,
        "status": intake.status.value,
        "attempts": 0,
    }


def accept(*, db_session: Session, report_in: ReportCreate, intake: Intake) -> ReportAccepted:
    """Store a report durably and return its id and tracking code (the 202 acknowledgement).

    The same ``idempotency_key`` returns the first report, whatever else differs. Validation
    happens before the write, so nothing is stored half-way.
    """
    cleaned = validate(report_in)
    key = report_in.idempotency_key
    if key is not None:
        existing = _by_idempotency_key(db_session, key)
        if existing is not None:
            return existing
    reporter = intake.reporter
    if intake.reporter_msisdn is not None:
        reporter = reporter_pseudonym(links.clean_msisdn(intake.reporter_msisdn))
    elif report_in.contact:
        try:
            msisdn = links.clean_msisdn(report_in.contact)
        except InvalidInput as exc:
            raise InvalidInput(exc.detail, field="contact") from exc
        reporter = remember_contact(db_session=db_session, msisdn=msisdn, lang=report_in.lang)
    if reporter is not None and intake.source_org_id is None:
        check_reporter_rate(db_session=db_session, reporter=reporter)
    values = report_row(report_in, intake, cleaned=cleaned, reporter=reporter)
    if key is None:
        db_session.execute(insert(Report), [values])
    else:
        # A concurrent request with the same key may win the race: the loser returns the winner.
        try:
            with db_session.begin_nested():
                db_session.execute(insert(Report), [values])
        except IntegrityError:
            existing = _by_idempotency_key(db_session, key)
            if existing is None:
                raise
            return existing
    return ReportAccepted(report_id=values["id"], tracking_code=values["tracking_code"])


def _by_idempotency_key(db_session: Session, key: str) -> ReportAccepted | None:
    row = db_session.execute(
        select(Report.id, Report.tracking_code).where(Report.idempotency_key == key)
    ).first()
    return ReportAccepted(report_id=row[0], tracking_code=row[1]) if row else None


def get(*, db_session: Session, report_id: str) -> Report:
    report = db_session.get(Report, report_id)
    if report is None:
        raise NotFound(f"no report {report_id}", field="report_id")
    return report


def status_by_tracking_code(*, db_session: Session, tracking_code: str) -> ReportStatusRead:
    code = normalize_tracking_code(tracking_code)
    report = db_session.execute(
        select(Report).where(Report.tracking_code == code)
    ).scalar_one_or_none()
    if report is None:
        raise NotFound("no report with this tracking code", field="tracking_code")
    return ReportStatusRead(
        tracking_code=report.tracking_code,
        status=ReportStatus(report.status),
        kind=ReportKind(report.kind),
        channel=report.channel,
        received_at=report.received_at,
        processed_at=report.processed_at,
    )


def read(*, db_session: Session, report_id: str) -> ReportRead:
    """A report as a partner sees it: the reporter as a pseudonym, never a number."""
    report = get(db_session=db_session, report_id=report_id)
    indicators = db_session.execute(
        select(ReportIndicator.type, ReportIndicator.value, ReportIndicator.attached).where(
            ReportIndicator.report_id == report_id
        )
    ).all()
    out = ReportRead.model_validate(report)
    out.indicators = [{"type": t, "value": v, "attached": a} for t, v, a in indicators]
    return out


def reputation(*, db_session: Session, reporter: str | None) -> float:
    """Reporter weight in [0.05, 0.95]: (confirmed + 1) / (reviewed + 5); new reporters 0.2.

    Anonymous reports (no number) weigh as a new reporter's.
    """
    row = db_session.get(Reporter, reporter) if reporter else None
    return weight(row.confirmed, row.rejected) if row else weight(0, 0)


def weight(confirmed: int, rejected: int) -> float:
    """Reporter weight from reviewed reports, with a prior of 1 confirmed in 5."""
    value = (confirmed + PRIOR_CONFIRMED) / (confirmed + rejected + PRIOR_TOTAL)
    return max(0.05, min(0.95, value))


def touch_reporter(
    *, db_session: Session, reporter: str, confirmed: int = 0, rejected: int = 0
) -> None:
    row = db_session.get(Reporter, reporter)
    if row is None:
        row = Reporter(pseudonym=reporter, first_seen=utcnow(), reports=0, confirmed=0, rejected=0)
        db_session.add(row)
    row.reports += 1 if not (confirmed or rejected) else 0
    row.confirmed += confirmed
    row.rejected += rejected


def review(
    *, db_session: Session, report_id: str, outcome: ReviewOutcome, actor: str
) -> ReportRead:
    """An analyst's verdict on a report: confirmed raises the reporter's reputation, rejected
    lowers it (and marks the report rejected). Reviewing twice with the same outcome is a no-op.
    """
    report = get(db_session=db_session, report_id=report_id)
    new_status = ReportStatus.REJECTED if outcome is ReviewOutcome.REJECTED else None
    already = (report.status == ReportStatus.REJECTED.value) == (new_status is not None) and (
        report.last_error == f"review:{outcome.value}"
    )
    if not already:
        if report.reporter:
            touch_reporter(
                db_session=db_session,
                reporter=report.reporter,
                confirmed=int(outcome is ReviewOutcome.CONFIRMED),
                rejected=int(outcome is ReviewOutcome.REJECTED),
            )
        if new_status is not None:
            report.status = new_status.value
        report.last_error = f"review:{outcome.value}"
        audit.record(
            db_session=db_session,
            actor=actor,
            action=f"report.{outcome.value}",
            entity_type="report",
            entity_id=report_id,
            detail={"reporter": report.reporter},
        )
    db_session.flush()
    return read(db_session=db_session, report_id=report_id)


def queue_sms(*, db_session: Session, to_msisdn: str, text: str, report_id: str | None) -> None:
    """Put an SMS in the outbox (the default sender); a delivery process sends it."""
    db_session.add(
        OutboundSms(to_msisdn=to_msisdn, text=text, report_id=report_id, created_at=utcnow())
    )


@dataclass(frozen=True)
class Purged:
    contacts: int
    outbox: int
    ussd_sessions: int
    texts: int


def purge(*, db_session: Session, now: dt.datetime | None = None) -> Purged:
    """Delete personal data older than ``retention_days``: clear numbers, sent messages,
    USSD sessions, and the free text of old reports (their indicators and pseudonyms stay)."""
    now = now or utcnow()

    def run(stmt: Any) -> int:
        return cast(CursorResult[Any], db_session.execute(stmt)).rowcount

    cutoff = now - dt.timedelta(days=get_settings().retention_days)
    contacts = run(delete(ReporterContact).where(ReporterContact.updated_at < cutoff))
    outbox = run(delete(OutboundSms).where(OutboundSms.created_at < cutoff))
    sessions = run(delete(UssdSession).where(UssdSession.expires_at < now))
    texts = run(
        update(Report)
        .where(Report.received_at < cutoff, Report.text.is_not(None))
        .values(text=None)
    )
    audit.record(
        db_session=db_session,
        actor="system",
        action="reports.purge",
        entity_type="retention",
        entity_id=cutoff.date().isoformat(),
        detail={"contacts": contacts, "outbox": outbox, "texts": texts},
    )
    return Purged(contacts=contacts, outbox=outbox, ussd_sessions=sessions, texts=texts)
