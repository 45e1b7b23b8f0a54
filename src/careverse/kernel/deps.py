"""Request-scoped dependencies shared by every capability's router."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import HTTPConnection

from careverse.kernel.config import Settings
from careverse.kernel.runtime import Runtime


def get_runtime(connection: HTTPConnection) -> Runtime:
    """The node's runtime (HTTP requests and WebSockets alike)."""
    return connection.app.state.runtime


def get_settings(connection: HTTPConnection) -> Settings:
    return get_runtime(connection).settings


async def get_session(connection: HTTPConnection) -> AsyncIterator[AsyncSession]:
    """One database session per request; each service entry point is its own unit of work."""
    async with get_runtime(connection).db.sessionmaker() as session:
        yield session


def client_address(connection: HTTPConnection) -> str | None:
    return connection.client.host if connection.client else None


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
SessionDep = Annotated[AsyncSession, Depends(get_session)]
