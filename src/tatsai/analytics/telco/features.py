"""Per-SIM calling features over sliding windows, written once as portable SQL.

The unit of evaluation is one SIM in one clock hour (UTC hour index = epoch seconds // 3600).
For every hour in which a SIM originated a call or SMS, received a call, or was named in a
report, the trailing-window features below are computed from that hour and the ``window_h - 1``
hours before it. Everything a row holds was known at the end of its hour, so the first hour a
row is flagged is when an operator running the scan hourly would have cut the SIM.

Units: counts are events, durations seconds, distances kilometres, shares in [0, 1], ages hours.
Incoming calls are every call record whose callee is the SIM's number: ``mo`` records of callers
on this network and ``mt`` records of callers from elsewhere (an on-net call is recorded once,
as ``mo``). "Night" is 00:00-05:59 Bangkok time (UTC+7). A call is "short" when answered and
shorter than ``short_call_s``. A "callback" is an incoming call from a number this SIM had
called before. "Novelty" is the share of the window's outgoing events whose callee the SIM had
never contacted before. ``sims_on_handset`` is how many distinct SIMs the SIM's handset (IMEI)
had carried by the time this SIM first appeared in it: SIM boxes cycle many.
``reported_callees_total`` counts the SIM's callees who filed a report to 1185 (any report, at
or after the SIM's first call to them, counted from the report's hour); ``reported_callee_share``
divides it by the SIM's distinct callees so far. Reporters are matched through their keyed
pseudonyms (the ``reporters`` table, :func:`tatsai.analytics.telco.load.register_reporters`).

How it is computed, so that no window frame runs per call record: one grouped pass over
every outgoing record (per SIM, handset and UTC day) gives the handset loads and the SIM gate
(see :class:`FeatureParams` and :func:`gate_ctes`), and only the gated SIMs' records go on.
Every source is then reduced to one row per (SIM, hour) — the outgoing records in one GROUP
BY, and the first contact with each callee, cell and handset, incoming calls, reports and
reported callees each in their own grouped pass. First contacts happen in hours with outgoing
records, so their counts are joined onto those rows; incoming calls, reports and reported
callees are stacked (UNION ALL) and summed, and the two are joined (FULL OUTER JOIN) into one
hourly table. The trailing windows are sums over that table, one window pass per SIM.
After the gate each SIM is known by a whole number, ``sid`` (its rank among the gated IMSIs),
so the per-hour groupings, joins and the window sort compare integers rather than strings;
and two counts share one window sum (:data:`PACK`), since a window pass costs about the same
for each sum it carries.

Every aggregate adds integers (coordinates in micro-degrees, hops in millimetres), so the
result does not depend on the order in which a parallel engine adds rows: equal on every run,
whatever the number of threads.

Tables read: ``cdr``, ``subscribers``, ``cells``, ``reports``, ``reporters``.
"""

from __future__ import annotations

from dataclasses import dataclass

#: Feature columns, in the order the model sees them.
FEATURES: tuple[str, ...] = (
    "calls_1h",
    "sms_1h",
    "calls_w",
    "sms_w",
    "answer_ratio_w",
    "short_share_w",
    "mean_talk_s_w",
    "in_out_ratio_w",
    "callback_ratio_w",
    "night_share_w",
    "border_share_w",
    "new_callees_w",
    "novelty_w",
    "cells_total",
    "distance_km_w",
    "imeis_total",
    "sims_on_handset",
    "sim_age_h",
    "reports_total",
    "reported_callees_total",
    "reported_callee_share",
)

LOCAL_OFFSET_H = 7  # Thailand, no daylight saving time


@dataclass(frozen=True)
class FeatureParams:
    """Knobs of the feature SQL.

    ``window_h`` is the sliding window in hours (24 = a day); ``border_radius_km`` which cells
    count as border cells; ``short_call_s`` the cut for short answered calls. Rows enter the
    result only if they pass the row gate (``gate_calls`` calls or ``gate_sms`` SMS in the
    window, a report, or ``gate_handset_sims`` SIMs on the handset): the rest cannot carry a
    scam pattern and are not scored.

    Before any window is computed, the SIM gate picks the SIMs worth computing: those with at
    least ``sim_gate_calls`` calls or ``sim_gate_sms`` SMS in some window (``None``: the row
    gate's numbers), those named in a report, and those with ``gate_handset_sims`` SIMs on
    their handset. With the defaults it is exact: a SIM it drops has no row that passes the row
    gate, and a SIM it keeps has all its records in the windows, so every row is the same as
    without it. A higher SIM gate is for experiments: on the training world the shipped model
    flags scam SIMs with as few as 8 calls in their busiest 24 hours (docs/decisions.md).
    """

    window_h: int = 24
    border_radius_km: float = 20.0
    short_call_s: int = 30
    gate_calls: int = 8
    gate_sms: int = 10
    gate_handset_sims: int = 3
    sim_gate_calls: int | None = None
    sim_gate_sms: int | None = None


def _hour(column: str) -> str:
    return f"CAST(FLOOR(epoch({column}) / 3600) AS BIGINT)"


def _micro(column: str) -> str:
    """``column`` (degrees) in whole micro-degrees, so that sums of it are exact integers."""
    return f"CAST(ROUND({column} * 1000000) AS BIGINT)"


def ratio(numerator: str, denominator: str, empty: str = "0.0") -> str:
    """``numerator / denominator`` as DOUBLE on both engines, ``empty`` when the base is 0."""
    return (
        f"CASE WHEN {denominator} > 0 THEN CAST({numerator} AS DOUBLE) / ({denominator}) "
        f"ELSE CAST({empty} AS DOUBLE) END"
    )


def _window(width_h: int | None) -> str:
    frame = (
        "ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW"
        if width_h is None
        else f"RANGE BETWEEN {width_h - 1} PRECEDING AND CURRENT ROW"
    )
    return f"OVER (PARTITION BY k.sid ORDER BY k.hour {frame})"


#: Two counts share one BIGINT in the window sums: ``high * PACK + low``. Each is a count of a
#: SIM's own records (or reports, first contacts) and stays below 2**31 for any SIM with fewer
#: than 2**31 records, so the packed sum is exact and unpacks exactly on both engines.
PACK = 2**32


def unpack_high(packed: str) -> str:
    """The high count of a packed sum (exact: the difference is a multiple of PACK)."""
    return f"CAST((({packed}) - ({packed}) % {PACK}) / {PACK} AS BIGINT)"


def unpack_low(packed: str) -> str:
    """The low count of a packed sum."""
    return f"CAST(({packed}) % {PACK} AS BIGINT)"


def base_ctes(params: FeatureParams, *, msisdn: bool = False) -> str:
    """The outgoing records (``mo``), shared by the hourly features and the SIM summary.

    ``is_call`` and ``is_sms`` (1 or 0) stand for ``kind``, so that later passes add integers;
    the caller's own number comes along only when asked (``msisdn``: the summary needs it)."""
    own = "c.a_msisdn AS msisdn, " if msisdn else ""
    return f"""
mo AS (
    SELECT c.a_imsi AS imsi, {own}c.b_msisdn AS callee,
           CASE WHEN c.kind = 'call' THEN 1 ELSE 0 END AS is_call,
           CASE WHEN c.kind = 'sms' THEN 1 ELSE 0 END AS is_sms,
           c.duration_s, c.answered, c.cell_id, c.a_imei AS imei, {_hour("c.ts")} AS hour
    FROM cdr c
    WHERE c.direction = 'mo' AND c.a_imsi IS NOT NULL
)"""


def per_hour_cte(params: FeatureParams, source: str) -> str:
    """``per_hour``: one row per (SIM id ``sid``, hour) of the outgoing records in ``source``,
    a relation keyed by ``sid`` (the gated SIMs' records, ``mo_active``)."""
    p = params
    return f"""
per_hour AS (
    SELECT m.sid, m.hour,
        SUM(m.is_call) AS calls,
        SUM(CASE WHEN m.is_call = 1 AND m.answered THEN 1 ELSE 0 END) AS answered,
        SUM(CASE WHEN m.is_call = 1 AND m.answered AND m.duration_s < {p.short_call_s}
            THEN 1 ELSE 0 END) AS short_calls,
        SUM(CASE WHEN m.is_call = 1 AND m.answered THEN m.duration_s ELSE 0 END) AS talk_s,
        SUM(m.is_sms) AS sms,
        SUM(CASE WHEN (m.hour + {LOCAL_OFFSET_H}) % 24 < 6 THEN 1 ELSE 0 END) AS night,
        SUM(CASE WHEN l.border_km <= {p.border_radius_km} THEN 1 ELSE 0 END) AS border,
        SUM({_micro("l.lat")}) AS lat_e6, COUNT(l.lat) AS lat_n,
        SUM({_micro("l.lon")}) AS lon_e6, COUNT(l.lon) AS lon_n
    FROM {source} m LEFT JOIN cells l ON l.cell_id = m.cell_id
    GROUP BY m.sid, m.hour
)"""


def gate_ctes(params: FeatureParams) -> str:
    """The SIM gate (see FeatureParams): ``active``, the SIMs the hourly features are computed for.

    One grouped pass over every outgoing record, ``sim_day``, counts each SIM's calls and SMS
    per (handset, UTC day) with the first hour of each. From it come ``first_imei`` (when each
    SIM first appeared in each handset, over all SIMs, so ``handset`` counts every SIM a
    handset carried) and the per-day totals. A window touches at most ``span_days``
    consecutive days, so a SIM under the gate in every such span is out; one with a whole day
    over it is in (for windows of a day or more); the rest, ``unsure``, are checked with the
    trailing window over their own per-hour counts, so the gate is exact."""
    p = params
    calls = p.gate_calls if p.sim_gate_calls is None else p.sim_gate_calls
    sms = p.gate_sms if p.sim_gate_sms is None else p.sim_gate_sms
    span_days = -(-(p.window_h - 1) // 24) + 1  # UTC days one window can touch
    day = "CAST(FLOOR(m.hour / 24) AS BIGINT)"
    # A UTC day holding the gate's volume holds it in the window that ends with the day, when
    # the window is at least a day long; other busy spans are checked hour by hour.
    whole_day = f"day_calls >= {calls} OR day_sms >= {sms}" if p.window_h >= 24 else "1 = 0"
    return f"""
sim_day AS (
    SELECT m.imsi, m.imei, {day} AS day, MIN(m.hour) AS first_hour,
        SUM(m.is_call) AS calls,
        SUM(m.is_sms) AS sms
    FROM mo m GROUP BY m.imsi, m.imei, {day}
),
first_imei AS (SELECT imsi, imei, MIN(first_hour) AS hour FROM sim_day GROUP BY imsi, imei),
handset_load AS (
    SELECT imsi, COUNT(*) OVER (PARTITION BY imei ORDER BY hour
        RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS sims
    FROM first_imei
),
handset AS (SELECT imsi, MAX(sims) AS sims_on_handset FROM handset_load GROUP BY imsi),
daily AS (
    SELECT imsi, day, SUM(calls) AS calls, SUM(sms) AS sms FROM sim_day GROUP BY imsi, day
),
spans AS (
    SELECT a.imsi, MAX(a.calls) AS day_calls, MAX(a.sms) AS day_sms,
        SUM(b.calls) AS span_calls, SUM(b.sms) AS span_sms
    FROM daily a
    JOIN daily b ON b.imsi = a.imsi AND b.day BETWEEN a.day - {span_days - 1} AND a.day
    GROUP BY a.imsi, a.day
),
sure AS (SELECT DISTINCT imsi FROM spans WHERE {whole_day}),
unsure AS (
    SELECT imsi FROM spans
    WHERE span_calls >= {calls} OR span_sms >= {sms}
    EXCEPT SELECT imsi FROM sure
),
reported AS (
    SELECT DISTINCT s.imsi FROM reports r JOIN subscribers s ON s.msisdn = r.indicator_value
    WHERE r.indicator_type = 'phone'
),
forced AS (
    SELECT imsi FROM reported
    UNION SELECT imsi FROM handset WHERE sims_on_handset >= {p.gate_handset_sims}
),
unsure_hours AS (
    SELECT m.imsi, m.hour,
        SUM(m.is_call) AS calls,
        SUM(m.is_sms) AS sms
    FROM mo m JOIN unsure u ON u.imsi = m.imsi
    GROUP BY m.imsi, m.hour
),
peaks AS (
    SELECT imsi,
        SUM(calls) OVER (PARTITION BY imsi ORDER BY hour
            RANGE BETWEEN {p.window_h - 1} PRECEDING AND CURRENT ROW) AS calls_w,
        SUM(sms) OVER (PARTITION BY imsi ORDER BY hour
            RANGE BETWEEN {p.window_h - 1} PRECEDING AND CURRENT ROW) AS sms_w
    FROM unsure_hours
),
active AS (
    SELECT imsi FROM peaks
    WHERE calls_w >= {calls} OR sms_w >= {sms}
    UNION SELECT imsi FROM sure
    UNION SELECT imsi FROM forced
)"""


def hourly_features_sql(params: FeatureParams | None = None) -> str:
    """SQL returning one row per gated (imsi, hour) with ``imsi``, ``hour`` and FEATURES."""
    p = params or FeatureParams()
    w = _window(p.window_h)
    cum = _window(None)
    return f"""
WITH {base_ctes(p)},
{gate_ctes(p)},
ids AS (SELECT imsi, ROW_NUMBER() OVER (ORDER BY imsi) AS sid FROM active),
sim_info AS (
    SELECT a.sid, a.imsi, CAST(COALESCE(hs.sims_on_handset, 0) AS BIGINT) AS sims_on_handset,
        s.activated_at
    FROM ids a LEFT JOIN handset hs ON hs.imsi = a.imsi
    LEFT JOIN subscribers s ON s.imsi = a.imsi
),
mo_active AS (
    SELECT a.sid, m.callee, m.is_call, m.is_sms, m.duration_s, m.answered, m.cell_id, m.hour
    FROM mo m JOIN ids a ON a.imsi = m.imsi
),
{per_hour_cte(p, "mo_active")},
first_callee AS (SELECT sid, callee, MIN(hour) AS hour FROM mo_active GROUP BY sid, callee),
new_callees AS (SELECT sid, hour, COUNT(*) AS n FROM first_callee GROUP BY sid, hour),
first_cell AS (SELECT sid, cell_id, MIN(hour) AS hour FROM mo_active GROUP BY sid, cell_id),
new_cells AS (SELECT sid, hour, COUNT(*) AS n FROM first_cell GROUP BY sid, hour),
new_imeis AS (
    SELECT a.sid, f.hour, COUNT(*) AS n FROM first_imei f JOIN ids a ON a.imsi = f.imsi
    GROUP BY a.sid, f.hour
),
active_numbers AS (
    SELECT a.sid, s.msisdn FROM subscribers s JOIN ids a ON a.imsi = s.imsi
),
inbound AS (
    SELECT s.sid, c.a_msisdn AS caller, {_hour("c.ts")} AS hour
    FROM cdr c JOIN active_numbers s ON s.msisdn = c.b_msisdn
    WHERE c.kind = 'call'
),
in_hour AS (
    SELECT i.sid, i.hour, COUNT(*) AS calls_in,
        SUM(CASE WHEN f.hour IS NOT NULL AND f.hour <= i.hour THEN 1 ELSE 0 END) AS callbacks
    FROM inbound i LEFT JOIN first_callee f ON f.sid = i.sid AND f.callee = i.caller
    GROUP BY i.sid, i.hour
),
reported_callees AS (
    SELECT f.sid, f.callee, MIN(r.hour) AS hour
    FROM first_callee f JOIN reporters r ON r.msisdn = f.callee AND r.hour >= f.hour
    GROUP BY f.sid, f.callee
),
new_reported AS (SELECT sid, hour, COUNT(*) AS n FROM reported_callees GROUP BY sid, hour),
rep AS (
    SELECT a.sid, {_hour("r.ts")} AS hour, COUNT(*) AS n
    FROM reports r JOIN subscribers s ON s.msisdn = r.indicator_value
    JOIN ids a ON a.imsi = s.imsi
    WHERE r.indicator_type = 'phone'
    GROUP BY a.sid, {_hour("r.ts")}
),
places AS (
    SELECT p.*,
        CASE WHEN p.lat_n > 0 THEN CAST(p.lat_e6 AS DOUBLE) / p.lat_n / 1000000 END AS lat,
        CASE WHEN p.lon_n > 0 THEN CAST(p.lon_e6 AS DOUBLE) / p.lon_n / 1000000 END AS lon
    FROM per_hour p
),
moves AS (
    SELECT p.*,
        LAG(p.lat) OVER (PARTITION BY p.sid ORDER BY p.hour) AS prev_lat,
        LAG(p.lon) OVER (PARTITION BY p.sid ORDER BY p.hour) AS prev_lon
    FROM places p
),
mo_hours AS (
    SELECT m.sid, m.hour, m.calls, m.sms, m.answered, m.short_calls, m.talk_s, m.night,
        m.border, COALESCE(fc.n, 0) AS new_callees, COALESCE(fl.n, 0) AS new_cells,
        COALESCE(fi.n, 0) AS new_imeis,
        CASE WHEN m.prev_lat IS NULL OR m.lat IS NULL THEN 0 ELSE
            CAST(ROUND(2 * 6371.0 * 1000000 * ASIN(SQRT(LEAST(1.0,
                POWER(SIN(RADIANS(m.lat - m.prev_lat) / 2), 2)
                + COS(RADIANS(m.lat)) * COS(RADIANS(m.prev_lat))
                  * POWER(SIN(RADIANS(m.lon - m.prev_lon) / 2), 2))))) AS BIGINT)
        END AS hop_mm
    FROM moves m
    LEFT JOIN new_callees fc ON fc.sid = m.sid AND fc.hour = m.hour
    LEFT JOIN new_cells fl ON fl.sid = m.sid AND fl.hour = m.hour
    LEFT JOIN new_imeis fi ON fi.sid = m.sid AND fi.hour = m.hour
),
others AS (
    SELECT sid, hour, SUM(calls_in) AS calls_in, SUM(callbacks) AS callbacks,
        SUM(reports) AS reports, SUM(reported_callees) AS reported_callees
    FROM (
        SELECT sid, hour, calls_in, callbacks, 0 AS reports, 0 AS reported_callees
        FROM in_hour
        UNION ALL
        SELECT sid, hour, 0, 0, n, 0 FROM rep
        UNION ALL
        SELECT sid, hour, 0, 0, 0, n FROM new_reported
    ) x
    GROUP BY sid, hour
),
hourly AS (
    SELECT COALESCE(m.sid, o.sid) AS sid, COALESCE(m.hour, o.hour) AS hour,
        CAST(COALESCE(m.calls, 0) AS BIGINT) AS calls,
        CAST(COALESCE(m.sms, 0) AS BIGINT) AS sms,
        CAST(COALESCE(m.answered, 0) AS BIGINT) AS answered,
        CAST(COALESCE(m.short_calls, 0) AS BIGINT) AS short_calls,
        CAST(COALESCE(m.talk_s, 0) AS BIGINT) AS talk_s,
        CAST(COALESCE(m.night, 0) AS BIGINT) AS night,
        CAST(COALESCE(m.border, 0) AS BIGINT) AS border,
        CAST(COALESCE(o.calls_in, 0) AS BIGINT) AS calls_in,
        CAST(COALESCE(o.callbacks, 0) AS BIGINT) AS callbacks,
        CAST(COALESCE(m.new_callees, 0) AS BIGINT) AS new_callees,
        CAST(COALESCE(m.new_cells, 0) AS BIGINT) AS new_cells,
        CAST(COALESCE(m.new_imeis, 0) AS BIGINT) AS new_imeis,
        CAST(COALESCE(o.reports, 0) AS BIGINT) AS reports,
        CAST(COALESCE(o.reported_callees, 0) AS BIGINT) AS reported_callees,
        CAST(COALESCE(m.hop_mm, 0) AS BIGINT) AS hop_mm
    FROM mo_hours m FULL OUTER JOIN others o ON o.sid = m.sid AND o.hour = m.hour
),
packed AS (
    SELECT k.sid, k.hour, k.calls, k.sms,
        CAST(SUM(k.calls * {PACK} + k.sms) {w} AS BIGINT) AS calls_sms_w,
        CAST(SUM(k.answered * {PACK} + k.short_calls) {w} AS BIGINT) AS answered_short_w,
        CAST(SUM(k.night * {PACK} + k.border) {w} AS BIGINT) AS night_border_w,
        CAST(SUM(k.calls_in * {PACK} + k.callbacks) {w} AS BIGINT) AS in_callbacks_w,
        CAST(SUM(k.new_callees) {w} AS BIGINT) AS new_callees_w,
        CAST(SUM(k.talk_s) {w} AS BIGINT) AS talk_w,
        CAST(SUM(k.hop_mm) {w} AS BIGINT) AS distance_mm_w,
        CAST(SUM(k.new_cells * {PACK} + k.new_imeis) {cum} AS BIGINT) AS cells_imeis_total,
        CAST(SUM(k.reports * {PACK} + k.reported_callees) {cum} AS BIGINT) AS reports_rc_total,
        CAST(SUM(k.new_callees) {cum} AS BIGINT) AS callees_total
    FROM hourly k
),
rolled AS (
    SELECT k.sid, k.hour, k.calls AS calls_1h, k.sms AS sms_1h,
        {unpack_high("k.calls_sms_w")} AS calls_w, {unpack_low("k.calls_sms_w")} AS sms_w,
        {unpack_high("k.answered_short_w")} AS answered_w,
        {unpack_low("k.answered_short_w")} AS short_w,
        k.talk_w,
        {unpack_high("k.night_border_w")} AS night_w, {unpack_low("k.night_border_w")} AS border_w,
        {unpack_high("k.in_callbacks_w")} AS calls_in_w,
        {unpack_low("k.in_callbacks_w")} AS callbacks_w,
        k.new_callees_w,
        k.distance_mm_w,
        {unpack_high("k.cells_imeis_total")} AS cells_total,
        {unpack_low("k.cells_imeis_total")} AS imeis_total,
        {unpack_high("k.reports_rc_total")} AS reports_total,
        k.callees_total,
        {unpack_low("k.reports_rc_total")} AS reported_callees_total
    FROM packed k
)
SELECT i.imsi, r.hour,
    r.calls_1h, r.sms_1h, r.calls_w, r.sms_w,
    {ratio("r.answered_w", "r.calls_w", "1.0")} AS answer_ratio_w,
    {ratio("r.short_w", "r.answered_w")} AS short_share_w,
    {ratio("r.talk_w", "r.answered_w")} AS mean_talk_s_w,
    CAST(r.calls_in_w AS DOUBLE) / (r.calls_w + 1) AS in_out_ratio_w,
    {ratio("r.callbacks_w", "r.calls_w")} AS callback_ratio_w,
    {ratio("r.night_w", "r.calls_w + r.sms_w")} AS night_share_w,
    {ratio("r.border_w", "r.calls_w + r.sms_w")} AS border_share_w,
    r.new_callees_w,
    {ratio("r.new_callees_w", "r.calls_w + r.sms_w")} AS novelty_w,
    r.cells_total, CAST(r.distance_mm_w AS DOUBLE) / 1000000 AS distance_km_w,
    r.imeis_total,
    CAST(COALESCE(i.sims_on_handset, 0) AS BIGINT) AS sims_on_handset,
    CAST((r.hour + 1) * 3600 - FLOOR(epoch(i.activated_at)) AS DOUBLE) / 3600 AS sim_age_h,
    r.reports_total,
    r.reported_callees_total,
    {ratio("r.reported_callees_total", "r.callees_total")} AS reported_callee_share
FROM rolled r LEFT JOIN sim_info i ON i.sid = r.sid
WHERE r.calls_w >= {p.gate_calls} OR r.sms_w >= {p.gate_sms} OR r.reports_total > 0
    OR i.sims_on_handset >= {p.gate_handset_sims}
ORDER BY r.sid, r.hour
"""


def sim_summary_sql(params: FeatureParams | None = None) -> str:
    """SQL returning one row per SIM that made a call or sent an SMS.

    Columns: ``imsi, msisdn, calls, sms, first_hour, last_hour, max_calls_day`` (most calls in
    one Bangkok calendar day), ``median_talk_s`` (answered calls, NULL without any),
    ``business_line``, ``holder_id``, ``operator``. Two grouped passes over the outgoing
    records: per SIM, and per SIM and day.
    """
    p = params or FeatureParams()
    day = f"CAST(FLOOR((m.hour + {LOCAL_OFFSET_H}) / 24) AS BIGINT)"
    return f"""
WITH {base_ctes(p, msisdn=True)},
daily AS (
    SELECT m.imsi, {day} AS day,
        CAST(SUM(m.is_call) AS BIGINT) AS calls
    FROM mo m GROUP BY m.imsi, {day}
),
totals AS (
    SELECT imsi, MAX(msisdn) AS msisdn,
        CAST(SUM(is_call) AS BIGINT) AS calls,
        CAST(SUM(is_sms) AS BIGINT) AS sms,
        MIN(hour) AS first_hour,
        MAX(hour) AS last_hour,
        CAST(MEDIAN(CASE WHEN is_call = 1 AND answered THEN duration_s END) AS DOUBLE)
            AS median_talk_s
    FROM mo GROUP BY imsi
),
peak AS (SELECT imsi, MAX(calls) AS max_calls_day FROM daily GROUP BY imsi)
SELECT t.imsi, COALESCE(s.msisdn, t.msisdn) AS msisdn, t.calls, t.sms, t.first_hour,
    t.last_hour, pk.max_calls_day, t.median_talk_s,
    COALESCE(s.business_line, FALSE) AS business_line, s.holder_id, s.operator
FROM totals t
JOIN peak pk ON pk.imsi = t.imsi
LEFT JOIN subscribers s ON s.imsi = t.imsi
ORDER BY t.imsi
"""
