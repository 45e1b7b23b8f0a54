"""SMART Backend Services: backend clients (a JWKS, ``system/`` scopes) and their tokens.

A backend client signs a JWT assertion (RFC 7523, RS384 or ES384) and trades it at
``/oauth/token`` with ``client_credentials`` for an access token without a person's consent:
the token is a grant of the admin who registered the client, carrying its ``system/`` scopes
(no patient), and works for Bulk Data export only (``smart_edge.refuse_outside_fhir``).
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

from careverse.identity import smart_jwks
from careverse.identity.smart import OAuthError, SmartService, _new_client_id
from careverse.identity.smart_jwks import JwksError, public_key_set
from careverse.identity.smart_launch import web_address
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
        self,
        actor: Actor,
        *,
        name: str,
        jwks: dict | None,
        scopes: list[str],
        jwks_url: str | None = None,
    ) -> tuple[SmartApp, None]:
        """Register a backend client: its public keys (a JWKS, or the https address where it
        publishes them), ``system/`` scopes; no secret, no URIs."""
        require_role(actor, Role.ADMIN)
        if (jwks is None) == (jwks_url is None):
            raise InvalidInput("Give either a JWKS or a JWKS URL.", field="jwks")
        stored = None
        if jwks is not None:
            try:
                stored = json.dumps(public_key_set(jwks).as_dict(private=False))
            except JwksError as exc:
                raise InvalidInput(str(exc), field="jwks") from None
        if jwks_url is not None and not web_address(jwks_url):
            raise InvalidInput(
                "The JWKS URL must be an https:// address (http:// only for localhost).",
                field="jwks_url",
            )
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
                created_by=actor.account_id, jwks=stored, jwks_url=jwks_url,
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
        app, claims = await self._assertion(form)
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
        await self._spend(app, claims)
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

    async def authenticate(self, form: dict[str, str]) -> SmartApp:
        """The backend client a request's ``client_assertion`` authenticates (its jti spent)."""
        app, claims = await self._assertion(form)
        await self._spend(app, claims)
        return app

    async def _assertion(self, form: dict[str, str]) -> tuple[SmartApp, dict]:
        if form.get("client_assertion_type") != ASSERTION_TYPE:
            raise OAuthError("invalid_request", "Unsupported client_assertion_type.")
        return await self._check_assertion(form.get("client_assertion") or "")

    async def _spend(self, app: SmartApp, claims: dict) -> None:
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
        if app is None or not app.is_active or (app.jwks is None and app.jwks_url is None):
            raise fail
        endpoint = f"{self.settings.public_url.rstrip('/')}/oauth/token"
        now = int(clock.now().timestamp())
        try:
            token = await self._decode(app, assertion)
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

    async def _decode(self, app: SmartApp, assertion: str) -> jwt.Token:
        """Verify the assertion's signature with the client's keys: inline, or fetched from its
        ``jwks_url`` (cached; fetched again once when they fail, for a client's new key)."""
        if app.jwks is not None:
            keys = KeySet.import_key_set(json.loads(app.jwks))
            return jwt.decode(assertion, keys, algorithms=ASSERTION_ALGS)
        assert app.jwks_url is not None
        try:
            try:
                keys = await smart_jwks.keys_at(app.jwks_url)
                return jwt.decode(assertion, keys, algorithms=ASSERTION_ALGS)
            except JoseError:
                keys = await smart_jwks.keys_at(app.jwks_url, fresh=True)
                return jwt.decode(assertion, keys, algorithms=ASSERTION_ALGS)
        except JwksError:
            raise ValueError("the client's keys could not be fetched") from None
