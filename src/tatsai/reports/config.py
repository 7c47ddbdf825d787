"""Settings of the report center, read from ``TATSAI_REPORTS_*`` environment variables."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class ReportsSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="TATSAI_REPORTS_", extra="ignore")

    per_reporter_per_hour: int = Field(
        default=10, ge=0, description="Reports one number may file per hour; 0 = no limit."
    )
    per_ip_per_minute: int = Field(
        default=120,
        ge=0,
        description="Reports one IP may file per minute (API and web form); 0 = no limit.",
    )
    redis_url: str | None = Field(
        default=None,
        description="Redis holding the per-IP counts for every API process and host; "
        "unset: each process counts in its own memory.",
    )
    ussd_session_s: int = Field(default=180, ge=10, description="USSD session lifetime, s.")
    sms_sender_wait_s: int = Field(
        default=600, ge=0, description="How long a forwarded SMS waits for its original sender."
    )
    last_calls_minutes: int = Field(
        default=30, ge=1, description="How far back USSD option 1 looks for calls, minutes."
    )
    cdr_path: Path | None = Field(
        default=None, description="Parquet file or folder of call records (canonical cdr)."
    )
    duplicate_window_h: int = Field(
        default=24, ge=1, description="Near-identical reports by one reporter within this are one."
    )
    batch_size: int = Field(default=200, ge=1, le=5000, description="Reports per worker batch.")


_override: ReportsSettings | None = None


def use_settings(settings: ReportsSettings | None) -> None:
    """Use ``settings`` instead of the environment's (None: back to the environment)."""
    global _override
    _override = settings


def get_reports_settings() -> ReportsSettings:
    return _override if _override is not None else _from_environment()


@lru_cache(maxsize=1)
def _from_environment() -> ReportsSettings:
    return ReportsSettings()


def reset() -> None:
    """Forget the override and re-read the environment on next use."""
    use_settings(None)
    _from_environment.cache_clear()
