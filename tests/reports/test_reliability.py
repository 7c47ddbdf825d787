"""Kill the server and the worker with SIGKILL during a burst: no report lost or counted twice.

Real ``tatsai serve`` and ``tatsai worker`` processes on a loopback port; client threads send
reports, each with its own idempotency key, and retry a failed request with the same key (as a
phone app would). A report is acknowledged when a 202 came back. Six kills, one a second of
service, per backend.
"""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from tatsai.core.db import session_factory
from tatsai.reports import pipeline
from tatsai.reports.models import Campaign, Report, Reporter, ReportIndicator

KILLS = 6  # server and worker alternately
KILL_EVERY_S = 1.0
CLIENTS = 4


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class Cluster:
    """One ``tatsai serve`` and one ``tatsai worker``, restartable, killed with SIGKILL."""

    def __init__(self, url: str, data_dir: Path, port: int) -> None:
        self.port = port
        self.logs = data_dir / "logs"
        self.logs.mkdir(parents=True, exist_ok=True)
        self.spawned = 0
        self.env = {
            **os.environ,
            "TATSAI_DATABASE_URL": url,
            "TATSAI_DATA_DIR": str(data_dir),
            "TATSAI_SECRET_KEY": "test-secret-key",
            "TATSAI_REPORTS_PER_IP_PER_MINUTE": "0",
        }
        self.server: subprocess.Popen[bytes] | None = None
        self.worker: subprocess.Popen[bytes] | None = None

    def _spawn(self, *args: str) -> subprocess.Popen[bytes]:
        self.spawned += 1
        with (self.logs / f"{self.spawned:03d}-{args[0]}.log").open("wb") as log:
            return subprocess.Popen(
                [sys.executable, "-m", "tatsai", *args],
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )

    def start_server(self) -> None:
        self.server = self._spawn(
            "serve", "--host", "127.0.0.1", "--port", str(self.port), "--no-worker"
        )

    def start_worker(self) -> None:
        self.worker = self._spawn("worker", "--batch", "50")

    def kill(self, which: str) -> None:
        proc = getattr(self, which)
        if proc is not None and proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            proc.wait()

    def wait_ready(self, timeout: float = 90.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/healthz", timeout=1):
                    return
            except OSError:
                if self.server is not None and self.server.poll() is not None:
                    break  # it died: say why below
                time.sleep(0.1)
        logs = sorted(self.logs.glob("*-serve.log"))
        tail = logs[-1].read_text(errors="replace")[-2000:] if logs else ""
        raise TimeoutError(f"server did not start:\n{tail}")


@contextmanager
def cluster(url: str, data_dir: Path) -> Iterator[Cluster]:
    c = Cluster(url, data_dir, _free_port())
    try:
        yield c
    finally:
        c.kill("server")
        c.kill("worker")


def _client(port: int, stop: threading.Event, client: int, acked: dict[str, str]) -> None:
    """Send reports until ``stop``; retry each with its key until a 202 comes back."""
    n = 0
    while not stop.is_set():
        n += 1
        key = f"c{client}-{n:07d}"
        body = json.dumps(
            {
                "kind": "call",
                "indicators": [{"type": "phone", "value": f"+669{client}{n:07d}"}],
                "contact": f"+668{client}{n:07d}",  # one new reporter per report
                "idempotency_key": key,
            }
        ).encode()
        while True:
            request = urllib.request.Request(
                f"http://127.0.0.1:{port}/v1/reports",
                data=body,
                headers={"content-type": "application/json"},
                method="POST",
            )
            try:
                with urllib.request.urlopen(request, timeout=3) as response:  # noqa: S310
                    if response.status == 202:
                        acked[key] = json.loads(response.read())["report_id"]
                        break
            except (OSError, http.client.HTTPException):
                # Refused, reset, or cut mid-response by a kill (IncompleteRead): not
                # acknowledged, so it is retried with the same key.
                pass
            if stop.is_set() and key not in acked:
                return  # never acknowledged: the test does not count it
            time.sleep(0.05)


@pytest.mark.slow
def test_sigkill_server_and_worker_during_a_burst(clean_engine: Engine, tmp_path: Path) -> None:
    url = clean_engine.url.render_as_string(hide_password=False)
    acked: dict[str, str] = {}
    with cluster(url, tmp_path / "data") as c:
        c.start_server()
        c.start_worker()
        c.wait_ready()
        stop = threading.Event()
        threads = [
            threading.Thread(target=_client, args=(c.port, stop, i, acked)) for i in range(CLIENTS)
        ]
        for t in threads:
            t.start()
        kills = 0
        while kills < KILLS:
            time.sleep(KILL_EVERY_S)
            which = "server" if kills % 2 == 0 else "worker"
            c.kill(which)
            kills += 1
            if which == "server":
                c.start_server()
                c.wait_ready()  # each life serves ≥ KILL_EVERY_S, however slow the start
            else:
                c.start_worker()
        time.sleep(0.5)
        stop.set()
        for t in threads:
            t.join(timeout=15)
        c.kill("worker")
    print(f"acknowledged {len(acked)} reports through {kills} kills")
    assert len(acked) > 20, "the burst acknowledged too few reports to mean anything"
    pipeline.drain(clean_engine)  # whatever the last worker left

    with session_factory(clean_engine)() as db_session:
        _assert_exactly_once(db_session, acked)


def _assert_exactly_once(db_session: Session, acked: dict[str, str]) -> None:
    rows = dict(db_session.execute(select(Report.idempotency_key, Report.id)).all())
    for key, report_id in acked.items():
        assert rows.get(key) == report_id, f"acknowledged report {key} missing or changed"
    assert len(set(rows.values())) == len(rows)  # present exactly once
    statuses = db_session.execute(select(Report.status, func.count()).group_by(Report.status)).all()
    assert dict(statuses) == {"processed": len(rows)}
    # Processed exactly once: each report's indicator, reporter count and campaign count are 1.
    indicator_rows = db_session.execute(
        select(func.count()).select_from(ReportIndicator)
    ).scalar_one()
    assert indicator_rows == len(rows)
    assert db_session.execute(select(func.max(Reporter.reports))).scalar_one() == 1
    assert db_session.execute(select(func.sum(Reporter.reports))).scalar_one() == len(rows)
    assert db_session.execute(select(func.sum(Campaign.report_count))).scalar_one() == len(rows)
