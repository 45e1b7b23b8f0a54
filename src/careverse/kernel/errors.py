"""Domain errors: raised by services, turned into clear 4xx answers by the API layer."""

from __future__ import annotations


class DomainError(Exception):
    """A failure the caller can act on. ``message`` must never contain health data."""

    status_code = 400
    code = "bad_request"

    def __init__(self, message: str, *, code: str | None = None, headers: dict | None = None):
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        self.headers = headers or {}


class InvalidInput(DomainError):
    """Input that parsed but breaks a rule; answered in FastAPI's validation shape (422)."""

    status_code = 422
    code = "invalid"

    def __init__(self, message: str, *, field: str | None = None, code: str | None = None):
        super().__init__(message, code=code)
        self.field = field


class NotAuthenticated(DomainError):
    status_code = 401
    code = "not_authenticated"

    def __init__(self, message: str = "Sign in to continue.", **kw):
        kw.setdefault("headers", {"WWW-Authenticate": "Bearer"})
        super().__init__(message, **kw)


class Forbidden(DomainError):
    status_code = 403
    code = "forbidden"


class NotFound(DomainError):
    status_code = 404
    code = "not_found"


class Conflict(DomainError):
    status_code = 409
    code = "conflict"


class TooManyRequests(DomainError):
    status_code = 429
    code = "too_many_attempts"

    def __init__(self, message: str, retry_after: int):
        super().__init__(message, headers={"Retry-After": str(retry_after)})
        self.retry_after = retry_after
