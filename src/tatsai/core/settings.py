"""Effective settings, read from environment variables prefixed ``TATSAI_``.

Defaults are for a laptop: an embedded SQLite store under the data dir and a development
secret. Production sets ``TATSAI_DATABASE_URL`` (``postgresql+psycopg://…``) and
``TATSAI_SECRET_KEY``.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Any

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEV_SECRET = "tatsai-development-secret-change-me"  # noqa: S105 - the known dev default, flagged in `tatsai config`


def _default_data_dir() -> Path:
    xdg = os.environ.get("XDG_DATA_HOME")
    base = Path(xdg) if xdg else Path.home() / ".local" / "share"
    return base / "tatsai"


class Settings(BaseSettings):
    """tatsai's configuration. Every field maps to ``TATSAI_<FIELD>``."""

    model_config = SettingsConfigDict(env_prefix="TATSAI_", extra="ignore")

    data_dir: Path = Field(
        default_factory=_default_data_dir,
        description="Where the embedded store, models and exports live.",
    )
    database_url: str | None = Field(
        default=None,
        description="SQLAlchemy URL; empty means SQLite at <data_dir>/tatsai.db.",
    )
    secret_key: SecretStr = Field(
        default=SecretStr(DEV_SECRET),
        description="Key for pseudonyms (HMAC-SHA256) of personal data. Set it in production.",
    )
    retention_days: int = Field(
        default=365, ge=1, description="Days personal data is kept before `tatsai purge`."
    )
    max_body_bytes: int = Field(
        default=1_048_576, ge=1024, description="Largest API request body accepted, in bytes."
    )

    @field_validator("database_url")
    @classmethod
    def _parseable_url(cls, value: str | None) -> str | None:
        """A URL SQLAlchemy cannot parse is refused here, as a setting, not at first use."""
        if value:
            from sqlalchemy.engine import make_url
            from sqlalchemy.exc import ArgumentError

            try:
                make_url(value)
            except ArgumentError:
                # The value is not echoed: it may hold a password.
                raise ValueError(
                    "not a database URL; use e.g. postgresql+psycopg://user@host/tatsai"
                ) from None
        return value

    @property
    def effective_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.data_dir / 'tatsai.db'}"

    @property
    def uses_dev_secret(self) -> bool:
        return self.secret_key.get_secret_value() == DEV_SECRET

    def shown(self) -> dict[str, Any]:
        """The effective settings for display, secrets and URL passwords masked."""
        from sqlalchemy.engine import make_url

        url = make_url(self.effective_database_url)
        return {
            "data_dir": str(self.data_dir),
            "database_url": url.render_as_string(hide_password=True),
            "secret_key": "(development default)" if self.uses_dev_secret else "**********",
            "retention_days": self.retention_days,
            "max_body_bytes": self.max_body_bytes,
        }


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings; tests clear the cache after changing the environment."""
    return Settings()
