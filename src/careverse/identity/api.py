"""Identity HTTP API: registration, tokens, browser sessions, the caller's account, admin."""

from __future__ import annotations

import uuid
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Form, Query, Request, Response, status
from sqlalchemy.ext.asyncio import AsyncSession

from careverse.identity.deps import (
    CSRF_COOKIE,
    CSRF_HEADER,
    REFRESH_COOKIE,
    SESSION_COOKIE,
    AnyActor,
    CurrentActor,
    Identity,
)
from careverse.identity.patients import PatientChanges, PatientService
from careverse.identity.relationships import RelationshipService
from careverse.identity.schemas import (
    AcceptedOut,
    AccountOut,
    AccountUpdateIn,
    AdminAccountOut,
    CareRelationshipIn,
    CareRelationshipOut,
    DelegationIn,
    DelegationOut,
    MyAccountIn,
    NewAccountIn,
    NewAccountOut,
    OtpIn,
    PasswordChangeIn,
    PasswordResetConfirmIn,
    PasswordResetRequestIn,
    PatientOut,
    PatientUpdateIn,
    RegistrationIn,
    ResetMailOut,
    SessionIn,
    SessionOut,
    TokenOut,
    TotpEnrolmentOut,
)
from careverse.identity.service import (
    AccountView,
    IdentityService,
    IssuedTokens,
    NewAccount,
    email_index,
)
from careverse.kernel.actor import Role, Scope
from careverse.kernel.deps import client_address, get_session
from careverse.kernel.errors import InvalidInput, NotAuthenticated

router = APIRouter(prefix="/api", tags=["identity"])

ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"description": "Bad request"},
    401: {"description": "Not signed in"},
    403: {"description": "Not allowed"},
    404: {"description": "Not found"},
    409: {"description": "Conflict"},
    429: {"description": "Too many attempts"},
}


def account_out(view: AccountView) -> AccountOut:
    a = view.account
    return AccountOut(
        id=a.id,
        email=a.email,
        role=Role(a.role),
        display_name=a.display_name,
        patient_id=view.patient_id,
        preferred_language=a.preferred_language,
        mfa_enabled=a.mfa_enabled,
        mfa_enrolment_required=view.mfa_enrolment_required,
    )


def admin_account_out(view: AccountView) -> AdminAccountOut:
    a = view.account
    return AdminAccountOut(
        id=a.id,
        email=a.email,
        role=Role(a.role),
        display_name=a.display_name,
        is_active=a.is_active,
        mfa_enabled=a.mfa_enabled,
        patient_id=view.patient_id,
    )


def issued_view(issued: IssuedTokens) -> AccountView:
    return AccountView.of(issued.account, enrolling=issued.scope is Scope.MFA_ENROLMENT)


SIGN_UP_ACCEPTED = (
    "Thank you. If this address can be used for a new account, it is ready: sign in with it. "
    "If the address already has an account, we have e-mailed its owner instead."
)


@router.post(
    "/auth/register",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=AcceptedOut,
    responses=ERRORS,
)
async def register(body: RegistrationIn, service: Identity) -> AcceptedOut:
    """Sign up as a patient or a caregiver. Other roles are created by an admin.

    Answers the same whether or not the address already has an account (whose owner is then
    e-mailed), so sign-up cannot be used to learn who has an account here.
    """
    await service.register(
        NewAccount(
            email=body.email,
            password=body.password,
            role=Role(body.role),
            display_name=body.display_name,
            preferred_language=body.preferred_language,
            birth_date=body.birth_date,
        )
    )
    return AcceptedOut(detail=SIGN_UP_ACCEPTED)


@router.post("/auth/token", response_model=TokenOut, responses=ERRORS)
async def token(
    request: Request,
    service: Identity,
    grant_type: Annotated[Literal["password", "refresh_token"], Form()] = "password",
    username: Annotated[str | None, Form(max_length=320)] = None,
    password: Annotated[str | None, Form(max_length=256)] = None,
    refresh_token: Annotated[str | None, Form(max_length=200)] = None,
    otp: Annotated[str | None, Form(pattern=r"^\d{6}$")] = None,
) -> TokenOut:
    """OAuth2 token endpoint: the password grant (with ``otp`` when MFA is on) and refresh."""
    if grant_type == "refresh_token":
        if not refresh_token:
            raise InvalidInput(
                "refresh_token is required for this grant.",
                field="refresh_token",
                code="invalid_request",
            )
        issued = await service.refresh(refresh_token)
    else:
        if not username or not password:
            raise InvalidInput(
                "username and password are required.", field="username", code="invalid_request"
            )
        issued = await service.authenticate(username, password, otp, client_address(request))
    return TokenOut(
        access_token=issued.access_token,
        expires_in=issued.expires_in,
        refresh_token=issued.refresh_token,
    )


@router.post("/auth/logout", status_code=status.HTTP_204_NO_CONTENT, responses=ERRORS)
async def logout(actor: AnyActor, service: Identity) -> Response:
    """End the caller's session: its access and refresh tokens stop working at once."""
    await service.logout(actor)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


# ---- browser sessions (HttpOnly cookies, CSRF double-submit) -------------------------------


def _set_cookies(
    request: Request, response: Response, service: IdentityService, issued: IssuedTokens
):
    secure = request.url.scheme == "https"
    common = {"secure": secure, "samesite": "strict"}
    response.set_cookie(
        SESSION_COOKIE,
        issued.access_token,
        httponly=True,
        path="/",
        max_age=service.settings.access_token_ttl_seconds,
        **common,
    )
    response.set_cookie(
        REFRESH_COOKIE,
        issued.refresh_token,
        httponly=True,
        path="/api/auth/session",
        max_age=service.settings.refresh_token_ttl_seconds,
        **common,
    )
    response.set_cookie(
        CSRF_COOKIE,
        service.csrf_token(issued.session_id),
        httponly=False,
        path="/",
        max_age=service.settings.refresh_token_ttl_seconds,
        **common,
    )


def _clear_cookies(response: Response) -> None:
    response.delete_cookie(SESSION_COOKIE, path="/")
    response.delete_cookie(REFRESH_COOKIE, path="/api/auth/session")
    response.delete_cookie(CSRF_COOKIE, path="/")


@router.post("/auth/session", response_model=SessionOut, responses=ERRORS)
async def open_browser_session(
    body: SessionIn, request: Request, response: Response, service: Identity
) -> SessionOut:
    """Sign in from the browser: the tokens go into HttpOnly cookies, never to scripts."""
    issued = await service.authenticate(
        body.email, body.password, body.otp, client_address(request)
    )
    _set_cookies(request, response, service, issued)
    return SessionOut(account=account_out(issued_view(issued)))


@router.post("/auth/session/refresh", response_model=SessionOut, responses=ERRORS)
async def refresh_browser_session(request: Request, response: Response, service: Identity):
    """Rotate the browser's cookies with its refresh cookie."""
    secret = request.cookies.get(REFRESH_COOKIE)
    if not secret:
        raise NotAuthenticated("Your session has ended; sign in again.", code="invalid_grant")
    issued = await service.refresh(secret, csrf=request.headers.get(CSRF_HEADER, ""))
    _set_cookies(request, response, service, issued)
    return SessionOut(account=account_out(issued_view(issued)))


@router.delete("/auth/session", status_code=status.HTTP_204_NO_CONTENT, responses=ERRORS)
async def close_browser_session(actor: AnyActor, service: Identity) -> Response:
    """Sign out from the browser."""
    await service.logout(actor)
    response = Response(status_code=status.HTTP_204_NO_CONTENT)
    _clear_cookies(response)
    return response


# ---- passwords --------------------------------------------------------------------------


@router.post(
    "/auth/password-reset",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=AcceptedOut,
    responses=ERRORS,
)
async def request_password_reset(body: PasswordResetRequestIn, service: Identity) -> AcceptedOut:
    """E-mail a single-use reset link (when SMTP is configured)."""
    await service.request_password_reset(body.email)
    return AcceptedOut(detail="If an account exists for that address, a reset link is on its way.")


@router.post(
    "/auth/password-reset/confirm", status_code=status.HTTP_204_NO_CONTENT, responses=ERRORS
)
async def confirm_password_reset(body: PasswordResetConfirmIn, service: Identity) -> Response:
    """Set a new password with a reset link's token; every session of the account ends."""
    await service.confirm_password_reset(body.token, body.new_password)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


# ---- the caller's own account -----------------------------------------------------------


@router.get("/me", response_model=AccountOut, responses=ERRORS)
async def me(actor: AnyActor, service: Identity) -> AccountOut:
    """The signed-in account."""
    return account_out(await service.view(actor))


@router.patch("/me", response_model=AccountOut, responses=ERRORS)
async def update_me(body: MyAccountIn, actor: AnyActor, service: Identity) -> AccountOut:
    """Change the caller's own settings: the language of the app, e-mails and notifications."""
    return account_out(await service.set_language(actor, body.preferred_language))


@router.post("/me/password", status_code=status.HTTP_204_NO_CONTENT, responses=ERRORS)
async def change_password(body: PasswordChangeIn, actor: CurrentActor, service: Identity):
    """Change the password; other sessions of the account end."""
    await service.change_password(actor, body.current_password, body.new_password)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(
    "/me/mfa/totp",
    status_code=status.HTTP_201_CREATED,
    response_model=TotpEnrolmentOut,
    responses=ERRORS,
)
async def start_totp(actor: AnyActor, service: Identity) -> TotpEnrolmentOut:
    """Begin enrolling an authenticator app: scan the URI, then confirm with a code."""
    secret, uri = await service.start_totp(actor)
    return TotpEnrolmentOut(secret=secret, otpauth_uri=uri)


@router.post("/me/mfa/totp/confirm", status_code=status.HTTP_204_NO_CONTENT, responses=ERRORS)
async def confirm_totp(body: OtpIn, actor: AnyActor, service: Identity) -> Response:
    """Turn two-step sign-in on with a first code from the app."""
    await service.confirm_totp(actor, body.code)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/me/mfa/totp/disable", status_code=status.HTTP_204_NO_CONTENT, responses=ERRORS)
async def disable_totp(body: OtpIn, actor: CurrentActor, service: Identity) -> Response:
    """Turn two-step sign-in off (not allowed where it is mandatory)."""
    await service.disable_totp(actor, body.code)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


# ---- administration ---------------------------------------------------------------------


@router.get("/admin/accounts", response_model=list[AdminAccountOut], responses=ERRORS)
async def list_accounts(
    actor: CurrentActor,
    service: Identity,
    role: Role | None = None,
    q: Annotated[str | None, Query(min_length=1, max_length=120)] = None,
    active: bool | None = None,
) -> list[AdminAccountOut]:
    """Every account (admins only): of a `role`, `active` or not, and matching `q` (an e-mail
    address, or part of a name or address). The listing is audited, without the search text."""
    views = await service.list_accounts(actor, role, search=q, active=active)
    return [admin_account_out(v) for v in views]


@router.post(
    "/admin/accounts",
    status_code=status.HTTP_201_CREATED,
    response_model=NewAccountOut,
    responses=ERRORS,
)
async def create_account(
    body: NewAccountIn, actor: CurrentActor, service: Identity
) -> NewAccountOut:
    """Create an account of any role. Without a password, the person gets a link to set one:
    by e-mail when the server sends mail (`invitation_sent`), else in `reset_url` for the
    admin to hand over."""
    account = await service.create_account(
        actor,
        NewAccount(
            email=body.email,
            role=body.role,
            display_name=body.display_name,
            password=body.password,
            preferred_language=body.preferred_language,
            birth_date=body.birth_date,
        ),
    )
    reset_url = None
    if body.password is None:
        reset_url = await service.invite(actor, account)
    return NewAccountOut(
        account=admin_account_out(AccountView.of(account)),
        reset_url=reset_url,
        invitation_sent=body.password is None and reset_url is None,
    )


@router.get("/admin/accounts/{account_id}", response_model=AdminAccountOut, responses=ERRORS)
async def get_account(account_id: uuid.UUID, actor: CurrentActor, service: Identity):
    """One account (admins only)."""
    return admin_account_out(await service.get_account(actor, account_id))


@router.patch("/admin/accounts/{account_id}", response_model=AdminAccountOut, responses=ERRORS)
async def update_account(
    account_id: uuid.UUID, body: AccountUpdateIn, actor: CurrentActor, service: Identity
) -> AdminAccountOut:
    """Deactivate (ends every session at once), reactivate or rename an account."""
    view = await service.update_account(
        actor, account_id, is_active=body.is_active, display_name=body.display_name
    )
    return admin_account_out(view)


@router.post(
    "/admin/accounts/{account_id}/password-reset",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=ResetMailOut,
    responses={
        **ERRORS,
        409: {"description": "The server sends no e-mail (code `email_not_configured`)"},
        503: {"description": "The e-mail could not be sent (code `email_not_sent`)"},
    },
)
async def admin_password_reset(
    account_id: uuid.UUID, actor: CurrentActor, service: Identity
) -> ResetMailOut:
    """E-mail a single-use reset link to the account's own address; the person's sessions end.

    The admin never sees the link (answering it would let them sign in as the person). The reset
    is audited on the person's record, so a patient sees it in their access log. On a server
    that sends no e-mail, 409: the operator can use `careverse user reset-password`.
    """
    await service.admin_password_reset(actor, account_id)
    return ResetMailOut(
        detail="A reset link was sent to the account's own e-mail address.",
        expires_in=service.settings.password_reset_ttl_seconds,
    )


# ---- patient records, delegations and care relationships ---------------------------------


def _patients(session: Annotated[AsyncSession, Depends(get_session)]) -> PatientService:
    return PatientService(session)


def _relationships(session: Annotated[AsyncSession, Depends(get_session)]) -> RelationshipService:
    return RelationshipService(session)


Patients = Annotated[PatientService, Depends(_patients)]
Relationships = Annotated[RelationshipService, Depends(_relationships)]


def patient_out(p) -> PatientOut:
    return PatientOut(
        id=p.id, name=p.name, birth_date=p.birth_date, sex=p.sex, gender_identity=p.gender_identity,
        preferred_language=p.preferred_language, phone=p.phone, contact_email=p.contact_email,
    )  # fmt: skip


@router.get("/patients", response_model=list[PatientOut], responses=ERRORS)
async def list_patients(actor: CurrentActor, service: Patients) -> list[PatientOut]:
    """The patients the caller may see: their own record, delegations, or their care."""
    return [patient_out(p) for p in await service.visible(actor)]


@router.get("/patients/{patient_id}", response_model=PatientOut, responses=ERRORS)
async def get_patient(patient_id: uuid.UUID, actor: CurrentActor, service: Patients) -> PatientOut:
    """One patient record (404 when the caller may not see it)."""
    return patient_out(await service.get(actor, patient_id))


@router.patch("/patients/{patient_id}", response_model=PatientOut, responses=ERRORS)
async def update_patient(
    patient_id: uuid.UUID, body: PatientUpdateIn, actor: CurrentActor, service: Patients
) -> PatientOut:
    """Change a patient record (403 when the caller may see it but not change it)."""
    changes = PatientChanges(**body.model_dump(exclude_unset=True))
    return patient_out(await service.update(actor, patient_id, changes))


def delegation_out(d) -> DelegationOut:
    return DelegationOut(**vars(d))


@router.get("/me/delegations", response_model=list[DelegationOut], responses=ERRORS)
async def list_delegations(actor: CurrentActor, service: Relationships) -> list[DelegationOut]:
    """A patient's grants to caregivers, or the delegations a caregiver holds."""
    return [delegation_out(d) for d in await service.list_for(actor)]


@router.post(
    "/me/delegations",
    status_code=status.HTTP_201_CREATED,
    response_model=DelegationOut,
    responses=ERRORS,
)
async def grant_delegation(
    body: DelegationIn, actor: CurrentActor, service: Relationships
) -> DelegationOut:
    """A patient lets a caregiver act for them: chosen scopes, until an expiry."""
    view = await service.grant(
        actor, email_index(body.caregiver_email), body.scopes, body.expires_at
    )
    return delegation_out(view)


@router.delete(
    "/me/delegations/{delegation_id}", status_code=status.HTTP_204_NO_CONTENT, responses=ERRORS
)
async def revoke_delegation(
    delegation_id: uuid.UUID, actor: CurrentActor, service: Relationships
) -> Response:
    """End a delegation at once (the patient, or the caregiver stepping back)."""
    await service.revoke(actor, delegation_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(
    "/admin/care-relationships",
    status_code=status.HTTP_201_CREATED,
    response_model=CareRelationshipOut,
    responses=ERRORS,
)
async def assign_clinician(
    body: CareRelationshipIn, actor: CurrentActor, service: Relationships
) -> CareRelationshipOut:
    """Assign a clinician to a patient's care (admins)."""
    rel = await service.assign(actor, body.clinician_id, body.patient_id, body.ends_at)
    return CareRelationshipOut(
        id=rel.id, clinician_id=rel.clinician_id, patient_id=rel.patient_id, kind=rel.kind,
        starts_at=rel.starts_at, ends_at=rel.ends_at,
    )  # fmt: skip


@router.delete(
    "/admin/care-relationships/{relationship_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=ERRORS,
)
async def end_care_relationship(
    relationship_id: uuid.UUID, actor: CurrentActor, service: Relationships
) -> Response:
    """End a care relationship (admins)."""
    await service.end(actor, relationship_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
