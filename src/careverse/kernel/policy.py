"""Who may do what. Every capability asks here; nothing is allowed by default."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from enum import StrEnum

from careverse.kernel import audit
from careverse.kernel.actor import (
    MFA_ROLES,
    SELF_REGISTERING_ROLES,
    Actor,
    Role,
    Scope,
    require_full_scope,
    require_role,
)
from careverse.kernel.errors import Forbidden, NotFound
from careverse.kernel.uow import audit_refusal

__all__ = [
    "MFA_ROLES",
    "SELF_REGISTERING_ROLES",
    "Actor",
    "Basis",
    "Category",
    "Delegation",
    "Grant",
    "PolicyFacts",
    "Purpose",
    "Role",
    "Scope",
    "authorize",
    "decide",
    "install_facts",
    "provide_facts",
    "require_full_scope",
    "require_role",
]


# ---- access to health data ------------------------------------------------------------------


class Purpose(StrEnum):
    """Why data is used (FHIR Consent purposes, in the clinic's words)."""

    TREATMENT = "treatment"
    RESEARCH = "research"
    COMMUNITY = "community"  # sharing one's profile in communities
    ORG_SHARING = "org-sharing"  # sharing data with a named organisation
    SELF = "self"  # a patient, or someone acting for them, using their own record


class Category(StrEnum):
    """Kinds of health data; caregiver delegations grant them one by one."""

    RECORD = "record"  # demographics and the whole record
    VITALS = "vitals"
    APPOINTMENTS = "appointments"
    CONSULTS = "consults"
    MESSAGES = "messages"
    WELLBEING = "wellbeing"  # questionnaires and their results (mental health)


class Basis(StrEnum):
    """Why the policy allowed an access: shown to the patient in their access log."""

    SELF = "self"
    DELEGATION = "delegation"
    CARE_RELATIONSHIP = "care-relationship"
    BREAK_GLASS = "break-glass"


@dataclass(frozen=True, slots=True)
class Delegation:
    scopes: frozenset[str]  # "<category>:read" / "<category>:write"


@dataclass(frozen=True, slots=True)
class Grant:
    """An allowed access, with its basis."""

    basis: Basis
    purpose: Purpose


class PolicyFacts:
    """What the policy needs to know, answered by the capabilities that own each fact.

    The kernel imports no capability: ``app.py`` installs the functions of ``identity`` (care
    relationships, delegations) and ``privacy`` (consent, break-glass) here at start-up.
    """

    async def delegation(self, session, caregiver_id: uuid.UUID, patient_id: uuid.UUID):
        return None

    async def has_care_relationship(self, session, clinician_id: uuid.UUID, patient_id: uuid.UUID):
        return False

    async def break_glass_active(self, session, clinician_id: uuid.UUID, patient_id: uuid.UUID):
        return False

    async def consent_denies(
        self, session, patient_id: uuid.UUID, purpose: Purpose, actor_id: uuid.UUID
    ) -> bool:
        return False


_facts: PolicyFacts = PolicyFacts()


def install_facts(facts: PolicyFacts) -> None:
    global _facts
    _facts = facts


def provide_facts(**answers) -> None:
    """Install some of the facts (``delegation=fn``, …): each capability provides its own."""
    for name, fn in answers.items():
        if not callable(getattr(PolicyFacts, name, None)):
            raise TypeError(f"the policy has no fact named {name}")
        setattr(_facts, name, fn)


async def decide(
    session, actor: Actor, patient_id: uuid.UUID, category: Category, write: bool
) -> tuple[Grant | None, bool]:
    """Decide an access. Answers (grant or None, whether the actor may at least read)."""
    require_full_scope(actor)
    # A SMART app gets at most its granted scopes (kernel/smart.py), then what its user may.
    if actor.app is not None and not actor.app.permits(category, write, patient_id):
        return None, False
    if actor.role is Role.PATIENT:
        if actor.patient_id == patient_id:
            return Grant(Basis.SELF, Purpose.SELF), True
        return None, False
    if actor.role is Role.CAREGIVER:
        delegation = await _facts.delegation(session, actor.account_id, patient_id)
        if delegation is None:
            return None, False
        can_read = (
            f"{category}:read" in delegation.scopes or f"{category}:write" in delegation.scopes
        )
        allowed = f"{category}:write" in delegation.scopes if write else can_read
        return (Grant(Basis.DELEGATION, Purpose.SELF) if allowed else None), can_read
    if actor.role is Role.CLINICIAN:
        if await _facts.has_care_relationship(
            session, actor.account_id, patient_id
        ) and not await _facts.consent_denies(
            session, patient_id, Purpose.TREATMENT, actor.account_id
        ):
            return Grant(Basis.CARE_RELATIONSHIP, Purpose.TREATMENT), True
        if await _facts.break_glass_active(session, actor.account_id, patient_id):
            return Grant(Basis.BREAK_GLASS, Purpose.TREATMENT), True
        return None, False
    # Moderators, researchers and admins see no identifiable health data through this path.
    return None, False


async def authorize(
    session,
    actor: Actor,
    patient_id: uuid.UUID,
    category: Category,
    *,
    write: bool = False,
    resource_type: str = "Patient",
    resource_id: object = None,
) -> Grant:
    """Allow or refuse one access to a patient's data, and audit it either way.

    Refusals answer 404 when the actor may not even see the resource (so ids cannot be probed)
    and 403 when they may read it but not write it. A refusal is audited on a session of its own
    once the caller's transaction has been rolled back (kernel/uow.py), so a denial never commits
    the caller's writes.
    """
    grant, can_read = await decide(session, actor, patient_id, category, write)
    action = f"{category.value}.{'write' if write else 'read'}"
    if grant is None:

        def write_refusal(own) -> None:
            audit.record(
                own, action, actor=actor, outcome=audit.Outcome.DENIED, patient_id=patient_id,
                resource_type=resource_type, resource_id=resource_id or patient_id,
            )  # fmt: skip

        await audit_refusal(session, write_refusal)
        if can_read:
            raise Forbidden("You may see this but not change it.", code="forbidden_write")
        raise NotFound("Not found.")
    audit.record(
        session, action, actor=actor, patient_id=patient_id, purpose=grant.purpose.value,
        resource_type=resource_type, resource_id=resource_id or patient_id,
        detail={"basis": grant.basis.value},
    )  # fmt: skip
    return grant


# ---- training: the simulation lab ------------------------------------------------------------

# Educators run the lab: clinicians (there is no separate educator role).
INSTRUCTOR_ROLES = frozenset({Role.CLINICIAN})


def may_instruct(role: Role | str) -> bool:
    """Whether someone of ``role`` may run a simulation lab (start, pause, inject, debrief)."""
    return role in {r.value for r in INSTRUCTOR_ROLES}


def may_see_training_run(
    actor: Actor, instructor_id: uuid.UUID | None, trainee_ids: set[uuid.UUID]
) -> bool:
    """A lab run's results are its trainees' and its instructor's only (others: not found)."""
    require_full_scope(actor)
    return actor.account_id == instructor_id or actor.account_id in trainee_ids


def may_author_scenario(actor: Actor, owner_id: uuid.UUID | None = None) -> bool:
    """Educators (instructors) write and preview scenarios; a draft is its author's only.
    With no ``owner_id``: may the caller author at all (others: forbidden)."""
    require_full_scope(actor)
    if owner_id is not None:
        return actor.account_id == owner_id
    return may_instruct(actor.role)


# ---- research: studies on consented, de-identified data -----------------------------------------

# Researchers run studies; admins approve them (a study names its approver). Neither sees a
# patient's identifiable record: research reads a consented patient's record only to
# de-identify it (research/service.py), with the basis ``research-consent``.
STUDY_ROLES = frozenset({Role.RESEARCHER})
APPROVER_ROLES = frozenset({Role.ADMIN})


def may_run_studies(actor: Actor) -> bool:
    """Whether ``actor`` may create studies, cohorts, exports and trials."""
    require_full_scope(actor)
    return actor.role in STUDY_ROLES and actor.app is None


def may_see_study(actor: Actor, owner_id: uuid.UUID | None, approver_id: uuid.UUID | None) -> bool:
    """A study is its researcher's and its approver's only (anyone else: not found)."""
    require_full_scope(actor)
    if actor.app is not None:
        return False
    if actor.role in STUDY_ROLES and actor.account_id == owner_id:
        return True
    return actor.role in APPROVER_ROLES and actor.account_id == approver_id


async def research_use_refused(
    session, patient_id: uuid.UUID, researcher_id: uuid.UUID | None
) -> bool:
    """Whether the patient refuses research use of their data in general (a privacy 'deny'
    for the research purpose), whatever they said to one study."""
    return await _facts.consent_denies(
        session, patient_id, Purpose.RESEARCH, researcher_id or uuid.UUID(int=0)
    )
