"""Demo data for ``careverse demo``: one account per role, so a new user can look around at once."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from careverse.care.availability import seed_demo_hours
from careverse.identity.relationships import (
    RelationshipService,
    delegation_fact,
    has_care_relationship,
)
from careverse.identity.service import IdentityService, NewAccount, email_index
from careverse.kernel import clock
from careverse.kernel.config import Settings
from careverse.kernel.policy import Actor, Role
from careverse.monitoring.simulate import seed_demo as seed_demo_vitals

DEMO_PASSWORD = "careverse-demo-2026"  # noqa: S105 - printed to the operator on purpose
DOMAIN = "careverse.example.org"  # a reserved domain that e-mail validation accepts


@dataclass(frozen=True)
class DemoPerson:
    local: str
    name: str
    role: Role
    birth_date: date | None = None
    language: str | None = "en"

    @property
    def email(self) -> str:
        return f"{self.local}@{DOMAIN}"


PEOPLE = (
    DemoPerson("admin", "Ada Admin", Role.ADMIN),
    DemoPerson("dr.rivera", "Dr. Sofia Rivera", Role.CLINICIAN),
    DemoPerson("dr.okafor", "Dr. Chidi Okafor", Role.CLINICIAN),
    DemoPerson("amara", "Amara Nwosu", Role.PATIENT, date(1958, 3, 14)),
    DemoPerson("jonas", "Jonas Berg", Role.PATIENT, date(1990, 11, 2)),
    DemoPerson("lucia", "Lucía Fernández", Role.PATIENT, date(1976, 7, 21), "es"),
    DemoPerson("maria", "Maria Santos", Role.CAREGIVER),
    DemoPerson("sam", "Sam Taylor", Role.MODERATOR),
)


# Who cares for whom in the demo: (clinician, patient) assignments, and caregiver delegations.
CARE_TEAM = (("dr.rivera", "amara"), ("dr.rivera", "jonas"), ("dr.okafor", "lucia"))
DELEGATIONS = (("amara", "maria", ("record:read", "vitals:read", "appointments:write")),)
DEMO_VITALS = (("amara", "deteriorating"), ("jonas", "stable"), ("lucia", "heart-failure"))


async def seed(session: AsyncSession, settings: Settings) -> list[DemoPerson]:
    """Create the demo accounts and relationships that do not exist yet; answers every person."""
    service = IdentityService(session, settings)
    accounts = {}
    for person in PEOPLE:
        accounts[person.local] = await service.find_by_email(person.email)
        if accounts[person.local] is None:
            accounts[person.local] = await service.create_account(
                None,
                NewAccount(
                    email=person.email,
                    role=person.role,
                    display_name=person.name,
                    password=DEMO_PASSWORD,
                    preferred_language=person.language,
                    birth_date=person.birth_date,
                ),
            )
    relationships = RelationshipService(session)
    for clinician, patient in CARE_TEAM:
        patient_id = accounts[patient].patient.id
        if not await has_care_relationship(session, accounts[clinician].id, patient_id):
            await relationships.create(accounts[clinician].id, patient_id, "assignment")
    for patient, caregiver, scopes in DELEGATIONS:
        owner = accounts[patient]
        if await delegation_fact(session, accounts[caregiver].id, owner.patient.id) is None:
            actor = Actor(owner.id, Role.PATIENT, patient_id=owner.patient.id)
            await relationships.grant(
                actor, email_index(accounts[caregiver].email), list(scopes),
                clock.now() + timedelta(days=365),
            )  # fmt: skip
    await seed_demo_vitals(  # a wearable and three days of vitals per demo patient
        session, {accounts[p].patient.id: s for p, s in DEMO_VITALS}
    )
    await seed_demo_hours(  # weekday hours, so a new user can book at once
        session, [accounts[p.local].id for p in PEOPLE if p.role is Role.CLINICIAN]
    )
    return list(PEOPLE)
