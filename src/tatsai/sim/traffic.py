"""One simulated day of calls and SMS, vectorized: ordinary people, heavy legitimate callers,
scam SIMs, and the calls back that missed calls provoke.

Times are microseconds since the Unix epoch (UTC); the rhythm of the day follows Bangkok local
time (UTC+7). Each day draws from its own PCG64 stream ``[seed, 2, day]``, so a day's events do
not depend on how many numbers earlier days consumed.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from tatsai.sim.population import DAY_US, HOUR_US, Role, World

S_US = 1_000_000

#: Share of a person's calls in each local hour (0–23); from the usual two-peak day.
PERSONAL_HOURS = np.array(
    [
        0.3,
        0.15,
        0.1,
        0.1,
        0.15,
        0.4,
        1.0,
        2.2,
        3.6,
        4.6,
        5.0,
        5.0,
        4.6,
        4.8,
        5.0,
        4.9,
        5.0,
        5.3,
        5.5,
        5.3,
        4.6,
        3.6,
        2.2,
        1.0,
    ]
)
OFFICE_HOURS = np.array([0.0] * 9 + [1, 1, 1, 0.3, 1, 1, 1, 1, 1] + [0.0] * 6)
RIDER_HOURS = np.array(
    [0.0] * 9 + [0.3, 0.8, 1.5, 1.6, 0.8, 0.5, 0.5, 0.8, 1.5, 1.7, 1.4, 0.8, 0.3, 0, 0]
)
#: Scam compounds work long shifts; a little at night.
SCAM_HOURS = np.array([0.05] * 7 + [0.3] + [1.0] * 13 + [0.6, 0.3, 0.1])


@dataclass
class DayEvents:
    """Events of one day (parallel arrays), plus the victims the scam calls made."""

    a: list[np.ndarray] = field(default_factory=list)
    b: list[np.ndarray] = field(default_factory=list)
    ts: list[np.ndarray] = field(default_factory=list)
    sms: list[np.ndarray] = field(default_factory=list)
    cell: list[np.ndarray] = field(default_factory=list)
    duration: list[np.ndarray] = field(default_factory=list)
    answered: list[np.ndarray] = field(default_factory=list)
    scam: list[np.ndarray] = field(default_factory=list)

    def add(
        self,
        a: np.ndarray,
        b: np.ndarray,
        ts: np.ndarray,
        sms: np.ndarray | bool,
        cell: np.ndarray,
        duration: np.ndarray,
        answered: np.ndarray | bool,
        scam: bool = False,
    ) -> None:
        m = len(a)
        # int32 indexes: a day of a medium world is 7 million rows, memory is the constraint.
        self.a.append(a.astype(np.int32))
        self.b.append(b.astype(np.int32))
        self.ts.append(ts.astype(np.int64))
        self.sms.append(np.broadcast_to(np.asarray(sms, bool), (m,)).copy())
        self.cell.append(cell.astype(np.int32))
        self.duration.append(duration.astype(np.int32))
        self.answered.append(np.broadcast_to(np.asarray(answered, bool), (m,)).copy())
        self.scam.append(np.full(m, scam))

    def arrays(self) -> dict[str, np.ndarray]:
        names = ("a", "b", "ts", "sms", "cell", "duration", "answered", "scam")
        return {k: np.concatenate(getattr(self, k)) for k in names}


@dataclass
class Victims:
    """People who lost money after a scam contact: who, when, which gang and SIM, how."""

    person: list[np.ndarray] = field(default_factory=list)
    ts: list[np.ndarray] = field(default_factory=list)
    sim: list[np.ndarray] = field(default_factory=list)
    via_sms: list[np.ndarray] = field(default_factory=list)


def _times(rng: np.random.Generator, n: int, hours: np.ndarray, day_start: int) -> np.ndarray:
    hour = rng.choice(24, size=n, p=hours / hours.sum())
    return day_start + hour * HOUR_US + (rng.random(n) * 3600).astype(np.int64) * S_US


def _durations(rng: np.random.Generator, answered: np.ndarray, median_s: float, sigma: float):  # type: ignore[no-untyped-def]
    d = np.clip(rng.lognormal(np.log(median_s), sigma, len(answered)), 1, 7200)
    return np.where(answered, d.astype(np.int32), 0)


def _callbacks(
    rng: np.random.Generator,
    w: World,
    out: DayEvents,
    a: np.ndarray,
    b: np.ndarray,
    ts: np.ndarray,
    p: np.ndarray | float,
) -> None:
    """Missed calls returned by the callee within minutes to hours."""
    back = rng.random(len(a)) < p
    if not back.any():
        return
    caller, callee = b[back], a[back]
    when = ts[back] + (rng.exponential(25 * 60, back.sum()) + 10).astype(np.int64) * S_US
    answered = rng.random(len(caller)) < 0.7
    # A dumped scam SIM rarely answers.
    answered &= ~((w.gang[callee] >= 0) & (rng.random(len(caller)) < 0.8))
    out.add(
        caller,
        callee,
        when,
        False,
        w.home_cell[caller],
        _durations(rng, answered, 60, 0.9),
        answered,
    )


def simulate_day(w: World, day: int) -> tuple[DayEvents, Victims]:
    """All events whose call starts on local day ``day`` (callbacks may spill past midnight)."""
    b = w.behaviour
    rng = np.random.Generator(np.random.PCG64([w.seed, 2, day]))
    day_start = w.start_us + day * DAY_US
    weekday = day % 7  # the period starts on a Monday
    out = DayEvents()
    victims = Victims()
    n_ord = w.scale.subscribers
    people = np.arange(n_ord)
    factor = b.weekend_factor if weekday >= 5 else 1.0

    # Ordinary people.
    a = np.repeat(people, rng.poisson(w.call_rate[:n_ord] * factor))
    m = len(a)
    ts = _times(rng, m, PERSONAL_HOURS, day_start)
    known = rng.random(m) < b.contact_share
    rank = np.minimum((b.contacts * rng.random(m) ** 2).astype(np.int64), b.contacts - 1)
    anyone = rng.integers(0, w.n - (w.gang >= 0).sum(), m)
    callee = np.where(known, w.contacts[a, rank], anyone)
    callee = np.where(callee == a, (callee + 1) % n_ord, callee)
    local_hour = ((ts - day_start) // HOUR_US) % 24
    at_work = (weekday < 5) & (local_hour >= 9) & (local_hour < 17)
    cell = np.where(at_work, w.work_cell[a], w.home_cell[a])
    roam = rng.random(m) < 0.12
    cell[roam] = w.cells.random_in(rng, w.operator[a[roam]], w.province[a[roam]])
    answered = rng.random(m) < np.where(known, b.answer_contact, b.answer_unknown)
    out.add(a, callee, ts, False, cell, _durations(rng, answered, 75, 1.0), answered)
    p_back = np.where(known, b.callback_contact, b.callback_unknown)
    _callbacks(rng, w, out, a[~answered], callee[~answered], ts[~answered], p_back[~answered])

    sa = np.repeat(people, rng.poisson(w.sms_rate[:n_ord] * factor))
    sts = _times(rng, len(sa), PERSONAL_HOURS, day_start)
    sb = w.contacts[sa, rng.integers(0, b.contacts, len(sa))]
    sb = np.where(sb == sa, (sb + 1) % n_ord, sb)
    out.add(sa, sb, sts, True, w.home_cell[sa], np.zeros(len(sa)), True)

    # Heavy legitimate callers.
    specs = (
        (Role.call_centre, OFFICE_HOURS, 0.45, 70.0, 0.9, 0.05, weekday < 5),
        (Role.delivery_rider, RIDER_HOURS, 0.78, 25.0, 0.6, 0.4, True),
        (Role.sales, OFFICE_HOURS, 0.6, 120.0, 0.8, 0.25, weekday < 5),
    )
    for role, hours, p_answer, median, sigma, p_cb, working in specs:
        sims = w.of_role(role)
        rate = w.call_rate[sims] * (1.0 if working else 0.15)
        if role == Role.delivery_rider:
            rate = np.where((sims + day) % 7 == 0, 0.0, rate)  # one day off a week
        a = np.repeat(sims, rng.poisson(rate))
        m = len(a)
        ts = _times(rng, m, hours, day_start)
        callee = rng.integers(0, n_ord, m)
        if role == Role.sales:
            row = np.searchsorted(sims, a)
            listed = rng.random(m) < 0.6
            pick = w.prospects[row, rng.integers(0, w.prospects.shape[1], m)]
            callee = np.where(listed, pick, callee)
        cell = w.work_cell[a].copy()
        moving = rng.random(m) < (0.9 if role == Role.delivery_rider else 0.3)
        moving &= role != Role.call_centre
        cell[moving] = w.cells.random_in(rng, w.operator[a[moving]], w.province[a[moving]])
        answered = rng.random(m) < p_answer
        out.add(a, callee, ts, False, cell, _durations(rng, answered, median, sigma), answered)
        _callbacks(rng, w, out, a[~answered], callee[~answered], ts[~answered], p_cb)

    _scam_day(rng, w, day_start, out, victims)
    return out, victims


def _scam_day(
    rng: np.random.Generator, w: World, day_start: int, out: DayEvents, victims: Victims
) -> None:
    b = w.behaviour
    n_ord = w.scale.subscribers
    day_end = day_start + DAY_US
    sims = np.flatnonzero((w.gang >= 0) & (w.sim_start_us < day_end) & (w.sim_end_us > day_start))
    if not len(sims):
        return
    hour0 = day_start + np.arange(24) * HOUR_US
    lo = np.maximum(hour0[None, :], w.sim_start_us[sims, None])
    hi = np.minimum(hour0[None, :] + HOUR_US, w.sim_end_us[sims, None])
    span = np.maximum(hi - lo, 0)
    rate = w.sim_intensity[sims, None] * SCAM_HOURS[None, :] * span / HOUR_US
    count = rng.poisson(rate)
    flat = count.ravel()
    a = np.repeat(np.repeat(sims, 24), flat)
    lo_e = np.repeat(lo.ravel(), flat)
    span_e = np.repeat(span.ravel(), flat)
    ts = lo_e + (rng.random(len(a)) * span_e).astype(np.int64) // S_US * S_US
    m = len(a)
    g = w.gang[a]
    leaked_pick = np.empty(m, dtype=np.int64)
    for gi, gang in enumerate(w.gangs):
        mine = g == gi
        leaked_pick[mine] = gang.leaked[rng.integers(0, len(gang.leaked), mine.sum())]
    callee = np.where(rng.random(m) < 0.3, leaked_pick, rng.integers(0, n_ord, m))
    cell = w.home_cell[a].copy()
    other = rng.random(m) < 0.25
    for gi, gang in enumerate(w.gangs):
        for op, choice in enumerate(gang.cells_by_operator):
            sel = other & (g == gi) & (w.operator[a] == op)
            cell[sel] = choice[rng.integers(0, len(choice), sel.sum())]
    away = rng.random(m) < 0.05
    cell[away] = w.cells.random_in(rng, w.operator[a[away]], w.province[a[away]])
    sms = w.sends_sms[a]
    answered = (rng.random(m) < b.answer_scam) | sms
    hooked = answered & ~sms & (rng.random(m) < b.hooked_share)
    short = np.clip(rng.lognormal(np.log(15), 0.6, m), 2, 600)
    talk = np.clip(rng.lognormal(np.log(80), 0.5, m), 10, 1200)
    long = np.clip(rng.lognormal(np.log(900), 0.6, m), 120, 7200)
    duration = np.where(rng.random(m) < 0.7, short, talk)
    duration = np.where(hooked, long, duration)
    duration = np.where(answered & ~sms, duration, 0).astype(np.int32)
    out.add(a, callee, ts, sms, cell, duration, answered, scam=True)
    lost = (hooked & (rng.random(m) < b.victim_given_hooked)) | (
        sms & (rng.random(m) < b.sms_click_victim)
    )
    victims.person.append(callee[lost])
    victims.ts.append(ts[lost] + duration[lost].astype(np.int64) * S_US)
    victims.sim.append(a[lost])
    victims.via_sms.append(sms[lost])
    missed = ~answered
    _callbacks(rng, w, out, a[missed], callee[missed], ts[missed], b.callback_scam)
