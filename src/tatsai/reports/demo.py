"""Demo stage: a few hundred reports through every channel, the worker, and what happened.

Channels are driven in-process through the real HTTP app (API, SMS forward, USSD, web form
with its CSRF token) and the bulk importer; a coordinated flood against a bank's real call
centre shows the rate limit and the allow-list at work. The simulator's ``reports`` table
joins the bulk input when an earlier stage left a world in ``ctx.shared["world"]``.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fastapi.testclient import TestClient
from rich.table import Table
from sqlalchemy import func, select

from tatsai.api import create_app
from tatsai.core.db import session_scope, utcnow
from tatsai.orgs import service as orgs_service
from tatsai.orgs.models import OrgKind, Role
from tatsai.registry import allowlist
from tatsai.reports import bulk, config, lastcalls, links, pipeline
from tatsai.reports.models import Campaign, OutboundSms, Report, ReportIndicator

if TYPE_CHECKING:
    from tatsai.demo import DemoContext

SCAM_TEXTS = [
    "พัสดุของคุณตกค้าง ชำระค่าธรรมเนียม 25 บาท ที่ {url}",
    "บัญชีของท่านถูกระงับ กรุณายืนยันตัวตนที่ {url}",
    "คุณได้รับสิทธิ์กู้เงินด่วน ไม่เช็คบูโร แอดไลน์ {url}",
    "Your parcel is on hold. Pay the fee at {url}",
    "การไฟฟ้าคืนเงินค่าประกันมิเตอร์ กดรับที่ {url}",
]
BANK_CALL_CENTRE = "02-888-8888"


def _campaigns(rng: random.Random) -> list[dict[str, str]]:
    """Made-up scam campaigns: a calling number, a sender ID and a link each."""
    out = []
    for i in range(8):
        out.append(
            {
                "phone": f"+669{rng.randrange(10**7, 10**8):08d}",
                "sender": f"TH-Pay{i}",
                "url": f"https://parcel-fee-{i}.top/p?id={rng.randrange(1000)}",
                "text": SCAM_TEXTS[i % len(SCAM_TEXTS)],
            }
        )
    return out


def _reporter(rng: random.Random) -> str:
    return f"+668{rng.randrange(10**7, 10**8):08d}"


def _world_rows(world: Any, limit: int = 150) -> list[dict[str, Any]]:
    """The first rows of the simulated world's canonical ``reports`` table, if it has one."""
    from tatsai.sim.io import read_table, table_path
    from tatsai.sim.schemas import REPORTS

    path = table_path(Path(world), "reports") if isinstance(world, str | Path) else None
    if path is None:
        return []
    rows: list[dict[str, Any]] = read_table(path, REPORTS).slice(0, limit).to_pylist()
    for row in rows:
        for key, value in list(row.items()):
            if isinstance(value, dt.datetime):
                row[key] = value.isoformat()
    return rows


def run(ctx: DemoContext, *, scale: float = 1.0) -> None:
    """Push ~550 reports (times ``scale``) through every channel, run the worker, show it."""
    rng = random.Random(ctx.seed)  # noqa: S311 - made-up demo data, not secrets
    campaigns = _campaigns(rng)
    # Many citizens share the demo's one client address: lift the per-IP limit for the stage.
    config.use_settings(config.ReportsSettings(per_ip_per_minute=0))
    try:
        _run(ctx, rng, campaigns, scale)
    finally:
        config.reset()
        lastcalls.set_provider(None)


def _run(
    ctx: DemoContext, rng: random.Random, campaigns: list[dict[str, str]], scale: float
) -> None:
    def n(count: int) -> int:
        return max(10, int(count * scale))

    with session_scope(ctx.engine) as db_session:
        telco = orgs_service.get_or_create(
            db_session=db_session, name="Demo Telco", kind=OrgKind.TELCO
        )
        gateway = orgs_service.create_key(
            db_session=db_session, org_name=telco.name, role=Role.GATEWAY, label="SMS/USSD gw"
        ).secret
        bank = orgs_service.get_or_create(
            db_session=db_session, name="Demo Bank", kind=OrgKind.BANK, bank_code="004"
        )
        allowlist.seed(db_session=db_session)  # official numbers, e.g. banks' call centres
    headers = {"Authorization": f"Bearer {gateway}"}
    now = utcnow()
    subscribers = [_reporter(rng) for _ in range(n(50))]
    lastcalls.set_provider(
        lastcalls.StaticLastCalls(
            [
                (campaigns[i % 8]["phone"], s, now - dt.timedelta(minutes=2))
                for i, s in enumerate(subscribers)
            ]
        )
    )
    counts: dict[str, int] = {}

    def ok(channel: str) -> None:
        counts[channel] = counts.get(channel, 0) + 1

    with TestClient(create_app(ctx.engine)) as client:
        # API: citizens' app, with an idempotent retry of every tenth report.
        for i in range(n(120)):
            c = campaigns[i % 8]
            payload = {
                "kind": "sms" if i % 2 else "call",
                "indicators": [{"type": "phone", "value": c["phone"]}],
                "text": c["text"].format(url=c["url"]) if i % 2 else None,
                "idempotency_key": f"demo-app-{i:05d}",
                "contact": _reporter(rng),
            }
            if client.post("/v1/reports", json=payload).status_code == 202:
                ok("api")
            if i % 10 == 0:
                client.post("/v1/reports", json=payload)  # the same report, not a second one
        # SMS forward: half say who sent it, half are asked and answer.
        for i in range(n(60)):
            c = campaigns[i % 8]
            sender = _reporter(rng)
            message = {"from": sender, "to": "1185", "text": c["text"].format(url=c["url"])}
            if i % 2:
                message["original_sender"] = c["sender"]
            body = client.post("/v1/channels/sms", json=message, headers=headers).json()
            if body.get("report_id"):
                ok("sms-1185")
            if not i % 2:
                client.post(
                    "/v1/channels/sms",
                    json={"from": sender, "to": "1185", "text": c["sender"]},
                    headers=headers,
                )
        client.post("/v1/channels/sms", json={"from": _reporter(rng), "text": ""}, headers=headers)
        # USSD *1185#: report the last call, or an SMS sender.
        for i, subscriber in enumerate(subscribers):
            session = f"demo-ussd-{i}"
            steps = (
                ["", "1", "1*1"] if i % 3 else ["", "0", "0*2", f"0*2*{campaigns[i % 8]['sender']}"]
            )
            answer = ""
            for text in steps:
                answer = client.post(
                    "/v1/channels/ussd",
                    data={"sessionId": session, "phoneNumber": subscriber, "text": text},
                    headers=headers,
                ).text
            if answer.startswith("END ") and ("รหัสติดตาม" in answer or "tracking code" in answer):
                ok("ussd")
        # Web form, with the CSRF token the page hands out.
        for i in range(n(40)):
            page = client.get("/report", params={"lang": "en" if i % 2 else "th"}).text
            match = re.search(r'name="csrf_token" value="([^"]+)"', page)
            c = campaigns[i % 8]
            form = {
                "csrf_token": match.group(1) if match else "",
                "kind": "url",
                "indicator_type": "url",
                "indicator_value": c["url"],
                "text": c["text"].format(url=c["url"]),
            }
            if client.post("/report", data=form).status_code == 202:
                ok("web")
        # A coordinated flood: 200 reports from 10 new numbers against a bank's call centre.
        flooders = [_reporter(rng) for _ in range(10)]
        flood_ok = 0
        for i in range(n(200)):
            response = client.post(
                "/v1/reports",
                json={
                    "kind": "call",
                    "indicators": [{"type": "phone", "value": BANK_CALL_CENTRE}],
                    "contact": flooders[i % 10],
                },
            )
            flood_ok += response.status_code == 202
        counts["api (flood)"] = flood_ok
        counts["flood"] = n(200)

    bulk_path = ctx.data_dir / "partner-reports.jsonl"
    with bulk_path.open("w", encoding="utf-8") as handle:
        for i in range(n(60)):
            c = campaigns[i % 8]
            row: dict[str, Any] = {
                "report_id": f"bank-{i}",
                "kind": "account",
                "indicator_type": "url" if i % 3 else "phone",
                "indicator_value": c["url"] if i % 3 else c["phone"],
                "amount_lost_thb": rng.choice([500, 2500, 12000, 48000]),
            }
            if i % 15 == 14:
                row["kind"] = "fax"  # a bad row: goes to the rejects file
            handle.write(json.dumps(row) + "\n")
    world_rows = _world_rows(ctx.shared["world"]) if "world" in ctx.shared else []
    with session_scope(ctx.engine) as db_session:
        partner = bulk.import_rows(
            db_session=db_session,
            rows=bulk.read_rows(bulk_path),
            source_org_id=bank.id,
            source="bank",
        )
        world = bulk.import_rows(
            db_session=db_session,
            rows=enumerate(world_rows, start=1),
            source_org_id=None,
            source="world",
        )
    counts["bulk"] = partner.accepted + world.accepted
    rejects = ctx.data_dir / "partner-reports.rejects.jsonl"
    bulk.write_rejects(rejects, partner.rejects + world.rejects)

    processed = pipeline.drain(ctx.engine)
    _show(ctx, counts, processed, partner.rejected + world.rejected, rejects, len(world_rows))


def _show(
    ctx: DemoContext,
    counts: dict[str, int],
    processed: int,
    rejected_rows: int,
    rejects: Path,
    world_rows: int,
) -> None:
    table = Table(
        "channel",
        "accepted",
        "processed",
        "rejected",
        "duplicates",
        "evidence attached",
        "campaigns",
        title="reports through every channel",
    )
    with session_scope(ctx.engine) as db_session:
        for channel in ("api", "sms-1185", "ussd", "web", "bulk"):

            def n(*where: Any, channel: str = channel) -> int:
                stmt = (
                    select(func.count())
                    .select_from(Report)
                    .where(Report.channel == channel, *where)
                )
                return int(db_session.execute(stmt).scalar_one())

            attached = db_session.execute(
                select(func.count())
                .select_from(ReportIndicator)
                .join(Report, Report.id == ReportIndicator.report_id)
                .where(Report.channel == channel, ReportIndicator.attached)
            ).scalar_one()
            campaigns = db_session.execute(
                select(func.count(func.distinct(Report.campaign_id))).where(
                    Report.channel == channel
                )
            ).scalar_one()
            table.add_row(
                channel,
                str(n()),
                str(n(Report.status == "processed")),
                str(n(Report.status == "rejected")),
                str(n(Report.duplicate_of.is_not(None))),
                str(attached),
                str(campaigns),
            )
        multi = db_session.execute(
            select(func.count()).select_from(Campaign).where(Campaign.report_count > 1)
        ).scalar_one()
        biggest = db_session.execute(
            select(Campaign.report_count).order_by(Campaign.report_count.desc()).limit(1)
        ).scalar_one_or_none()
        outbox = db_session.execute(select(func.count()).select_from(OutboundSms)).scalar_one()
        verdict = links.lookup_verdict(
            db_session=db_session, type_="phone", value=links.clean_msisdn(BANK_CALL_CENTRE)
        )
        reported = db_session.execute(
            select(ReportIndicator.type, ReportIndicator.value)
            .where(ReportIndicator.attached)
            .distinct()
        ).all()
        verdicts: dict[str, int] = {}
        for type_, value in reported:
            found = links.lookup_verdict(db_session=db_session, type_=type_, value=value)
            verdicts[found] = verdicts.get(found, 0) + 1
    ctx.console.print(table)
    ctx.console.print(
        f"worker processed {processed} reports; {multi} campaigns link several reports "
        f"(largest: {biggest or 0}); {outbox} SMS replies in the outbox; "
        f"{rejected_rows} bulk rows rejected -> {rejects.name}"
        + (f"; {world_rows} reports came from the simulated world" if world_rows else "")
    )
    ctx.console.print(
        f"registry verdicts on the {len(reported)} reported indicators: "
        + ", ".join(f"{k} {v}" for k, v in sorted(verdicts.items()))
    )
    ctx.console.print(
        f"flood against the bank's call centre {BANK_CALL_CENTRE}: "
        f"{counts.get('api (flood)', 0)} of {counts.get('flood', 0)} accepted "
        "(per-number limit), registry verdict: "
        f"{verdict}"
    )
