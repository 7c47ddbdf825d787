"""Turning the simulated world's arrays into the canonical tables (static, SMS text, truth)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from tatsai.indicators.banks import BANKS_BY_CODE
from tatsai.sim import geo, ids, money, reports, texts
from tatsai.sim.population import DAY_US, HOUR_US, ROLE_NAMES, Role, World
from tatsai.sim.traffic import PERSONAL_HOURS

if TYPE_CHECKING:
    from tatsai.sim.generate import Summary

TS = pa.timestamp("us", tz="UTC")
CampaignAt = Callable[[int, int], texts.Campaign]
A2P_PER_SUB_DAY = 0.02  # sampled sender-ID messages kept in sms_content
PERSONAL_SAMPLE = 0.01  # share of person-to-person SMS whose text is kept
SENDER_ID_SCAM_PER_SUB_DAY = 0.002  # scam SMS sent under a sender name
A2P_EVENT_BASE = 10**12  # event ids of sender-ID messages, which the cdr does not carry


def cells_table(w: World) -> pa.Table:
    c = w.cells
    return pa.table(
        {
            "cell_id": c.ids,
            "lat": c.lat,
            "lon": c.lon,
            "province": pa.array(np.array([p.name for p in geo.PROVINCES])[c.province]),
            "operator": pa.array(np.array(ids.OPERATORS)[c.operator]),
            "border_km": c.border_km,
            "border_country": pa.array(np.array(geo.BORDER_COUNTRIES)[c.border_country]),
        }
    )


def subscribers_table(w: World) -> pa.Table:
    return pa.table(
        {
            "msisdn": w.msisdn,
            "imsi": w.imsi,
            "operator": pa.array(np.array(ids.OPERATORS)[w.operator]),
            "plan": pa.array(np.where(w.postpaid, "postpaid", "prepaid")),
            "activated_at": pa.array(w.activated_us, TS),
            "holder_id": w.holder_ids.take(pa.array(w.holder)),
            "province": pa.array(np.array([p.name for p in geo.PROVINCES])[w.province]),
            "business_line": w.business_line,
        }
    )


def devices_table(w: World, rng: np.random.Generator) -> pa.Table:
    """Handset register: which IMEI carried which IMSI from when to when (attach/detach)."""
    end = w.start_us + w.days * DAY_US
    n = w.n
    bought = w.start_us - (rng.exponential(1.5, n) * 365 * DAY_US).astype(np.int64)
    first = np.maximum(w.activated_us, bought) // 1_000_000 * 1_000_000
    last = np.full(n, end - 1_000_000, dtype=np.int64)
    gang = w.gang >= 0
    first[gang] = w.sim_start_us[gang]
    last[gang] = w.sim_end_us[gang]
    device = w.device.copy()
    rows_dev, rows_sim, rows_first, rows_last = [device], [np.arange(n)], [first], [last]
    if w.extra_devices:
        extra = np.array(w.extra_devices, dtype=np.int64)
        last[extra[:, 1]] = extra[:, 2] - 1_000_000
        rows_dev.append(extra[:, 0])
        rows_sim.append(extra[:, 1])
        rows_first.append(extra[:, 2])
        rows_last.append(np.full(len(extra), end - 1_000_000))
    dev = np.concatenate(rows_dev)
    sim = np.concatenate(rows_sim)
    return pa.table(
        {
            "imei": w.imei.take(pa.array(dev)),
            "imsi": w.imsi.take(pa.array(sim)),
            "first_seen": pa.array(np.concatenate(rows_first), TS),
            "last_seen": pa.array(np.concatenate(rows_last), TS),
        }
    )


def sms_content(
    w: World,
    ev: dict[str, np.ndarray],
    event_id: np.ndarray,
    rng: np.random.Generator,
    campaign_at: CampaignAt,
    day: int,
) -> pa.Table:
    """Texts of every scam SMS, a sample of personal SMS, and sampled sender-ID traffic."""
    cols: dict[str, list[object]] = {
        k: [] for k in ("event_id", "ts", "sender", "recipient", "text", "label", "campaign_id")
    }

    def row(
        eid: int, ts: int, sender: str, to: str, text: str, label: str, camp: str | None
    ) -> None:
        for k, v in zip(cols, (eid, ts, sender, to, text, label, camp), strict=True):
            cols[k].append(v)

    scam = np.flatnonzero(ev["sms"] & ev["scam"])
    for i in scam:
        c = campaign_at(int(w.gang[ev["a"][i]]), int(ev["ts"][i]))
        row(
            int(event_id[i]),
            int(ev["ts"][i]),
            str(w.msisdn[ev["a"][i]]),
            str(w.msisdn[ev["b"][i]]),
            texts.scam_text(c, rng),
            "scam",
            c.campaign_id,
        )
    personal = np.flatnonzero(ev["sms"] & ~ev["scam"])
    personal = personal[rng.random(len(personal)) < PERSONAL_SAMPLE]
    for i in personal:
        row(
            int(event_id[i]),
            int(ev["ts"][i]),
            str(w.msisdn[ev["a"][i]]),
            str(w.msisdn[ev["b"][i]]),
            texts.personal_text(rng),
            "ham",
            None,
        )
    n_ord = w.scale.subscribers
    k = int(rng.poisson(n_ord * A2P_PER_SUB_DAY))
    day_start = w.start_us + day * DAY_US
    hours = rng.choice(24, k, p=PERSONAL_HOURS / PERSONAL_HOURS.sum())
    when = day_start + hours * HOUR_US + rng.integers(0, 3600, k) * 1_000_000
    to = rng.integers(0, n_ord, k)
    kinds = rng.choice(4, k, p=[0.45, 0.25, 0.1, 0.2])
    for j in range(k):
        sender, text, label = texts.legit_text(("otp", "bank", "operator", "shop")[kinds[j]], rng)
        row(
            A2P_EVENT_BASE + day * 10**8 + j,
            int(when[j]),
            sender,
            str(w.msisdn[to[j]]),
            text,
            label,
            None,
        )
    # Scam SMS through abused bulk-SMS accounts: a sender name instead of a number.
    k = int(rng.poisson(n_ord * SENDER_ID_SCAM_PER_SUB_DAY))
    gangs = rng.integers(0, len(w.gangs), k)
    when = day_start + rng.integers(8 * 3600, 21 * 3600, k) * 1_000_000
    to = rng.integers(0, n_ord, k)
    for j in range(k):
        c = campaign_at(int(gangs[j]), int(when[j]))
        row(
            A2P_EVENT_BASE + day * 10**8 + 50_000_000 + j,
            int(when[j]),
            texts.spoofed_sender(c, rng),
            str(w.msisdn[to[j]]),
            texts.scam_text(c, rng),
            "scam",
            c.campaign_id,
        )
    table = pa.table(
        {
            k: pa.array(v, TS if k == "ts" else (pa.int64() if k == "event_id" else pa.string()))
            for k, v in cols.items()
        }
    )
    return table.sort_by([("ts", "ascending"), ("event_id", "ascending")])


def report_seeds(
    w: World,
    ev: dict[str, np.ndarray],
    rng: np.random.Generator,
    campaign_at: CampaignAt,
    seeds: reports.ReportSeeds,
) -> None:
    """Reports by people who got a scam call or SMS, and mistaken reports of legit callers."""
    b = w.behaviour
    a, callee, ts = ev["a"], ev["b"], ev["ts"]
    call_scam = ev["scam"] & ~ev["sms"] & ev["answered"]
    for i in np.flatnonzero(call_scam & (rng.random(len(a)) < b.bystander_report_share)):
        number = str(w.msisdn[a[i]])
        seeds.add(
            int(callee[i]),
            int(ts[i]) + reports.delay(rng, 3),
            "phone",
            reports.as_typed(number, rng),
            number,
            "call",
            "true",
            incident=int(ts[i]) if rng.random() < 0.5 else None,
        )
    sms_scam = ev["scam"] & ev["sms"]
    for i in np.flatnonzero(sms_scam & (rng.random(len(a)) < 0.003)):
        c = campaign_at(int(w.gang[a[i]]), int(ts[i]))
        number = str(w.msisdn[a[i]])
        if c.url and rng.random() < 0.6:
            itype, raw, canonical, kind = "url", c.url, c.url, "url"
        elif "{line}" in c.template and rng.random() < 0.5:
            itype, raw, canonical, kind = "line_id", c.line_id, c.line_id, "sms"
        else:
            itype, raw, canonical, kind = "phone", reports.as_typed(number, rng), number, "sms"
        seeds.add(
            int(callee[i]), int(ts[i]) + reports.delay(rng, 2), itype, raw, canonical, kind, "true"
        )
    role = w.role[a]
    mistaken = ev["answered"] & (
        ((role == Role.call_centre) & (rng.random(len(a)) < b.false_report_share))
        | ((role == Role.delivery_rider) & (rng.random(len(a)) < b.false_report_share / 5))
        | ((role == Role.sales) & (rng.random(len(a)) < b.false_report_share / 2))
    )
    for i in np.flatnonzero(mistaken):
        number = str(w.msisdn[a[i]])
        seeds.add(
            int(callee[i]),
            int(ts[i]) + reports.delay(rng, 4),
            "phone",
            reports.as_typed(number, rng),
            number,
            "call",
            "false",
        )


def victim_reports(
    w: World,
    mw: money.MoneyWorld,
    ledger: money.Ledger,
    case_sim: np.ndarray,
    case_ts: np.ndarray,
    case_sms: np.ndarray,
    case_person: np.ndarray,
    campaign_at: CampaignAt,
    rng: np.random.Generator,
    seeds: reports.ReportSeeds,
) -> None:
    """About half the victims report, a day or so later, naming one thing they remember."""
    b = w.behaviour
    paid: dict[int, list[tuple[int, int, float]]] = {}
    for ts, dst, amount, case in zip(
        ledger.ts, ledger.dst, ledger.amount, ledger.victim, strict=True
    ):
        if case >= 0:
            paid.setdefault(case, []).append((ts, dst, amount))
    for case in range(len(case_person)):
        if rng.random() >= b.victim_report_share or case not in paid:
            continue
        pays = paid[case]
        last = max(p[0] for p in pays)
        total = sum(p[2] for p in pays)
        sim = int(case_sim[case])
        choice = rng.random()
        c = campaign_at(int(w.gang[sim]), int(case_ts[case]))
        number = str(w.msisdn[sim])
        if case_sms[case] and c.url and choice < 0.4:
            itype, raw, canonical, kind = "url", c.url, c.url, "url"
        elif choice < 0.7:
            account = mw.accounts.account_id[pays[0][1]]
            itype, raw, canonical, kind = "bank_account", account, account, "account"
            bank = BANKS_BY_CODE.get(account.partition("-")[0])
            if bank is not None and rng.random() < 0.5:  # as written on a transfer slip
                raw = f"{bank.name_th} {account.partition('-')[2]}"
            if account.startswith(money.EWALLET):  # an e-wallet is reported by its PromptPay ID
                number = account.partition("-")[2]
                itype, raw, canonical = "promptpay", number, f"ewallet:{number}"
        else:
            itype, raw, canonical = "phone", reports.as_typed(number, rng), number
            kind = "sms" if case_sms[case] else "call"
        seeds.add(
            int(case_person[case]),
            last + reports.delay(rng, b.report_delay_median_h),
            itype,
            raw,
            canonical,
            kind,
            "true",
            amount=round(total, -2) if rng.random() < 0.7 else None,
            incident=int(case_ts[case]) // HOUR_US * HOUR_US if rng.random() < 0.6 else None,
            case=case,
        )


def truth_tables(
    w: World,
    first_scam: np.ndarray,
    mw: money.MoneyWorld,
    used_accounts: np.ndarray,
    victim_txn: list[tuple[str, int, int]],
    case_report: dict[int, str],
    campaigns: list[texts.Campaign],
    account_ids: pa.Array,
) -> dict[str, pa.Table]:
    """Ground truth, consistent with what was written (only SIMs and accounts that acted)."""
    never = np.iinfo(np.int64).max
    scam = np.flatnonzero(first_scam < never)
    gang_ids = np.array([g.gang_id for g in w.gangs])
    boxes = sorted(w.sim_box_imei)
    mules = sorted(a for a in mw.mule_layer if used_accounts[a])
    special = np.flatnonzero(w.role != Role.ordinary)
    role_gang = w.gang[special]
    return {
        "truth_scam_sims": pa.table(
            {
                "msisdn": w.msisdn.take(pa.array(scam)),
                "imsi": w.imsi.take(pa.array(scam)),
                "gang_id": pa.array(gang_ids[w.gang[scam]]),
                "first_scam_ts": pa.array(first_scam[scam], TS),
            }
        ),
        "truth_sim_boxes": pa.table(
            {
                "imei": w.imei.take(pa.array(boxes, pa.int64())),
                "gang_id": pa.array([gang_ids[w.sim_box_imei[d]] for d in boxes], pa.string()),
            }
        ),
        "truth_mule_accounts": pa.table(
            {
                "account_id": account_ids.take(pa.array(mules, pa.int64())),
                "gang_id": pa.array([gang_ids[mw.mule_layer[a][0]] for a in mules], pa.string()),
                "layer": pa.array([mw.mule_layer[a][1] for a in mules], pa.int32()),
            }
        ),
        "truth_victim_transfers": pa.table(
            {
                "txn_id": pa.array([t for t, _, _ in victim_txn], pa.string()),
                "victim_account": account_ids.take(
                    pa.array([s for _, s, _ in victim_txn], pa.int64())
                ),
                "report_id": pa.array([case_report.get(c) for _, _, c in victim_txn], pa.string()),
            }
        ),
        "truth_roles": pa.table(
            {
                "imsi": w.imsi.take(pa.array(special)),
                "msisdn": w.msisdn.take(pa.array(special)),
                "role": pa.array([ROLE_NAMES[int(r)] for r in w.role[special]], pa.string()),
                "gang_id": pc.if_else(
                    pa.array(role_gang < 0),
                    pa.scalar(None, pa.string()),
                    pa.array(gang_ids[np.maximum(role_gang, 0)]),
                ),
            }
        ),
        "truth_campaigns": pa.table(
            {
                "campaign_id": pa.array([c.campaign_id for c in campaigns], pa.string()),
                "gang_id": pa.array([gang_ids[c.gang] for c in campaigns], pa.string()),
                "theme": pa.array([c.theme for c in campaigns], pa.string()),
                "url": pa.array([c.url or None for c in campaigns], pa.string()),
                "start_ts": pa.array([c.start_us for c in campaigns], TS),
                "end_ts": pa.array([c.end_us for c in campaigns], TS),
            }
        ),
    }


__all__ = ["Summary"]
