"""Per-IP limits on anonymous report intake (the API and the web form).

Two stores, chosen by ``TATSAI_REPORTS_REDIS_URL``:

* unset (the embedded default): a sliding one-minute window in each API process's memory, so
  ``serve --workers N`` allows up to N times the limit;
* a Redis URL: one count per IP shared by every process and host, a fixed one-minute window
  (``INCR`` and ``EXPIRE`` in one transaction; at a window's edge an IP may get up to twice the
  limit within a minute).

Redis down or slow never costs a report: the check fails open (the report is accepted, a
warning is logged at most once a minute) and the per-reporter limit, held in the database,
still applies to reporters who give a number.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections import deque
from typing import Any, Protocol

import redis.asyncio as aioredis
from redis.exceptions import RedisError
from starlette.requests import Request

from tatsai.core.errors import TooManyRequests
from tatsai.reports.config import get_reports_settings

log = logging.getLogger(__name__)

TOO_MANY = "too many reports from this address; try again in a minute"


class IpLimiter(Protocol):
    per_minute: int

    async def check(self, ip: str | None) -> None:
        """Raise 429 when ``ip`` has filed ``per_minute`` reports in the last minute."""


class MemoryIpLimiter:
    """Sliding-window limit per client IP in this process's memory."""

    def __init__(self, per_minute: int) -> None:
        self.per_minute = per_minute
        self._hits: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    async def check(self, ip: str | None) -> None:
        if not self.per_minute or not ip:
            return
        now = time.monotonic()
        with self._lock:
            hits = self._hits.setdefault(ip, deque())
            while hits and hits[0] < now - 60:
                hits.popleft()
            if len(hits) >= self.per_minute:
                raise TooManyRequests(TOO_MANY)
            hits.append(now)
            if len(self._hits) > 100_000:
                self._hits.clear()


class RedisIpLimiter:
    """Fixed one-minute window per client IP in Redis, shared by every process and host."""

    def __init__(self, url: str, per_minute: int, *, timeout_s: float = 0.05) -> None:
        self.per_minute = per_minute
        self.client = aioredis.from_url(
            url, socket_timeout=timeout_s, socket_connect_timeout=timeout_s
        )
        self._warned_at = -60.0

    async def check(self, ip: str | None) -> None:
        if not self.per_minute or not ip:
            return
        window = int(time.time() // 60)
        key = f"tatsai:reports:ip:{ip}:{window}"
        try:
            async with self.client.pipeline(transaction=True) as pipe:
                pipe.incr(key)
                pipe.expire(key, 120)
                count, _ = await pipe.execute()
        except (RedisError, OSError) as exc:
            now = time.monotonic()
            if now - self._warned_at >= 60:
                self._warned_at = now
                log.warning("per-IP report limit not checked, Redis unavailable: %s", exc)
            return  # fail open: a report is never refused because the limit store is down
        if int(count) > self.per_minute:
            raise TooManyRequests(TOO_MANY)


def make_ip_limiter(per_minute: int, redis_url: str | None) -> IpLimiter:
    if redis_url:
        return RedisIpLimiter(redis_url, per_minute)
    return MemoryIpLimiter(per_minute)


def ip_limiter(app: Any) -> IpLimiter:
    """The app's per-IP limiter for the current settings (made on first use)."""
    settings = get_reports_settings()
    # Redis clients belong to an event loop: one limiter per loop (tests run several).
    key = (settings.per_ip_per_minute, settings.redis_url, id(asyncio.get_running_loop()))
    limiter: IpLimiter | None = getattr(app.state, "report_ip_limiter", None)
    if limiter is None or getattr(app.state, "report_ip_limiter_key", None) != key:
        limiter = make_ip_limiter(settings.per_ip_per_minute, settings.redis_url)
        app.state.report_ip_limiter, app.state.report_ip_limiter_key = limiter, key
    return limiter


def client_ip(request: Request) -> str | None:
    return request.client.host if request.client else None
