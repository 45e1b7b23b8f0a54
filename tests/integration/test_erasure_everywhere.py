"""After a patient's erasure no row of any capability refers to them: the test walks every table
of the schema (careverse.models imports them all), so a new capability's table is walked too, and
a capability that forgets its part of ``AccountErasureDue`` fails here.

Rows that hang off theirs without naming them (an appointment's blocks, an encounter's problems, a
device's pairing codes) cannot outlive their parents: the foreign keys refuse it (SQLite enforces
them too, ``PRAGMA foreign_keys=ON``), so the walk looks for the two ids themselves.

Kept, as docs/security.md and docs/privacy.md say: the audit chain (it must still verify), the
account's tombstone (its row, with no e-mail, name or password) and the erasure request.
"""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from sqlalchemy import Column, String, Table, Text, Uuid, func, select

import careverse.models  # noqa: F401 - every capability's tables into the metadata
from careverse.identity.models import Account, LoginFailure
from careverse.kernel.db import Base
from careverse.kernel.uow import unit_of_work
from careverse.privacy.service import PrivacyService
from careverse.world.models import SpaceObject
from careverse.world.stage_events import StageRecorded
from tests.integration.care.support import BEFORE_NINE
from tests.integration.care.test_erasure import visit_with_everything
from tests.integration.care.test_health_record import fill
from tests.integration.monitoring.alert_support import add_rule, send, vital
from tests.integration.monitoring.support import paired_device
from tests.integration.privacy.support import (
    Person,
    assign,
    break_glass,
    cheap_password_hashing,
    consent,
    person,
    verify_chain,
)
from tests.support import free_port

__all__ = ["cheap_password_hashing", "person"]

WEIGHT = "29463-7"
WEEKDAYS = [{"weekday": d, "start": "09:00", "end": "17:00"} for d in range(5)]
# Rows an erasure keeps on purpose (docs/privacy.md, "What erasure keeps"): (table, column).
KEPT = {("accounts", "id"), ("erasure_requests", "account_id")}
KEPT_TABLES = {"audit_events"}  # the evidence of who accessed the record; only ids


@pytest.fixture
def settings_overrides() -> dict:
    return {
        "access_token_ttl_seconds": 7 * 24 * 3600,
        "erasure_grace_days": 0,
        # A mail server that is not there: reset links are stored, their mail fails (logged).
        "smtp_host": "127.0.0.1",
        "smtp_port": free_port(),
        "smtp_starttls": False,
    }


@pytest.fixture(autouse=True)
def before_nine(fake_clock):
    fake_clock.now = BEFORE_NINE
    return fake_clock


def person_columns(table: Table) -> list[Column]:
    """Every column that could hold a person's id: uuids, and plain strings (``source_id``,
    ``resource_id`` and the like keep ids as text). Encrypted columns hold ciphertext."""
    return [c for c in table.columns if isinstance(c.type, Uuid | String | Text)]


async def references(app, account_id: uuid.UUID, patient_id: uuid.UUID) -> dict[str, int]:
    """``{"table.column": rows}`` of every row in the schema that holds either id."""
    found: dict[str, int] = {}
    ids = (account_id, patient_id)
    async with app.state.runtime.db.session() as session:
        for table in Base.metadata.sorted_tables:
            for column in person_columns(table):
                values = ids if isinstance(column.type, Uuid) else tuple(str(i) for i in ids)
                rows = await session.scalar(
                    select(func.count()).select_from(table).where(column.in_(values))
                )
                if rows:
                    found[f"{table.name}.{column.name}"] = rows
    return found


async def populate(app, client, person) -> dict[str, Person]:
    """A patient with data in every capability, as the demo would have it, and a bystander."""
    admin, clinician, other = (
        await person("admin"),
        await person("clinician"),
        await person("clinician"),
    )
    caregiver, patient, bystander = (
        await person("caregiver"), await person("patient"), await person("patient"),
    )  # fmt: skip

    async def ok(method: str, url: str, who: Person | None, body: dict | None = None):
        headers = who.headers if who else {}
        answer = await client.request(method, url, json=body, headers=headers)
        assert answer.status_code < 300, (url, answer.text)
        return answer.json() if answer.content else None

    # Identity: a care relationship, a failed sign-in, a reset link, a pending second factor.
    await assign(client, admin, clinician, patient)
    wrong = await client.post(
        "/api/auth/token", data={"username": patient.email, "password": "not-the-password-1"}
    )
    assert wrong.status_code == 401
    await ok("POST", "/api/auth/password-reset", None, {"email": patient.email})
    await ok("POST", "/api/me/mfa/totp", patient)

    # Care: hours, an admitted visit with everything (note, chat, decision, invitee, delegation,
    # consult and waiting rooms, notifications, preferences) and a later booking.
    await ok("PUT", "/api/care/availability", clinician,
             {"time_zone": "UTC", "weekly": WEEKDAYS})  # fmt: skip
    await visit_with_everything(client, patient, clinician, caregiver)
    await ok("POST", "/api/care/appointments", patient,
             {"clinician_id": str(clinician.id), "start": "2026-03-23T14:00:00Z"})  # fmt: skip
    # The health record: a condition, a medicine, an allergy, a care plan with a goal.
    await fill(client, clinician, patient)

    # Privacy: consents (one naming a clinician) and a break-glass on the record.
    await consent(client, patient, purpose="research", decision="permit")
    await consent(client, patient, purpose="treatment", decision="deny", actor_id=str(other.id))
    await consent(client, bystander, purpose="research", decision="deny")
    await break_glass(client, other, patient, "Unconscious in the emergency department")

    # Monitoring: a paired device and a code not yet used, readings, a rule and its alert
    # (acknowledged), a bedside observation and NEWS2 settings.
    device = await paired_device(client, patient, patient.patient_id)
    await ok("POST", f"/api/monitoring/devices/{device['id']}/pairing-code", patient)
    pid = patient.patient_id
    await add_rule(client, clinician, patient, kind="threshold", code=WEIGHT, op=">", value=100,
                   severity="high")  # fmt: skip
    await send(app, client, patient, vital(WEIGHT, 104.2))
    alerts = await ok("GET", "/api/monitoring/alerts", clinician)
    await ok("POST", f"/api/monitoring/alerts/{alerts['alerts'][0]['id']}/acknowledge", clinician)
    await ok("PUT", f"/api/monitoring/patients/{pid}/news2-settings", clinician, {"spo2_scale": 2})
    await ok("POST", f"/api/monitoring/patients/{pid}/observations", clinician,
             {"consciousness": "A", "on_oxygen": False})  # fmt: skip

    # Wellbeing: a schedule, and a PHQ-9 whose item 9 takes the crisis path (its alert goes
    # with monitoring's).
    await ok("POST", "/api/wellbeing/responses", patient,
             {"instrument": "phq9", "answers": [1, 1, 1, 1, 1, 1, 1, 1, 1]})  # fmt: skip
    await ok("POST", f"/api/wellbeing/patients/{pid}/schedules", clinician,
             {"instrument": "gad7", "every_days": 14})  # fmt: skip

    # Messaging: a thread with the care team, an answer with an attachment, receipts on both
    # sides, notices of both (the booking's are there already).
    thread = (
        await client.post(
            "/api/messages/threads", data={"subject": "Ankle", "body": "Swollen again"},
            headers=patient.headers,
        )
    ).json()  # fmt: skip
    answer = await client.post(
        f"/api/messages/threads/{thread['id']}/messages", data={"body": "See the leaflet"},
        files={"file": ("leaflet.pdf", b"%PDF-1.4\n%%EOF\n", "application/pdf")},
        headers=clinician.headers,
    )  # fmt: skip
    assert answer.status_code == 201, answer.text
    await ok("POST", f"/api/messages/threads/{thread['id']}/read", patient)

    # World: a member of a support space, and something they placed there.
    space = await ok("POST", "/api/spaces", clinician,
                     {"name": "Tuesday circle", "template": "support-circle",
                      "access": "members"})  # fmt: skip
    await ok("POST", f"/api/spaces/{space['id']}/members", clinician,
             {"account_id": str(patient.id), "role": "participant"})  # fmt: skip
    async with app.state.runtime.db.session() as session, unit_of_work(session):
        session.add(  # what the hub stores for a note placed in the space
            SpaceObject(space_id=uuid.UUID(space["id"]), kind="note", label="hello",
                        created_by=patient.id)
        )  # fmt: skip

    # Community: a member who posts by name and under a pseudonym, reacts, bookmarks and reads.
    await ok("POST", "/api/community/communities", admin, {"slug": "erasure-walk", "name": "Walk",
             "kind": "condition", "visibility": "public"})  # fmt: skip
    joined = {"accept_guidelines": True, "guidelines_version": 1}
    await ok("POST", "/api/community/communities/erasure-walk/join", patient, joined)
    topic = await ok("POST", "/api/community/communities/erasure-walk/threads", patient,
                     {"title": "Hello", "body": "My story", "identity": "name"})  # fmt: skip
    thread = topic["thread"]["id"]
    await ok("POST", f"/api/community/threads/{thread}/posts", patient, {"body": "More"})
    await ok("POST", f"/api/community/posts/{topic['post']['id']}/reactions", patient,
             {"kind": "me_too"})  # fmt: skip
    await ok("PUT", f"/api/community/posts/{topic['post']['id']}/bookmark", patient)
    await ok("GET", f"/api/community/threads/{thread}", patient)
    # Gallery: a poem of theirs, approved and hung on a wall of the community's gallery space.
    work = await ok("POST", "/api/gallery/communities/erasure-walk/works/text", patient,
                    {"title": "Morning", "body": "Light on the ward"})  # fmt: skip
    await ok("POST", f"/api/gallery/works/{work['work']['id']}/approve", admin, {})

    # Research: the patient takes part in a study and is enrolled in its trial.
    researcher = await person("researcher")
    study = await ok("POST", "/api/research/studies", researcher,
                     {"title": "Walk", "protocol": "P", "approver_id": str(admin.id)})  # fmt: skip
    studies = f"/api/research/studies/{study['id']}"
    await ok("POST", f"{studies}/approve", admin)
    await ok("POST", f"{studies}/consent", patient)
    trial = await ok("POST", f"{studies}/trials", researcher,
                     {"title": "T", "method": "permuted_blocks", "block_sizes": [2],
                      "arms": [{"name": "A"}, {"name": "B"}]})  # fmt: skip
    (who,) = await ok("GET", f"{studies}/trials/{trial['id']}/eligible", researcher)
    await ok("POST", f"{studies}/trials/{trial['id']}/enrolments", researcher,
             {"participant": who})  # fmt: skip

    # Events: registered for a talk, a question raised, a line of its chat in the recording.
    talk = await ok("POST", "/api/events", admin, {"slug": "erasure-talk", "title": "A talk",
                    "kind": "talk", "starts_at": (BEFORE_NINE + timedelta(hours=1)).isoformat(),
                    "duration_minutes": 60, "capacity": 10})  # fmt: skip
    await ok("POST", "/api/events/erasure-talk/register", patient)
    await ok("POST", "/api/events/erasure-talk/questions", patient, {"text": "A question"})
    async with app.state.runtime.db.session() as session, unit_of_work(session) as uow:
        await uow.publish(StageRecorded(space_id=uuid.UUID(talk["space_id"]), kind="chat",
                                        account_id=patient.id, detail="{}", at=0.0))  # fmt: skip
    return {"patient": patient, "bystander": bystander}


async def test_after_erasure_no_table_refers_to_the_patient(app, client, person):
    people = await populate(app, client, person)
    patient = people["patient"]
    before = await references(app, patient.id, patient.patient_id)
    # Every capability holds something of theirs now, so the walk below has something to miss.
    tables = {key.split(".")[0] for key in before}
    assert {
        "patients",
        "auth_sessions",
        "care_relationships",
        "delegations",
        "password_reset_tokens",
        "consents",
        "break_glass",
        "appointments",
        "encounters",
        "consult_messages",
        "decision_choices",
        "notifications",
        "care_preferences",
        "care_conditions",
        "care_medications",
        "care_allergies",
        "care_plans",
        "care_plan_goals",
        "monitoring_devices",
        "monitoring_readings",
        "monitoring_rules",
        "monitoring_alerts",
        "monitoring_observations",
        "monitoring_patient_settings",
        "space_members",
        "space_objects",
        "wellbeing_responses",
        "wellbeing_schedules",
        "message_threads",
        "messages",
        "message_thread_reads",
        "community_memberships",
        "community_threads",
        "community_posts",
        "community_reactions",
        "community_bookmarks",
        "community_reads",
        "community_member_stats",
        "gallery_works",
        "research_consents",
        "research_allocations",
        "event_people",
        "event_questions",
        "event_log",
        "audit_events",
    } <= tables, sorted(tables)

    assert (await client.delete("/api/me", headers=patient.headers)).status_code == 202
    async with app.state.runtime.db.session() as session:
        assert await PrivacyService(session, app.state.runtime.settings).erase_due() == 1

    left = {
        key: rows
        for key, rows in (await references(app, patient.id, patient.patient_id)).items()
        if key.split(".")[0] not in KEPT_TABLES and tuple(key.split(".")) not in KEPT
    }
    assert left == {}, f"rows still naming the erased patient: {left}"
    # Nothing keyed by their sign-in either (failed sign-ins are kept by a blind index).
    async with app.state.runtime.db.session() as session:
        failures = await session.scalar(select(func.count()).select_from(LoginFailure))
        tombstone = await session.get(Account, patient.id)
    assert failures == 0
    # The pseudonymised identity docs/security.md describes: no e-mail, name or password.
    assert tombstone is not None
    assert tombstone.email == f"erased-{patient.id}@invalid"
    assert tombstone.display_name == "Erased account" and tombstone.password_hash == "!"
    assert not tombstone.is_active and not tombstone.mfa_enabled
    assert tombstone.totp_secret is None and tombstone.totp_pending_secret is None
    assert tombstone.preferred_language is None

    # The bystander's rows are untouched, and the audit chain still verifies.
    bystander = people["bystander"]
    assert "consents.patient_id" in await references(app, bystander.id, bystander.patient_id)
    assert (await verify_chain(app)).ok
