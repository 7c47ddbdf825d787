"""Demo stage: the shared registry — allow-list, evidence from several orgs, scores, verdicts,
a spoofing flood against a bank's call centre that does not block it, and exports."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from rich.table import Table

from tatsai.core.db import session_scope, utcnow
from tatsai.orgs import service as orgs_service
from tatsai.orgs.models import TLP, OrgKind, Role
from tatsai.orgs.policy import Principal
from tatsai.registry import allowlist, service
from tatsai.registry.exchange import service as exchange
from tatsai.registry.index import LookupIndex
from tatsai.registry.models import Channel, EvidenceCreate

if TYPE_CHECKING:
    from tatsai.demo import DemoContext

FLOOD_REPORTS = 200
CHECKS = [
    ("phone", "081-234-5678"),
    ("phone", "+6971234567"),
    ("phone", "02-888-8888"),
    ("url", "https://kbank-verify.top/login"),
    ("url", "https://login.kerry-th.top/pay"),
    ("url", "https://www.kasikornbank.com/th"),
    ("bank_account", "004-1234567890"),
    ("sender_id", "KBank"),
    ("line_id", "@job4you"),
]


def run(ctx: DemoContext) -> None:
    names = ctx.shared.get("orgs", {"telco": "Demo Telco", "bank": "Demo Bank"})
    with session_scope(ctx.engine) as db_session:
        telco = orgs_service.get_or_create(
            db_session=db_session, name=names["telco"], kind=OrgKind.TELCO
        )
        bank = orgs_service.get_or_create(
            db_session=db_session, name=names["bank"], kind=OrgKind.BANK, bank_code="004"
        )
        police = orgs_service.get_or_create(
            db_session=db_session, name="Demo Police Cyber Unit", kind=OrgKind.POLICE
        )
        seeded = allowlist.seed(db_session=db_session)
    ctx.console.print(
        f"allow-list: {seeded.added} official numbers, sender IDs and domains "
        f"(banks, operators, .go.th, couriers, utilities)"
    )

    def evidence(org_id: int | None, type_: str, value: str, **kw: object) -> None:
        kw.setdefault("channel", Channel.PARTNER_API)
        with session_scope(ctx.engine) as db_session:
            service.add_evidence(
                db_session=db_session,
                evidence_in=EvidenceCreate(type=type_, value=value, **kw),
                source_org_id=org_id,
                actor="demo",
            )

    now = utcnow()
    for n in range(12):  # citizens report a scam caller through 1185
        evidence(
            None,
            "phone",
            "0812345678",
            channel=Channel.REPORT_SMS,
            reporter=f"citizen-{n}",
            reporter_weight=0.6,
            categories=["call_center_scam"],
            observed_at=now - dt.timedelta(hours=n),
        )
    evidence(
        telco.id,
        "phone",
        "0812345678",
        channel=Channel.ANALYSIS_TELCO,
        confidence=92,
        categories=["scam_sim"],
        note="SIM active 3 days, 400 calls to strangers",
    )
    evidence(
        telco.id,
        "phone_prefix",
        "+697",
        channel=Channel.PARTNER_API,
        confidence=95,
        categories=["spoofing"],
        tlp=TLP.CLEAR,
        note="unassigned prefix used for spoofing",
    )
    evidence(
        None,
        "url",
        "https://kbank-verify.top/login",
        channel=Channel.ANALYSIS_SCREENING,
        model_score=0.97,
        categories=["phishing", "bank_impersonation"],
    )
    evidence(
        bank.id, "url", "https://kbank-verify.top/login", confidence=85, categories=["phishing"]
    )
    evidence(
        police.id, "domain_wildcard", "*.kerry-th.top", confidence=90, categories=["parcel_scam"]
    )
    evidence(
        bank.id,
        "bank_account",
        "004-1234567890",
        channel=Channel.ANALYSIS_MONEY,
        confidence=93,
        categories=["mule_account"],
        tlp=TLP.AMBER_STRICT,
    )
    evidence(
        None,
        "line_id",
        "@job4you",
        channel=Channel.REPORT_WEB,
        reporter="citizen-1",
        categories=["job_scam"],
    )
    for n in range(FLOOD_REPORTS):  # a spoofing flood against the bank's real call centre
        evidence(
            None,
            "phone",
            "02-888-8888",
            channel=Channel.REPORT_SMS,
            reporter=f"new-{n % 50}",
            reporter_weight=0.1,
            categories=["bank_impersonation"],
        )

    index = LookupIndex(ctx.engine)
    index.sync()
    table = Table(
        "type",
        "value",
        "verdict",
        "score",
        "state",
        "matched",
        "categories",
        title=f"lookups from the in-memory index ({len(index)} indicators)",
    )
    colour = {"block": "red", "warn": "yellow", "allow": "green", "unknown": "dim"}
    for type_, value in CHECKS:
        r = index.lookup(type_, value)
        table.add_row(
            type_,
            r.value,
            f"[{colour[r.verdict]}]{r.verdict}[/]",
            "" if r.score is None else f"{r.score:.1f}",
            r.state or "",
            r.matched or "",
            ", ".join(r.categories),
        )
    ctx.console.print(table)
    with session_scope(ctx.engine) as db_session:
        flood = service.show(
            db_session=db_session,
            type="phone",
            value="02-888-8888",
            principal=Principal(
                org_id=bank.id, org_name=bank.name, org_kind=OrgKind.BANK, role=Role.ANALYST
            ),
        )
        ctx.console.print(
            f"02-888-8888 after {FLOOD_REPORTS} reports from 50 new numbers: "
            f"[green]{flood.verdict}[/], "
            f"review flag: {flood.review_reason}"
        )
        for fmt in ("stix", "misp", "ftm", "e164", "senders", "rpz"):
            text = exchange.export(db_session=db_session, fmt=fmt)
            path = ctx.data_dir / f"registry-export.{fmt}"
            path.write_text(text, encoding="utf-8")
            ctx.console.print(f"export {fmt:8} {len(text):7,} bytes → {path.name}")
        e164 = exchange.export(db_session=db_session, fmt="e164")
    ctx.console.print("E.164 call-blocking list:\n" + e164.strip())
