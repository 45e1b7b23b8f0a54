"""FHIR search of Appointments and Encounters on the kernel's toolkit, with
``_include=Appointment:patient``, ``_include=Encounter:appointment`` and
``_revinclude=Encounter:appointment``.

These searches replaced care's first ones, which answered every patient the caller may see and
knew only ``patient``. A search with no parameters at all still answers that way (the
clinician's "all my patients' visits", :meth:`CareFhir.appointments`); any parameter makes it the
toolkit's one-patient search. Schedule and Slot (:mod:`.fhir_search_schedule`) are routed here.
Appointments need ``Category.APPOINTMENTS``, Encounters ``Category.CONSULTS``, an included
Patient ``Category.RECORD``.
"""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from careverse.care.fhir import CareFhir, appointment, encounter
from careverse.care.fhir_search import codings
from careverse.care.fhir_search_schedule import SCHEDULE, SLOT, search_schedules, search_slots
from careverse.care.models import Appointment, Encounter, EncounterProblem
from careverse.identity.deps import CurrentActor
from careverse.identity.directory import display_names
from careverse.identity.fhir import record_section as patient_resources
from careverse.kernel.config import Settings
from careverse.kernel.deps import get_session, get_settings
from careverse.kernel.fhir_search import (
    COMMON,
    DATE,
    REFERENCE,
    TOKEN,
    Include,
    Param,
    Spec,
)
from careverse.kernel.fhir_search_http import endpoint, register
from careverse.kernel.policy import Actor, Category

Session = Annotated[AsyncSession, Depends(get_session)]
AppSettings = Annotated[Settings, Depends(get_settings)]
router = APIRouter(tags=["fhir"])


async def appointments(session: AsyncSession, actor: Actor, patient_id: uuid.UUID) -> list[dict]:
    rows = (
        await session.scalars(select(Appointment).where(Appointment.patient_id == patient_id))
    ).all()
    names = await display_names(session, {a.clinician_id for a in rows})
    return [appointment(a, names.get(a.clinician_id)) for a in rows]


async def encounters(session: AsyncSession, actor: Actor, patient_id: uuid.UUID) -> list[dict]:
    rows = (
        await session.scalars(select(Encounter).where(Encounter.patient_id == patient_id))
    ).all()
    problems = (
        await session.scalars(
            select(EncounterProblem).where(EncounterProblem.encounter_id.in_([e.id for e in rows]))
        )
    ).all()
    names = await display_names(session, {e.clinician_id for e in rows})
    return [
        encounter(e, names.get(e.clinician_id), [p for p in problems if p.encounter_id == e.id])
        for e in rows
    ]


def _actors(r: dict) -> list[str]:
    return [p["actor"]["reference"] for p in r.get("participant", []) if "reference" in p["actor"]]


def _appointments_of(r: dict) -> list[str]:
    return [a["reference"] for a in r.get("appointment", [])]


APPOINTMENT = Spec(
    type="Appointment",
    category=Category.APPOINTMENTS,
    params=(
        Param("status", TOKEN, "booked, arrived, fulfilled, cancelled, noshow",
              lambda r: [(None, r.get("status"))]),
        Param("date", DATE, "The start: prefix + date", lambda r: [r.get("start")]),
        Param("service-type", TOKEN, "The visit type", lambda r: codings(r.get("serviceType"))),
        Param("appointment-type", TOKEN, "v2-0276|FOLLOWUP, ROUTINE",
              lambda r: codings(r.get("appointmentType"))),
        Param("actor", REFERENCE, "Patient/<id>", _actors),
        *COMMON,
    ),
    sorts={"date": lambda r: r.get("start")},
    default_sort="-date",
    includes=(
        Include("Appointment:patient", "Patient", Category.RECORD,
                lambda r: [a for a in _actors(r) if a.startswith("Patient/")], patient_resources),
    ),
    revincludes=(
        Include("Encounter:appointment", "Encounter", Category.CONSULTS, _appointments_of,
                encounters),
    ),
)  # fmt: skip
ENCOUNTER = Spec(
    type="Encounter",
    category=Category.CONSULTS,
    params=(
        Param("status", TOKEN, "in-progress, finished", lambda r: [(None, r.get("status"))]),
        Param("date", DATE, "The start: prefix + date", lambda r: [r["period"]["start"]]),
        Param("class", TOKEN, "v3-ActCode|VR",
              lambda r: [(r["class"].get("system"), r["class"].get("code"))]),
        Param("reason-code", TOKEN, "The problem's coding", lambda r: codings(r.get("reasonCode"))),
        Param("appointment", REFERENCE, "Appointment/<id>", _appointments_of),
        *COMMON,
    ),
    sorts={"date": lambda r: r["period"]["start"]},
    default_sort="-date",
    includes=(
        Include("Encounter:appointment", "Appointment", Category.APPOINTMENTS, _appointments_of,
                appointments),
    ),
)  # fmt: skip


async def _every_appointment(session, settings, actor) -> dict:
    return await CareFhir(session, settings).appointments(actor, None)


async def _every_encounter(session, settings, actor) -> dict:
    return await CareFhir(session, settings).encounters(actor, None)


register(router, SCHEDULE, search_schedules)
register(router, SLOT, search_slots)
register(router, APPOINTMENT, endpoint(APPOINTMENT, appointments, CurrentActor, _every_appointment))
register(router, ENCOUNTER, endpoint(ENCOUNTER, encounters, CurrentActor, _every_encounter))
