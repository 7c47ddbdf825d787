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
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import Engine, select, tuple_, update
from sqlalchemy.engine import CursorResult
from sqlalchemy.orm import Session

from tatsai.core.db import session_scope, utcnow
from tatsai.orgs.models import TLP
from tatsai.registry import service as registry
from tatsai.registry.models import Channel as EvidenceChannel
from tatsai.registry.models import EvidenceCreate
from tatsai.reports import links, service
from tatsai.reports.config import get_reports_settings
from tatsai.reports.models import (
    Campaign,
    QueueLease,
    Report,
    Reporter,
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


@dataclass
class _Work:
    """One report of a batch and what the worker found in it."""

    report: Report
    indicators: list[tuple[str, str]]
    duplicate: bool = False


def process(*, db_session: Session, report: Report) -> None:
    """Process one report (see :func:`process_batch`)."""
    process_batch(db_session=db_session, reports=[report])


def process_batch(*, db_session: Session, reports: list[Report]) -> None:
    """Extract, screen, dedupe, cluster and attach the reports; marks each processed.

    Batch-level work (duplicates, campaigns, reporters) takes one query each for the whole
    batch, so the cost per report is its own writes and the registry's.
    """
    now = utcnow()
    work: list[_Work] = []
    for report in reports:
        indicators: list[tuple[str, str]] = [
            (i["type"], i["value"]) for i in json.loads(report.claimed_indicators or "[]")
        ]
        if report.text:
            for found in links.extract(report.text):
                if found not in indicators:
                    indicators.append(found)
        report.fingerprint = fingerprint(report.text, indicators)
        report.processed_at = now
        report.status = ReportStatus.PROCESSED.value
        work.append(_Work(report, indicators))
    for w, score in zip(work, links.screen_many([w.report.text for w in work]), strict=True):
        w.report.model_score = score
    with db_session.no_autoflush:
        _mark_duplicates(db_session=db_session, work=work)
        live = [w for w in work if not w.duplicate]
        reporters = _reporters(db_session=db_session, work=live)
        _assign_campaigns(db_session=db_session, work=[w for w in live if w.indicators])
    verdicts: dict[tuple[str, str], str] = {}  # the registry's, before this batch
    rows: list[ReportIndicator] = []  # in report order, added once attached
    pending: list[tuple[ReportIndicator, EvidenceCreate, int | None, str]] = []
    for w in live:
        reporter = reporters.get(w.report.reporter or "")
        if reporter is not None:
            reporter.reports += 1
        if w.indicators:
            pending += _rows(
                db_session=db_session, w=w, reporter=reporter, verdicts=verdicts, rows=rows
            )
    # All the batch's evidence goes to the registry in one call (one audit entry, one rescore
    # and one change per record), in the same transaction as the rows and statuses above.
    results = registry.add_evidence_batch(
        db_session=db_session,
        items=[(evidence_in, org_id) for _, evidence_in, org_id, _ in pending],
        actor="reports:worker",
        actors=[actor for *_, actor in pending],
        skip_invalid=True,  # a type the registry does not hold: the report keeps it, unattached
    )
    for (row, *_), after in zip(pending, results, strict=True):
        row.attached = after is not None
        if after is not None:
            row.registry_verdict = after.verdict.value
    db_session.add_all(rows)


def _rows(
    *,
    db_session: Session,
    w: _Work,
    reporter: Reporter | None,
    verdicts: dict[tuple[str, str], str],
    rows: list[ReportIndicator],
) -> list[tuple[ReportIndicator, EvidenceCreate, int | None, str]]:
    """The report's indicator rows; those to attach come with their evidence.

    Whether the registry allows a value does not change with evidence (citizen evidence never
    actions an allow-listed record), so the verdict before the batch decides for every report.
    """
    report = w.report
    weight = (
        service.weight(reporter.confirmed, reporter.rejected) if reporter else service.weight(0, 0)
    )
    allowed = 0
    pending: list[tuple[ReportIndicator, EvidenceCreate, int | None, str]] = []
    for type_, value in w.indicators:
        verdict = verdicts.get((type_, value))
        if verdict is None:
            verdict = verdicts[(type_, value)] = links.lookup_verdict(
                db_session=db_session, type_=type_, value=value
            )
        row = ReportIndicator(
            report_id=report.id,
            type=type_,
            value=value,
            registry_verdict=verdict,
            campaign_id=report.campaign_id,
            attached=False,
        )
        rows.append(row)
        if verdict == "allow":
            # An allow-listed indicator (a bank's real call centre) gets no evidence from a
            # citizen report; the report counts against the reporter's reputation below.
            allowed += 1
            continue
        evidence_in = EvidenceCreate(
            type=type_,
            value=value,
            categories=[links._category(report.kind)],
            channel=EvidenceChannel(links.EVIDENCE_CHANNELS.get(report.channel, "import:csv")),
            reference=report.id,
            reporter=report.reporter,
            reporter_weight=weight,
            model_score=report.model_score,
            confidence=None,
            note=None,
            tlp=TLP.AMBER,  # carries a reporter pseudonym: partners only
            observed_at=report.occurred_at or report.received_at,
        )
        pending.append((row, evidence_in, report.source_org_id, f"reports:{report.channel}"))
    if allowed == len(w.indicators):
        report.status = ReportStatus.REJECTED.value
        report.last_error = "allow-listed indicator"
        if reporter is not None:
            reporter.rejected += 1
    return pending


def _mark_duplicates(*, db_session: Session, work: list[_Work]) -> None:
    """Near-identical reports by one reporter within the window count once: the first."""
    keyed = [w for w in work if w.report.reporter]
    if not keyed:
        return
    window = dt.timedelta(hours=get_reports_settings().duplicate_window_h)
    earliest = min(w.report.received_at for w in keyed) - window
    fingerprints = {w.report.fingerprint for w in keyed}
    rows = db_session.execute(
        select(Report.reporter, Report.fingerprint, Report.id, Report.received_at).where(
            Report.reporter.in_({w.report.reporter for w in keyed}),
            Report.fingerprint.in_(fingerprints),
            Report.received_at >= earliest,
            Report.status.in_((ReportStatus.PROCESSED.value, ReportStatus.REJECTED.value)),
            Report.duplicate_of.is_(None),
            Report.id.not_in([w.report.id for w in keyed]),
        )
    ).all()
    seen: dict[tuple[str, str], tuple[str, dt.datetime]] = {}
    for reporter, fp, report_id, received_at in rows:
        seen.setdefault((reporter or "", fp or ""), (report_id, received_at))
    for w in sorted(keyed, key=lambda w: w.report.received_at):
        key = (w.report.reporter or "", w.report.fingerprint or "")
        earlier = seen.get(key)
        if earlier is not None and earlier[1] >= w.report.received_at - window:
            w.duplicate = True
            w.report.duplicate_of = earlier[0]
        else:
            seen[key] = (w.report.id, w.report.received_at)


def _reporters(*, db_session: Session, work: list[_Work]) -> dict[str, Reporter]:
    wanted = {w.report.reporter for w in work if w.report.reporter}
    if not wanted:
        return {}
    found = {
        r.pseudonym: r
        for r in db_session.execute(
            select(Reporter).where(Reporter.pseudonym.in_(wanted))
        ).scalars()
    }
    for psn in wanted - set(found):
        found[psn] = Reporter(
            pseudonym=psn, first_seen=utcnow(), reports=0, confirmed=0, rejected=0
        )
        db_session.add(found[psn])
    return found


def _assign_campaigns(*, db_session: Session, work: list[_Work]) -> None:
    """Reports sharing an indicator (with each other or with earlier reports) get one
    campaign; campaigns this batch links are merged into the oldest."""
    if not work:
        return
    keys = {i for w in work for i in w.indicators}
    known: dict[tuple[str, str], set[int]] = {}
    for type_, value, campaign_id in db_session.execute(
        select(ReportIndicator.type, ReportIndicator.value, ReportIndicator.campaign_id)
        .where(
            tuple_(ReportIndicator.type, ReportIndicator.value).in_(list(keys)),
            ReportIndicator.campaign_id.is_not(None),
        )
        .distinct()
    ).all():
        if campaign_id is not None:
            known.setdefault((type_, value), set()).add(campaign_id)
    all_known = {c for ids in known.values() for c in ids}
    if all_known:  # load them in one query; the gets below then hit the identity map
        db_session.execute(select(Campaign).where(Campaign.id.in_(all_known))).scalars().all()
    # Union-find over the batch's reports, joined through shared indicators.
    parent = list(range(len(work)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    first_with: dict[tuple[str, str], int] = {}
    for i, w in enumerate(work):
        for key in w.indicators:
            if key in first_with:
                parent[root(i)] = root(first_with[key])
            else:
                first_with[key] = i
    groups: dict[int, list[_Work]] = {}
    for i, w in enumerate(work):
        groups.setdefault(root(i), []).append(w)
    new_campaigns: list[tuple[Campaign, list[_Work]]] = []
    for members in groups.values():
        existing = sorted({c for w in members for key in w.indicators for c in known.get(key, ())})
        times = [w.report.occurred_at or w.report.received_at for w in members]
        if not existing:
            campaign = Campaign(first_seen=min(times), last_seen=max(times), report_count=0)
            db_session.add(campaign)
            new_campaigns.append((campaign, members))
            continue
        target = db_session.get(Campaign, existing[0])
        assert target is not None
        for other_id in existing[1:]:
            other = db_session.get(Campaign, other_id)
            if other is None:
                continue
            for table in (Report, ReportIndicator):
                db_session.execute(
                    update(table).where(table.campaign_id == other_id).values(campaign_id=target.id)
                )
            target.report_count += other.report_count
            times += [other.first_seen, other.last_seen]
            other.merged_into, other.report_count = target.id, 0
        target.report_count += len(members)
        target.first_seen = min([target.first_seen, *times])
        target.last_seen = max([target.last_seen, *times])
        for w in members:
            w.report.campaign_id = target.id
    if new_campaigns:
        db_session.flush()  # the new campaigns' ids, in one flush for the batch
        for campaign, members in new_campaigns:
            campaign.report_count = len(members)
            for w in members:
                w.report.campaign_id = campaign.id


def run_batch(engine: Engine, *, limit: int | None = None) -> int:
    """Claim and process one batch in one transaction; the number of reports processed.

    When a report fails, the batch is rolled back and redone one report per transaction, so
    the failing one is put back for later and cannot hold up the others.
    """
    limit = limit or get_reports_settings().batch_size
    try:
        with session_scope(engine) as db_session:
            batch = claim_batch(db_session=db_session, limit=limit)
            process_batch(db_session=db_session, reports=batch)
            return len(batch)
    except Exception:
        log.warning("a report in the batch failed; processing it one report at a time")
    return _one_by_one(engine, limit)


def _one_by_one(engine: Engine, limit: int) -> int:
    done = 0
    for _ in range(limit):
        report_id: str | None = None
        try:
            with session_scope(engine) as db_session:
                batch = claim_batch(db_session=db_session, limit=1)
                if not batch:
                    return done
                report_id = batch[0].id
                process(db_session=db_session, report=batch[0])
            done += 1
        except Exception as exc:  # one bad report must not block the queue
            log.exception("report %s failed", report_id)
            if report_id is None:
                raise
            with session_scope(engine) as db_session:
                _retry_later(
                    db_session=db_session, report_id=report_id, error=f"{type(exc).__name__}: {exc}"
                )
    return done


def _retry_later(*, db_session: Session, report_id: str, error: str) -> None:
    report = db_session.get(Report, report_id)
    if report is None:
        return
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
