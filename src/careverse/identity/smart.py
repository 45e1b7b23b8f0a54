"""SMART App Launch 2.x: registered apps, the person's consent, codes, tokens and revocation.

The authorisation-code flow with PKCE (S256, for every client): ``/oauth/authorize`` checks the
request (:meth:`SmartService.check_request`) and sends the browser to the consent page, which
shows :meth:`SmartService.preview` and posts :meth:`SmartService.decide`; the app then trades the
code at ``/oauth/token`` (:meth:`SmartService.token`). An app's access token resolves to an
:class:`Actor` carrying an :class:`AppGrant` (:meth:`SmartService.resolve`): the one access
policy limits it to its scopes and launch patient. Secrets are stored only as SHA-256 hashes.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import uuid
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from careverse.identity import smart_oidc
from careverse.identity.directory import patient_names
from careverse.identity.models import Account, Patient
from careverse.identity.relationships import patients_of
from careverse.identity.smart_edge import ACCESS_PREFIX
from careverse.identity.smart_launch import (
    Launches,
    LaunchRefused,
    fhir_base,
    web_address,
    with_query,
)
from careverse.identity.smart_models import (
    SmartApp,
    SmartCode,
    SmartGrant,
    SmartLaunch,
    SmartToken,
)
from careverse.identity.smart_words import describe
from careverse.kernel import audit, clock, tokens
from careverse.kernel.actor import Actor, Role, require_full_scope, require_role
from careverse.kernel.config import Settings
from careverse.kernel.errors import InvalidInput, NotAuthenticated, NotFound
from careverse.kernel.smart import AppGrant, BadScope, allowed, parse_scope, parse_scopes
from careverse.kernel.uow import unit_of_work

CODE_TTL = timedelta(seconds=60)
LAST_USED_STEP = timedelta(minutes=1)  # "last used" is written at most once a minute
_VERIFIER = re.compile(r"^[A-Za-z0-9._~-]{43,128}$")
_CHALLENGE = re.compile(r"^[A-Za-z0-9_-]{43}$")


class OAuthError(Exception):
    """An OAuth 2 error answer: ``error`` is the RFC 6749 code, never health data."""

    def __init__(self, error: str, description: str, status: int = 400):
        super().__init__(description)
        self.error, self.description, self.status = error, description, status


class RedirectError(OAuthError):
    """An authorisation request error sent back to the app's (checked) redirect URI."""

    def __init__(self, error: str, description: str, redirect_uri: str, state: str | None):
        super().__init__(error, description)
        self.redirect_uri, self.state = redirect_uri, state

    @property
    def location(self) -> str:
        return with_query(self.redirect_uri, error=self.error, state=self.state)


@dataclass(frozen=True)
class AuthorizeRequest:
    client_id: str
    redirect_uri: str
    response_type: str | None
    scope: str | None
    state: str | None
    code_challenge: str | None
    code_challenge_method: str | None
    launch: str | None = None  # an EHR launch's handle (smart_launch.py)
    nonce: str | None = None  # OpenID Connect: echoed in the id_token
    aud: str | None = None  # the FHIR base the app means to call


@dataclass(frozen=True)
class CheckedRequest:
    app: SmartApp
    scopes: list[str]
    request: AuthorizeRequest
    launch: SmartLaunch | None = None

    @property
    def needs_patient(self) -> bool:
        """Whether the person must pick the patient (an EHR launch brings its own)."""
        return self.launch is None and any(
            s == "launch/patient" or s.startswith("patient/") for s in self.scopes
        )


def pkce_matches(verifier: str, challenge: str) -> bool:
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    computed = base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")
    return hmac.compare_digest(computed, challenge)


def _new_client_id() -> str:
    return f"cvapp_{uuid.uuid4().hex[:20]}"


class SmartService:
    """Apps, consent, tokens; one unit of work per entry point."""

    def __init__(self, session: AsyncSession, settings: Settings):
        self.session = session
        self.settings = settings

    # ---- apps (admins) ----------------------------------------------------------------------

    async def register_app(
        self,
        actor: Actor,
        *,
        name: str,
        redirect_uris: list[str],
        confidential: bool,
        scopes: list[str],
        launch_url: str | None = None,
    ) -> tuple[SmartApp, str | None]:
        """Register an app; answers it and, for a confidential one, its secret (shown once)."""
        require_role(actor, Role.ADMIN)
        if not redirect_uris:
            raise InvalidInput("An app needs a redirect URI.", field="redirect_uris")
        for uri in redirect_uris:
            if not web_address(uri):
                raise InvalidInput(
                    "A redirect URI must be an https:// address (http:// only for localhost), "
                    "without a #fragment.",
                    field="redirect_uris",
                )
        if launch_url is not None and not web_address(launch_url):
            raise InvalidInput(
                "The launch URL must be an https:// address (http:// only for localhost), "
                "without a #fragment.",
                field="launch_url",
            )
        try:
            checked = parse_scopes(scopes)
        except BadScope as exc:
            raise InvalidInput(f"Not a SMART scope: {exc}", field="scopes") from None
        if any(s.startswith("system/") for s in checked):
            raise InvalidInput("system/ scopes are for backend clients (with a JWKS) only.")
        secret = tokens.new_secret("cvcs") if confidential else None
        async with unit_of_work(self.session):
            app = SmartApp(
                client_id=_new_client_id(), name=name, confidential=confidential,
                secret_hash=tokens.digest(secret) if secret else None,
                redirect_uris="\n".join(redirect_uris), scopes=" ".join(checked),
                is_active=True, created_by=actor.account_id, launch_url=launch_url,
            )  # fmt: skip
            self.session.add(app)
            await self.session.flush()
            audit.record(self.session, "smart-app.register", actor=actor,
                         resource_type="SmartApp", resource_id=app.id)  # fmt: skip
        return app, secret

    async def list_apps(self, actor: Actor) -> list[SmartApp]:
        require_role(actor, Role.ADMIN)
        return list((await self.session.scalars(select(SmartApp).order_by(SmartApp.name))).all())

    async def set_active(self, actor: Actor, app_id: uuid.UUID, active: bool) -> SmartApp:
        """Disable an app (its tokens stop working at once) or enable it again."""
        require_role(actor, Role.ADMIN)
        async with unit_of_work(self.session):
            app = await self.session.get(SmartApp, app_id)
            if app is None:
                raise NotFound("No such app.")
            app.is_active = active
            audit.record(self.session, f"smart-app.{'enable' if active else 'disable'}",
                         actor=actor, resource_type="SmartApp", resource_id=app.id)  # fmt: skip
        return app

    # ---- the authorisation request and the person's consent ---------------------------------

    async def check_request(
        self, req: AuthorizeRequest, actor: Actor | None = None
    ) -> CheckedRequest:
        """Check an authorisation request. The client and redirect URI first: while either is
        unknown nothing is redirected (:class:`OAuthError`); later errors go back to the app."""
        app = await self.session.scalar(select(SmartApp).where(SmartApp.client_id == req.client_id))
        if app is None or not app.is_active:
            raise OAuthError("invalid_client", "This app is not registered, or is disabled.")
        if req.redirect_uri not in app.redirect_uris.split("\n"):
            raise OAuthError("invalid_request", "This redirect URI is not registered for the app.")

        def fail(error: str, description: str) -> RedirectError:
            return RedirectError(error, description, req.redirect_uri, req.state)

        if req.response_type != "code":
            raise fail("unsupported_response_type", "Only response_type=code is supported.")
        if not req.code_challenge or req.code_challenge_method != "S256":
            raise fail("invalid_request", "PKCE with code_challenge_method=S256 is required.")
        if not _CHALLENGE.match(req.code_challenge):
            raise fail("invalid_request", "The code_challenge is not an S256 challenge.")
        try:
            requested = parse_scopes(req.scope or "")
        except BadScope:
            raise fail("invalid_scope", "A requested scope is not SMART v2 syntax.") from None
        registered = app.scopes.split()
        scopes = [s for s in requested if allowed(s, registered)]
        if not any(parse_scope(s) is not None for s in scopes):
            raise fail("invalid_scope", "None of the requested data scopes is allowed.")
        if req.aud is not None and req.aud.rstrip("/") != fhir_base(self.settings):
            raise fail("invalid_request", "The aud is not this server's FHIR base URL.")
        launch = None
        if req.launch is not None or "launch" in scopes:
            if req.launch is None or "launch" not in scopes:
                raise fail("invalid_request", "An EHR launch needs both the launch scope and the "
                           "launch parameter Careverse gave the app.")  # fmt: skip
            try:
                launch = await Launches(self.session, self.settings).find(app, req.launch, actor)
            except LaunchRefused:
                raise fail("invalid_request", "The launch is unknown, used or expired.") from None
        return CheckedRequest(app, scopes, req, launch)

    async def preview(self, actor: Actor, req: AuthorizeRequest) -> dict:
        """What the consent screen shows: the app, its scopes in plain words, patients to pick."""
        require_full_scope(actor)
        checked = await self.check_request(req, actor)
        patients: list[dict] = []
        launch_patient = None
        if checked.launch is not None:
            names = await patient_names(self.session, [checked.launch.patient_id])
            pid = checked.launch.patient_id
            launch_patient = {"id": pid, "name": names.get(pid, "")}
        if checked.needs_patient and actor.role is not Role.PATIENT:
            ids = await patients_of(self.session, actor)
            names = await patient_names(self.session, ids)
            patients = [{"id": pid, "name": names[pid]} for pid in ids if pid in names]
        return {
            "app_name": checked.app.name,
            "scopes": [{"scope": s, "text": describe(s)} for s in checked.scopes],
            "needs_patient": checked.needs_patient,
            "patient_is_self": actor.role is Role.PATIENT,
            "patients": patients,
            "launch_patient": launch_patient,
        }

    async def decide(
        self,
        actor: Actor,
        req: AuthorizeRequest,
        *,
        approve: bool,
        scopes: list[str] | None,
        patient_id: uuid.UUID | None,
    ) -> str:
        """The person's answer; answers where to send the browser (the app, with a code or
        ``error=access_denied``)."""
        require_role(actor, Role.PATIENT, Role.CAREGIVER, Role.CLINICIAN)
        checked = await self.check_request(req, actor)
        if checked.launch is not None:  # spent by this answer, whatever it is
            async with unit_of_work(self.session):
                try:
                    await Launches(self.session, self.settings).spend(checked.launch)
                except LaunchRefused:
                    raise RedirectError("invalid_request", "The launch was already used.",
                                        req.redirect_uri, req.state) from None  # fmt: skip
        if not approve:
            return with_query(req.redirect_uri, error="access_denied", state=req.state)
        chosen = checked.scopes if scopes is None else [s for s in checked.scopes if s in scopes]
        if not any(parse_scope(s) is not None for s in chosen):
            return with_query(req.redirect_uri, error="access_denied", state=req.state)
        launch: uuid.UUID | None = None
        if checked.launch is not None:
            launch = checked.launch.patient_id
        elif any(s == "launch/patient" or s.startswith("patient/") for s in chosen):
            if actor.role is Role.PATIENT:
                launch = actor.patient_id
            elif patient_id is not None and patient_id in await patients_of(self.session, actor):
                launch = patient_id
            if launch is None:
                raise InvalidInput("Choose the patient the app is for.", field="patient_id")
        code = tokens.new_secret("cvc")
        now = clock.now()
        async with unit_of_work(self.session):
            # A new consent replaces the person's earlier one for this app.
            await self.session.execute(
                update(SmartGrant)
                .where(
                    SmartGrant.app_id == checked.app.id,
                    SmartGrant.account_id == actor.account_id,
                    SmartGrant.revoked_at.is_(None),
                )
                .values(revoked_at=now)
            )
            grant = SmartGrant(app_id=checked.app.id, account_id=actor.account_id,
                               patient_id=launch, scopes=" ".join(chosen))  # fmt: skip
            self.session.add(grant)
            await self.session.flush()
            self.session.add(
                SmartCode(
                    grant_id=grant.id,
                    code_hash=tokens.digest(code),
                    redirect_uri=req.redirect_uri,
                    code_challenge=req.code_challenge or "",
                    nonce=req.nonce,
                    expires_at=now + CODE_TTL,
                )
            )
            audit.record(
                self.session, "smart-app.authorize", actor=actor, patient_id=launch,
                resource_type="SmartGrant", resource_id=grant.id,
                detail={"smart_app": checked.app.name},
            )  # fmt: skip
        return with_query(req.redirect_uri, code=code, state=req.state)

    # ---- the token endpoint -----------------------------------------------------------------

    async def client(self, client_id: str | None, secret: str | None) -> SmartApp:
        """The calling app: a confidential one authenticates (client_secret_basic), a public
        one names itself."""
        app = None
        if client_id:
            app = await self.session.scalar(select(SmartApp).where(SmartApp.client_id == client_id))
        if app is None or not app.is_active:
            raise OAuthError("invalid_client", "Unknown or disabled client.", 401)
        if app.confidential:
            if (
                secret is None
                or app.secret_hash is None
                or not hmac.compare_digest(tokens.digest(secret), app.secret_hash)
            ):
                raise OAuthError("invalid_client", "Client authentication failed.", 401)
        elif secret is not None:
            raise OAuthError("invalid_client", "A public client has no secret.", 401)
        return app

    async def token(self, app: SmartApp, form: dict[str, str]) -> dict:
        grant_type = form.get("grant_type")
        if grant_type == "authorization_code":
            return await self._exchange_code(app, form)
        if grant_type == "refresh_token":
            return await self._refresh(app, form.get("refresh_token") or "")
        raise OAuthError("unsupported_grant_type", "Use authorization_code or refresh_token.")

    async def _exchange_code(self, app: SmartApp, form: dict[str, str]) -> dict:
        code, verifier = form.get("code") or "", form.get("code_verifier") or ""
        now = clock.now()
        async with unit_of_work(self.session):
            row = (
                await self.session.execute(
                    select(SmartCode, SmartGrant)
                    .join(SmartGrant, SmartGrant.id == SmartCode.grant_id)
                    .where(SmartCode.code_hash == tokens.digest(code))
                )
            ).first()
            if row is None or row[1].app_id != app.id:
                raise OAuthError("invalid_grant", "The code is not valid for this client.")
            stored, grant = row
            if stored.used_at is not None:
                # A code presented twice: the tokens it gave are no longer trusted.
                await self._revoke_tokens(SmartToken.code_id == stored.id)
                audit.record(self.session, "smart-app.code-reused", outcome=audit.Outcome.FAILURE,
                             actor_id=grant.account_id, resource_type="SmartGrant",
                             resource_id=grant.id)  # fmt: skip
                error = OAuthError("invalid_grant", "The code was already used.")
            elif clock.as_utc(stored.expires_at) <= now or grant.revoked_at is not None:
                error = OAuthError("invalid_grant", "The code has expired.")
            elif form.get("redirect_uri") != stored.redirect_uri:
                error = OAuthError("invalid_grant", "The redirect_uri does not match.")
            elif not _VERIFIER.match(verifier) or not pkce_matches(verifier, stored.code_challenge):
                error = OAuthError("invalid_grant", "The code_verifier does not match.")
            else:
                error = None
            if error is not None and stored.used_at is None:
                stored.used_at = now  # a failed attempt spends the code too
            if error is None:
                claimed = await self.session.execute(
                    update(SmartCode)
                    .where(SmartCode.id == stored.id, SmartCode.used_at.is_(None))
                    .values(used_at=now)
                    .execution_options(synchronize_session=False)
                )
                if claimed.rowcount != 1:  # pyright: ignore[reportAttributeAccessIssue]
                    error = OAuthError("invalid_grant", "The code was already used.")
            if error is None:
                return await self._issue(grant, code_id=stored.id, nonce=stored.nonce)
        raise error

    async def _issue(
        self, grant: SmartGrant, code_id: uuid.UUID | None, nonce: str | None = None
    ) -> dict:
        now = clock.now()
        scopes = grant.scopes.split()
        access = tokens.new_secret(ACCESS_PREFIX.removesuffix("_"))
        refresh = tokens.new_secret("cvsr") if "offline_access" in scopes else None
        ttl = self.settings.access_token_ttl_seconds
        self.session.add(
            SmartToken(
                grant_id=grant.id,
                code_id=code_id,
                access_hash=tokens.digest(access),
                access_expires_at=now + timedelta(seconds=ttl),
                refresh_hash=tokens.digest(refresh) if refresh else None,
                refresh_expires_at=(
                    now + timedelta(seconds=self.settings.refresh_token_ttl_seconds)
                    if refresh
                    else None
                ),
            )
        )
        answer: dict = {
            "access_token": access,
            "token_type": "Bearer",
            "expires_in": ttl,
            "scope": grant.scopes,
        }
        if grant.patient_id is not None:
            answer["patient"] = str(grant.patient_id)
        if refresh:
            answer["refresh_token"] = refresh
        signed = await smart_oidc.id_token(self.session, self.settings, grant, nonce)
        if signed is not None:
            answer["id_token"] = signed
        return answer

    async def _refresh(self, app: SmartApp, refresh_token: str) -> dict:
        """Rotate: the presented refresh token (and its access token) end, new ones are issued.

        A rotated refresh token that comes back means two parties hold it (one stole it): every
        token of the grant ends, the thief's newest too, as for sign-in sessions.
        """
        now = clock.now()
        async with unit_of_work(self.session):
            row = (
                await self.session.execute(
                    select(SmartToken, SmartGrant)
                    .join(SmartGrant, SmartGrant.id == SmartToken.grant_id)
                    .where(SmartToken.refresh_hash == tokens.digest(refresh_token))
                )
            ).first()
            reused = False
            if row is not None and row[1].app_id == app.id and row[0].revoked_at is not None:
                await self._revoke_tokens(SmartToken.grant_id == row[1].id)
                audit.record(self.session, "smart-app.refresh-reused",
                             outcome=audit.Outcome.FAILURE, actor_id=row[1].account_id,
                             resource_type="SmartGrant", resource_id=row[1].id)  # fmt: skip
                reused = True
            elif not (
                row is None
                or row[1].app_id != app.id
                or row[1].revoked_at is not None
                or row[0].refresh_expires_at is None
                or clock.as_utc(row[0].refresh_expires_at) <= now
            ):
                old, grant = row
                # Conditional on the row still being live: of two concurrent refreshes with one
                # token, the second finds it rotated and is refused.
                ended = await self.session.execute(
                    update(SmartToken)
                    .where(SmartToken.id == old.id, SmartToken.revoked_at.is_(None))
                    .values(revoked_at=now)
                    .execution_options(synchronize_session=False)
                )
                if ended.rowcount == 1:  # pyright: ignore[reportAttributeAccessIssue]
                    return await self._issue(grant, code_id=None)
        # Raised after the block, so a reuse's revocation and its audit row are committed.
        description = "The refresh token was already used." if reused else "Not a valid token."
        raise OAuthError("invalid_grant", description)

    async def revoke_token(self, app: SmartApp, token: str) -> None:
        """RFC 7009: end an access or refresh token of this app (unknown tokens are ignored)."""
        digest = tokens.digest(token)
        async with unit_of_work(self.session):
            own = select(SmartGrant.id).where(SmartGrant.app_id == app.id)
            await self._revoke_tokens(
                (SmartToken.access_hash == digest) | (SmartToken.refresh_hash == digest),
                SmartToken.grant_id.in_(own),
            )

    async def _revoke_tokens(self, *where) -> None:
        await self.session.execute(
            update(SmartToken)
            .where(*where, SmartToken.revoked_at.is_(None))
            .values(revoked_at=clock.now())
            .execution_options(synchronize_session=False)
        )

    # ---- an app's calls ---------------------------------------------------------------------

    async def resolve(self, access_token: str, address: str | None = None) -> Actor:
        """The person behind an app's access token, carrying the app's grant."""
        row = (
            await self.session.execute(
                select(
                    SmartToken, SmartGrant, SmartApp, Account.role, Account.is_active, Patient.id
                )
                .join(SmartGrant, SmartGrant.id == SmartToken.grant_id)
                .join(SmartApp, SmartApp.id == SmartGrant.app_id)
                .join(Account, Account.id == SmartGrant.account_id)
                .outerjoin(Patient, Patient.account_id == Account.id)
                .where(SmartToken.access_hash == tokens.digest(access_token))
            )
        ).first()
        if (
            row is None
            or row[0].revoked_at is not None
            or row[1].revoked_at is not None
            or not row[2].is_active
            or not row[4]
        ):
            raise NotAuthenticated("This token is no longer valid.", code="invalid_token")
        token, grant, app, role, _, own_patient = row
        now = clock.now()
        if clock.as_utc(token.access_expires_at) <= now:
            raise NotAuthenticated("This token has expired.", code="invalid_token")
        if grant.last_used_at is None or clock.as_utc(grant.last_used_at) <= now - LAST_USED_STEP:
            async with unit_of_work(self.session):
                await self.session.execute(
                    update(SmartGrant).where(SmartGrant.id == grant.id).values(last_used_at=now)
                )
        return Actor(
            account_id=grant.account_id,
            role=Role(role),
            # A backend client's jobs and files are its own, not the registering admin's.
            session_id=grant.id if app.is_backend else None,
            patient_id=own_patient,
            address=address,
            app=AppGrant(app.id, app.name, grant.id, tuple(grant.scopes.split()), grant.patient_id),
        )

    # ---- the person's authorised apps (privacy page) ----------------------------------------

    async def my_grants(self, actor: Actor) -> list[dict]:
        require_full_scope(actor)
        rows = (
            await self.session.execute(
                select(SmartGrant, SmartApp.name)
                .join(SmartApp, SmartApp.id == SmartGrant.app_id)
                .where(SmartGrant.account_id == actor.account_id, SmartGrant.revoked_at.is_(None))
                .order_by(SmartGrant.created_at.desc())
            )
        ).all()
        return [
            {
                "id": grant.id,
                "app_name": name,
                "scopes": [{"scope": s, "text": describe(s)} for s in grant.scopes.split()],
                "granted_at": grant.created_at,
                "last_used_at": grant.last_used_at,
            }
            for grant, name in rows
        ]

    async def revoke_grant(self, actor: Actor, grant_id: uuid.UUID) -> None:
        """The person withdraws an app's access: its tokens stop working on their next use."""
        require_full_scope(actor)
        async with unit_of_work(self.session):
            grant = await self.session.get(SmartGrant, grant_id)
            if grant is None or grant.account_id != actor.account_id or grant.revoked_at:
                raise NotFound("No such app access.")
            grant.revoked_at = clock.now()
            await self._revoke_tokens(SmartToken.grant_id == grant.id)
            audit.record(self.session, "smart-app.revoke", actor=actor,
                         patient_id=grant.patient_id or actor.patient_id,
                         resource_type="SmartGrant", resource_id=grant.id)  # fmt: skip
