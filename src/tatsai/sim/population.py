"""The static world: cells, SIMs and their holders and handsets, contacts, gangs and their SIMs.

Everything is index-based numpy: SIM ``i`` is row ``i`` of every per-SIM array. Rows are grouped
by role (ordinary, call centre, rider, sales, gang), but no table is written in that order: the
writer sorts by key, and identifiers are random, so row order leaks no truth.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntEnum

import numpy as np
import pyarrow as pa

from tatsai.sim import geo, ids
from tatsai.sim.config import BEHAVIOUR, Behaviour, Scale

HOUR_US = 3_600_000_000
DAY_US = 24 * HOUR_US


class Role(IntEnum):
    ordinary = 0
    call_centre = 1
    delivery_rider = 2
    sales = 3
    scam_caller = 4
    scam_sms = 5
    sim_box = 6


ROLE_NAMES = {r.value: r.name for r in Role}


@dataclass
class Cells:
    ids: pa.Array
    lat: np.ndarray
    lon: np.ndarray
    province: np.ndarray  # index into geo.PROVINCES
    operator: np.ndarray  # index into ids.OPERATORS
    border_km: np.ndarray
    border_country: np.ndarray  # index into geo.BORDER_COUNTRIES
    # cells are stored grouped by (operator, province): group g = operator * P + province
    group_start: np.ndarray
    group_count: np.ndarray

    def random_in(self, rng: np.random.Generator, operator: np.ndarray, province: np.ndarray):  # type: ignore[no-untyped-def]
        """One random cell of each (operator, province) pair (arrays of equal length)."""
        g = operator.astype(np.int64) * len(geo.PROVINCES) + province
        return self.group_start[g] + (rng.random(len(g)) * self.group_count[g]).astype(np.int64)


@dataclass
class Gang:
    gang_id: str
    sim_box: bool
    base_lat: float
    base_lon: float
    province: int
    cells_by_operator: list[np.ndarray]  # the cells its SIMs attach to, per operator
    leaked: np.ndarray  # subscriber indexes from a leaked customer list it calls first
    holders: np.ndarray  # nominee ID holders its SIMs are registered to


@dataclass
class World:
    """All static state of one simulated world."""

    scale: Scale
    seed: int
    start_us: int
    days: int
    behaviour: Behaviour
    cells: Cells
    msisdn: pa.Array
    imsi: pa.Array
    operator: np.ndarray
    postpaid: np.ndarray
    activated_us: np.ndarray
    holder: np.ndarray
    province: np.ndarray
    business_line: np.ndarray
    role: np.ndarray
    gang: np.ndarray  # -1 when not a gang SIM
    home_cell: np.ndarray
    work_cell: np.ndarray
    call_rate: np.ndarray  # mean calls per active day
    sms_rate: np.ndarray
    device: np.ndarray  # index into imei of the SIM's handset
    imei: pa.Array
    holder_ids: pa.Array
    contacts: np.ndarray  # (n_ordinary, K) subscriber indexes
    prospects: np.ndarray  # (n_sales, 200) for sales SIMs
    gangs: list[Gang]
    sim_start_us: np.ndarray  # gang SIMs: when the SIM starts working (-1 for others)
    sim_end_us: np.ndarray
    sim_intensity: np.ndarray  # gang SIMs: events per working hour
    sends_sms: np.ndarray  # gang SIMs used for SMS blasts rather than calls
    sim_box_imei: dict[int, int] = field(default_factory=dict)  # device index -> gang
    extra_devices: list[tuple[int, int, int, int]] = field(default_factory=list)

    @property
    def n(self) -> int:
        return len(self.role)

    def of_role(self, role: Role) -> np.ndarray:
        return np.flatnonzero(self.role == role)


def build_cells(rng: np.random.Generator, scale: Scale) -> Cells:
    """Cells spread by population (Bangkok densest) plus clusters at border crossings."""
    pops = np.array([p.population_k for p in geo.PROVINCES], dtype=np.float64)
    n_prov = len(pops)
    lat_l: list[np.ndarray] = []
    lon_l: list[np.ndarray] = []
    prov_l: list[np.ndarray] = []
    op_l: list[np.ndarray] = []
    share = np.array(ids.OPERATOR_SHARE)
    town_cells = max(2, scale.cells // 300)
    per_prov = np.maximum(1, np.round(scale.cells * pops**1.1 / (pops**1.1).sum()))
    for op in range(len(ids.OPERATORS)):
        counts = np.maximum(1, np.round(per_prov * share[op])).astype(np.int64)
        for p, prov in enumerate(geo.PROVINCES):
            k = int(counts[p])
            lat_l.append(prov.lat + rng.normal(0, prov.spread_deg, k))
            lon_l.append(prov.lon + rng.normal(0, prov.spread_deg, k))
            prov_l.append(np.full(k, p))
            op_l.append(np.full(k, op))
        names = [p.name for p in geo.PROVINCES]
        for _town, tlat, tlon, tprov, _c in geo.BORDER_TOWNS:
            lat_l.append(tlat + rng.normal(0, 0.03, town_cells))
            lon_l.append(tlon + rng.normal(0, 0.03, town_cells))
            prov_l.append(np.full(town_cells, names.index(tprov)))
            op_l.append(np.full(town_cells, op))
    lat, lon = np.concatenate(lat_l), np.concatenate(lon_l)
    province, operator = np.concatenate(prov_l), np.concatenate(op_l)
    order = np.lexsort((lon, lat, province, operator))
    lat, lon, province, operator = lat[order], lon[order], province[order], operator[order]
    lat, lon = np.round(lat, 5), np.round(lon, 5)
    km, country = geo.border_distance_km(lat, lon)
    group = operator * n_prov + province
    group_count = np.bincount(group, minlength=len(ids.OPERATORS) * n_prov)
    group_start = np.concatenate([[0], np.cumsum(group_count)[:-1]])
    ci = ids.unique_ints(rng, len(lat), 10_000, 65_536 * 4)
    mnc = pa.array(np.array(ids.OPERATOR_MNC)[operator])
    cell_ids = ids.join("520-", mnc, "-", ids.digits(1000 + province, 4), "-", ids.digits(ci, 6))
    return Cells(
        cell_ids,
        lat,
        lon,
        province,
        operator,
        np.round(km, 3),
        country,
        group_start,
        group_count,
    )


#: Where SIM-box gangs set up inside Thailand (province name, weight).
SIM_BOX_CITIES = (
    ("Bangkok", 5.0),
    ("Samut Prakan", 1.5),
    ("Nonthaburi", 1.0),
    ("Chonburi", 1.5),
    ("Khon Kaen", 0.7),
    ("Chiang Mai", 0.7),
    ("Udon Thani", 0.5),
)
#: Where border gangs sit, across from which Thai town (town name, weight): compounds around
#: Myawaddy, Poipet, the Golden Triangle and O'Smach dominate public reporting.
GANG_TOWNS = {
    "Mae Sot": 3.0,
    "Aranyaprathet": 2.5,
    "Chiang Saen": 1.5,
    "Chong Chom": 1.0,
    "Khlong Yai": 0.8,
    "Mae Sai": 0.8,
    "Chiang Khong": 0.5,
    "Sangkhla Buri": 0.5,
    "Nong Khai town": 0.4,
    "Ranong town": 0.3,
    "Nakhon Phanom town": 0.3,
    "Mukdahan town": 0.3,
    "Sadao": 0.4,
    "Sungai Kolok": 0.3,
    "Betong": 0.2,
}
YEAR_US = 365 * DAY_US


def _pick(rng: np.random.Generator, weights: np.ndarray, n: int) -> np.ndarray:
    return rng.choice(len(weights), size=n, p=weights / weights.sum())


def _nearest_cells(cells: Cells, operator: int, lat: float, lon: float, k: int) -> np.ndarray:
    mine = np.flatnonzero(cells.operator == operator)
    d = geo.haversine_km(cells.lat[mine], cells.lon[mine], lat, lon)
    order = np.argsort(d, kind="stable")[:k]
    # Phones across the border reach only the Thai cells nearest to them.
    return np.asarray(mine[order[(d[order] <= 20.0) | (np.arange(len(order)) == 0)]])


def _gang_sim_plan(  # type: ignore[no-untyped-def]
    rng: np.random.Generator, scale: Scale, days: int, b: Behaviour, cells: Cells
):
    """Gangs and the life of each of their SIMs: (gangs, gang_of_sim, start, end, slot)."""
    names = [p.name for p in geo.PROVINCES]
    towns = {t[0]: t for t in geo.BORDER_TOWNS}
    town_names = list(GANG_TOWNS)
    town_w = np.array(list(GANG_TOWNS.values()))
    city_w = np.array([w for _, w in SIM_BOX_CITIES])
    end = days * DAY_US
    gangs: list[Gang] = []
    g_of: list[int] = []
    starts: list[int] = []
    ends: list[int] = []
    slots: list[int] = []
    # A fixed share of gangs run SIM boxes (at least one when there are two gangs or more).
    n_box = max(int(scale.gangs >= 2), round(scale.gangs * (1 - b.border_gang_share)))
    box_gangs = set(rng.permutation(scale.gangs)[:n_box].tolist())
    for g in range(scale.gangs):
        sim_box = g in box_gangs
        if sim_box:
            prov = names.index(SIM_BOX_CITIES[int(_pick(rng, city_w, 1)[0])][0])
            lat = geo.PROVINCES[prov].lat + float(rng.normal(0, 0.03))
            lon = geo.PROVINCES[prov].lon + float(rng.normal(0, 0.03))
            k_cells, active, life_h = 2, 2 * scale.sims_active_per_gang, b.sim_life_hours / 2
        else:
            _, lat, lon, pname, _c = towns[town_names[int(_pick(rng, town_w, 1)[0])]]
            prov = names.index(pname)
            k_cells, active, life_h = 3, scale.sims_active_per_gang, b.sim_life_hours
        by_op = [_nearest_cells(cells, op, lat, lon, k_cells) for op in range(len(ids.OPERATORS))]
        gangs.append(
            Gang(f"G{g + 1:03d}", sim_box, lat, lon, prov, by_op, np.empty(0), np.empty(0))
        )
        for slot in range(active):
            t = int(rng.uniform(0, 12) * HOUR_US)
            while t < end:
                life = float(np.clip(rng.lognormal(np.log(life_h), 0.6), 2, 120)) * HOUR_US
                g_of.append(g)
                starts.append(t)
                ends.append(min(end, t + int(life)))
                slots.append(slot)
                t += int(life) + int(rng.exponential(2.0) * HOUR_US)
    return gangs, np.array(g_of), np.array(starts), np.array(ends), np.array(slots)


def build_world(
    scale: Scale, *, seed: int, days: int, start_us: int, behaviour: Behaviour = BEHAVIOUR
) -> World:
    """The static world for ``seed``: same arguments, same world."""
    b = behaviour
    rng = np.random.Generator(np.random.PCG64([seed, 1]))
    cells = build_cells(rng, scale)
    n_prov = len(geo.PROVINCES)
    pops = np.array([p.population_k for p in geo.PROVINCES], dtype=np.float64)
    names = [p.name for p in geo.PROVINCES]
    gangs, g_of, s_start, s_end, s_slot = _gang_sim_plan(rng, scale, days, b, cells)
    counts = {
        Role.ordinary: scale.subscribers,
        Role.call_centre: scale.call_centre_sims,
        Role.delivery_rider: scale.rider_sims,
        Role.sales: scale.sales_sims,
    }
    n_gang = len(g_of)
    role = np.concatenate([np.full(c, r, dtype=np.int8) for r, c in counts.items()])
    gang_sms = rng.random(n_gang) < b.sms_sim_share
    gang_role = np.where(gang_sms, Role.scam_sms, Role.scam_caller)
    is_box = np.array([gangs[g].sim_box for g in g_of], dtype=bool)
    gang_role = np.where(is_box, Role.sim_box, gang_role).astype(np.int8)
    role = np.concatenate([role, gang_role])
    n = len(role)
    n_ord = scale.subscribers
    gang = np.full(n, -1, dtype=np.int32)
    gang[n - n_gang :] = g_of
    idx = {r: np.flatnonzero(role == r) for r in Role}
    gang_idx = np.flatnonzero(gang >= 0)

    operator = _pick(rng, np.array(ids.OPERATOR_SHARE), n).astype(np.int8)
    province = _pick(rng, pops, n).astype(np.int16)
    bangkok = names.index("Bangkok")
    # Riders and call centres work in the cities, most of them in Bangkok.
    city = rng.random(n) < 0.6
    heavy = np.isin(role, [Role.call_centre, Role.delivery_rider, Role.sales])
    province[heavy & city] = bangkok

    # Holders: ordinary people (about 1.35 SIMs each), companies, nominees of gangs.
    n_people = int(n_ord / 1.35) + 1
    holder = np.empty(n, dtype=np.int64)
    holder[:n_ord] = rng.integers(0, n_people, n_ord)
    next_holder = n_people
    companies_cc = max(1, len(idx[Role.call_centre]) // 40)
    holder[idx[Role.call_centre]] = next_holder + rng.integers(
        0, companies_cc, len(idx[Role.call_centre])
    )
    next_holder += companies_cc
    holder[idx[Role.delivery_rider]] = next_holder + np.arange(len(idx[Role.delivery_rider]))
    next_holder += len(idx[Role.delivery_rider])
    sales = idx[Role.sales]
    teams = max(1, len(sales) // 15)
    company_sales = rng.random(len(sales)) < 0.5
    holder[sales] = np.where(company_sales, next_holder + rng.integers(0, teams, len(sales)), -1)
    next_holder += teams
    own = sales[~company_sales]
    holder[own] = next_holder + np.arange(len(own))
    next_holder += len(own)
    business_line = np.zeros(n, dtype=bool)
    business_line[idx[Role.call_centre]] = True
    business_line[sales[company_sales]] = True
    for g, gg in enumerate(gangs):
        gg.holders = next_holder + np.arange(3)
        next_holder += 3
        mine = gang_idx[g_of == g]
        nominee = rng.random(len(mine)) < 0.8
        holder[mine] = np.where(
            nominee, gg.holders[rng.integers(0, 3, len(mine))], rng.integers(0, n_people, len(mine))
        )
        gg.leaked = rng.choice(n_ord, size=min(n_ord, 300 + n_ord // 500), replace=False)

    # Plans and activation dates.
    postpaid = rng.random(n) < 0.22
    postpaid[idx[Role.call_centre]] = True
    postpaid[sales[company_sales]] = True
    postpaid[gang_idx] = False
    age = np.minimum(rng.exponential(4.5, n), 12.0) * YEAR_US
    recent = rng.random(n) < 0.35
    rider = idx[Role.delivery_rider]
    age[rider] = np.where(recent[rider], rng.uniform(1, 60, len(rider)) * DAY_US, age[rider])
    activated = start_us - age.astype(np.int64)
    sim_start = np.full(n, -1, dtype=np.int64)
    sim_end = np.full(n, -1, dtype=np.int64)
    sim_start[gang_idx] = start_us + s_start
    sim_end[gang_idx] = start_us + s_end
    fresh = rng.random(n_gang) < 0.75
    lead = np.where(
        fresh, rng.uniform(0.02, 14, n_gang) * DAY_US, rng.uniform(180, 1800, n_gang) * DAY_US
    )
    activated[gang_idx] = sim_start[gang_idx] - lead.astype(np.int64)
    activated = (activated // 1_000_000) * 1_000_000  # whole seconds

    # Where each SIM lives and works.
    home = cells.random_in(rng, operator, province)
    work = np.where(rng.random(n) < 0.7, cells.random_in(rng, operator, province), home)
    cc = idx[Role.call_centre]
    office = cells.random_in(rng, operator[cc], province[cc])
    home[cc] = work[cc] = office
    for g, gg in enumerate(gangs):
        mine = gang_idx[g_of == g]
        for op in range(len(ids.OPERATORS)):
            sel = mine[operator[mine] == op]
            choice = gg.cells_by_operator[op]
            home[sel] = work[sel] = choice[rng.integers(0, len(choice), len(sel))]

    # Activity.
    call_rate = rng.gamma(1.5, b.calls_per_day / 1.5, n).astype(np.float32)
    sms_rate = rng.gamma(1.0, b.sms_per_day, n).astype(np.float32)
    call_rate[cc] = rng.gamma(4.0, b.call_centre_calls / 4.0, len(cc))
    call_rate[rider] = rng.gamma(4.0, b.rider_calls / 4.0, len(rider))
    call_rate[sales] = rng.gamma(4.0, b.sales_calls / 4.0, len(sales))
    intensity = np.zeros(n, dtype=np.float32)
    quiet = rng.random(n_gang) < b.quiet_share
    loud = rng.lognormal(np.log(b.scam_calls_per_hour), 0.4, n_gang)
    soft = rng.lognormal(np.log(b.quiet_calls_per_hour), 0.5, n_gang)
    blast = rng.lognormal(np.log(b.sms_blast_per_hour), 0.5, n_gang)
    gang_intensity = np.where(quiet, soft, loud)
    gang_intensity = np.where(gang_sms, blast, gang_intensity)
    intensity[gang_idx] = gang_intensity
    sends_sms = np.zeros(n, dtype=bool)
    sends_sms[gang_idx] = gang_sms

    # Handsets: one each, except call-centre gateways (8 SIMs in one box), gang handsets that
    # carry several SIMs one after another, and SIM boxes (one IMEI, many SIMs at once).
    device = np.arange(n, dtype=np.int64)
    gateway = cc[rng.random(len(cc)) < 0.3]
    device[gateway] = gateway[(np.arange(len(gateway)) // 8) * 8]
    sim_box_imei: dict[int, int] = {}
    for g, gg in enumerate(gangs):
        mine = gang_idx[g_of == g]
        slot = s_slot[g_of == g]
        if gg.sim_box:
            box = mine[0] + slot // 8  # 8 SIM channels per box
            device[mine] = box
            for d in np.unique(box):
                sim_box_imei[int(d)] = g
        else:
            # A handset takes the next SIM of its slot until it has carried 2–6 of them.
            order = np.lexsort((sim_start[mine], slot))
            handset = -1
            used = 0
            limit = 0
            last_slot = -1
            for i in order:
                if slot[i] != last_slot or used >= limit:
                    handset, used, limit = int(mine[i]), 0, int(rng.integers(2, 7))
                    last_slot = int(slot[i])
                device[mine[i]] = handset
                used += 1
    # Some people change handsets during the period (a second device row from the switch on).
    extra: list[tuple[int, int, int, int]] = []
    switch = np.flatnonzero(rng.random(n_ord) < 0.01)
    switch_at = start_us + (rng.random(len(switch)) * days * DAY_US).astype(np.int64)
    for k, (sim, at) in enumerate(zip(switch, switch_at, strict=True)):
        extra.append((n + k, int(sim), int(at // 1_000_000 * 1_000_000), 0))
    imei = ids.imeis(rng, n + len(extra))

    # Social graph: contacts mostly in one's own province.
    k = b.contacts
    ord_prov = province[:n_ord]
    by_prov = np.argsort(ord_prov, kind="stable")
    p_count = np.bincount(ord_prov, minlength=n_prov)
    p_start = np.concatenate([[0], np.cumsum(p_count)[:-1]])
    mine_p = np.repeat(ord_prov, k).reshape(n_ord, k)
    local = by_prov[p_start[mine_p] + (rng.random((n_ord, k)) * p_count[mine_p]).astype(np.int64)]
    anywhere = rng.integers(0, n_ord, (n_ord, k))
    contacts = np.where(rng.random((n_ord, k)) < 0.7, local, anywhere).astype(np.int32)
    selfie = contacts == np.arange(n_ord)[:, None]
    contacts[selfie] = (contacts[selfie] + 1) % n_ord
    prospects = rng.integers(0, n_ord, (len(sales), 200)).astype(np.int32)

    secret = f"tatsai-sim-{seed}"
    return World(
        scale=scale,
        seed=seed,
        start_us=start_us,
        days=days,
        behaviour=b,
        cells=cells,
        msisdn=ids.msisdns(rng, n),
        imsi=ids.imsis(rng, operator),
        operator=operator,
        postpaid=postpaid,
        activated_us=activated,
        holder=holder,
        province=province,
        business_line=business_line,
        role=role,
        gang=gang,
        home_cell=home,
        work_cell=work,
        call_rate=call_rate,
        sms_rate=sms_rate,
        device=device,
        imei=imei,
        holder_ids=ids.holder_pseudonyms(next_holder, secret),
        contacts=contacts,
        prospects=prospects,
        gangs=gangs,
        sim_start_us=sim_start,
        sim_end_us=sim_end,
        sim_intensity=intensity,
        sends_sms=sends_sms,
        sim_box_imei=sim_box_imei,
        extra_devices=extra,
    )
