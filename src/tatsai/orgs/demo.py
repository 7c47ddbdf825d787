"""Demo stage 1: the embedded store, two sample organizations, indicators from sample texts."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.table import Table

from tatsai.core import audit
from tatsai.core.db import session_scope
from tatsai.indicators.extract import extract_indicators
from tatsai.indicators.types import get_type
from tatsai.orgs import service
from tatsai.orgs.models import OrgKind, Role

if TYPE_CHECKING:
    from tatsai.demo import DemoContext

SAMPLE_MESSAGES = [
    "โทร ๐๘๑-๒๓๔-๕๖๗๘ หรือกด bit . ly/abc โอนเข้า กสิกร 123-4-56789-0",
    "ธนาคารแจ้ง: บัญชีของท่านถูกระงับ กรุณายืนยันตัวตนที่ hxxps://kbank-verify[.]com/login",
    "[Kerry] พัสดุของคุณตกค้าง ชำระค่าธรรมเนียม 25 บาท ที่ https://kerry-th.top/p?id=88",
    "งานออนไลน์ รายได้วันละ 3,000 บาท แอดไลน์ไอดี: @job4you หรือโทร 0661234567",
    "Your parcel is on hold. Pay the fee at www.thaipost-redelivery.xyz or call +66 2 123 4567",
    "กรมที่ดินคืนเงินภาษี สแกน PromptPay 0812345678 ติดต่อเจ้าหน้าที่ line: refund.dol",
]


def run(ctx: DemoContext) -> None:
    with session_scope(ctx.engine) as db_session:
        operator = service.get_or_create(
            db_session=db_session, name="Demo Telco", kind=OrgKind.TELCO
        )
        bank = service.get_or_create(
            db_session=db_session, name="Demo Bank", kind=OrgKind.BANK, bank_code="004"
        )
        for org in (operator, bank):
            service.create_key(db_session=db_session, org_name=org.name, role=Role.ANALYST)
    ctx.shared["orgs"] = {"telco": operator.name, "bank": bank.name}
    ctx.console.print(
        f"organizations: {operator.name} (telco), {bank.name} (bank), each with a key"
    )

    table = Table(title="indicators extracted from sample messages")
    table.add_column("msg", justify="right")
    table.add_column("type")
    table.add_column("as written", overflow="fold")
    table.add_column("normalized (reads as)", overflow="fold")
    found_count = 0
    for number, text in enumerate(SAMPLE_MESSAGES, start=1):
        for found in extract_indicators(text):
            caption = get_type(found.type).caption(found.value)
            shown = found.value if caption == found.value else f"{found.value} ({caption})"
            table.add_row(str(number), found.type, found.raw, shown)
            found_count += 1
        table.add_section()
    ctx.console.print(table)
    ctx.shared["indicators_found"] = found_count
    with session_scope(ctx.engine) as db_session:
        problem = audit.verify(db_session=db_session)
    ctx.console.print("audit log: " + ("intact" if problem is None else f"BROKEN at {problem.seq}"))
