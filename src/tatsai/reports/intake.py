"""The fast accept path of ``POST /v1/reports``: group commit.

Each request is validated on its own, then handed to the process's :class:`GroupCommitWriter`,
which writes every report that arrived in the last couple of milliseconds with one multi-row
INSERT and one commit, and only then answers each request. Acknowledgement still means
"committed": a report is never acknowledged before it is durable, but a thousand reports cost
a handful of commits instead of a thousand. A report with an idempotency key that is already
stored gets the stored report back (``ON CONFLICT (idempotency_key) DO NOTHING``, then a read).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from tatsai.core.db import session_factory, utcnow
from tatsai.core.errors import InvalidInput
from tatsai.reports import links, service
from tatsai.reports.models import Report, ReportAccepted, ReportCreate, ReporterContact


@dataclass
class PendingReport:
    """A validated report ready to insert, and the reporter's contact to keep, if any."""

    values: dict[str, Any]
    contact: dict[str, Any] | None


def prepare(report_in: ReportCreate, intake: service.Intake) -> PendingReport:
    """Validate and build the row (no database); raises 422 naming the field."""
    cleaned = service.validate(report_in)
    contact = None
    reporter = intake.reporter
    if report_in.contact:
        try:
            msisdn = links.clean_msisdn(report_in.contact)
        except InvalidInput as exc:
            raise InvalidInput(exc.detail, field="contact") from exc
        reporter = service.reporter_pseudonym(msisdn)
        contact = {
            "pseudonym": reporter,
            "msisdn": msisdn,
            "lang": report_in.lang,
            "updated_at": utcnow(),
        }
    values = service.report_row(report_in, intake, cleaned=cleaned, reporter=reporter)
    return PendingReport(values=values, contact=contact)


def write_batch(engine: Engine, batch: list[PendingReport]) -> list[ReportAccepted]:
    """Insert ``batch`` in one transaction; the accepted report of each (an earlier one for an
    idempotency key already stored)."""
    dialect = postgresql if engine.dialect.name == "postgresql" else sqlite
    with session_factory(engine)() as db_session, db_session.begin():
        _write(db_session, dialect, batch)
        keys = [p.values["idempotency_key"] for p in batch if p.values["idempotency_key"]]
        stored: dict[str, tuple[str, str]] = {}
        if keys:
            rows = db_session.execute(
                select(Report.idempotency_key, Report.id, Report.tracking_code).where(
                    Report.idempotency_key.in_(keys)
                )
            ).all()
            stored = {str(k): (i, c) for k, i, c in rows}
    out = []
    for p in batch:
        key = p.values["idempotency_key"]
        report_id, code = stored[key] if key else (p.values["id"], p.values["tracking_code"])
        out.append(ReportAccepted(report_id=report_id, tracking_code=code))
    return out


def _write(db_session: Session, dialect: Any, batch: list[PendingReport]) -> None:
    contacts: dict[str, dict[str, Any]] = {}
    for p in batch:
        if p.contact is not None:
            contacts[p.contact["pseudonym"]] = p.contact
    if contacts:
        stmt = dialect.insert(ReporterContact)
        db_session.execute(
            stmt.on_conflict_do_update(
                index_elements=["pseudonym"],
                set_={
                    "msisdn": stmt.excluded.msisdn,
                    "lang": stmt.excluded.lang,
                    "updated_at": stmt.excluded.updated_at,
                },
            ),
            list(contacts.values()),
        )
    # Within one batch, the first report of a key wins; the rest read it back like retries.
    seen: set[str] = set()
    rows = []
    for p in batch:
        key = p.values["idempotency_key"]
        if key is not None:
            if key in seen:
                continue
            seen.add(key)
        rows.append(p.values)
    db_session.execute(
        dialect.insert(Report).on_conflict_do_nothing(index_elements=["idempotency_key"]), rows
    )


class GroupCommitWriter:
    """Collects reports for up to ``max_wait_s`` (or ``max_batch``) and writes them together.

    One batch is written at a time (a thread of the default executor), so on SQLite a process
    never contends with itself for the write lock; reports arriving meanwhile form the next
    batch, written as soon as the current one commits.
    """

    def __init__(self, engine: Engine, *, max_batch: int = 500, max_wait_s: float = 0.002) -> None:
        self.engine = engine
        self.max_batch = max_batch
        self.max_wait_s = max_wait_s
        self.loop = asyncio.get_running_loop()
        self._pending: list[tuple[PendingReport, asyncio.Future[ReportAccepted]]] = []
        self._timer: asyncio.TimerHandle | None = None
        self._writing = False
        self._tasks: set[asyncio.Task[None]] = set()

    async def submit(self, pending: PendingReport) -> ReportAccepted:
        future: asyncio.Future[ReportAccepted] = self.loop.create_future()
        self._pending.append((pending, future))
        if self._writing:
            pass  # joins the batch written when the current write ends
        elif len(self._pending) >= self.max_batch:
            self._flush()
        elif self._timer is None:
            self._timer = self.loop.call_later(self.max_wait_s, self._flush)
        return await future

    def _flush(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if self._writing or not self._pending:
            return
        batch = self._pending[: self.max_batch]
        self._pending = self._pending[self.max_batch :]
        self._writing = True
        task = self.loop.create_task(self._write(batch))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _write(
        self, batch: list[tuple[PendingReport, asyncio.Future[ReportAccepted]]]
    ) -> None:
        try:
            results = await self.loop.run_in_executor(
                None, write_batch, self.engine, [p for p, _ in batch]
            )
        except Exception as exc:  # the whole batch failed: every request learns it
            for _, future in batch:
                if not future.done():
                    future.set_exception(exc)
        else:
            for (_, future), result in zip(batch, results, strict=True):
                if not future.done():
                    future.set_result(result)
        finally:
            self._writing = False
            if self._pending:
                self._flush()  # what arrived during the write goes at once, as one batch
