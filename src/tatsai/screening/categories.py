"""The scam category of a message the classifier called scam.

No public dataset labels Thai scam types, so the category is decided by keyword rules over the
folded, case-folded text (plus the URL-risk brand when a lookalike link names one). Rules are
tried in order; the first that matches wins, so the specific (mule recruitment, impersonation)
come before the generic (prize, phishing link). ``other`` when none matches.
"""

from __future__ import annotations

import re

# Every top-level alternative starts with a literal character (word-boundary checks come as a
# lookbehind after it), so the regex engine scans for the possible first characters in C
# instead of trying every alternative at every position.
CATEGORIES: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (name, re.compile("|".join(alternatives)))
    for name, alternatives in (
        (
            "mule_recruitment",
            ("ซื้อบัญชี", "เช่าบัญชี", "เปิดบัญชีแทน", "บัญชีม้า", "ซิมม้า", "รับโอนเงินผ่านบัญชี",
             "ลงทะเบียนซิม", "ซื้อซิม", "เช่าซิม", r"rent(?:ing)? (?:your )?(?:bank )?(?:account|sim)",
             r"sell(?:ing)? (?:your )?(?:bank )?(?:account|sim)"),
        ),
        (
            "police_impersonation",
            ("ตำรวจ", r"สภ\.", r"สน\.", "หมายจับ", "คดี", "dsi", "ดีเอสไอ", "ปปง", "police",
             "arrest warrant"),
        ),
        (
            "government_impersonation",
            ("กรมสรรพากร", "สรรพากร", "คืนภาษี", "กรมที่ดิน", "กรมการขนส่ง", "ขนส่งทางบก",
             "ประกันสังคม", "กรมบัญชีกลาง", "เงินเยียวยา", "สปสช", "กสทช", "เป๋าตัง", "ทางรัฐ",
             "revenue department", "tax refund", "government"),
        ),
        (
            "utility_impersonation",
            ("การไฟฟ้า", "กฟภ", "กฟน", r"p(?<![a-z]p)ea\b", r"m(?<![a-z]m)ea\b", "ค่าไฟ",
             "การประปา", "ค่าน้ำ", "electricity"),
        ),
        (
            "courier_impersonation",
            ("พัสดุ", "ไปรษณีย์", "kerry", "flash express", "j&t", "ขนส่ง", "parcel", "package",
             "delivery", "courier"),
        ),
        (
            "bank_impersonation",
            ("ธนาคาร", r"ธ\.", "kbank", "กสิกร", "scb", "ไทยพาณิชย์", "กรุงไทย", "ktb", "กรุงเทพ",
             "กรุงศรี", "ttb", "ออมสิน", "gsb", "บัญชีของท่านถูก", "บัญชีของคุณถูก", "ระงับบัญชี",
             r"b(?<![a-z]b)ank\b",
             r"account (?:is|will be|has been) (?:suspended|locked)"),
        ),
        (
            "fake_loan",
            ("สินเชื่อ", "เงินกู้", "กู้เงิน", "กู้ด่วน", "อนุมัติ", "ไม่เช็คบูโร", r"l(?<![a-z]l)oan"),
        ),
        (
            "gambling",
            ("สล็อต", "บาคาร่า", "คาสิโน", "เว็บตรง", "แทงบอล", "หวยออนไลน์", "เครดิตฟรี", "ฝากถอน",
             r"p(?<![a-z]p)g\b", "jili", "slot", "casino", "baccarat", r"b(?<![a-z]b)et"),
        ),
        (
            "job_task",
            ("งานออนไลน์", "รายได้เสริม", "หารายได้", "ทำที่บ้าน", "รับสมัคร", "กดไลก์", "รายได้วันละ",
             "part-time", "part time", "job"),
        ),
        (
            "investment",
            ("ลงทุน", "ปันผล", "หุ้น", "คริปโต", "กำไร", "crypto", "invest", "forex", "bitcoin"),
        ),
        (
            "prize_lottery",
            ("ลุ้น", "รางวัล", "ยินดีด้วย", "โชค", "ดวง", "สลาก", "เลขเด็ด", "ค่าโทรฟรี", "บัตรเติมเงิน",
             "prize", "winner", "won ", "claim", "congratulations", "lottery"),
        ),
        (
            "phishing_link",
            ("ยืนยันตัวตน", "ยืนยันบัญชี", "อัปเดตข้อมูล", "เข้าสู่ระบบ", "verify", "login", "confirm"),
        ),
    )
)  # fmt: skip


def scam_category(folded_text: str, *, lookalike_brand: str | None = None) -> str:
    """The first category (in :data:`CATEGORIES` order) that matches ``folded_text``.

    ``folded_text`` is already folded and case-folded.
    """
    for name, pattern in CATEGORIES:
        if pattern.search(folded_text):
            return name
    if lookalike_brand:
        return "phishing_link"
    return "other"
