"""Demo stage: screen Thai/English messages and, when a simulated world is there, its SMS."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.table import Table

from tatsai.screening.service import screen_texts
from tatsai.screening.urlrisk import assess

if TYPE_CHECKING:
    from tatsai.demo import DemoContext

# Written for the demo; every link, number and ID is made up.
SAMPLE_MESSAGES = [
    "KBank: บัญชีของท่านถูกระงับชั่วคราว กรุณายืนยันตัวตนที่ https://kbank-verify.top/login",
    "[Kerry] พัสดุของคุณตกค้าง ชำระค่าธรรมเนียม 25 บาท ที่ https://kerry-th.top/p?id=88",
    "รับซื้อบัญชีธนาคาร เปิดใหม่ได้เงินทันที 3,000 บาท ทักไลน์ @easymoney88",
    "เว็บตรง สล็อต แจกเครดิตฟรี 100% ฝากถอนไม่มีขั้นต่ำ คลิก https://lin.ee/abc123",
    "ลุ้นรับค่าโทรฟรี 500 บ. กด *184# สมัครดวงรวย 3บ/ขค",
    "SCB: รหัส OTP ของท่านคือ 482913 (Ref: QWER) ห้ามบอกรหัสนี้กับผู้อื่น",
    "AIS: ยอดค่าบริการรอบบิลนี้ 459.00 บาท ครบกำหนดชำระ 15/06",
    "Running 10 minutes late, save me a seat please",
    "Congratulations! Your number won 100,000 baht. Claim at ais-reward.top now",
    "",
]


def _world_sms(world: Any, limit: int = 5000) -> list[tuple[str, str]]:
    """(text, label) pairs from a simulated world's ``sms_content`` table (label: truth)."""
    from tatsai.sim.io import iter_table
    from tatsai.sim.schemas import SMS_CONTENT

    folder = Path(str(world)) / "sms_content"
    if not folder.exists():
        return []
    pairs: list[tuple[str, str]] = []
    for part in iter_table(folder, SMS_CONTENT):
        for text, label in zip(
            part.column("text").to_pylist(), part.column("label").to_pylist(), strict=True
        ):
            pairs.append((str(text or ""), str(label)))
            if len(pairs) >= limit:
                return pairs
    return pairs


def run(ctx: DemoContext) -> None:
    results = screen_texts(SAMPLE_MESSAGES)
    table = Table("message", "verdict", "score", "category", "why", title="screened messages")
    for text, result in zip(SAMPLE_MESSAGES, results, strict=True):
        table.add_row(
            (text[:48] + "…") if len(text) > 48 else (text or "(empty)"),
            result.verdict,
            f"{result.score:.2f}",
            result.category or "",
            "; ".join(result.reasons[:2]),
        )
    ctx.console.print(table)
    risk = assess("https://kаsikornbank.com/login")  # a Cyrillic а
    ctx.console.print(f"url-check kаsikornbank.com → {risk.verdict}: {'; '.join(risk.reasons)}")
    ctx.shared["screening"] = {"verdicts": [r.verdict for r in results]}

    world = ctx.shared.get("world")
    if world is None:
        return
    pairs = _world_sms(world)
    if not pairs:
        ctx.console.print("simulated world has no sms_content: skipped")
        return
    verdicts = screen_texts([text for text, _ in pairs])
    flagged = [r.verdict == "scam" for r in verdicts]
    truth = [label == "scam" for _, label in pairs]
    hits = sum(f and t for f, t in zip(flagged, truth, strict=True))
    precision = hits / max(sum(flagged), 1)
    recall = hits / max(sum(truth), 1)
    ctx.console.print(
        f"simulated world: {len(pairs)} SMS screened, precision {precision:.2f}, "
        f"recall {recall:.2f} (scam vs rest, against the simulator's labels)"
    )
