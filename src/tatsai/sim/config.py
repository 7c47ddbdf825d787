"""Scales and behaviour parameters of the simulated world.

Every figure here is either calibrated to a public source or an assumption; docs/simulator.md
says which. Rates are per simulated day unless the name says otherwise; durations in seconds;
money in THB.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

#: Thailand is UTC+7 all year (no daylight saving time).
BANGKOK_OFFSET_S = 7 * 3600

#: The simulated period starts at local midnight of this Monday unless told otherwise.
DEFAULT_START = datetime(2026, 3, 2, tzinfo=UTC)


class ScaleName(StrEnum):
    small = "small"
    medium = "medium"
    large = "large"


@dataclass(frozen=True)
class Scale:
    """How big the world is. Behaviour parameters are the same at every scale."""

    name: str
    subscribers: int  # ordinary SIMs; heavy callers and gang SIMs come on top
    cells: int
    gangs: int
    call_centre_sims: int
    rider_sims: int
    sales_sims: int
    sims_active_per_gang: int  # SIMs a gang keeps working at any time (SIM boxes: ×2)
    default_days: int
    row_group_rows: int  # rows per Parquet row group (fixed, so output bytes are stable)


SCALES: dict[str, Scale] = {
    "small": Scale("small", 10_000, 400, 3, 16, 24, 12, 3, 3, 1_000_000),
    "medium": Scale("medium", 1_000_000, 20_000, 30, 600, 1_500, 600, 6, 7, 1_000_000),
    "large": Scale("large", 60_000_000, 200_000, 400, 30_000, 90_000, 30_000, 6, 30, 1_000_000),
}


def get_scale(name: str, **overrides: Any) -> Scale:
    """The named scale, with any field replaced (used by tests and benchmarks)."""
    return replace(SCALES[name], **overrides)


@dataclass(frozen=True)
class Behaviour:
    """Behaviour parameters (per SIM per day unless stated)."""

    # ordinary people
    calls_per_day: float = 6.0  # mean of a gamma over people (shape 1.5)
    sms_per_day: float = 0.9
    contacts: int = 16
    contact_share: float = 0.82  # calls to one's own contacts, the rest to anyone
    answer_contact: float = 0.86
    answer_unknown: float = 0.55
    callback_contact: float = 0.45  # a missed call from a contact is returned
    callback_unknown: float = 0.12
    weekend_factor: float = 0.85
    # heavy legitimate callers (calls per working day, gamma mean)
    call_centre_calls: float = 220.0
    rider_calls: float = 75.0
    sales_calls: float = 90.0
    # scam gangs
    sim_life_hours: float = 30.0  # median active life of a scam SIM before it is dumped
    scam_calls_per_hour: float = 22.0  # loud SIMs in working hours (median)
    quiet_share: float = 0.15  # SIMs that call little and look ordinary
    quiet_calls_per_hour: float = 2.5
    sms_sim_share: float = 0.25  # SIMs used for SMS blasts rather than calls
    sms_blast_per_hour: float = 60.0
    answer_scam: float = 0.34
    callback_scam: float = 0.03
    hooked_share: float = 0.05  # answered scam calls that become a long conversation
    victim_given_hooked: float = 0.15
    sms_click_victim: float = 0.0008  # an SMS lure that ends in a transfer
    border_gang_share: float = 0.7  # the rest run SIM boxes inside Thailand
    # money
    loss_median_thb: float = 20_000.0
    loss_sigma: float = 1.75  # lognormal; mean is median * exp(sigma^2 / 2) ≈ 92,000
    # reports
    victim_report_share: float = 0.55
    report_delay_median_h: float = 20.0
    bystander_report_share: float = 0.01  # answered scam calls reported without loss
    false_report_share: float = 0.001  # answered telesales calls reported as scams


BEHAVIOUR = Behaviour()
