"""Who is calling: bearer tokens for API clients, HttpOnly cookies (+ CSRF) for the browser."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import OAuth2PasswordBearer
from sqlalchemy.ext.asyncio import AsyncSession

from careverse.identity.service import IdentityService
from careverse.identity.smart import SmartService
from careverse.identity.smart_edge import is_app_token, refuse_outside_fhir
from careverse.kernel.actor import Actor, require_full_scope
from careverse.kernel.config import Settings
from careverse.kernel.deps import client_address, get_runtime, get_session, get_settings
from careverse.kernel.errors import DomainError, NotAuthenticated

SESSION_COOKIE = "cv_session"
REFRESH_COOKIE = "cv_refresh"
CSRF_COOKIE = "cv_csrf"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

bearer = OAuth2PasswordBearer(tokenUrl="/api/auth/token", auto_error=False)


async def sign_in_check(request: Request, settings: Settings) -> Callable[[], Awaitable[bool]]:
    """For a live stream: a check, run at each keep-alive, that the caller's sign-in still holds
    (a revoked or expired session ends the stream). Each check opens a short session of its own,
    so the stream holds no database connection between them."""
    db = get_runtime(request).db
    token = await bearer(request) or request.cookies.get(SESSION_COOKIE, "")

    async def still_signed_in() -> bool:
        async with db.session() as check:
            try:
                await IdentityService(check, settings).resolve(token)
            except DomainError:
                return False
        return True

    return still_signed_in


def identity_service(
    session: Annotated[AsyncSession, Depends(get_session)],
    settings: Annotated[Settings, Depends(get_settings)],
    request: Request,
) -> IdentityService:
    return IdentityService(session, settings, get_runtime(request).mailer)


async def any_actor(
    request: Request,
    service: Annotated[IdentityService, Depends(identity_service)],
    token: Annotated[str | None, Depends(bearer)],
) -> Actor:
    """The signed-in caller, whatever the scope of their session (MFA enrolment included)."""
    from_cookie = False
    if not token:
        token = request.cookies.get(SESSION_COOKIE)
        from_cookie = True
    if not token:
        raise NotAuthenticated()
    if not from_cookie and is_app_token(token):  # a SMART app's token: the FHIR API only
        actor = await SmartService(service.session, service.settings).resolve(
            token, client_address(request)
        )
        refuse_outside_fhir(actor, request.url.path, request.method)
        request.state.actor = actor
        return actor
    actor = await service.resolve(token, client_address(request))
    if from_cookie and request.method not in SAFE_METHODS:
        if actor.session_id is None:  # a cookie always belongs to a sign-in session
            raise NotAuthenticated()
        service.check_csrf(actor.session_id, request.headers.get(CSRF_HEADER))
    request.state.actor = actor
    return actor


async def current_actor(actor: Annotated[Actor, Depends(any_actor)]) -> Actor:
    """The signed-in caller with a full session: what every capability's endpoints use."""
    require_full_scope(actor)
    return actor


CurrentActor = Annotated[Actor, Depends(current_actor)]
AnyActor = Annotated[Actor, Depends(any_actor)]
Identity = Annotated[IdentityService, Depends(identity_service)]
