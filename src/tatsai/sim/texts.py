"""SMS texts of the simulated world: scam campaigns with lookalike links, and legitimate traffic.

Every template here was written for tatsai (no dataset rows are copied). Scam campaigns pick a
theme, a brand to impersonate and a lookalike domain; their wording changes from campaign to
campaign (several variants per theme, obfuscated links in some), as real campaigns do to slip
past filters. Placeholders: ``{url}``, ``{amt}``, ``{code}``, ``{ref}``, ``{line}``, ``{name}``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

THEMES = (
    "bank",
    "government",
    "police",
    "courier",
    "utility",
    "loan",
    "job",
    "gambling",
    "investment",
)

#: Brands each theme impersonates, with the stem a lookalike domain is built from.
BRANDS: dict[str, tuple[tuple[str, str], ...]] = {
    "bank": (
        ("กสิกรไทย", "kbank"),
        ("ไทยพาณิชย์", "scb"),
        ("กรุงไทย", "krungthai"),
        ("กรุงเทพ", "bangkokbank"),
        ("ออมสิน", "gsb"),
    ),
    "government": (
        ("กรมสรรพากร", "rd-go"),
        ("กรมที่ดิน", "dol-go"),
        ("ประกันสังคม", "sso-go"),
        ("กรมการขนส่งทางบก", "dlt-go"),
    ),
    "police": (
        ("สำนักงานตำรวจแห่งชาติ", "police-go"),
        ("DSI กรมสอบสวนคดีพิเศษ", "dsi-go"),
        ("ปปง.", "amlo-go"),
    ),
    "courier": (
        ("Kerry Express", "kerry"),
        ("ไปรษณีย์ไทย", "thailandpost"),
        ("Flash Express", "flash"),
        ("J&T Express", "jtexpress"),
    ),
    "utility": (("การไฟฟ้าส่วนภูมิภาค", "pea"), ("การไฟฟ้านครหลวง", "mea"), ("การประปา", "pwa")),
    "loan": (("สินเชื่อด่วน", "easyloan"), ("เงินกู้ออนไลน์", "quickcash")),
    "job": (("งานออนไลน์", "workhome"), ("Shopee งานเสริม", "shopee-job")),
    "gambling": (("คาสิโนออนไลน์", "ufa"), ("สล็อต", "pgslot")),
    "investment": (("กองทุนทองคำ", "goldfund"), ("หุ้น AI", "ai-trade"), ("คริปโต", "btc-profit")),
}

SCAM_TEMPLATES: dict[str, tuple[str, ...]] = {
    "bank": (
        "{name}: บัญชีของท่านถูกระงับชั่วคราว กรุณายืนยันตัวตนภายใน 24 ชม. ที่ {url}",
        "แจ้งเตือนจาก {name} มีการเข้าสู่ระบบจากอุปกรณ์ใหม่ หากไม่ใช่ท่าน โปรดยกเลิกที่ {url}",
        "{name} ท่านได้รับสิทธิ์เพิ่มวงเงินบัตร {amt} บาท ยืนยันสิทธิ์ {url}",
    ),
    "government": (
        "{name}: ท่านมีสิทธิ์ได้รับเงินคืนภาษี {amt} บาท กรอกข้อมูลรับเงินที่ {url}",
        "{name} แจ้ง ข้อมูลของท่านไม่ครบถ้วน กรุณาอัปเดตผ่านแอปทางการ {url} ภายในวันนี้",
        "{name}: เงินชดเชย {amt} บาท รอการยืนยัน เพิ่มเพื่อนไลน์ {line} เพื่อรับเงิน",
    ),
    "police": (
        "{name}: หมายเลขบัญชีของท่านเกี่ยวข้องกับคดีฟอกเงิน ติดต่อเจ้าหน้าที่ด่วน {url}",
        "แจ้งจาก {name} ท่านมีหมายเรียกคดีพัสดุผิดกฎหมาย ตรวจสอบที่ {url} หากไม่ติดต่อจะถูกดำเนินคดี",
    ),
    "courier": (
        "[{name}] พัสดุของท่านตกค้าง ที่อยู่ไม่ครบ ชำระค่าจัดส่ง {amt} บาท ที่ {url}",
        "{name}: พัสดุเลขที่ TH{ref} ไม่สามารถจัดส่งได้ ยืนยันที่อยู่ {url}",
        "พัสดุถูกกักที่ศุลกากร กรุณาชำระภาษีนำเข้า {amt} บาท {url} ({name})",
    ),
    "utility": (
        "{name}: ค่าไฟค้างชำระ {amt} บาท จะถูกตัดไฟภายในวันนี้ ชำระด่วน {url}",
        "{name} คืนเงินประกันมิเตอร์ {amt} บาท ลงทะเบียนรับเงินที่ {url}",
    ),
    "loan": (
        "อนุมัติแล้ว! {name} วงเงิน {amt} บาท ไม่เช็คบูโร โอนไวใน 5 นาที {url}",
        "{name} ดอกเบี้ยต่ำ ไม่ต้องค้ำ กู้ได้ทันที {amt} บาท แอดไลน์ {line}",
    ),
    "job": (
        "{name} รับสมัครด่วน งานกดไลก์ รายได้วันละ {amt} บาท ทักไลน์ {line}",
        "หางานเสริม ทำที่บ้าน รายได้ {amt}/วัน ไม่ต้องมีประสบการณ์ สมัครที่ {url}",
    ),
    "gambling": (
        "{name} สมัครวันนี้รับเครดิตฟรี {amt} ฝาก-ถอน ออโต้ {url}",
        "แจกเครดิตฟรี {amt} บาท {name} เว็บตรง ไม่ผ่านเอเย่นต์ {url}",
    ),
    "investment": (
        "{name} ลงทุนเริ่มต้น 1,000 ผลตอบแทน 30% ต่อสัปดาห์ ปรึกษาฟรี {line}",
        "โอกาสสุดท้าย! {name} กำไรการันตี {amt} บาท/เดือน ลงทะเบียน {url}",
    ),
}

TLDS = ("top", "xyz", "cc", "vip", "online", "site", "info", "com", "net", "icu")
SHORTENERS = ("bit.ly", "cutt.ly", "tinyurl.com", "shorturl.at")
BANK_SENDERS = ("KBank", "SCB", "Krungthai", "BBL", "GSB", "TTB", "Krungsri")
SHOP_SENDERS = ("Lazada", "Shopee", "7-Eleven", "Central", "LINEMAN", "Grab")
OPERATOR_SENDERS = ("AIS", "TRUE", "dtac", "NT")

OTP_TEMPLATES = (
    "รหัส OTP ของท่านคือ {code} (Ref: {ref}) ใช้ภายใน 5 นาที ห้ามเปิดเผยรหัสนี้แก่ผู้อื่น",
    "{code} คือรหัสยืนยันการทำรายการ (Ref.{ref}) ธนาคารไม่มีนโยบายขอรหัสทางโทรศัพท์",
    "OTP={code} Ref={ref} สำหรับเข้าสู่ระบบ หากไม่ได้ทำรายการโปรดติดต่อธนาคาร",
)
BANK_TEMPLATES = (
    "เงินเข้า {amt} บาท บัญชี x{ref} คงเหลือ {amt2} บาท",
    "ถอน/โอน {amt} บาท บัญชี x{ref} วันนี้",
)
OPERATOR_TEMPLATES = (
    "ยอดค่าบริการเดือนนี้ {amt} บาท ครบกำหนดชำระวันที่ 25 ขอบคุณที่ใช้บริการ",
    "แพ็กเกจเน็ตของท่านใกล้หมด เติมเงินเพื่อใช้งานต่อ กด *{code}#",
)
SHOP_TEMPLATES = (
    "โปรพิเศษวันนี้ ลดสูงสุด 70% เฉพาะสมาชิก ช้อปเลยในแอป",
    "คูปองส่วนลด {amt} บาท หมดเขตเที่ยงคืนนี้ ใช้โค้ด SALE{code}",
    "ออเดอร์ของท่านกำลังจัดส่ง ติดตามสถานะได้ในแอป",
)
PERSONAL_TEMPLATES = (
    "ถึงบ้านยัง",
    "กินข้าวยัง เย็นนี้เจอกันที่เดิมนะ",
    "โอนให้แล้วนะ เช็คด้วย",
    "พรุ่งนี้ประชุมกี่โมง",
    "แม่ฝากซื้อนมกลับบ้านด้วย",
    "โทรกลับด้วย ด่วน",
    "ok เดี๋ยวไปรับ",
    "สุขสันต์วันเกิดนะ",
    "รถติดมาก น่าจะสายหน่อย",
    "ส่งรูปมาให้ดูหน่อย",
)


@dataclass(frozen=True)
class Campaign:
    campaign_id: str
    gang: int
    theme: str
    brand: str
    url: str  # clean lookalike URL (https://…), empty when the lure is a LINE ID only
    line_id: str
    template: str
    start_us: int
    end_us: int
    obfuscate: bool


def lookalike_domain(rng: np.random.Generator, stem: str) -> str:
    """A domain that looks like the brand's: suffixed, hyphenated, typo'd or on an odd TLD."""
    style = int(rng.integers(0, 5))
    tld = TLDS[int(rng.integers(0, len(TLDS)))]
    word = ("verify", "th", "online", "service", "refund", "update", "secure", "app")[
        int(rng.integers(0, 8))
    ]
    if style == 0:
        return f"{stem}-{word}.{tld}"
    if style == 1:
        return f"{stem}{word}.{tld}"
    if style == 2 and len(stem) > 3:  # a swapped or doubled letter
        i = int(rng.integers(1, len(stem) - 1))
        typo = stem[:i] + stem[i + 1] + stem[i] + stem[i + 2 :]
        return f"{typo}.{tld}"
    if style == 3:
        return f"{word}-{stem}.{tld}"
    return f"{stem}{int(rng.integers(1, 99))}.{tld}"


def make_campaigns(
    rng: np.random.Generator, gangs: int, start_us: int, end_us: int
) -> list[Campaign]:
    """Each gang runs one campaign after another (1–3 days each) on two or three themes."""
    day = 86_400_000_000
    out: list[Campaign] = []
    for g in range(gangs):
        themes = rng.choice(len(THEMES), size=int(rng.integers(2, 4)), replace=False)
        t = start_us - int(rng.uniform(0, 1) * day)
        k = 0
        while t < end_us:
            theme = THEMES[int(themes[int(rng.integers(0, len(themes)))])]
            brand, stem = BRANDS[theme][int(rng.integers(0, len(BRANDS[theme])))]
            templates = SCAM_TEMPLATES[theme]
            template = templates[int(rng.integers(0, len(templates)))]
            length = int(rng.uniform(1, 3) * day)
            domain = lookalike_domain(rng, stem)
            path = ("", "/th", "/login", "/verify", "/pay")[int(rng.integers(0, 5))]
            k += 1
            out.append(
                Campaign(
                    campaign_id=f"C{g + 1:03d}-{k:02d}",
                    gang=g,
                    theme=theme,
                    brand=brand,
                    url=f"https://{domain}{path}" if "{url}" in template else "",
                    line_id=f"@{stem.replace('-', '')}{int(rng.integers(10, 999))}",
                    template=template,
                    start_us=t,
                    end_us=t + length,
                    obfuscate=bool(rng.random() < 0.3),
                )
            )
            t += length
    return out


def _defang(url: str, rng: np.random.Generator) -> str:
    """What filters miss: a spaced, bracketed or scheme-less link."""
    bare = url.removeprefix("https://")
    style = int(rng.integers(0, 3))
    if style == 0:
        return bare.replace(".", " . ", 1)
    if style == 1:
        return bare.replace(".", "[.]")
    return bare


def scam_text(c: Campaign, rng: np.random.Generator) -> str:
    url = _defang(c.url, rng) if c.obfuscate and c.url else c.url
    return c.template.format(
        name=c.brand,
        url=url,
        amt=f"{int(rng.integers(1, 60)) * 500:,}",
        ref=f"{int(rng.integers(0, 10**9)):09d}",
        line=c.line_id,
        code=f"{int(rng.integers(0, 10**6)):06d}",
    )


def spoofed_sender(c: Campaign, rng: np.random.Generator) -> str:
    """A sender name that imitates the brand (``KBANK-TH``, ``THAILANDPOST1``), ≤ 11 chars."""
    stem = next(s for b, s in BRANDS[c.theme] if b == c.brand).replace("-go", "").upper()
    suffix = ("-TH", "TH", "1", "-SMS", "")[int(rng.integers(0, 5))]
    return (stem[: 11 - len(suffix)] + suffix)[:11]


def legit_text(kind: str, rng: np.random.Generator) -> tuple[str, str, str]:
    """(sender, text, label) of one legitimate message of ``kind`` otp|bank|operator|shop."""
    fields = {
        "code": f"{int(rng.integers(0, 10**6)):06d}",
        "ref": "".join(chr(65 + int(x)) for x in rng.integers(0, 26, 4)),
        "amt": f"{int(rng.integers(20, 50_000)):,}",
        "amt2": f"{int(rng.integers(100, 500_000)):,}",
    }
    if kind == "otp":
        sender = BANK_SENDERS[int(rng.integers(0, len(BANK_SENDERS)))]
        return (
            sender,
            OTP_TEMPLATES[int(rng.integers(0, len(OTP_TEMPLATES)))].format(**fields),
            "ham",
        )
    if kind == "bank":
        sender = BANK_SENDERS[int(rng.integers(0, len(BANK_SENDERS)))]
        return (
            sender,
            BANK_TEMPLATES[int(rng.integers(0, len(BANK_TEMPLATES)))].format(**fields),
            "ham",
        )
    if kind == "operator":
        sender = OPERATOR_SENDERS[int(rng.integers(0, len(OPERATOR_SENDERS)))]
        text = OPERATOR_TEMPLATES[int(rng.integers(0, len(OPERATOR_TEMPLATES)))].format(**fields)
        return sender, text, "ham"
    sender = SHOP_SENDERS[int(rng.integers(0, len(SHOP_SENDERS)))]
    return (
        sender,
        SHOP_TEMPLATES[int(rng.integers(0, len(SHOP_TEMPLATES)))].format(**fields),
        "spam",
    )


def personal_text(rng: np.random.Generator) -> str:
    return PERSONAL_TEMPLATES[int(rng.integers(0, len(PERSONAL_TEMPLATES)))]
