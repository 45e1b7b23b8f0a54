"""OpenID Connect for SMART apps: the ``id_token`` (scopes ``openid fhirUser``) and the server's
signing keys.

The signing key is an RSA key (RS256, which SMART and OpenID Connect require servers to support)
made on first need and kept in ``smart_signing_keys`` encrypted with the key ring, like every
other secret at rest; every node of a cluster reads the same one. Its public half is published at
``/.well-known/jwks.json`` (the ``jwks_uri`` of the discovery documents). Should two nodes make
one at the same moment, both are published and the oldest signs. The key is never logged.
"""

from __future__ import annotations

import json
from datetime import timedelta

from joserfc import jwt
from joserfc.jwk import RSAKey
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from careverse.identity.models import Account, Patient
from careverse.identity.smart_models import SmartApp, SmartGrant, SmartSigningKey
from careverse.kernel import clock
from careverse.kernel.actor import Role
from careverse.kernel.config import Settings
from careverse.kernel.uow import unit_of_work

ID_TOKEN_ALG = "RS256"  # noqa: S105 - an algorithm name
ID_TOKEN_TTL = timedelta(minutes=15)


def issuer(settings: Settings) -> str:
    return settings.public_url.rstrip("/")


async def _keys(session: AsyncSession) -> list[SmartSigningKey]:
    query = select(SmartSigningKey).order_by(SmartSigningKey.created_at, SmartSigningKey.id)
    return list((await session.scalars(query)).all())


async def signing_key(session: AsyncSession) -> tuple[str, RSAKey]:
    """The key that signs (the oldest), made now if there is none; answers (kid, key)."""
    stored = await _keys(session)
    if not stored:
        key = RSAKey.generate_key(2048, private=True)
        async with unit_of_work(session):
            session.add(
                SmartSigningKey(
                    kid=key.thumbprint(), alg=ID_TOKEN_ALG,
                    private_jwk=json.dumps(key.as_dict(private=True)),
                )
            )  # fmt: skip
        stored = await _keys(session)
    first = stored[0]
    return first.kid, RSAKey.import_key(json.loads(first.private_jwk))


async def public_jwks(session: AsyncSession) -> dict:
    """Every signing key's public half, as a JWKS (made on first need)."""
    if not await _keys(session):
        await signing_key(session)
    keys = []
    for row in await _keys(session):
        public = RSAKey.import_key(json.loads(row.private_jwk)).as_dict(private=False)
        keys.append({**public, "kid": row.kid, "alg": row.alg, "use": "sig"})
    return {"keys": keys}


async def fhir_user(session: AsyncSession, account_id) -> str | None:
    """The person's FHIR resource, relative to the FHIR base: ``Patient/…`` for a patient,
    ``Practitioner/…`` (the account id) for a clinician; None for anyone else."""
    row = (
        await session.execute(
            select(Account.role, Patient.id)
            .outerjoin(Patient, Patient.account_id == Account.id)
            .where(Account.id == account_id)
        )
    ).first()
    if row is None:
        return None
    role, patient_id = row
    if Role(role) is Role.PATIENT and patient_id is not None:
        return f"Patient/{patient_id}"
    if Role(role) is Role.CLINICIAN:
        return f"Practitioner/{account_id}"
    return None


async def id_token(
    session: AsyncSession, settings: Settings, grant: SmartGrant, nonce: str | None
) -> str | None:
    """The signed ``id_token`` of a grant with ``openid`` (None without it)."""
    scopes = grant.scopes.split()
    if "openid" not in scopes:
        return None
    app = await session.get(SmartApp, grant.app_id)
    if app is None:
        return None
    now = clock.now()
    claims: dict = {
        "iss": issuer(settings),
        "sub": str(grant.account_id),
        "aud": app.client_id,
        "iat": int(now.timestamp()),
        "exp": int((now + ID_TOKEN_TTL).timestamp()),
    }
    if nonce:
        claims["nonce"] = nonce
    if "fhirUser" in scopes and (user := await fhir_user(session, grant.account_id)):
        claims["fhirUser"] = user
    kid, key = await signing_key(session)
    return jwt.encode({"alg": ID_TOKEN_ALG, "kid": kid, "typ": "JWT"}, claims, key)
