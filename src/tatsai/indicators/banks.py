"""Thai banks: interbank codes, the names people write, and account number lengths.

Written for tatsai from public knowledge of the Thai interbank (ITMX/BAHTNET) codes; checked
against the reference list in ``../shared/data/thai_bank_reference_domains`` (see
docs/indicators.md for the one disagreement: ttb). Account lengths are the lengths the banks'
own transfer forms accept; where a bank is known to issue more than one length, all are listed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from tatsai.indicators.text import fold


@dataclass(frozen=True, slots=True)
class Bank:
    """One Thai bank: its 3-digit interbank code, short name, and accepted account lengths."""

    code: str
    abbr: str
    name_en: str
    name_th: str
    account_lengths: tuple[int, ...]
    aliases: tuple[str, ...]


BANKS: tuple[Bank, ...] = (
    Bank(
        "002", "BBL", "Bangkok Bank", "กรุงเทพ", (10,), ("bbl", "bangkok bank", "บัวหลวง", "bualuang")
    ),
    Bank(
        "004",
        "KBANK",
        "Kasikornbank",
        "กสิกรไทย",
        (10,),
        ("kbank", "k-bank", "k bank", "kasikorn", "kasikornbank", "กสิกร", "กสิกรไทย", "kplus", "k+"),
    ),
    Bank("006", "KTB", "Krungthai Bank", "กรุงไทย", (10,), ("ktb", "krungthai", "krung thai")),
    # ttb kept TMB's code 011 after the 2021 merger with Thanachart (whose code was 065).
    Bank(
        "011",
        "TTB",
        "TMBThanachart Bank",
        "ทหารไทยธนชาต",
        (10,),
        ("ttb", "tmb", "thanachart", "tmbthanachart", "ทีทีบี", "ทหารไทย", "ธนชาต"),
    ),
    Bank("014", "SCB", "Siam Commercial Bank", "ไทยพาณิชย์", (10,), ("scb", "siam commercial")),
    Bank("017", "CITI", "Citibank", "ซิตี้แบงก์", (10,), ("citibank", "citi", "ซิตี้")),
    Bank(
        "020",
        "SCBT",
        "Standard Chartered Bank (Thai)",
        "สแตนดาร์ดชาร์เตอร์ด",
        (10, 11),
        ("standard chartered", "scbt"),
    ),
    Bank("022", "CIMBT", "CIMB Thai Bank", "ซีไอเอ็มบี", (10,), ("cimb", "cimbt", "cimb thai")),
    Bank("024", "UOBT", "United Overseas Bank (Thai)", "ยูโอบี", (10,), ("uob", "uobt")),
    Bank(
        "025",
        "BAY",
        "Bank of Ayudhya (Krungsri)",
        "กรุงศรีอยุธยา",
        (10,),
        ("bay", "krungsri", "krung sri", "กรุงศรี", "ayudhya"),
    ),
    Bank("030", "GSB", "Government Savings Bank", "ออมสิน", (12,), ("gsb", "aomsin")),
    Bank(
        "033",
        "GHB",
        "Government Housing Bank",
        "อาคารสงเคราะห์",
        (12,),
        ("ghb", "ghbank", "ธอส", "ธ.อ.ส."),
    ),
    Bank(
        "034",
        "BAAC",
        "Bank for Agriculture and Agricultural Cooperatives",
        "เพื่อการเกษตรและสหกรณ์การเกษตร",
        (12,),
        ("baac", "ธกส", "ธ.ก.ส.", "ธ.ก.ส", "เพื่อการเกษตร"),
    ),
    Bank(
        "066",
        "IBANK",
        "Islamic Bank of Thailand",
        "อิสลามแห่งประเทศไทย",
        (10, 12),
        ("ibank", "islamic bank", "อิสลาม"),
    ),
    Bank("067", "TISCO", "TISCO Bank", "ทิสโก้", (10,), ("tisco",)),
    Bank(
        "069",
        "KKP",
        "Kiatnakin Phatra Bank",
        "เกียรตินาคินภัทร",
        (10,),
        ("kkp", "kiatnakin", "เกียรตินาคิน"),
    ),
    Bank("070", "ICBCT", "ICBC (Thai)", "ไอซีบีซี", (10,), ("icbc",)),
    Bank("071", "TCR", "Thai Credit Bank", "ไทยเครดิต", (10, 12), ("thai credit", "tcrb")),
    Bank(
        "073",
        "LHB",
        "Land and Houses Bank",
        "แลนด์แอนด์เฮ้าส์",
        (10,),
        ("lhb", "lh bank", "lhbank", "land and houses", "แลนด์ แอนด์ เฮ้าส์", "แลนด์แอนด์เฮาส์"),
    ),
    Bank(
        "098",
        "SMEDB",
        "SME Development Bank",
        "พัฒนาวิสาหกิจขนาดกลางและขนาดย่อม",
        (10, 12),
        ("sme d bank", "sme bank", "ธพว"),
    ),
)

BANKS_BY_CODE: dict[str, Bank] = {bank.code: bank for bank in BANKS}


def _name_index() -> dict[str, Bank]:
    index: dict[str, Bank] = {}
    for bank in BANKS:
        for name in (bank.abbr, bank.name_en, bank.name_th, *bank.aliases):
            index[fold(name).lower()] = bank
    return index


BANKS_BY_NAME: dict[str, Bank] = _name_index()

# Longest names first so that "กรุงศรีอยุธยา" wins over "กรุงศรี" and "กรุงเทพ" never matches
# inside "กรุงเทพมหานคร" on its own … (the caller decides on context; see extract.py).
_NAMES_LONGEST_FIRST = sorted(BANKS_BY_NAME, key=len, reverse=True)
BANK_NAME_PATTERN = "|".join(
    # Latin names must stand alone as words; Thai has no spaces between words.
    (rf"(?<![a-z0-9]){re.escape(name)}(?![a-z0-9])" if name.isascii() else re.escape(name))
    for name in _NAMES_LONGEST_FIRST
)
BANK_NAME = re.compile(BANK_NAME_PATTERN, re.IGNORECASE)


def bank_by_name(name: str) -> Bank | None:
    """The bank that ``name`` (Thai, English, abbreviation, or 3-digit code) refers to."""
    key = fold(name).strip().lower()
    for prefix in ("ธนาคาร", "ธ.", "bank of "):
        if key.startswith(prefix) and key[len(prefix) :].strip() in BANKS_BY_NAME:
            key = key[len(prefix) :].strip()
    return BANKS_BY_NAME.get(key) or BANKS_BY_CODE.get(key)
