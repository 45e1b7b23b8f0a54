"""Demo data for ``careverse demo``: one account per role, so a new user can look around at once.

Every capability has something to show: a care team and a caregiver's delegation, three days of
vitals per demo patient, clinicians bookable around the clock, a space of each kind the world
offers (open to every signed-in person), and the demo patient's questionnaire results with a
past crisis alert that her clinician has acknowledged, and conversations with the care team (with
their notifications) in each demo patient's messages and the clinicians' inbox. Everything goes
through the capabilities' services, once: seeding again adds nothing.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from careverse.care.availability import seed_demo_hours
from careverse.care.health_record import LISTS, HealthRecordService
from careverse.community.demo import seed as seed_communities
from careverse.identity.relationships import (
    RelationshipService,
    delegation_fact,
    has_care_relationship,
)
from careverse.identity.service import IdentityService, NewAccount, email_index
from careverse.kernel import clock
from careverse.kernel.config import Settings
from careverse.kernel.notify import NotificationRequested
from careverse.kernel.policy import Actor, Role
from careverse.kernel.uow import unit_of_work
from careverse.messaging.notifications import NotificationService
from careverse.messaging.service import MessagingService
from careverse.monitoring.alerts import AlertService
from careverse.monitoring.simulate import seed_demo as seed_demo_vitals
from careverse.wellbeing.schedules import ScheduleService
from careverse.wellbeing.selfhelp_demo import seed_demo_selfhelp
from careverse.wellbeing.service import WellbeingService
from careverse.world.service import SpaceService
from careverse.world.therapy import open_therapy_room

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
    DemoPerson("nurse.kim", "Nurse Hana Kim", Role.CLINICIAN),  # leads the long-COVID group
    DemoPerson("dr.chen", "Dr. Mei Chen", Role.RESEARCHER),  # runs the demo study
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
    ("dr.rivera", "Mindfulness garden", "mindfulness"),  # group breathing (world/pacer.py)
)
# A therapist's private session room with her patient (world/therapy.py): (therapist, patient).
DEMO_THERAPY_ROOMS = (("dr.rivera", "amara"),)
# The demo patient's questionnaires, oldest first: PHQ-9 (the second with item 9 answered 1, the
# crisis path: an urgent alert her clinician has acknowledged), then GAD-7 and WHO-5.
DEMO_WELLBEING_PATIENT, DEMO_WELLBEING_CLINICIAN = "amara", "dr.rivera"
DEMO_QUESTIONNAIRES = (
    ("phq9", [1, 1, 2, 1, 0, 1, 1, 0, 0]),
    ("phq9", [2, 2, 2, 1, 1, 1, 1, 1, 1]),
    ("gad7", [1, 1, 1, 0, 1, 1, 0]),
    ("who5", [3, 3, 2, 3, 2]),
)

# Conversations with the care team: (patient, clinician, subject, [(writer, text), …], assigned).
# Jonas's question waits unassigned in Dr Rivera's inbox; Amara's was answered.
DEMO_CONVERSATIONS = (
    ("amara", "dr.rivera", "Swollen ankles", [
        ("amara", "My ankles have been more swollen this week, mostly in the evening."),
        ("dr.rivera", "Thank you, Amara. Please weigh yourself each morning and keep your feet "
                      "up when you sit. If you are short of breath, call us straight away."),
        ("amara", "I will. My weight was 71.4 kg this morning."),
    ], True),
    ("jonas", "dr.rivera", "Repeat prescription", [
        ("jonas", "Could I have a repeat of my inhaler? I have one left."),
    ], False),
    ("lucia", "dr.okafor", "Resultados del análisis", [
        ("dr.okafor", "Hola Lucía: sus resultados de sangre han llegado y están bien. "
                      "Hablamos en la próxima visita."),
    ], False),
)  # fmt: skip
WELCOME = "Welcome to Careverse"


# The demo patients' health records, written by their clinician (care/health_record.py):
# patient -> (clinician, conditions, medicines, allergies, care plans with goals).
DEMO_HEALTH = {
    "amara": ("dr.rivera", {
        "conditions": [
            {"text": "Essential hypertension", "plain_text": "High blood pressure",
             "system": "snomed", "code": "59621000", "onset": date(2015, 6, 1)},
            {"text": "Type 2 diabetes mellitus", "plain_text": "Type 2 diabetes",
             "system": "snomed", "code": "44054006", "onset": date(2018, 2, 10)},
            {"text": "Chronic obstructive pulmonary disease",
             "plain_text": "COPD, a long-term lung condition that makes you short of breath",
             "system": "snomed", "code": "13645005", "onset": date(2020, 9, 15)},
            {"text": "Community-acquired pneumonia", "plain_text": "A chest infection",
             "clinical_status": "resolved", "onset": date(2025, 1, 3),
             "resolved_on": date(2025, 1, 20)},
        ],
        "medications": [
            {"name": "Amlodipine", "dose": "5 mg", "how_taken": "one tablet every morning",
             "reason": "To lower your blood pressure", "started": date(2015, 6, 10)},
            {"name": "Metformin", "dose": "500 mg", "how_taken": "twice a day with meals",
             "reason": "To keep your blood sugar steady", "started": date(2018, 2, 20)},
            {"name": "Salbutamol inhaler", "dose": "2 puffs",
             "how_taken": "when you feel short of breath, up to 4 times a day",
             "reason": "To open your airways", "started": date(2020, 9, 20)},
        ],
        "allergies": [
            {"substance": "Penicillin", "reaction": "Hives and a swollen face",
             "category": "medication", "criticality": "high"},
            {"substance": "Codeine", "reaction": "Feeling sick", "kind": "intolerance",
             "category": "medication", "criticality": "low"},
        ],
        "care-plans": [
            {"title": "Keeping your blood pressure and sugar steady",
             "description": "Check your blood pressure at home twice a week and type it into "
             "My health. We look at it together at each visit.",
             "goals": [
                 {"description": "Blood pressure under control", "target": "below 140/90"},
                 {"description": "Blood sugar in range", "target": "HbA1c below 53 mmol/mol"},
                 {"description": "Walk every day", "target": "30 minutes, 5 days a week"},
             ]},
        ],
    }),
    "jonas": ("dr.rivera", {
        "conditions": [
            {"text": "Asthma", "plain_text": "Asthma", "system": "snomed",
             "code": "195967001", "onset": date(2001, 4, 1)},
        ],
        "medications": [
            {"name": "Beclometasone inhaler", "dose": "2 puffs",
             "how_taken": "morning and evening, even when you feel well",
             "reason": "To prevent asthma attacks", "started": date(2019, 3, 1)},
        ],
        "allergies": [
            {"substance": "Peanuts", "reaction": "Swelling and trouble breathing",
             "category": "food", "criticality": "high"},
        ],
        "care-plans": [
            {"title": "Your asthma action plan",
             "goals": [{"description": "No waking at night from asthma",
                        "target": "none in a month"}]},
        ],
    }),
    "lucia": ("dr.okafor", {
        "conditions": [
            {"text": "Heart failure", "plain_text": "Your heart pumps less well than it should",
             "system": "snomed", "code": "84114007", "onset": date(2022, 11, 5)},
            {"text": "Atrial fibrillation", "plain_text": "An irregular heartbeat",
             "system": "snomed", "code": "49436004", "onset": date(2023, 2, 14)},
        ],
        "medications": [
            {"name": "Bisoprolol", "dose": "2.5 mg", "how_taken": "one tablet every morning",
             "reason": "To slow and steady your heart", "started": date(2022, 11, 20)},
            {"name": "Furosemide", "dose": "40 mg", "how_taken": "every morning",
             "reason": "To clear extra fluid", "started": date(2022, 11, 20)},
            {"name": "Apixaban", "dose": "5 mg", "how_taken": "twice a day",
             "reason": "To prevent blood clots", "started": date(2023, 2, 20)},
        ],
        "allergies": [
            {"substance": "Latex", "reaction": "Itchy rash", "category": "environment",
             "criticality": "low"},
        ],
        "care-plans": [
            {"title": "Living well with heart failure",
             "description": "Weigh yourself every morning before breakfast.",
             "goals": [
                 {"description": "Steady weight",
                  "target": "call us if it rises by 2 kg in 3 days"},
                 {"description": "Less salt", "target": "under 6 g a day"},
             ]},
        ],
    }),
}  # fmt: skip


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


async def seed_notice_boards(session: AsyncSession, accounts: dict) -> None:
    """A community notice board in each demo lobby, once (it opens the community list)."""
    service = SpaceService(session)
    for host, name, template in DEMO_SPACES:
        if template != "clinic-lobby":
            continue
        actor = _actor(accounts[host])
        for space in await service.visible(actor):
            if space.name == name and space.owner_id == actor.account_id:
                await service.add_notice_board(space.id)


async def seed_therapy_rooms(session: AsyncSession, accounts: dict) -> None:
    """The demo therapist's session room with her patient (opening it again answers the same)."""
    for therapist, patient in DEMO_THERAPY_ROOMS:
        await open_therapy_room(session, _actor(accounts[therapist]), accounts[patient].patient.id)


async def seed_wellbeing(session: AsyncSession, settings: Settings, accounts: dict) -> None:
    """The demo patient's questionnaire results, her clinician's schedules (PHQ-9 every two
    weeks, GAD-7 weekly and due now) and her crisis alert acknowledged, once."""
    patient = _actor(accounts[DEMO_WELLBEING_PATIENT])
    wellbeing = WellbeingService(session, settings)
    if await wellbeing.results(patient):
        return
    crises = []
    for code, answers in DEMO_QUESTIONNAIRES:
        result = await wellbeing.submit(patient, code, answers, "en")
        if result.crisis is not None:
            crises.append(result)
    clinician = _actor(accounts[DEMO_WELLBEING_CLINICIAN])
    schedules, patient_id = ScheduleService(session), patient.patient_id
    assert patient_id is not None
    # The PHQ-9 was just answered: next due in two weeks. The GAD-7 is due now.
    await schedules.assign(clinician, patient_id, "phq9", 14, clock.now() + timedelta(days=14))
    await schedules.assign(clinician, patient_id, "gad7", 7)
    if not crises:
        return
    alerts = AlertService(session, settings)
    for alert in await alerts.list(clinician, "open"):
        if alert["source"] == "wellbeing" and alert["patient_id"] == str(patient.patient_id):
            await alerts.acknowledge(clinician, uuid.UUID(alert["id"]))


async def seed_messages(session: AsyncSession, settings: Settings, accounts: dict) -> None:
    """A welcome notice for each patient and caregiver, and the demo conversations, once."""
    inbox = NotificationService(session)
    for person in PEOPLE:
        if person.role not in (Role.PATIENT, Role.CAREGIVER):
            continue
        account = accounts[person.local]
        if any(n.title == WELCOME for n in await inbox.page(_actor(account))):
            continue
        async with unit_of_work(session) as uow:
            await uow.publish(
                NotificationRequested(
                    account_id=account.id, kind="welcome", title=WELCOME,
                    body="Your notifications arrive here: appointments, messages from your "
                    "care team and, for the people you support, their alerts.",
                    link="/home",
                )
            )  # fmt: skip
    messaging = MessagingService(session, settings)
    for patient, clinician, subject, lines, assigned in DEMO_CONVERSATIONS:
        owner = _actor(accounts[patient])
        if any(t.subject == subject for t in await messaging.threads(owner)):
            continue
        (first_writer, first_text), *rest = lines
        writer = _actor(accounts[first_writer])
        thread = await messaging.start(writer, owner.patient_id, subject, first_text)
        for who, text in rest:
            await messaging.reply(_actor(accounts[who]), thread.id, text)
        if assigned:
            doctor = _actor(accounts[clinician])
            await messaging.assign(doctor, thread.id, doctor.account_id)
            await messaging.mark_read(doctor, thread.id)


async def seed_health_records(session: AsyncSession, accounts: dict) -> None:
    """The demo patients' conditions, medicines, allergies and care plans, once each."""
    service = HealthRecordService(session)
    for patient, (clinician, lists) in DEMO_HEALTH.items():
        patient_id = accounts[patient].patient.id
        held = await service.load(patient_id)
        if held.conditions or held.medications or held.allergies or held.care_plans:
            continue
        actor = _actor(accounts[clinician])
        for kind, items in lists.items():
            for item in items:
                fields = {k: v for k, v in item.items() if k != "goals"}
                await service.add(actor, patient_id, LISTS[kind], fields, item.get("goals", ()))


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
    await seed_notice_boards(session, accounts)  # the lobby's board opens the communities
    await seed_wellbeing(session, settings, accounts)
    await seed_demo_selfhelp(  # a guide half read, a thought record, a week of activities
        session, settings, _actor(accounts[DEMO_WELLBEING_PATIENT]),
        _actor(accounts[DEMO_WELLBEING_CLINICIAN]),
    )  # fmt: skip
    await seed_therapy_rooms(session, accounts)  # Dr Rivera's session room with Amara
    await seed_messages(session, settings, accounts)
    await seed_health_records(session, accounts)
    await seed_communities(session, accounts)  # five communities with threads
    from careverse.care.programmes import seed_demo_programmes

    await seed_demo_programmes(session, accounts)  # two care programmes with demo patients
    from careverse.groups.demo import seed as seed_groups

    await seed_groups(session, accounts)  # a carers' circle and a long-COVID group (a nurse)
    from careverse.mentoring.demo import seed as seed_mentoring

    await seed_mentoring(session, accounts)  # two approved mentors, Jonas mentored by Lucía
    from careverse.gallery.demo import seed as seed_gallery

    await seed_gallery(session, settings, accounts)  # two images and a poem, hung on the walls
    from careverse.research.fairness_demo import seed_demo_audit

    await seed_demo_audit(session)  # 160 fictional monitored patients for the fairness audit
    from careverse.research.demo import seed as seed_research

    await seed_research(session, accounts)  # a study, three consents, a cohort, a trial
    from careverse.events.demo import seed as seed_events

    await seed_events(session, accounts)  # a vaccination-week campaign hosted by Nurse Kim
    return list(PEOPLE)
