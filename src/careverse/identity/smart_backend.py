"""SMART Backend Services: backend clients (a JWKS, ``system/`` scopes) and their tokens.

A backend client signs a JWT assertion (RFC 7523, RS384 or ES384) and trades it at
``/oauth/token`` with ``client_credentials`` for an access token without a person's consent:
the token is a grant of the admin who registered the client, carrying its ``system/`` scopes
(no patient), and works for Bulk Data export only (``smart.refuse_outside_fhir``).
Each assertion id (``jti``) is accepted once, kept until the assertion expires.
"""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime

from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from careverse.identity.smart import OAuthError, SmartService, _new_client_id
from careverse.identity.smart_models import SmartApp, SmartAssertionId, SmartGrant
from careverse.kernel import audit, clock
from careverse.kernel.actor import Actor, Role, require_role
from careverse.kernel.errors import InvalidInput
from careverse.kernel.smart import BadScope, allowed, parse_scopes
from careverse.kernel.uow import unit_of_work

ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
ASSERTION_ALGS = ["RS384", "ES384"]
ASSERTION_MAX_LIFETIME = 300  # seconds: exp at most five minutes ahead


class BackendClients:
    """Registration and the ``client_credentials`` grant, beside :class:`SmartService`."""

    def __init__(self, smart: SmartService):
        self.smart = smart
        self.session = smart.session
        self.settings = smart.settings

    async def register(
        self, actor: Actor, *, name: str, jwks: dict, scopes: list[str]
    ) -> tuple[SmartApp, None]:
        """Register a backend client: its public keys, ``system/`` scopes; no secret, no URIs."""
        require_role(actor, Role.ADMIN)
        listed = jwks.get("keys")
        if (
            not isinstance(listed, list)
            or not 0 < len(listed) <= 10
            or not all(isinstance(k, dict) and k.get("kty") in ("RSA", "EC") for k in listed)
        ):
            raise InvalidInput("The JWKS must hold public RSA or EC keys only.", field="jwks")
        try:
            keys = KeySet.import_key_set(jwks)  # pyright: ignore[reportArgumentType]
        except (JoseError, ValueError, TypeError, KeyError, AttributeError):
            raise InvalidInput("Not a JWKS of public keys.", field="jwks") from None
        if any(k.is_private for k in keys):
            raise InvalidInput("The JWKS must hold public RSA or EC keys only.", field="jwks")
        try:
            checked = parse_scopes(scopes)
        except BadScope as exc:
            raise InvalidInput(f"Not a SMART scope: {exc}", field="scopes") from None
        if not checked or any(not s.startswith("system/") for s in checked):
            raise InvalidInput("A backend client has system/ scopes only.", field="scopes")
        async with unit_of_work(self.session):
            app = SmartApp(
                client_id=_new_client_id(), name=name, confidential=True, secret_hash=None,
                redirect_uris="", scopes=" ".join(checked), is_active=True,
                created_by=actor.account_id, jwks=json.dumps(keys.as_dict(private=False)),
            )  # fmt: skip
            self.session.add(app)
            await self.session.flush()
            audit.record(self.session, "smart-app.register", actor=actor,
                         resource_type="SmartApp", resource_id=app.id,
                         detail={"backend": True})  # fmt: skip
        return app, None

    async def token(self, form: dict[str, str]) -> dict:
        """SMART Backend Services: ``client_credentials`` with a signed client assertion."""
        if form.get("grant_type") != "client_credentials":
            raise OAuthError(
                "unsupported_grant_type", "A client assertion needs client_credentials."
            )
        if form.get("client_assertion_type") != ASSERTION_TYPE:
            raise OAuthError("invalid_request", "Unsupported client_assertion_type.")
        app, claims = await self._check_assertion(form.get("client_assertion") or "")
        try:
            requested = parse_scopes(form.get("scope") or "")
        except BadScope:
            raise OAuthError("invalid_scope", "A requested scope is not SMART v2 syntax.") from None
        registered = app.scopes.split()
        if not requested or not all(
            s.startswith("system/") and allowed(s, registered) for s in requested
        ):
            raise OAuthError("invalid_scope", "A requested scope is not allowed for this client.")
        if app.created_by is None:  # nobody is answerable for it any more
            raise OAuthError("invalid_client", "Unknown or disabled client.", 401)
        now = clock.now()
        try:
            async with unit_of_work(self.session):  # the jti, once: a replay breaks the unique key
                await self.session.execute(
                    delete(SmartAssertionId).where(SmartAssertionId.expires_at <= now)
                )
                self.session.add(
                    SmartAssertionId(app_id=app.id, jti=claims["jti"],
                                     expires_at=datetime.fromtimestamp(claims["exp"], UTC))
                )  # fmt: skip
                await self.session.flush()
        except IntegrityError:
            raise OAuthError("invalid_client", "This assertion was already used.", 401) from None
        async with unit_of_work(self.session):
            grant = SmartGrant(app_id=app.id, account_id=app.created_by, patient_id=None,
                               scopes=" ".join(requested))  # fmt: skip
            self.session.add(grant)
            await self.session.flush()
            answer = await self.smart._issue(grant, code_id=None)
            audit.record(self.session, "smart-app.backend-token", actor_id=app.created_by,
                         resource_type="SmartGrant", resource_id=grant.id,
                         detail={"app": app.name})  # fmt: skip
        return answer

    async def _check_assertion(self, assertion: str) -> tuple[SmartApp, dict]:
        """The backend client that signed ``assertion`` (RFC 7523), and its checked claims."""
        fail = OAuthError("invalid_client", "Client authentication failed.", 401)
        try:
            unverified = json.loads(
                base64.urlsafe_b64decode(assertion.split(".")[1] + "==").decode()
            )
            client_id = unverified["iss"]
        except (ValueError, IndexError, KeyError, TypeError, UnicodeDecodeError):
            raise fail from None
        if not isinstance(client_id, str) or len(client_id) > 64:
            raise fail
        app = await self.session.scalar(select(SmartApp).where(SmartApp.client_id == client_id))
        if app is None or not app.is_active or app.jwks is None:
            raise fail
        endpoint = f"{self.settings.public_url.rstrip('/')}/oauth/token"
        now = int(clock.now().timestamp())
        try:
            keys = KeySet.import_key_set(json.loads(app.jwks))
            token = jwt.decode(assertion, keys, algorithms=ASSERTION_ALGS)
            jwt.JWTClaimsRegistry(
                now=now, leeway=30,
                iss={"essential": True, "value": client_id},
                sub={"essential": True, "value": client_id},
                aud={"essential": True, "value": endpoint},
                exp={"essential": True}, jti={"essential": True},
            ).validate(token.claims)  # fmt: skip
        except (JoseError, ValueError, TypeError, KeyError):
            raise fail from None
        claims = token.claims
        if (
            not isinstance(claims["exp"], int)
            or claims["exp"] > now + ASSERTION_MAX_LIFETIME + 30
            or not isinstance(claims["jti"], str)
            or not 0 < len(claims["jti"]) <= 255
        ):
            raise fail
        return app, claims
