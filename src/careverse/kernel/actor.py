"""Who is calling: the authenticated actor, its role and session scope (no policy here)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from enum import StrEnum

from careverse.kernel.errors import Forbidden
from careverse.kernel.smart import AppGrant


class Role(StrEnum):
    PATIENT = "patient"
    CAREGIVER = "caregiver"
    CLINICIAN = "clinician"
    MODERATOR = "moderator"
    RESEARCHER = "researcher"
    ADMIN = "admin"


SELF_REGISTERING_ROLES = frozenset({Role.PATIENT, Role.CAREGIVER})
MFA_ROLES = frozenset({Role.CLINICIAN, Role.ADMIN})


class Scope(StrEnum):
    FULL = "full"
    # A clinician or admin who must enrol in MFA first may do nothing else.
    MFA_ENROLMENT = "mfa_enrolment"


@dataclass(frozen=True, slots=True)
class Actor:
    """The authenticated caller of a service function."""

    account_id: uuid.UUID
    role: Role
    session_id: uuid.UUID | None = None
    patient_id: uuid.UUID | None = None
    scope: Scope = Scope.FULL
    address: str | None = None
    # Set when a SMART app calls for the person (its token): the scopes it was granted.
    app: AppGrant | None = None


def require_role(actor: Actor, *roles: Role) -> None:
    """Allow only the given roles (and only with a full-scope session)."""
    require_full_scope(actor)
    if actor.role not in roles:
        raise Forbidden("Your role does not allow this.", code="forbidden_role")


def require_full_scope(actor: Actor) -> None:
    if actor.scope is not Scope.FULL:
        raise Forbidden(
            "Set up two-step sign-in (an authenticator app) before using Careverse.",
            code="mfa_enrolment_required",
        )
