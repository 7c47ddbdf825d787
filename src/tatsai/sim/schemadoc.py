"""Render docs/schemas.md from :mod:`tatsai.sim.schemas` (``python -m tatsai.sim.schemadoc``).

The column notes come from the comments of the schema module, kept in :data:`NOTES` here so
that the document and the code cannot drift: a test compares the rendered text with the file.
"""

from __future__ import annotations

import sys
from pathlib import Path

from tatsai.sim.schemas import TABLES

NOTES: dict[str, str] = {
    "msisdn": "E.164 (`+66812345678`)",
    "imsi": "15 digits: MCC 520, 2-digit MNC, 10 digits",
    "imei": "15 digits, Luhn-valid",
    "a_imei": "15 digits, Luhn-valid",
    "a_imsi": "15 digits",
    "a_msisdn": "originating number, E.164",
    "b_msisdn": "destination number, E.164",
    "holder_id": (
        "keyed pseudonym of the ID-card holder (`psn_holder_…`); "
        "same space in subscribers and accounts"
    ),
    "reporter": "keyed pseudonym of the reporter's number (`psn_reporter_…`)",
    "cell_id": "CGI-like `520-<MNC>-<LAC>-<CI>`",
    "border_km": "great-circle km to the nearest land border (computed from border polylines)",
    "border_country": "the neighbour whose border is nearest",
    "lat": "degrees WGS 84",
    "lon": "degrees WGS 84",
    "duration_s": "seconds of conversation; 0 for SMS and unanswered calls",
    "answered": "call answered / SMS delivered",
    "direction": "`mo` originated by our subscriber, `mt` terminated on our network",
    "event_id": (
        "unique over the whole cdr; sender-ID SMS in sms_content use ids ≥ 10^12, not in cdr"
    ),
    "account_id": "`<bank code>-<10 digits>` (e.g. `004-1234567890`); e-wallets `TMW-<15 digits>`",
    "bank": "Thai bank code (004 KBank, 014 SCB, 006 Krungthai, 002 BBL, 030 GSB, …) or `TMW`",
    "amount_thb": "THB with satang, > 0",
    "amount_lost_thb": "THB, as the reporter states it (often missing)",
    "dst_account": "empty for ATM withdrawals and transfers abroad",
    "indicator_value": "normalized by its indicator type's `clean`",
    "incident_ts": "when the reporter says it happened (often missing or rounded)",
    "layer": "1 receives from victims, 2 and 3 pass it on",
    "report_id": "the victim's report, empty when the victim did not report (yet)",
    "first_scam_ts": "the SIM's first scam call or SMS",
    "label": "truth: `scam`, `spam` (legal marketing) or `ham`",
    "campaign_id": "truth: the scam campaign; empty for others",
    "truth": "truth: `true`, `false` (mistaken) or `malicious`",
    "business_line": "registered business line (call centre, company sales team)",
}


def render() -> str:
    lines = [
        "# Canonical analytics schemas",
        "",
        "Generated from `src/tatsai/sim/schemas.py` by `python -m tatsai.sim.schemadoc`; do not",
        "edit by hand. Telco analytics, the money trail and report import read only these tables,",
        "through `tatsai.sim.io.read_table` / `read_world` (or `iter_table`, one part at a",
        "time, for big tables), which validate types, enums, nulls, keys and time zones and name",
        "the file, row and column of the first problem, e.g.",
        "`error (cdr.kind): world/cdr/part-00003.csv row 1042: 'fax' is not one of call, sms`.",
        "`column_map={'caller': 'a_msisdn'}` renames a feed's columns; `skip_bad_rows=True`",
        "drops bad rows (counted in `stats=`) instead of failing.",
        "",
        "Conventions: one file or folder per table under a world folder, named as the table",
        "(`cdr.parquet` or `cdr/part-00000.parquet`…; `.csv` likewise). Timestamps are",
        "`timestamp[us, UTC]` in Parquet and UTC ISO-8601 with `Z` or an offset in CSV (naive",
        "times are rejected). Money is THB as float64; distances in km. In CSV an empty field is a",
        "missing value and booleans are `true`/`false`. Tables named `truth_*` and columns marked",
        "truth exist only in simulated worlds, for measuring.",
        "",
    ]
    for t in TABLES.values():
        lines += [f"## `{t.name}`", "", t.description, "", f"Key: `{', '.join(t.key)}`", ""]
        lines += ["| column | type | null | values / notes |", "|---|---|---|---|"]
        for f in t.schema:
            allowed = t.enums.get(f.name)
            note = NOTES.get(f.name, "")
            if allowed:
                note = " \\| ".join(f"`{v}`" for v in sorted(allowed)) + (
                    f"; {note}" if note else ""
                )
            null = "yes" if f.name in t.nullable else "no"
            lines.append(f"| `{f.name}` | `{f.type}` | {null} | {note} |")
        lines.append("")
    return "\n".join(lines)


if __name__ == "__main__":  # pragma: no cover
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("docs/schemas.md")
    target.write_text(render(), encoding="utf-8")
