"""Demo data for ``careverse demo``: one account per role, so a new user can look around at once.

Every capability has something to show: a care team and a caregiver's delegation, three days of
vitals per demo patient, clinicians bookable around the clock, a space of each kind the world
offers (open to every signed-in person), and the demo patient's questionnaire results with a
past crisis alert that her clinician has acknowledged. Everything goes through the capabilities'
services, once: seeding again adds nothing.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from careverse.care.availability import seed_demo_hours
from careverse.community.demo import seed as seed_communities
from careverse.identity.relationships import (
    RelationshipService,
    delegation_fact,
    has_care_relationship,
)
from careverse.identity.service import IdentityService, NewAccount, email_index
from careverse.kernel import clock
from careverse.kernel.config import Settings
from careverse.kernel.policy import Actor, Role
from careverse.monitoring.alerts import AlertService
from careverse.monitoring.simulate import seed_demo as seed_demo_vitals
from careverse.wellbeing.service import WellbeingService
from careverse.world.service import SpaceService

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
# A space of each kind (world/templates.py), open to every signed-in person: (host, name, template).
# The consult room is care's (made per visit) and the auditorium is for events: neither is seeded.
DEMO_SPACES = (
    ("admin", "Clinic lobby", "clinic-lobby"),
    ("sam", "Tuesday support circle", "support-circle"),
    ("dr.rivera", "Therapy garden", "therapy-garden"),
    ("sam", "Patients' gallery", "gallery"),
    ("dr.okafor", "Training lab", "training-lab"),
    ("dr.rivera", "Rehab gym", "rehab-gym"),
)
# The demo patient's questionnaires, oldest first: PHQ-9 (the second with item 9 answered 1, the
# crisis path: an urgent alert her clinician has acknowledged), then GAD-7 and WHO-5.
DEMO_WELLBEING_PATIENT, DEMO_WELLBEING_CLINICIAN = "amara", "dr.rivera"
DEMO_QUESTIONNAIRES = (
    ("phq9", [1, 1, 2, 1, 0, 1, 1, 0, 0]),
    ("phq9", [2, 2, 2, 1, 1, 1, 1, 1, 1]),
    ("gad7", [1, 1, 1, 0, 1, 1, 0]),
    ("who5", [3, 3, 2, 3, 2]),
)


def _actor(account) -> Actor:
    role = Role(account.role)
    return Actor(account.id, role, patient_id=account.patient.id if role is Role.PATIENT else None)


async def seed_spaces(session: AsyncSession, accounts: dict) -> None:
    """A space of each template the demo offers, made by its host once."""
    service = SpaceService(session)
    for host, name, template in DEMO_SPACES:
        actor = _actor(accounts[host])
        if any(
            s.name == name and s.owner_id == actor.account_id for s in await service.visible(actor)
        ):
            continue
        await service.create(actor, name=name, template=template, access="members")


async def seed_wellbeing(session: AsyncSession, settings: Settings, accounts: dict) -> None:
    """The demo patient's questionnaire results, and her crisis alert acknowledged, once."""
    patient = _actor(accounts[DEMO_WELLBEING_PATIENT])
    wellbeing = WellbeingService(session, settings)
    if await wellbeing.results(patient):
        return
    crises = []
    for code, answers in DEMO_QUESTIONNAIRES:
        result = await wellbeing.submit(patient, code, answers, "en")
        if result.crisis is not None:
            crises.append(result)
    if not crises:
        return
    clinician = _actor(accounts[DEMO_WELLBEING_CLINICIAN])
    alerts = AlertService(session, settings)
    for alert in await alerts.list(clinician, "open"):
        if alert["source"] == "wellbeing" and alert["patient_id"] == str(patient.patient_id):
            await alerts.acknowledge(clinician, uuid.UUID(alert["id"]))


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
    await seed_demo_hours(  # all day, every day, so a new user can book at once
        session, [accounts[p.local].id for p in PEOPLE if p.role is Role.CLINICIAN]
    )
    await seed_spaces(session, accounts)
    await seed_wellbeing(session, settings, accounts)
    await seed_communities(session, accounts)  # five communities with threads
    return list(PEOPLE)
