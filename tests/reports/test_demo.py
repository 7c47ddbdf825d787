"""The demo stage runs on a fresh store and every channel gets reports through."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console
from sqlalchemy import Engine, func, select

from tatsai.core.db import session_factory
from tatsai.demo import DemoContext
from tatsai.reports import demo
from tatsai.reports.models import Report


def test_demo_stage_pushes_reports_through_every_channel(
    clean_engine: Engine, tmp_path: Path
) -> None:
    console = Console(record=True, width=140)
    demo.run(DemoContext(console=console, data_dir=tmp_path, engine=clean_engine), scale=0.15)
    with session_factory(clean_engine)() as db_session:
        by_channel = dict(
            db_session.execute(select(Report.channel, func.count()).group_by(Report.channel)).all()
        )
        waiting = db_session.execute(
            select(func.count()).select_from(Report).where(Report.status == "received")
        ).scalar_one()
    assert set(by_channel) == {"api", "sms-1185", "ussd", "web", "bulk"}
    assert all(count >= 10 for count in by_channel.values())
    assert waiting == 0
    assert "reports through every channel" in console.export_text()
