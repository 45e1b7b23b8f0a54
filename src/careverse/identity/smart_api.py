"""SMART App Launch HTTP: discovery, ``/oauth/*``, the consent screen's API, apps, grants."""

from __future__ import annotations

import base64
import binascii
import uuid
from datetime import datetime
from typing import Annotated, Any
from urllib.parse import unquote

from fastapi import APIRouter, Depends, Request, Response, status
from fastapi.responses import JSONResponse, RedirectResponse
from pydantic import BaseModel, ConfigDict, Field

from careverse.identity import smart_oidc
from careverse.identity.deps import CurrentActor
from careverse.identity.smart import (
    AuthorizeRequest,
    OAuthError,
    RedirectError,
    SmartService,
)
from careverse.identity.smart_backend import ASSERTION_ALGS, BackendClients
from careverse.identity.smart_introspect import introspect
from careverse.identity.smart_launch import Launches
from careverse.kernel.deps import SessionDep, SettingsDep
from careverse.kernel.errors import InvalidInput

router = APIRouter(tags=["smart"])
ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"description": "Bad request"},
    401: {"description": "Not signed in"},
    403: {"description": "Not allowed"},
    404: {"description": "Not found"},
}
CONSENT_PAGE = "/oauth/consent"
SCOPES_SUPPORTED = [
    "launch", "launch/patient", "openid", "fhirUser", "offline_access",
    "patient/*.rs", "user/*.rs", "patient/*.cruds", "user/*.cruds",
    "system/*.rs",
]  # fmt: skip


def smart_service(session: SessionDep, settings: SettingsDep) -> SmartService:
    return SmartService(session, settings)


Smart = Annotated[SmartService, Depends(smart_service)]


# ---- schemas -----------------------------------------------------------------------------------


class AuthorizeParams(BaseModel):
    """The app's authorisation request, as the consent screen received it."""

    model_config = ConfigDict(extra="ignore")

    client_id: str = Field(max_length=100)
    redirect_uri: str = Field(max_length=2000)
    response_type: str | None = Field(default=None, max_length=20)
    scope: str | None = Field(default=None, max_length=2000)
    state: str | None = Field(default=None, max_length=500)
    code_challenge: str | None = Field(default=None, max_length=128)
    code_challenge_method: str | None = Field(default=None, max_length=10)
    launch: str | None = Field(default=None, max_length=100)  # an EHR launch's handle
    nonce: str | None = Field(default=None, max_length=255)  # OpenID Connect
    aud: str | None = Field(default=None, max_length=2000)  # the FHIR base URL

    def request(self) -> AuthorizeRequest:
        return AuthorizeRequest(
            self.client_id, self.redirect_uri, self.response_type, self.scope, self.state,
            self.code_challenge, self.code_challenge_method, self.launch, self.nonce, self.aud,
        )  # fmt: skip


class ScopeText(BaseModel):
    scope: str
    text: str


class PatientChoice(BaseModel):
    id: uuid.UUID
    name: str


class ConsentPreview(BaseModel):
    app_name: str
    scopes: list[ScopeText]
    needs_patient: bool
    patient_is_self: bool
    patients: list[PatientChoice]
    # An EHR launch: the patient it was launched for (no choice to make).
    launch_patient: PatientChoice | None = None


class ConsentDecision(AuthorizeParams):
    approve: bool
    scopes: list[str] | None = Field(default=None, max_length=50)
    patient_id: uuid.UUID | None = None


class ConsentRedirect(BaseModel):
    redirect_to: str


class AppIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=100)
    redirect_uris: list[str] = Field(default_factory=list, max_length=10)  # not for a backend
    confidential: bool = False
    scopes: list[str] = Field(min_length=1, max_length=50)
    # A backend client (SMART Backend Services): public keys (JWKS, RS384/ES384), system/ scopes.
    jwks: dict[str, Any] | None = None
    # ... or the https address where it publishes them (http only on localhost).
    jwks_url: str | None = Field(default=None, max_length=2000)
    # Where Careverse opens the app for an EHR launch (with iss and launch).
    launch_url: str | None = Field(default=None, max_length=2000)


class AppOut(BaseModel):
    id: uuid.UUID
    client_id: str
    name: str
    confidential: bool
    redirect_uris: list[str]
    scopes: list[str]
    is_active: bool
    created_at: datetime
    backend: bool = False  # a backend client, authenticating with its signed assertions
    jwks_url: str | None = None
    launch_url: str | None = None
    # Shown once, when a confidential app is registered; never stored in the clear.
    client_secret: str | None = None


class AppChanges(BaseModel):
    model_config = ConfigDict(extra="forbid")

    is_active: bool


class AuthorisedApp(BaseModel):
    id: uuid.UUID
    app_name: str
    scopes: list[ScopeText]
    granted_at: datetime
    last_used_at: datetime | None


def app_out(app, secret: str | None = None) -> AppOut:
    return AppOut(
        id=app.id, client_id=app.client_id, name=app.name, confidential=app.confidential,
        redirect_uris=[u for u in app.redirect_uris.split("\n") if u], scopes=app.scopes.split(),
        is_active=app.is_active, created_at=app.created_at, client_secret=secret,
        backend=app.is_backend, jwks_url=app.jwks_url, launch_url=app.launch_url,
    )  # fmt: skip


def oauth_error(error: OAuthError) -> JSONResponse:
    headers = {"Cache-Control": "no-store"}
    if error.status == 401:
        headers["WWW-Authenticate"] = 'Basic realm="careverse"'
    return JSONResponse(
        {"error": error.error, "error_description": error.description},
        status_code=error.status,
        headers=headers,
    )


# ---- discovery ---------------------------------------------------------------------------------


def smart_configuration(settings: SettingsDep) -> dict:
    base = settings.public_url.rstrip("/")
    return {
        "issuer": base,
        "authorization_endpoint": f"{base}/oauth/authorize",
        "token_endpoint": f"{base}/oauth/token",
        "revocation_endpoint": f"{base}/oauth/revoke",
        "introspection_endpoint": f"{base}/oauth/introspect",
        "jwks_uri": f"{base}/.well-known/jwks.json",
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "none", "private_key_jwt"],
        "token_endpoint_auth_signing_alg_values_supported": ASSERTION_ALGS,
        "grant_types_supported": ["authorization_code", "refresh_token", "client_credentials"],
        "response_types_supported": ["code"],
        "code_challenge_methods_supported": ["S256"],
        "scopes_supported": SCOPES_SUPPORTED,
        "capabilities": [
            "launch-standalone", "client-public", "client-confidential-symmetric",
            "context-standalone-patient", "permission-v2", "permission-patient",
            "permission-user", "permission-offline",
            "client-confidential-asymmetric",
            "launch-ehr", "context-ehr-patient", "sso-openid-connect",
        ],
    }  # fmt: skip


router.add_api_route("/.well-known/smart-configuration", smart_configuration, methods=["GET"])
router.add_api_route(
    "/fhir/.well-known/smart-configuration", smart_configuration, methods=["GET"],
    include_in_schema=False,
)  # fmt: skip


# ---- /oauth ------------------------------------------------------------------------------------


@router.get(
    "/oauth/authorize",
    responses={
        302: {"description": "To the consent screen, or back to the app with an error"},
        400: {"description": "Unknown client or redirect URI (an OAuth 2 error)"},
    },
)
async def authorize(request: Request, service: Smart) -> Response:
    """Check the app's request, then send the browser to the consent screen (the same query)."""
    params = {"client_id": "", "redirect_uri": "", **request.query_params}
    try:
        req = AuthorizeParams.model_validate(params)
        await service.check_request(req.request())
    except RedirectError as exc:
        return RedirectResponse(exc.location, status_code=status.HTTP_302_FOUND)
    except OAuthError as exc:  # unknown client or redirect URI: never redirect there
        return oauth_error(exc)
    except ValueError:
        return oauth_error(OAuthError("invalid_request", "A parameter is too long."))
    return RedirectResponse(
        f"{CONSENT_PAGE}?{request.url.query}", status_code=status.HTTP_302_FOUND
    )


def _basic_auth(request: Request) -> tuple[str, str] | None:
    header = request.headers.get("authorization", "")
    if not header.lower().startswith("basic "):
        return None
    try:
        decoded = base64.b64decode(header[6:], validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        raise OAuthError("invalid_client", "Malformed client credentials.", 401) from None
    client_id, sep, secret = decoded.partition(":")
    if not sep:
        raise OAuthError("invalid_client", "Malformed client credentials.", 401)
    return unquote(client_id), unquote(secret)


async def _form(request: Request) -> dict[str, str]:
    form = await request.form()
    return {k: v for k, v in form.items() if isinstance(v, str)}


@router.post(
    "/oauth/token",
    responses={
        400: {"description": "An OAuth 2 error"},
        401: {"description": "Client authentication failed"},
    },
)
async def token(request: Request, service: Smart) -> JSONResponse:
    """The token endpoint: ``authorization_code`` (with PKCE), ``refresh_token``, and
    ``client_credentials`` with a signed ``client_assertion`` (backend clients)."""
    try:
        form = await _form(request)
        if "client_assertion" in form or "client_assertion_type" in form:
            answer = await BackendClients(service).token(form)
            return JSONResponse(answer, headers={"Cache-Control": "no-store", "Pragma": "no-cache"})
        basic = _basic_auth(request)
        if basic is not None:
            app = await service.client(*basic)
        else:
            app = await service.client(form.get("client_id"), form.get("client_secret"))
        answer = await service.token(app, form)
    except OAuthError as exc:
        return oauth_error(exc)
    return JSONResponse(answer, headers={"Cache-Control": "no-store", "Pragma": "no-cache"})


@router.post(
    "/oauth/revoke",
    responses={
        200: {"description": "Revoked (or unknown)"},
        401: {"description": "Client authentication failed"},
    },
)
async def revoke(request: Request, service: Smart) -> Response:
    """RFC 7009 token revocation: answers 200 whether or not the token was known."""
    try:
        form = await _form(request)
        basic = _basic_auth(request)
        app = await service.client(*(basic or (form.get("client_id"), form.get("client_secret"))))
        await service.revoke_token(app, form.get("token") or "")
    except OAuthError as exc:
        return oauth_error(exc)
    return Response(status_code=200)


# ---- the consent screen's API ------------------------------------------------------------------


@router.post("/api/smart/consent/preview", response_model=ConsentPreview, responses=ERRORS)
async def consent_preview(body: AuthorizeParams, actor: CurrentActor, service: Smart) -> Any:
    """What the app asks for, in plain words (and the patients a clinician may choose)."""
    try:
        return await service.preview(actor, body.request())
    except OAuthError as exc:
        raise InvalidInput(exc.description, code=exc.error) from None


@router.post("/api/smart/consent", response_model=ConsentRedirect, responses=ERRORS)
async def consent_decision(body: ConsentDecision, actor: CurrentActor, service: Smart) -> Any:
    """Approve (all or some scopes) or deny; answers where to send the browser."""
    try:
        target = await service.decide(
            actor, body.request(), approve=body.approve, scopes=body.scopes,
            patient_id=body.patient_id,
        )  # fmt: skip
    except RedirectError as exc:
        target = exc.location
    except OAuthError as exc:
        raise InvalidInput(exc.description, code=exc.error) from None
    return ConsentRedirect(redirect_to=target)


# ---- apps (admins) and the person's authorised apps --------------------------------------------


@router.get("/api/admin/smart-apps", response_model=list[AppOut], responses=ERRORS)
async def list_apps(actor: CurrentActor, service: Smart) -> Any:
    return [app_out(a) for a in await service.list_apps(actor)]


@router.post("/api/admin/smart-apps", response_model=AppOut, status_code=201, responses=ERRORS)
async def register_app(body: AppIn, actor: CurrentActor, service: Smart) -> Any:
    """Register an app; a confidential app's secret is in this answer only."""
    if body.jwks is not None or body.jwks_url is not None:  # a backend client
        if body.redirect_uris or body.confidential or body.launch_url:
            raise InvalidInput("A backend client has no redirect URIs, secret or launch URL.")
        backend = BackendClients(service)
        app, _ = await backend.register(actor, name=body.name, jwks=body.jwks,
                                        jwks_url=body.jwks_url, scopes=body.scopes)  # fmt: skip
        return app_out(app)
    app, secret = await service.register_app(
        actor, name=body.name, redirect_uris=body.redirect_uris,
        confidential=body.confidential, scopes=body.scopes, launch_url=body.launch_url,
    )  # fmt: skip
    return app_out(app, secret)


@router.patch("/api/admin/smart-apps/{app_id}", response_model=AppOut, responses=ERRORS)
async def change_app(app_id: uuid.UUID, body: AppChanges, actor: CurrentActor, service: Smart):
    return app_out(await service.set_active(actor, app_id, body.is_active))


@router.get("/api/me/apps", response_model=list[AuthorisedApp], responses=ERRORS)
async def my_apps(actor: CurrentActor, service: Smart) -> Any:
    """The apps the caller authorised, with what each may see and when it was last used."""
    return await service.my_grants(actor)


@router.delete("/api/me/apps/{grant_id}", status_code=204, responses=ERRORS)
async def revoke_app(grant_id: uuid.UUID, actor: CurrentActor, service: Smart) -> Response:
    """Revoke an app's access: its tokens stop working at once."""
    await service.revoke_grant(actor, grant_id)
    return Response(status_code=204)


# ---- OpenID Connect, introspection, EHR launch -------------------------------------------------


def openid_configuration(settings: SettingsDep) -> dict:
    """OpenID Connect discovery (the issuer of the ``id_token``)."""
    base = settings.public_url.rstrip("/")
    return {
        "issuer": base,
        "authorization_endpoint": f"{base}/oauth/authorize",
        "token_endpoint": f"{base}/oauth/token",
        "jwks_uri": f"{base}/.well-known/jwks.json",
        "response_types_supported": ["code"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": [smart_oidc.ID_TOKEN_ALG],
        "scopes_supported": ["openid", "fhirUser"],
        "claims_supported": ["iss", "sub", "aud", "exp", "iat", "nonce", "fhirUser"],
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "none", "private_key_jwt"],
        "code_challenge_methods_supported": ["S256"],
    }


router.add_api_route("/.well-known/openid-configuration", openid_configuration, methods=["GET"])


@router.get("/.well-known/jwks.json")
async def jwks(session: SessionDep) -> JSONResponse:
    """The public keys that verify Careverse's ``id_token``s."""
    return JSONResponse(await smart_oidc.public_jwks(session),
                        headers={"Cache-Control": "public, max-age=300"})  # fmt: skip


@router.post(
    "/oauth/introspect",
    responses={
        200: {"description": "RFC 7662: active with the token's details, or inactive"},
        401: {"description": "Client authentication failed (or a public client)"},
    },
)
async def introspect_token(request: Request, service: Smart) -> JSONResponse:
    """RFC 7662 token introspection, for a confidential or backend client's own tokens."""
    try:
        form = await _form(request)
        if "client_assertion" in form or "client_assertion_type" in form:
            app = await BackendClients(service).authenticate(form)
        else:
            basic = _basic_auth(request)
            app = await service.client(
                *(basic or (form.get("client_id"), form.get("client_secret")))
            )
            if not app.confidential:
                raise OAuthError("invalid_client", "A public client may not introspect.", 401)
        if not form.get("token"):
            raise OAuthError("invalid_request", "The token parameter is missing.")
        answer = await introspect(service, app, form["token"])
    except OAuthError as exc:
        return oauth_error(exc)
    return JSONResponse(answer, headers={"Cache-Control": "no-store"})


class LaunchableApp(BaseModel):
    id: uuid.UUID
    name: str


class LaunchIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    app_id: uuid.UUID
    patient_id: uuid.UUID


class LaunchOut(BaseModel):
    launch_url: str  # the app's launch URL with iss and an opaque, single-use launch handle


def launches(session: SessionDep, settings: SettingsDep) -> Launches:
    return Launches(session, settings)


@router.get("/api/smart/launch-apps", response_model=list[LaunchableApp], responses=ERRORS)
async def launch_apps(actor: CurrentActor, service: Annotated[Launches, Depends(launches)]) -> Any:
    """The apps the caller may launch from Careverse (those with a launch URL)."""
    return [LaunchableApp(id=a.id, name=a.name) for a in await service.launchable(actor)]


@router.post("/api/smart/launch", response_model=LaunchOut, status_code=201, responses=ERRORS)
async def launch_app(
    body: LaunchIn, actor: CurrentActor, service: Annotated[Launches, Depends(launches)]
) -> Any:
    """Launch an app with a patient in context (EHR launch): answers the address to open.
    404 if the caller may not see the patient (the access policy decides, audited)."""
    return LaunchOut(launch_url=await service.start(actor, body.app_id, body.patient_id))
