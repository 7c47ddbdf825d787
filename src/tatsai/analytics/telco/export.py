"""What the scan hands on: registry indicator rows, suspension requests, holder and
re-verification lists, spoofed-prefix warnings.

Analytics never imports the registry. Its findings leave as CSV rows in the registry's import
format (``tatsai indicators import --format csv FILE``):

    type,value,categories,confidence,note,channel,reference,tlp

``categories`` is a ``;``-separated list, ``confidence`` an integer 0-100, ``channel`` is always
``analysis:telco``. Phone values are normalized by ``tatsai.indicators`` (the one place that
normalizes a number).
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import phonenumbers

from tatsai.analytics.engine import AnalyticsEngine
from tatsai.analytics.telco import rules
from tatsai.analytics.telco.scan import ScanResult, SimVerdict
from tatsai.indicators import evidence_file
from tatsai.indicators.base import InvalidIndicator
from tatsai.indicators.types import get_type

INDICATOR_COLUMNS = evidence_file.COLUMNS
CHANNEL = "analysis:telco"
#: Caller-ID prefixes Thai operators see spoofed on scam calls: no country uses them.
KNOWN_SPOOF_PREFIXES = ("+697", "+698")
SPOOF_CONFIDENCE = 50


@dataclass(frozen=True)
class IndicatorRow:
    type: str
    value: str
    categories: tuple[str, ...]
    confidence: int
    note: str
    reference: str
    tlp: str = "amber"
    channel: str = CHANNEL

    def as_csv(self) -> list[str]:
        return [
            self.type,
            self.value,
            ";".join(self.categories),
            str(self.confidence),
            self.note,
            self.channel,
            self.reference,
            self.tlp,
        ]


def clean_phone(msisdn: str) -> str | None:
    """The number as the indicator layer normalizes it, or ``None`` when it is not a number."""
    try:
        return get_type("phone").clean(msisdn)
    except InvalidIndicator:
        return None


def suspect_rows(suspects: Iterable[SimVerdict]) -> list[IndicatorRow]:
    """One ``phone`` evidence row per suspect SIM's number."""
    rows = []
    for v in suspects:
        value = clean_phone(v.msisdn)
        if value is None:
            continue
        category = "scam_sms" if v.sms > v.calls else "scam_call"
        rows.append(
            IndicatorRow(
                type="phone",
                value=value,
                categories=(category,),
                confidence=round(100 * v.score),
                note="; ".join(v.reasons)[:4000],
                reference=f"telco-scan imsi:{v.imsi}",
            )
        )
    return rows


def _country_code_assigned(prefix: str) -> bool:
    digits = prefix.lstrip("+")
    return any(
        phonenumbers.region_code_for_country_code(int(digits[:n])) != "ZZ"
        for n in range(1, min(3, len(digits)) + 1)
    )


@dataclass(frozen=True)
class SpoofedPrefix:
    prefix: str
    calls: int
    subscribers: int
    known: bool  # on the operators' list, not only unassigned


SPOOF_SQL = """
SELECT SUBSTRING(a_msisdn, 1, 4) AS prefix, COUNT(*) AS calls,
    COUNT(DISTINCT b_msisdn) AS subscribers
FROM cdr
WHERE direction = 'mt' AND kind = 'call' AND a_msisdn LIKE '+%' AND a_msisdn NOT LIKE '+66%'
GROUP BY SUBSTRING(a_msisdn, 1, 4)
ORDER BY prefix
"""


def spoofed_prefixes(
    engine: AnalyticsEngine, known: Sequence[str] = KNOWN_SPOOF_PREFIXES
) -> list[SpoofedPrefix]:
    """Inbound international caller IDs whose 3-digit prefix no country uses (or is known)."""
    out = []
    for row in engine.query(SPOOF_SQL).to_pylist():
        prefix = str(row["prefix"])
        is_known = prefix in known
        if is_known or not _country_code_assigned(prefix):
            out.append(SpoofedPrefix(prefix, int(row["calls"]), int(row["subscribers"]), is_known))
    return out


def prefix_rows(prefixes: Iterable[SpoofedPrefix]) -> list[IndicatorRow]:
    """``phone_prefix`` rows: the registry answers *warn* for calls under these prefixes."""
    return [
        IndicatorRow(
            type="phone_prefix",
            value=p.prefix,
            categories=("spoofing",),
            # 50 from a telco source makes the registry answer *warn*, not *block*: the caller
            # ID is spoofed, the call may still be someone's (checked against the registry).
            confidence=SPOOF_CONFIDENCE,
            note=f"{p.calls} inbound calls to {p.subscribers} subscribers arrived with caller ID "
            f"{p.prefix}…, a code no country uses: spoofed",
            reference="telco-scan spoofed-prefix",
            tlp="green",
        )
        for p in prefixes
    ]


def write_indicator_csv(rows: Iterable[IndicatorRow], path: Path) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    count = 0
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(INDICATOR_COLUMNS)
        for row in rows:
            writer.writerow(row.as_csv())
            count += 1
    return count


SUSPENSION_COLUMNS = ("msisdn", "imsi", "operator", "score", "first_flag_ts", "reasons")


def write_suspension_requests(result: ScanResult, path: Path) -> int:
    """One request per suspect SIM, for the operator that issued it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    suspects = result.suspects()
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(SUSPENSION_COLUMNS)
        for v in suspects:
            flagged = v.first_flag_ts.isoformat().replace("+00:00", "Z") if v.first_flag_ts else ""
            writer.writerow(
                [
                    v.msisdn,
                    v.imsi,
                    v.operator or "",
                    f"{v.score:.4f}",
                    flagged,
                    "; ".join(v.reasons),
                ]
            )
    return len(suspects)


HOLDER_COLUMNS = ("holder_id", "sims", "operators", "suspect_sims", "reverify_sims", "behaviour")


def holder_rows(engine: AnalyticsEngine, result: ScanResult) -> list[dict[str, object]]:
    """ID holders (pseudonymized) with more than six SIMs, and what their SIMs did."""
    by_holder: dict[str, list[SimVerdict]] = {}
    for v in result.verdicts:
        if v.holder_id is not None:
            by_holder.setdefault(v.holder_id, []).append(v)
    out = []
    for holder in engine.query(rules.HOLDERS_SQL).to_pylist():
        sims = by_holder.get(str(holder["holder_id"]), [])
        calls = sum(v.calls for v in sims)
        out.append(
            {
                "holder_id": holder["holder_id"],
                "sims": int(holder["sims"]),
                "operators": int(holder["operators"]),
                "suspect_sims": sum(v.is_suspect for v in sims),
                "reverify_sims": sum(v.reverify_owner for v in sims),
                "behaviour": f"{len(sims)} SIMs active, {calls} calls, "
                f"{sum(v.sms for v in sims)} SMS, top score "
                f"{max((v.score for v in sims), default=0.0):.2f}",
            }
        )
    return out


def write_rows(rows: Sequence[dict[str, object]], columns: Sequence[str], path: Path) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(columns))
        writer.writeheader()
        writer.writerows(rows)
    return len(rows)
