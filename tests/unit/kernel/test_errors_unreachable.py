"""Which failures mean "the database or Redis is unreachable" (503 + Retry-After), and which are
the request's own (answered as before)."""

from __future__ import annotations

import errno

import pytest
import redis.exceptions
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError

from careverse.kernel.errors import dependency_unreachable


class _Orig(Exception):
    def __init__(self, sqlstate: str):
        super().__init__("driver error")
        self.sqlstate = sqlstate


def _wrapped(sqlstate: str, kind: type[DBAPIError] = OperationalError) -> DBAPIError:
    return kind("SELECT 1", {}, _Orig(sqlstate))


@pytest.mark.parametrize(
    "exc",
    [
        ConnectionRefusedError(errno.ECONNREFUSED, "Connect call failed"),
        OSError("Multiple exceptions: [Errno 111] Connect call failed"),
        DBAPIError("SELECT 1", {}, Exception("closed"), connection_invalidated=True),
        _wrapped("08006"),  # connection_failure
        _wrapped("57P01"),  # admin_shutdown
        _wrapped("57P03"),  # cannot_connect_now (starting up)
        redis.exceptions.ConnectionError("Connection refused"),
    ],
)
def test_unreachable(exc):
    assert dependency_unreachable(exc)


def test_unreachable_through_the_cause():
    try:
        try:
            raise ConnectionResetError(errno.ECONNRESET, "reset")
        except ConnectionResetError as inner:
            raise RuntimeError("commit failed") from inner
    except RuntimeError as outer:
        assert dependency_unreachable(outer)


@pytest.mark.parametrize(
    "exc",
    [
        _wrapped("23505", IntegrityError),  # unique_violation: the request's own conflict
        _wrapped("42P01"),  # undefined_table: a bug, not an outage
        OSError(errno.ENOENT, "No such file"),
        ValueError("bad"),
    ],
)
def test_not_unreachable(exc):
    assert not dependency_unreachable(exc)
