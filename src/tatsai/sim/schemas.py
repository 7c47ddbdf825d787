"""The canonical analytics tables: columns, types, units and keys.

Telco analytics, the money trail and report import read only these. docs/schemas.md is the
human-readable form of the same definitions. Timestamps are ``timestamp[us, UTC]`` in Parquet
and UTC ISO-8601 in CSV; money is in Thai baht (THB) as float64; distances in kilometres.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pyarrow as pa

TS = pa.timestamp("us", tz="UTC")

#: Mobile network operators (brands as they appear in records; dtac is a True Corporation brand).
OPERATORS = frozenset({"AIS", "TRUE", "DTAC", "NT"})
#: Indicator types a report can name; the names of ``tatsai.indicators`` types.
INDICATOR_TYPES = frozenset({"phone", "sender_id", "url", "bank_account", "promptpay", "line_id"})


@dataclass(frozen=True)
class TableSchema:
    """One canonical table: its Arrow schema, key columns and allowed values of enums."""

    name: str
    schema: pa.Schema
    key: tuple[str, ...]
    description: str
    enums: dict[str, frozenset[str]] = field(default_factory=dict)
    nullable: frozenset[str] = frozenset()

    @property
    def columns(self) -> list[str]:
        return list(self.schema.names)


def _schema(*fields: tuple[str, pa.DataType]) -> pa.Schema:
    return pa.schema([pa.field(n, t) for n, t in fields])


SUBSCRIBERS = TableSchema(
    name="subscribers",
    schema=_schema(
        ("msisdn", pa.string()),  # E.164, e.g. +66812345678
        ("imsi", pa.string()),  # 15 digits, MCC 520
        ("operator", pa.string()),
        ("plan", pa.string()),  # prepaid | postpaid
        ("activated_at", TS),
        ("holder_id", pa.string()),  # keyed pseudonym of the ID-card holder
        ("province", pa.string()),
        ("business_line", pa.bool_()),  # registered business line (call centre, riders' fleet)
    ),
    key=("imsi",),
    description="One row per SIM (IMSI) and its number.",
    enums={"plan": frozenset({"prepaid", "postpaid"}), "operator": OPERATORS},
)

DEVICES = TableSchema(
    name="devices",
    schema=_schema(
        ("imei", pa.string()),  # 15 digits, Luhn-valid
        ("imsi", pa.string()),
        ("first_seen", TS),
        ("last_seen", TS),
    ),
    key=("imei", "imsi", "first_seen"),
    description="Which handset (IMEI) carried which SIM (IMSI), and when.",
)

CELLS = TableSchema(
    name="cells",
    schema=_schema(
        ("cell_id", pa.string()),
        ("lat", pa.float64()),
        ("lon", pa.float64()),
        ("province", pa.string()),
        ("operator", pa.string()),
        ("border_km", pa.float64()),  # distance to the nearest land border, km
        ("border_country", pa.string()),  # MM | LA | KH | MY: the nearest neighbour
    ),
    key=("cell_id",),
    description="Radio cells with their location and distance to the nearest land border.",
    enums={"operator": OPERATORS, "border_country": frozenset({"MM", "LA", "KH", "MY"})},
)

CDR = TableSchema(
    name="cdr",
    schema=_schema(
        ("event_id", pa.int64()),
        ("ts", TS),
        ("kind", pa.string()),  # call | sms
        ("a_msisdn", pa.string()),  # originating number, E.164
        ("b_msisdn", pa.string()),  # destination number, E.164
        ("a_imsi", pa.string()),
        ("a_imei", pa.string()),
        ("cell_id", pa.string()),
        ("duration_s", pa.int32()),  # seconds of conversation; 0 for SMS and unanswered calls
        ("answered", pa.bool_()),
        ("direction", pa.string()),  # mo (originated on our network) | mt (terminated on it)
    ),
    key=("event_id",),
    description="Call and SMS records as an operator's mediation emits them.",
    enums={"kind": frozenset({"call", "sms"}), "direction": frozenset({"mo", "mt"})},
)

SMS_CONTENT = TableSchema(
    name="sms_content",
    schema=_schema(
        ("event_id", pa.int64()),  # the cdr event, when the SMS is in the cdr
        ("ts", TS),
        ("sender", pa.string()),  # E.164 number or alphanumeric sender ID
        ("recipient", pa.string()),
        ("text", pa.string()),
        ("label", pa.string()),  # truth: scam | spam | ham
        ("campaign_id", pa.string()),  # truth: scam campaign, empty for others
    ),
    key=("event_id",),
    description="Text of a sample of SMS, with the simulator's truth label.",
    enums={"label": frozenset({"scam", "spam", "ham"})},
    nullable=frozenset({"campaign_id"}),
)

REPORTS = TableSchema(
    name="reports",
    schema=_schema(
        ("report_id", pa.string()),
        ("ts", TS),
        ("channel", pa.string()),  # sms-1185 | ussd | web | api
        ("reporter", pa.string()),  # keyed pseudonym of the reporter's number
        ("indicator_type", pa.string()),  # phone | sender_id | url | bank_account | line_id
        ("indicator_value", pa.string()),  # normalized by its type
        ("kind", pa.string()),  # call | sms | url | account | other
        ("amount_lost_thb", pa.float64()),
        ("truth", pa.string()),  # truth: true | false | malicious
        ("incident_ts", TS),  # when the reporter says it happened; often left out
    ),
    key=("report_id",),
    description="Citizens' reports: delayed, partial, some false or malicious.",
    enums={
        "channel": frozenset({"sms-1185", "ussd", "web", "api"}),
        "indicator_type": INDICATOR_TYPES,
        "kind": frozenset({"call", "sms", "url", "account", "other"}),
        "truth": frozenset({"true", "false", "malicious"}),
    },
    nullable=frozenset({"amount_lost_thb", "incident_ts"}),
)

ACCOUNTS = TableSchema(
    name="accounts",
    schema=_schema(
        ("account_id", pa.string()),  # <bank code>-<number>, e.g. 004-1234567890
        ("bank", pa.string()),  # Thai bank code, e.g. 004 (KBank)
        ("holder_id", pa.string()),  # keyed pseudonym
        ("opened_at", TS),
        ("kind", pa.string()),  # personal | business | ewallet | exchange
    ),
    key=("account_id",),
    description="Bank and e-wallet accounts. holder_id is in the same pseudonym space as "
    "subscribers.holder_id (one ID card, one pseudonym).",
    enums={"kind": frozenset({"personal", "business", "ewallet", "exchange"})},
)

TRANSFERS = TableSchema(
    name="transfers",
    schema=_schema(
        ("txn_id", pa.string()),
        ("ts", TS),
        ("src_account", pa.string()),
        ("dst_account", pa.string()),  # empty for cash withdrawals
        ("amount_thb", pa.float64()),  # > 0
        ("channel", pa.string()),
    ),
    key=("txn_id",),
    description="Money movements between accounts, and out of them.",
    enums={
        "channel": frozenset(
            {"promptpay", "transfer", "atm_withdrawal", "crypto_exchange", "cross_border"}
        )
    },
    nullable=frozenset({"dst_account"}),
)

TRUTH_SCAM_SIMS = TableSchema(
    name="truth_scam_sims",
    schema=_schema(
        ("msisdn", pa.string()),
        ("imsi", pa.string()),
        ("gang_id", pa.string()),
        ("first_scam_ts", TS),
    ),
    key=("imsi",),
    description="Truth: SIMs used by scam gangs.",
)

TRUTH_SIM_BOXES = TableSchema(
    name="truth_sim_boxes",
    schema=_schema(("imei", pa.string()), ("gang_id", pa.string())),
    key=("imei",),
    description="Truth: SIM-box devices (one IMEI cycling many SIMs).",
)

TRUTH_MULE_ACCOUNTS = TableSchema(
    name="truth_mule_accounts",
    schema=_schema(("account_id", pa.string()), ("gang_id", pa.string()), ("layer", pa.int32())),
    key=("account_id",),
    description="Truth: mule accounts and their layer (1 receives from victims).",
)

TRUTH_VICTIM_TRANSFERS = TableSchema(
    name="truth_victim_transfers",
    schema=_schema(
        ("txn_id", pa.string()), ("victim_account", pa.string()), ("report_id", pa.string())
    ),
    key=("txn_id",),
    description="Truth: transfers made by scam victims, and the report they filed, if any.",
    nullable=frozenset({"report_id"}),
)

TRUTH_ROLES = TableSchema(
    name="truth_roles",
    schema=_schema(
        ("imsi", pa.string()),
        ("msisdn", pa.string()),
        ("role", pa.string()),
        ("gang_id", pa.string()),  # for scam roles, else empty
    ),
    key=("imsi",),
    description="Truth: every SIM that is not an ordinary person's, and what it is used for.",
    enums={
        "role": frozenset(
            {"call_centre", "delivery_rider", "sales", "scam_caller", "scam_sms", "sim_box"}
        )
    },
    nullable=frozenset({"gang_id"}),
)

TRUTH_CAMPAIGNS = TableSchema(
    name="truth_campaigns",
    schema=_schema(
        ("campaign_id", pa.string()),
        ("gang_id", pa.string()),
        ("theme", pa.string()),
        ("url", pa.string()),  # the lookalike link the campaign spreads, empty for none
        ("start_ts", TS),
        ("end_ts", TS),
    ),
    key=("campaign_id",),
    description="Truth: scam campaigns (one theme and lure over a time window) and their gang.",
    enums={
        "theme": frozenset(
            {
                "bank",
                "government",
                "police",
                "courier",
                "utility",
                "loan",
                "job",
                "gambling",
                "investment",
            }
        )
    },
    nullable=frozenset({"url"}),
)

TABLES: dict[str, TableSchema] = {
    t.name: t
    for t in (
        SUBSCRIBERS,
        DEVICES,
        CELLS,
        CDR,
        SMS_CONTENT,
        REPORTS,
        ACCOUNTS,
        TRANSFERS,
        TRUTH_SCAM_SIMS,
        TRUTH_SIM_BOXES,
        TRUTH_MULE_ACCOUNTS,
        TRUTH_VICTIM_TRANSFERS,
        TRUTH_ROLES,
        TRUTH_CAMPAIGNS,
    )
}
