"""Care's section of a patient's FHIR record (``$everything`` and the patient's export): the
CareTeam, Appointments, Encounters and each signed visit note as a DocumentReference.

Choices (docs/fhir.md):

- A note is a ``DocumentReference`` (type LOINC 11506-3, progress note) whose attachment is the
  signed SOAP note, the summary written for the patient and every addendum, as plain text; its
  ``context`` points at the Encounter. Only signed notes: an unsigned draft is the clinician's
  working copy, shown to no one else (as in the care API).
- The CareTeam is the clinicians with an active care relationship (identity's ``care_team``).
- Access: Appointments need ``Category.APPOINTMENTS``; Encounters and notes ``Category.CONSULTS``;
  the CareTeam is part of the record the caller was allowed to read.
"""

from __future__ import annotations

import base64
import uuid
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from careverse.care import health_fhir
from careverse.care.fhir import ACCOUNT_SYSTEM, appointment, encounter
from careverse.care.health_record import HealthRecordService
from careverse.care.models import Addendum, Appointment, Encounter, EncounterProblem
from careverse.identity.directory import display_names
from careverse.identity.relationships import care_team
from careverse.kernel import clock
from careverse.kernel.fhir import EVERYTHING, RecordQuery, iso
from careverse.kernel.policy import Actor, Category, decide

LOINC = "http://loinc.org"
HEALTH_TYPES = ("Condition", "MedicationStatement", "AllergyIntolerance", "CarePlan", "Goal")
NOTE_SECTIONS = (
    ("subjective", "Subjective"),
    ("objective", "Objective"),
    ("assessment", "Assessment"),
    ("plan", "Plan"),
    ("follow_up", "Follow-up"),
    ("patient_summary", "Summary for the patient"),
)


def _who(account_id: uuid.UUID, names: dict[uuid.UUID, str]) -> dict:
    ref: dict = {"identifier": {"system": ACCOUNT_SYSTEM, "value": str(account_id)}}
    if account_id in names:
        ref["display"] = names[account_id]
    return ref


def care_team_resource(patient_id: uuid.UUID, clinicians: list[uuid.UUID], names) -> dict:
    return {
        "resourceType": "CareTeam",
        "id": str(patient_id),  # one care team per patient
        "status": "active",
        "subject": {"reference": f"Patient/{patient_id}"},
        "participant": [{"member": _who(c, names)} for c in clinicians],
    }


def note_text(e: Encounter, addenda: list[Addendum]) -> str:
    parts = [
        f"{title}:\n{getattr(e, field)}" for field, title in NOTE_SECTIONS if getattr(e, field)
    ]
    parts += [f"Addendum ({iso(a.signed_at)}):\n{a.text}" for a in addenda]
    return "\n\n".join(parts)


def document_reference(e: Encounter, addenda: list[Addendum], names) -> dict:
    """A signed visit note (with its addenda) as a DocumentReference."""
    signed = e.signed_at
    if signed is None:
        raise ValueError("only a signed note is part of the record")
    period = {"start": iso(e.started_at), **({"end": iso(e.ended_at)} if e.ended_at else {})}
    data = base64.b64encode(note_text(e, addenda).encode()).decode()
    return {
        "resourceType": "DocumentReference",
        "id": str(e.id),  # one note per encounter
        "status": "current",
        "docStatus": "amended" if addenda else "final",
        "type": {"coding": [{"system": LOINC, "code": "11506-3", "display": "Progress note"}]},
        "subject": {"reference": f"Patient/{e.patient_id}"},
        "date": iso(signed),
        "author": [_who(e.signed_by or e.clinician_id, names)],
        "content": [
            {
                "attachment": {
                    "contentType": "text/plain; charset=utf-8",
                    "data": data,
                    "title": "Visit note",
                    "creation": iso(signed),
                }
            }
        ],
        "context": {"encounter": [{"reference": f"Encounter/{e.id}"}], "period": period},
    }


async def record_section(
    session: AsyncSession, actor: Actor, patient_id: uuid.UUID, query: RecordQuery = EVERYTHING
) -> list:
    """The patient's care team, appointments, encounters and signed notes, as far as the
    reader's access reaches (a caregiver sees only what they were delegated). Types not asked
    (``_type``) are not read."""
    out: list[dict] = []
    names: dict[uuid.UUID, str] = {}
    if query.wants("CareTeam"):
        team = await care_team(session, patient_id)
        names = await display_names(session, set(team))
        if team:
            out.append(care_team_resource(patient_id, team, names))
    appointments, _ = await decide(session, actor, patient_id, Category.APPOINTMENTS, False)
    if appointments is not None and query.wants("Appointment"):
        rows = (
            await session.scalars(
                select(Appointment)
                .where(Appointment.patient_id == patient_id)
                .order_by(Appointment.start_at)
            )
        ).all()
        names |= await display_names(session, {a.clinician_id for a in rows})
        out += [appointment(a, names.get(a.clinician_id)) for a in rows]
    consults, _ = await decide(session, actor, patient_id, Category.CONSULTS, False)
    if consults is None or not query.wants("Encounter", "DocumentReference"):
        return out
    encounters = (
        await session.scalars(
            select(Encounter)
            .where(Encounter.patient_id == patient_id)
            .order_by(Encounter.started_at)
        )
    ).all()
    ids = [e.id for e in encounters]
    problems = (
        await session.scalars(
            select(EncounterProblem).where(EncounterProblem.encounter_id.in_(ids))
        )
    ).all()
    addenda = (
        await session.scalars(
            select(Addendum).where(Addendum.encounter_id.in_(ids)).order_by(Addendum.signed_at)
        )
    ).all()
    names |= await display_names(
        session,
        {e.clinician_id for e in encounters} | {e.signed_by for e in encounters if e.signed_by},
    )
    for e in encounters:
        out.append(
            encounter(e, names.get(e.clinician_id), [p for p in problems if p.encounter_id == e.id])
        )
    for e in encounters:
        if e.signed_at is not None:
            own = [a for a in addenda if a.encounter_id == e.id]
            note = document_reference(e, own, names)
            changed = max([e.signed_at, *(a.signed_at for a in own)], key=clock.as_utc)
            out.append({**note, "meta": {"lastUpdated": iso(changed)}})
    return out


def _changed(row) -> datetime:
    return row.updated_at or row.created_at


async def health_section(
    session: AsyncSession, actor: Actor, patient_id: uuid.UUID, query: RecordQuery = EVERYTHING
) -> list:
    """The health record (Conditions, MedicationStatements, AllergyIntolerances, CarePlans and
    their Goals: care/health_fhir.py) with each resource's last change, for ``_since``; nothing
    for a reader without ``record:read`` (a caregiver not delegated it) or when none is asked."""
    if not query.wants(*HEALTH_TYPES):
        return []
    grant, _ = await decide(session, actor, patient_id, Category.RECORD, False)
    if grant is None:
        return []
    record = await HealthRecordService(session).load(patient_id)
    rows = [*record.conditions, *record.medications, *record.allergies, *record.care_plans]
    rows += [g for goals in record.goals.values() for g in goals]
    changed = {str(r.id): _changed(r) for r in rows}
    return [
        {**r, "meta": {"lastUpdated": iso(changed[r["id"]])}} if r["id"] in changed else r
        for r in health_fhir.resources(record)
    ]
