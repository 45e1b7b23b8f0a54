"""Token introspection (RFC 7662) for SMART apps: ``POST /oauth/introspect``.

Only an authenticated client asks (a confidential app with its secret, or a backend client with
a signed assertion), and only about its own tokens: anything else, like a revoked, expired or
unknown token, is ``{"active": false}``, so the answer never tells whether a token exists.
"""

from __future__ import annotations

from sqlalchemy import select

from careverse.identity.models import Account
from careverse.identity.smart import SmartService
from careverse.identity.smart_models import SmartApp, SmartGrant, SmartToken
from careverse.identity.smart_oidc import fhir_user, issuer
from careverse.kernel import clock, tokens

INACTIVE = {"active": False}


async def introspect(service: SmartService, app: SmartApp, token: str) -> dict:
    """What the server knows of ``token`` (an access or refresh token of ``app``)."""
    if not token or len(token) > 200:
        return INACTIVE
    digest = tokens.digest(token)
    row = (
        await service.session.execute(
            select(SmartToken, SmartGrant, Account.is_active)
            .join(SmartGrant, SmartGrant.id == SmartToken.grant_id)
            .join(Account, Account.id == SmartGrant.account_id)
            .where((SmartToken.access_hash == digest) | (SmartToken.refresh_hash == digest))
        )
    ).first()
    if row is None:
        return INACTIVE
    stored, grant, account_active = row
    refresh = stored.refresh_hash == digest
    expires = stored.refresh_expires_at if refresh else stored.access_expires_at
    if (
        grant.app_id != app.id
        or not app.is_active
        or not account_active
        or stored.revoked_at is not None
        or grant.revoked_at is not None
        or expires is None
        or clock.as_utc(expires) <= clock.now()
    ):
        return INACTIVE
    answer: dict = {
        "active": True,
        "scope": grant.scopes,
        "client_id": app.client_id,
        "token_type": "refresh_token" if refresh else "Bearer",
        "exp": int(clock.as_utc(expires).timestamp()),
        "iat": int(clock.as_utc(stored.created_at).timestamp()),
        # A backend client acts as itself; an app, for the person who allowed it.
        "sub": app.client_id if app.is_backend else str(grant.account_id),
        "iss": issuer(service.settings),
    }
    if grant.patient_id is not None:
        answer["patient"] = str(grant.patient_id)
    user = None
    if "fhirUser" in grant.scopes.split():
        user = await fhir_user(service.session, grant.account_id)
    if user is not None:
        answer["fhirUser"] = user
    return answer
