"""One error base class that carries its HTTP status.

The API factory maps every :class:`TatsaiError` to an RFC 9457 problem+json response once;
the CLI maps it to one line on stderr and exit status 2. Services raise these, nothing else.
"""

from __future__ import annotations

from typing import Any


class TatsaiError(Exception):
    """A failure the caller can act on. ``field`` names the offending input when there is one."""

    status: int = 400
    title: str = "Bad request"
    type_slug: str = "bad-request"

    def __init__(self, detail: str, *, field: str | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.field = field

    def problem(self, instance: str | None = None) -> dict[str, Any]:
        body: dict[str, Any] = {
            "type": f"https://tatsai.dev/problems/{self.type_slug}",
            "title": self.title,
            "status": self.status,
            "detail": self.detail,
        }
        if self.field is not None:
            body["errors"] = [{"field": self.field, "reason": self.detail}]
        if instance is not None:
            body["instance"] = instance
        return body

    def one_line(self) -> str:
        where = f" ({self.field})" if self.field else ""
        return f"error{where}: {self.detail}"


class InvalidInput(TatsaiError):
    status = 422
    title = "Invalid input"
    type_slug = "invalid-input"


class NotFound(TatsaiError):
    status = 404
    title = "Not found"
    type_slug = "not-found"


class Unauthorized(TatsaiError):
    status = 401
    title = "Unauthorized"
    type_slug = "unauthorized"


class Forbidden(TatsaiError):
    status = 403
    title = "Forbidden"
    type_slug = "forbidden"


class Conflict(TatsaiError):
    status = 409
    title = "Conflict"
    type_slug = "conflict"


class PayloadTooLarge(TatsaiError):
    status = 413
    title = "Payload too large"
    type_slug = "payload-too-large"


class TooManyRequests(TatsaiError):
    status = 429
    title = "Too many requests"
    type_slug = "too-many-requests"
