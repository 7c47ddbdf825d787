"""Property tests of the simulator's generators: identifiers, geography, texts, one day."""

from __future__ import annotations

import itertools
import re

import numpy as np
import phonenumbers
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tatsai.sim import geo, ids, reports, texts
from tatsai.sim.config import get_scale
from tatsai.sim.population import DAY_US, Role, build_world
from tatsai.sim.traffic import simulate_day

seeds = st.integers(min_value=0, max_value=2**32 - 1)


def luhn_ok(number: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(number)):
        d = int(ch)
        if i % 2 == 1:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


@settings(max_examples=30)
@given(seed=seeds, n=st.integers(min_value=1, max_value=300))
def test_identifiers_are_distinct_and_well_formed(seed: int, n: int) -> None:
    rng = np.random.default_rng(seed)
    numbers = ids.msisdns(rng, n).to_pylist()
    assert len(set(numbers)) == n
    assert all(re.fullmatch(r"\+66(6[1-6]|[89]\d)\d{7}", m) for m in numbers)
    assert all(phonenumbers.is_valid_number(phonenumbers.parse(m)) for m in numbers)
    handsets = ids.imeis(rng, n).to_pylist()
    assert len(set(handsets)) == n
    assert all(len(i) == 15 and luhn_ok(i) for i in handsets)
    operator = rng.integers(0, len(ids.OPERATORS), n)
    for imsi, op in zip(ids.imsis(rng, operator).to_pylist(), operator, strict=True):
        assert imsi.startswith("520" + ids.OPERATOR_MNC[op])
        assert len(imsi) == 15


@given(seed=seeds, low=st.integers(0, 1000), n=st.integers(0, 200))
def test_unique_ints_are_distinct_and_in_range(seed: int, low: int, n: int) -> None:
    values = ids.unique_ints(np.random.default_rng(seed), n, low, low + 2 * n + 10)
    assert len(np.unique(values)) == n
    assert ((values >= low) & (values < low + 2 * n + 10)).all()


@given(lat=st.floats(5.6, 20.5), lon=st.floats(97.3, 105.7))
def test_border_distance_is_at_most_the_distance_to_any_vertex(lat: float, lon: float) -> None:
    km, country = geo.border_distance_km(np.array([lat]), np.array([lon]))
    assert km[0] >= 0
    for index, name in enumerate(geo.BORDER_COUNTRIES):
        line = np.array(geo.BORDERS[name])
        nearest_vertex = geo.haversine_km(line[:, 0], line[:, 1], lat, lon).min()
        assert km[0] <= nearest_vertex * 1.01 + 0.01
        if index == country[0]:
            assert km[0] <= nearest_vertex * 1.01 + 0.01


def test_border_vertices_are_on_the_border_and_towns_near_it() -> None:
    for line in geo.BORDERS.values():
        pts = np.array(line)
        km, _ = geo.border_distance_km(pts[:, 0], pts[:, 1])
        assert km.max() < 1e-6
    towns = np.array([(t[1], t[2]) for t in geo.BORDER_TOWNS])
    km, country = geo.border_distance_km(towns[:, 0], towns[:, 1])
    assert km.max() < 25
    assert [geo.BORDER_COUNTRIES[c] for c in country] == [t[4] for t in geo.BORDER_TOWNS]


@settings(max_examples=30)
@given(seed=seeds)
def test_campaigns_cover_the_window_with_lookalike_links(seed: int) -> None:
    rng = np.random.default_rng(seed)
    start, end = 0, 3 * DAY_US
    campaigns = texts.make_campaigns(rng, 2, start, end)
    for gang in (0, 1):
        mine = [c for c in campaigns if c.gang == gang]
        assert mine[0].start_us <= start
        assert mine[-1].end_us >= end
        assert all(a.end_us == b.start_us for a, b in itertools.pairwise(mine))
    for c in campaigns:
        text = texts.scam_text(c, rng)
        assert c.theme in texts.THEMES
        if c.url:
            host = c.url.removeprefix("https://").split("/")[0]
            assert host == host.lower()
            assert host.rsplit(".", 1)[1] in texts.TLDS
            assert host.split(".")[0].replace(" ", "") in text.replace(" ", "")
        else:
            assert c.line_id in text


@given(seed=seeds)
def test_typed_numbers_keep_their_digits(seed: int) -> None:
    rng = np.random.default_rng(seed)
    number = ids.msisdns(rng, 1).to_pylist()[0]
    typed = reports.as_typed(number, rng)
    digits = re.sub(r"\D", "", typed)
    assert digits in (number[1:], "0" + number[3:])


@settings(max_examples=5, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=seeds, day=st.integers(0, 2))
def test_one_day_of_events_keeps_its_contracts(seed: int, day: int) -> None:
    scale = get_scale("small", subscribers=2_000, cells=200)
    w = build_world(scale, seed=seed, days=3, start_us=0)
    events, victims = simulate_day(w, day)
    ev = events.arrays()
    assert (ev["ts"] >= day * DAY_US).all()
    assert (ev["ts"] < (day + 1) * DAY_US + DAY_US // 4).all()  # callbacks spill a little
    assert (ev["duration"][~ev["answered"]] == 0).all()
    assert (ev["duration"][ev["sms"]] == 0).all()
    assert (ev["a"] != ev["b"]).all()
    # Each cell belongs to the caller's operator.
    assert (w.cells.operator[ev["cell"]] == w.operator[ev["a"]]).all()
    # Scam events come from gang SIMs inside their working life.
    scam = ev["scam"]
    assert (w.gang[ev["a"][scam]] >= 0).all()
    assert (ev["ts"][scam] >= w.sim_start_us[ev["a"][scam]]).all()
    assert (ev["ts"][scam] < w.sim_end_us[ev["a"][scam]]).all()
    for person in victims.person:
        assert (w.role[person] == Role.ordinary).all()


@pytest.mark.parametrize("scale", ["small", "medium", "large"])
def test_scales_are_ordered(scale: str) -> None:
    s = get_scale(scale)
    assert s.subscribers >= 10_000
    assert s.call_centre_sims + s.rider_sims + s.sales_sims < s.subscribers / 50
