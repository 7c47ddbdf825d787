"""The worker: claims reports from the queue and processes each exactly once.

A batch is one transaction. On PostgreSQL rows are claimed with ``FOR UPDATE SKIP LOCKED`` so
several workers share the queue; on SQLite the batch first writes the queue's lease row, which
takes the database's single write lock, so one batch runs at a time. A report's status, its
indicator rows and the registry's evidence are committed together: a worker killed at any
point leaves the report unprocessed (it is claimed again) or fully processed, never half.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import os
import re
import socket
import threading
import unicodedata
from typing import Any, cast

from sqlalchemy import Engine, or_, select, update
from sqlalchemy.engine import CursorResult
from sqlalchemy.orm import Session

from tatsai.core.db import session_scope, utcnow
from tatsai.reports import links, service
from tatsai.reports.config import get_reports_settings
from tatsai.reports.models import (
    Campaign,
    QueueLease,
    Report,
    ReportIndicator,
    ReportStatus,
)

log = logging.getLogger(__name__)
_QUEUE = "reports"
_NOISE = re.compile(r"[\W_]+", re.UNICODE)


def fingerprint(text: str | None, indicators: list[tuple[str, str]]) -> str:
    """Equal for near-identical reports: same indicators and the same text up to case,
    spacing, punctuation and Unicode compatibility forms."""
    norm = unicodedata.normalize("NFKC", text or "").casefold()
    norm = _NOISE.sub("", norm)
    material = norm + "\x1f" + "\x1f".join(f"{t}:{v}" for t, v in sorted(indicators))
    return hashlib.sha256(material.encode("utf-8")).hexdigest()


def _holder() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}"


def claim_batch(*, db_session: Session, limit: int) -> list[Report]:
    """Due reports, oldest first, locked for this transaction."""
    now = utcnow()
    if db_session.get_bind().dialect.name == "sqlite":
        # The first statement writes, so this transaction holds SQLite's write lock from here.
        result = db_session.execute(
            update(QueueLease)
            .where(QueueLease.name == _QUEUE)
            .values(holder=_holder(), taken_at=now)
        )
        taken = cast(CursorResult[Any], result).rowcount
        if not taken:
            db_session.add(QueueLease(name=_QUEUE, holder=_holder(), taken_at=now))
            db_session.flush()
    stmt = (
        select(Report)
        .where(
            Report.status.in_((ReportStatus.RECEIVED.value, ReportStatus.PROCESSING.value)),
            Report.available_at <= now,
        )
        .order_by(Report.available_at)
        .limit(limit)
    )
    if db_session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update(skip_locked=True)
    return list(db_session.execute(stmt).scalars())


def process(*, db_session: Session, report: Report) -> None:
    """Extract, screen, dedupe, cluster and attach one report; marks it processed."""
    indicators: list[tuple[str, str]] = [
        (i["type"], i["value"]) for i in json.loads(report.claimed_indicators or "[]")
    ]
    if report.text:
        for found in links.extract(report.text):
            if found not in indicators:
                indicators.append(found)
    report.model_score = links.screen(report.text)
    report.fingerprint = fingerprint(report.text, indicators)
    now = utcnow()
    report.processed_at = now
    report.status = ReportStatus.PROCESSED.value

    duplicate = _earlier_duplicate(db_session=db_session, report=report)
    if duplicate is not None:
        # Counted once: the reporter's earlier report already carries this evidence.
        report.duplicate_of = duplicate
        return
    if report.reporter:
        service.touch_reporter(db_session=db_session, reporter=report.reporter)
    if not indicators:
        return
    report.campaign_id = _assign_campaign(
        db_session=db_session, report=report, indicators=indicators
    )
    weight = service.reputation(db_session=db_session, reporter=report.reporter)
    allowed = 0
    for type_, value in indicators:
        verdict = links.lookup_verdict(db_session=db_session, type_=type_, value=value)
        row = ReportIndicator(
            report_id=report.id, type=type_, value=value, registry_verdict=verdict
        )
        if verdict == "allow":
            # An allow-listed indicator (a bank's real call centre) gets no evidence from a
            # citizen report; the report counts against the reporter's reputation below.
            allowed += 1
            row.attached = False
        else:
            row.attached = links.attach_evidence(
                db_session=db_session,
                report_id=report.id,
                channel=report.channel,
                kind=report.kind,
                type_=type_,
                value=value,
                reporter=report.reporter,
                reporter_weight=weight,
                model_score=report.model_score,
                source_org_id=report.source_org_id,
                observed_at=report.occurred_at or report.received_at,
            )
        db_session.add(row)
    if allowed == len(indicators):
        report.status = ReportStatus.REJECTED.value
        report.last_error = "allow-listed indicator"
        if report.reporter:
            service.touch_reporter(db_session=db_session, reporter=report.reporter, rejected=1)
    db_session.flush()


def _earlier_duplicate(*, db_session: Session, report: Report) -> str | None:
    if not report.reporter:
        return None
    window = dt.timedelta(hours=get_reports_settings().duplicate_window_h)
    return db_session.execute(
        select(Report.id)
        .where(
            Report.reporter == report.reporter,
            Report.fingerprint == report.fingerprint,
            Report.id != report.id,
            Report.received_at >= report.received_at - window,
            Report.status.in_((ReportStatus.PROCESSED.value, ReportStatus.REJECTED.value)),
            Report.duplicate_of.is_(None),
        )
        .limit(1)
    ).scalar_one_or_none()


def _assign_campaign(
    *, db_session: Session, report: Report, indicators: list[tuple[str, str]]
) -> int:
    """The campaign of the reports sharing an indicator with this one (merging campaigns that
    this report links), or a new campaign."""
    clauses = [(ReportIndicator.type == t) & (ReportIndicator.value == v) for t, v in indicators]
    found = set(
        db_session.execute(
            select(Report.campaign_id)
            .join(ReportIndicator, ReportIndicator.report_id == Report.id)
            .where(or_(*clauses), Report.campaign_id.is_not(None))
            .distinct()
        ).scalars()
    )
    when = report.occurred_at or report.received_at
    if not found:
        campaign = Campaign(first_seen=when, last_seen=when, report_count=1)
        db_session.add(campaign)
        db_session.flush()
        return campaign.id
    target_id = min(c for c in found if c is not None)
    target = db_session.get(Campaign, target_id)
    assert target is not None
    for other_id in sorted(c for c in found if c is not None and c != target_id):
        other = db_session.get(Campaign, other_id)
        if other is None:
            continue
        db_session.execute(
            update(Report).where(Report.campaign_id == other_id).values(campaign_id=target_id)
        )
        target.report_count += other.report_count
        target.first_seen = min(target.first_seen, other.first_seen)
        target.last_seen = max(target.last_seen, other.last_seen)
        other.merged_into = target_id
        other.report_count = 0
    target.report_count += 1
    target.first_seen = min(target.first_seen, when)
    target.last_seen = max(target.last_seen, when)
    return target_id


def run_batch(engine: Engine, *, limit: int | None = None) -> int:
    """Claim and process one batch in one transaction; the number of reports processed."""
    limit = limit or get_reports_settings().batch_size
    failed: list[tuple[str, str]] = []
    with session_scope(engine) as db_session:
        batch = claim_batch(db_session=db_session, limit=limit)
        for report in batch:
            try:
                with db_session.begin_nested():
                    process(db_session=db_session, report=report)
            except Exception as exc:  # one bad report must not block the queue
                log.exception("report %s failed", report.id)
                failed.append((report.id, f"{type(exc).__name__}: {exc}"))
        for report_id, error in failed:
            _retry_later(db_session=db_session, report_id=report_id, error=error)
        return len(batch) - len(failed)


def _retry_later(*, db_session: Session, report_id: str, error: str) -> None:
    report = db_session.get(Report, report_id)
    if report is None:
        return
    db_session.refresh(report)
    report.attempts += 1
    report.last_error = error[:2000]
    report.status = ReportStatus.PROCESSING.value
    backoff = min(3600, 2 ** min(report.attempts, 12))
    report.available_at = utcnow() + dt.timedelta(seconds=backoff)


def drain(engine: Engine, *, limit: int | None = None) -> int:
    """Process until the queue holds nothing due; the number processed."""
    total = 0
    while True:
        done = run_batch(engine, limit=limit)
        total += done
        if done == 0:
            return total


def run_worker(
    engine: Engine,
    stop: threading.Event,
    *,
    idle_s: float = 0.2,
    limit: int | None = None,
) -> int:
    """Process the queue until ``stop`` is set; sleeps ``idle_s`` when nothing is due."""
    total = 0
    while not stop.is_set():
        try:
            done = run_batch(engine, limit=limit)
        except Exception:  # the database may be briefly unavailable; keep the worker alive
            log.exception("worker batch failed; retrying")
            done = 0
            stop.wait(1.0)
        total += done
        if done == 0:
            stop.wait(idle_s)
    return total


def start_background_worker(engine: Engine) -> tuple[threading.Thread, threading.Event]:
    """A daemon thread running :func:`run_worker` (``tatsai serve`` on the embedded store)."""
    stop = threading.Event()
    thread = threading.Thread(
        target=run_worker, args=(engine, stop), name="tatsai-reports-worker", daemon=True
    )
    thread.start()
    return thread, stop
