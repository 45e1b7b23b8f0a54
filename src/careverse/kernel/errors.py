"""Domain errors: raised by services, turned into clear 4xx answers by the API layer; and which
infrastructure failures mean "a dependency is unreachable, try again" (503 + Retry-After)."""

from __future__ import annotations

import errno

from asyncpg.exceptions import PostgresConnectionError
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout


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


class ServiceUnavailable(DomainError):
    """A dependency (the database, Redis) cannot be reached now; the caller should retry."""

    status_code = 503
    code = "unavailable"

    def __init__(self, message: str = "The service is briefly unavailable; please try again."):
        super().__init__(message, headers={"Retry-After": str(UNAVAILABLE_RETRY_AFTER)})


# Seconds a client is asked to wait while a dependency is down: a PostgreSQL restart or a
# failover takes a few seconds; the pool reconnects by itself (pool_pre_ping) once it is back.
UNAVAILABLE_RETRY_AFTER = 5

# The exception types that may mean "unreachable"; app.py answers them through one handler
# that asks :func:`dependency_unreachable` and answers 500 for the rest.
CONNECTION_ERRORS: tuple[type[Exception], ...] = (
    DBAPIError, OSError, PostgresConnectionError, PoolTimeout, RedisConnectionError,
    RedisTimeoutError,
)  # fmt: skip

# SQLSTATE class 08 (connection exception) and the server going away or still starting:
# admin_shutdown, crash_shutdown, cannot_connect_now.
_GONE_SQLSTATES = ("57P01", "57P02", "57P03")
_NETWORK_ERRNOS = {
    errno.ECONNREFUSED, errno.ECONNRESET, errno.ECONNABORTED, errno.EPIPE, errno.ETIMEDOUT,
    errno.EHOSTUNREACH, errno.ENETUNREACH, errno.EHOSTDOWN,
}  # fmt: skip


def dependency_unreachable(exc: BaseException) -> bool:
    """True when ``exc`` (or what caused it) says the database or Redis cannot be reached:
    refused, dropped or restarting connections, an exhausted pool, a server shutting down.
    Errors of the request itself (a constraint, bad SQL) are not."""
    seen: set[int] = set()
    todo: list[BaseException | None] = [exc]
    while todo:
        err = todo.pop()
        if err is None or id(err) in seen:
            continue
        seen.add(id(err))
        if _unreachable_alone(err):
            return True
        todo += [getattr(err, "orig", None), err.__cause__, err.__context__]
    return False


def _unreachable_alone(err: BaseException) -> bool:
    if isinstance(err, DBAPIError) and err.connection_invalidated:
        return True
    if isinstance(
        err, PoolTimeout | PostgresConnectionError | RedisConnectionError | RedisTimeoutError
    ):
        return True
    if isinstance(err, ConnectionError | TimeoutError):
        return True
    if isinstance(err, OSError) and (
        err.errno in _NETWORK_ERRNOS or str(err).startswith(("Multiple exceptions", "Connect call"))
    ):
        return True
    state = getattr(err, "sqlstate", None) or getattr(err, "pgcode", None)
    return isinstance(state, str) and (state.startswith("08") or state in _GONE_SQLSTATES)
