"""Report linkage: each 1185 report naming a phone number meets that number's call behaviour.

* reported and scam-like (a suspect) → ``escalate``: cut it now, the report confirms the
  pattern;
* reported but ordinary (active on the network, score below half the threshold and no rule
  fired) → ``possible_false_report``: a person may have been reported by mistake or out of
  malice, and the report alone must not cut their line;
* in between → ``review``; a number that made no call or SMS here → ``not_on_network``.
"""

from __future__ import annotations

from dataclasses import dataclass

from tatsai.analytics.engine import AnalyticsEngine
from tatsai.analytics.telco.export import clean_phone
from tatsai.analytics.telco.scan import ScanResult

LINK_COLUMNS = ("report_id", "reported_at", "msisdn", "imsi", "verdict", "score", "reasons")

REPORTS_SQL = """
SELECT report_id, ts, indicator_value FROM reports
WHERE indicator_type = 'phone'
ORDER BY ts, report_id
"""


@dataclass(frozen=True)
class ReportLink:
    report_id: str
    reported_at: str
    msisdn: str
    imsi: str
    verdict: str
    score: float
    reasons: str

    def as_row(self) -> dict[str, object]:
        return {name: getattr(self, name) for name in LINK_COLUMNS}


def link_reports(engine: AnalyticsEngine, result: ScanResult) -> list[ReportLink]:
    """One link per phone report, in report order."""
    verdicts = result.by_msisdn()
    links = []
    for row in engine.query(REPORTS_SQL).to_pylist():
        raw = str(row["indicator_value"])
        number = clean_phone(raw) or raw
        v = verdicts.get(number)
        if v is None:
            verdict, score, imsi, reasons = "not_on_network", 0.0, "", ""
        else:
            ordinary = v.score < result.threshold / 2 and not any(
                not r.startswith(("reported:", "model:", "regulator:")) for r in v.reasons
            )
            verdict = (
                "escalate" if v.is_suspect else "possible_false_report" if ordinary else "review"
            )
            score, imsi, reasons = v.score, v.imsi, "; ".join(v.reasons)
        ts = row["ts"]
        links.append(
            ReportLink(
                report_id=str(row["report_id"]),
                reported_at=ts.isoformat().replace("+00:00", "Z") if ts is not None else "",
                msisdn=number,
                imsi=imsi,
                verdict=verdict,
                score=score,
                reasons=reasons,
            )
        )
    return links
