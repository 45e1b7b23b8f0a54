"""HTTP shapes of the identity API."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    EmailStr,
    Field,
    StringConstraints,
    field_validator,
)

from careverse.kernel.actor import Role

DisplayName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=120)]
Password = Annotated[str, Field(min_length=1, max_length=256)]
LanguageTag = Annotated[
    str, StringConstraints(pattern=r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$", max_length=35)
]
OtpCode = Annotated[str, StringConstraints(pattern=r"^\d{6}$")]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class RegistrationIn(_Strict):
    email: EmailStr
    password: Password
    display_name: DisplayName
    role: Literal["patient", "caregiver"]
    birth_date: date | None = None
    preferred_language: LanguageTag | None = None

    @field_validator("birth_date")
    @classmethod
    def _plausible_birth_date(cls, value: date | None) -> date | None:
        if value is not None and not (date(1900, 1, 1) <= value <= date.today()):
            raise ValueError("birth date must be between 1900-01-01 and today")
        return value


class AccountOut(BaseModel):
    id: uuid.UUID
    email: str
    role: Role
    display_name: str
    patient_id: uuid.UUID | None
    preferred_language: str | None
    mfa_enabled: bool
    mfa_enrolment_required: bool


class MyAccountIn(_Strict):
    """The caller's own settings: a BCP 47 tag such as ``ar`` or ``zh-Hans``; null clears it."""

    preferred_language: LanguageTag | None


class TokenOut(BaseModel):
    access_token: str
    token_type: Literal["bearer"] = "bearer"  # noqa: S105
    expires_in: int
    refresh_token: str


class SessionIn(_Strict):
    email: EmailStr
    password: Password
    otp: OtpCode | None = None


class SessionOut(BaseModel):
    account: AccountOut


class TotpEnrolmentOut(BaseModel):
    secret: str
    otpauth_uri: str


class OtpIn(_Strict):
    code: OtpCode


class PasswordResetRequestIn(_Strict):
    email: EmailStr


class PasswordResetConfirmIn(_Strict):
    token: Annotated[str, StringConstraints(min_length=10, max_length=200)]
    new_password: Password


class PasswordChangeIn(_Strict):
    current_password: Password
    new_password: Password


class AcceptedOut(BaseModel):
    detail: str


class NewAccountIn(_Strict):
    email: EmailStr
    role: Role
    display_name: DisplayName
    password: Password | None = None
    preferred_language: LanguageTag | None = None
    birth_date: date | None = None


class AdminAccountOut(BaseModel):
    id: uuid.UUID
    email: str
    role: Role
    display_name: str
    is_active: bool
    mfa_enabled: bool
    patient_id: uuid.UUID | None


class AccountUpdateIn(_Strict):
    is_active: bool | None = None
    display_name: DisplayName | None = None


class ResetMailOut(BaseModel):
    """An admin's reset: the link went to the account's own e-mail, never to the admin."""

    detail: str
    expires_in: int


class NewAccountOut(BaseModel):
    account: AdminAccountOut
    # Only when the server sends no e-mail: the new person's first-password link, to hand over.
    reset_url: str | None = None
    invitation_sent: bool = False


Sex = Literal["male", "female", "other", "unknown"]
Scope = Annotated[str, StringConstraints(pattern=r"^[a-z]+:(read|write)$")]


class PatientOut(BaseModel):
    id: uuid.UUID
    name: str
    birth_date: date | None
    sex: Sex
    gender_identity: str | None
    preferred_language: str | None
    phone: str | None
    contact_email: str | None


class PatientUpdateIn(_Strict):
    name: DisplayName | None = None
    birth_date: date | None = None
    sex: Sex | None = None
    gender_identity: (
        Annotated[str, StringConstraints(strip_whitespace=True, max_length=80)] | None
    ) = None
    preferred_language: LanguageTag | None = None
    phone: Annotated[str, StringConstraints(pattern=r"^\+?[0-9 ()-]{5,25}$")] | None = None
    contact_email: EmailStr | None = None


class DelegationIn(_Strict):
    caregiver_email: EmailStr
    scopes: Annotated[list[Scope], Field(min_length=1, max_length=10)]
    expires_at: AwareDatetime


class DelegationOut(BaseModel):
    id: uuid.UUID
    patient_id: uuid.UUID
    patient_name: str
    caregiver_id: uuid.UUID
    caregiver_name: str
    scopes: list[str]
    expires_at: datetime
    active: bool


class CareRelationshipIn(_Strict):
    clinician_id: uuid.UUID
    patient_id: uuid.UUID
    ends_at: AwareDatetime | None = None


class CareRelationshipOut(BaseModel):
    id: uuid.UUID
    clinician_id: uuid.UUID
    patient_id: uuid.UUID
    kind: str
    starts_at: datetime
    ends_at: datetime | None
