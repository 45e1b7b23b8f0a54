"""SMART App Launch 2.x scopes: their syntax, and what a granted set of them allows.

An app acts for a signed-in person with a subset of what that person may do: the policy
(:func:`careverse.kernel.policy.decide`) first asks :meth:`AppGrant.permits` here, then decides
as for the person. ``patient/`` scopes reach only the launch patient; ``user/`` scopes whatever
the person may reach. Pure functions, no capability imported.

FHIR resource types map to the policy's categories of health data in one table,
:data:`CATEGORY_OF_TYPE` (category values are the strings of ``policy.Category``).
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass

# The one table: which kind of health data each FHIR resource type is.
CATEGORY_OF_TYPE: dict[str, str] = {
    "Patient": "record",
    "Condition": "record",
    "AllergyIntolerance": "record",
    "MedicationStatement": "record",
    "MedicationRequest": "record",
    "Immunization": "record",
    "Procedure": "record",
    "DocumentReference": "record",
    "Consent": "record",
    "AuditEvent": "record",
    "Observation": "vitals",
    "Device": "vitals",
    "Appointment": "appointments",
    "Schedule": "appointments",
    "Slot": "appointments",
    "Encounter": "consults",
    "Communication": "messages",
    "QuestionnaireResponse": "wellbeing",
    "Questionnaire": "wellbeing",
}

# The interactions of SMART v2 (create, read, update, delete, search); v1's read/write too.
READ = frozenset("rs")
WRITE = frozenset("cud")
_V1 = {"read": "rs", "write": "cud", "*": "cruds"}
_RESOURCE_SCOPE = re.compile(r"^(patient|user|system)/(\*|[A-Z][A-Za-z]{1,63})\.([a-z*]{1,5})$")
# Scopes that are not about resources: launch context (standalone, EHR), identity, refresh tokens.
CONTEXT_SCOPES = frozenset({"launch/patient", "launch", "openid", "fhirUser", "offline_access"})


class BadScope(ValueError):
    """A scope that is not SMART v2 syntax, or names a resource type the server does not hold."""


@dataclass(frozen=True, slots=True)
class ResourceScope:
    """``patient/Observation.rs``: a context, a resource type (or ``*``), interactions."""

    context: str  # patient | user | system
    resource_type: str  # a FHIR resource type, or "*"
    interactions: frozenset[str]

    def covers(self, other: ResourceScope) -> bool:
        """Whether this (an app's allowed scope) includes ``other`` (a requested one)."""
        return (
            self.context == other.context
            and self.resource_type in ("*", other.resource_type)
            and other.interactions <= self.interactions
        )

    def reaches(self, resource_type: str | None, category: str | None, write: bool) -> bool:
        wanted = WRITE if write else READ
        if not self.interactions & wanted:
            return False
        if self.resource_type == "*":
            return True
        if resource_type is not None:
            return self.resource_type == resource_type
        return CATEGORY_OF_TYPE.get(self.resource_type) == category


def parse_scope(scope: str) -> ResourceScope | None:
    """A resource scope, or None for a context scope; :class:`BadScope` for anything else."""
    if scope in CONTEXT_SCOPES:
        return None
    match = _RESOURCE_SCOPE.match(scope)
    if match is None:
        raise BadScope(scope)
    context, resource_type, letters = match.groups()
    if resource_type != "*" and resource_type not in CATEGORY_OF_TYPE:
        raise BadScope(scope)
    letters = _V1.get(letters, letters)
    # v2 letters come in the order c, r, u, d, s, each at most once.
    if (
        not letters
        or not set(letters) <= set("cruds")
        or "".join(sorted(set(letters), key="cruds".index)) != letters
    ):
        raise BadScope(scope)
    return ResourceScope(context, resource_type, frozenset(letters))


def parse_scopes(scopes: str | list[str]) -> list[str]:
    """Split and check a scope string (space-separated); answers the distinct scopes in order."""
    items = scopes.split() if isinstance(scopes, str) else scopes
    seen: list[str] = []
    for item in items:
        parse_scope(item)
        if item not in seen:
            seen.append(item)
    return seen


def allowed(requested: str, allowed_scopes: list[str]) -> bool:
    """Whether an app registered for ``allowed_scopes`` may be granted ``requested``."""
    if requested in allowed_scopes:
        return True
    wanted = parse_scope(requested)
    if wanted is None:
        return False
    return any((have := parse_scope(a)) is not None and have.covers(wanted) for a in allowed_scopes)


@dataclass(frozen=True, slots=True)
class AppGrant:
    """What an app's access token carries onto the :class:`~careverse.kernel.actor.Actor`."""

    app_id: uuid.UUID
    app_name: str
    grant_id: uuid.UUID
    scopes: tuple[str, ...]
    patient_id: uuid.UUID | None = None  # the launch patient, when launched with one

    def _resource_scopes(self) -> list[ResourceScope]:
        return [s for s in (parse_scope(x) for x in self.scopes) if s is not None]

    def permits(self, category: str, write: bool, patient_id: uuid.UUID | None) -> bool:
        """The policy's hook: may the app reach this category of this patient's data?"""
        for scope in self._resource_scopes():
            if not scope.reaches(None, category, write):
                continue
            if scope.context == "user":
                return True
            if (
                scope.context == "patient"
                and self.patient_id is not None
                and patient_id == self.patient_id
            ):
                return True
        return False

    @property
    def is_system(self) -> bool:
        """A backend client's grant (SMART Backend Services): system/ scopes, no person."""
        return any(s.startswith("system/") for s in self.scopes)

    def exports_everything(self) -> bool:
        """Whether the grant reads every type of every record (``system/*.rs`` or v1 ``.read``)."""
        return any(
            (s := parse_scope(x)) is not None
            and s.context == "system" and s.resource_type == "*" and s.interactions >= READ
            for x in self.scopes
        )  # fmt: skip

    def permits_type(self, resource_type: str, write: bool) -> bool:
        """At the FHIR edge: does any granted scope name this resource type (or ``*``)?"""
        return any(s.reaches(resource_type, None, write) for s in self._resource_scopes())
