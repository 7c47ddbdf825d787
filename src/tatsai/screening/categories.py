"""The scam category of a message the classifier called scam.

No public dataset labels Thai scam types, so the category is decided by keyword rules over the
folded, case-folded text (plus the URL-risk brand when a lookalike link names one). Rules are
tried in order; the first that matches wins, so the specific (mule recruitment, impersonation)
come before the generic (prize, phishing link). ``other`` when none matches.
"""

from __future__ import annotations

import re

CATEGORIES: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (name, re.compile(pattern))
    for name, pattern in (
        (
            "mule_recruitment",
            r"(รับ)?(ซื้อ|เช่า|เปิด)(บัญชี|ซิม)|ให้เช่าบัญชี|บัญชีม้า|ซิมม้า|รับโอนเงินผ่านบัญชี"
            r"|ลงทะเบียนซิม|(rent|sell|buy)(ing)? (your )?(bank )?(account|sim)",
        ),
        (
            "police_impersonation",
            r"ตำรวจ|สภ\.|สน\.|หมายจับ|คดี|dsi|ดีเอสไอ|ปปง|police|arrest warrant",
        ),
        (
            "government_impersonation",
            r"กรมสรรพากร|สรรพากร|คืนภาษี|กรมที่ดิน|กรมการขนส่ง|ขนส่งทางบก|ประกันสังคม|กรมบัญชีกลาง"
            r"|เงินเยียวยา|สปสช|กสทช|เป๋าตัง|ทางรัฐ|revenue department|tax refund|government",
        ),
        (
            "utility_impersonation",
            r"การไฟฟ้า|กฟภ|กฟน|\bpea\b|\bmea\b|ค่าไฟ|การประปา|ค่าน้ำ|electricity",
        ),
        (
            "courier_impersonation",
            r"พัสดุ|ไปรษณีย์|kerry|flash express|j&t|ขนส่ง|parcel|package|delivery|courier",
        ),
        (
            "bank_impersonation",
            r"ธนาคาร|ธ\.|kbank|กสิกร|scb|ไทยพาณิชย์|กรุงไทย|ktb|กรุงเทพ|กรุงศรี|ttb|ออมสิน|gsb"
            r"|บัญชีของ(ท่าน|คุณ)ถูก|ระงับบัญชี|\bbank\b|account (is|will be|has been) (suspended|locked)",
        ),
        ("fake_loan", r"สินเชื่อ|เงินกู้|กู้เงิน|กู้ด่วน|อนุมัติ|ไม่เช็คบูโร|\bloan\b"),
        (
            "gambling",
            r"สล็อต|บาคาร่า|คาสิโน|เว็บตรง|แทงบอล|หวยออนไลน์|เครดิตฟรี|ฝากถอน|\bpg\b|jili|slot|casino"
            r"|baccarat|\bbet",
        ),
        (
            "job_task",
            r"งานออนไลน์|รายได้เสริม|หารายได้|ทำที่บ้าน|รับสมัคร|กดไลก์|รายได้วันละ|part[- ]?time|job",
        ),
        ("investment", r"ลงทุน|ปันผล|หุ้น|คริปโต|กำไร|crypto|invest|forex|bitcoin"),
        (
            "prize_lottery",
            r"ลุ้น|รางวัล|ยินดีด้วย|โชค|ดวง|สลาก|เลขเด็ด|ค่าโทรฟรี|บัตรเติมเงิน|prize|winner|won|claim"
            r"|congratulations|lottery",
        ),
        ("phishing_link", r"ยืนยันตัวตน|ยืนยันบัญชี|อัปเดตข้อมูล|เข้าสู่ระบบ|verify|login|confirm"),
    )
)


def scam_category(folded_text: str, *, lookalike_brand: str | None = None) -> str:
    """The first matching category for ``folded_text`` (already folded and case-folded)."""
    for name, pattern in CATEGORIES:
        if pattern.search(folded_text):
            return name
    if lookalike_brand:
        return "phishing_link"
    return "other"
