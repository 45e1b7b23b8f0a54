"""Request-scoped dependencies shared by every capability's router."""

from __future__ import annotations

from collections.abc import AsyncIterator

from fastapi import Request
from sqlalchemy.ext.asyncio import AsyncSession

from careverse.kernel.config import Settings


def get_settings(request: Request) -> Settings:
    return request.app.state.settings


async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    """One database session per request; services commit their own unit of work."""
    async with request.app.state.db.sessionmaker() as session:
        yield session


def client_address(request: Request) -> str | None:
    return request.client.host if request.client else None
