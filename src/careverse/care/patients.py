"""The clinician's patients: the list (search, filters, sort, pages) and a record's summary.

The list composes what each capability knows of a patient through the runtime's patient facets
(monitoring's NEWS2 and alerts, wellbeing's overdue questionnaires, care's next visit), so care
reads no other capability's tables; each facet is one batched read for the whole list. Every
patient shown passes the access policy, and the read is audited once for the list (not per row):
one ``record.list`` event naming the patients on the page.

Risk is the NEWS2 risk (RCP 2017): ``high``; ``medium`` (also a single parameter scoring 3,
"low-medium", which calls for an urgent review as a medium score does); ``low``; ``none`` when
there is no NEWS2 within the window. Open alerts are their own filter.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from careverse.care.models import Appointment, Encounter, EncounterProblem
from careverse.identity import directory
from careverse.identity.relationships import patients_of
from careverse.kernel import audit, clock
from careverse.kernel.errors import NotFound
from careverse.kernel.policy import Actor, Category, Role, authorize, decide, require_role
from careverse.kernel.runtime import PatientFacets
from careverse.kernel.uow import unit_of_work

RISKS = ("high", "medium", "low", "none")
SORTS = ("risk", "name", "next_visit", "alerts")
UPCOMING = ("booked", "checked_in", "in_progress")
RISK_OF_NEWS2 = {"high": "high", "medium": "medium", "low-medium": "medium", "low": "low"}
RANK = {"high": 3, "medium": 2, "low": 1, "none": 0, None: 0}
VISITS_SHOWN = 50


@dataclass(frozen=True)
class PatientQuery:
    """What the clinician asked for: search text, filters, sort and page."""

    search: str | None = None
    risk: frozenset[str] = frozenset()
    has_open_alerts: bool | None = None
    next_visit_within_days: int | None = None
    overdue_questionnaires: bool | None = None
    sort: str = "risk"
    page: int = 1
    page_size: int = 25


@dataclass(frozen=True)
class PatientRow:
    id: uuid.UUID
    name: str
    age: int | None
    sex: str | None
    risk: str
    news2: dict | None  # {"total", "risk", "partial", "at"}
    open_alerts: int
    highest_severity: str | None
    next_visit: datetime | None
    overdue_questionnaires: int


@dataclass(frozen=True)
class PatientPage:
    patients: list[PatientRow]
    total: int
    page: int
    page_size: int


@dataclass(frozen=True)
class RecordSummary:
    patient: PatientRow
    visits: list[dict] = field(default_factory=list)
    problems: list[dict] = field(default_factory=list)


async def next_visit_facet(
    session: AsyncSession, patient_ids: list[uuid.UUID]
) -> dict[uuid.UUID, dict]:
    """Care's facet ``next_visit``: {patient_id: {"at": start}} of each patient's next visit
    (booked, checked in or under way and not yet over), with any clinician; one query."""
    if not patient_ids:
        return {}
    rows = await session.execute(
        select(Appointment.patient_id, func.min(Appointment.start_at))
        .where(
            Appointment.patient_id.in_(patient_ids),
            Appointment.status.in_(UPCOMING),
            Appointment.end_at > clock.now(),
        )
        .group_by(Appointment.patient_id)
    )
    return {patient_id: {"at": clock.as_utc(start)} for patient_id, start in rows.all()}


def _row(face: directory.PatientFace, facets: dict[str, dict[uuid.UUID, Any]]) -> PatientRow:
    pid = face.id
    news2 = facets.get("news2", {}).get(pid)
    alerts = facets.get("alerts", {}).get(pid) or {}
    visit = facets.get("next_visit", {}).get(pid)
    due = facets.get("questionnaires", {}).get(pid) or {}
    return PatientRow(
        id=pid,
        name=face.name,
        age=face.age,
        sex=face.sex,
        risk=RISK_OF_NEWS2.get(news2["risk"], "none") if news2 else "none",
        news2=news2,
        open_alerts=alerts.get("open", 0),
        highest_severity=alerts.get("highest"),
        next_visit=visit["at"] if visit else None,
        overdue_questionnaires=due.get("overdue", 0),
    )


def _matches(row: PatientRow, query: PatientQuery, now: datetime) -> bool:
    if query.search and query.search.casefold() not in row.name.casefold():
        return False
    if query.risk and row.risk not in query.risk:
        return False
    if query.has_open_alerts is not None and (row.open_alerts > 0) != query.has_open_alerts:
        return False
    if query.overdue_questionnaires is not None and (
        (row.overdue_questionnaires > 0) != query.overdue_questionnaires
    ):
        return False
    if query.next_visit_within_days is not None:
        until = now + timedelta(days=query.next_visit_within_days)
        if row.next_visit is None or row.next_visit > until:
            return False
    return True


SEVERITY_RANK = {"high": 3, "medium": 2, "low": 1, None: 0}
FAR = datetime.max.replace(tzinfo=UTC)


def _sort_key(sort: str):
    if sort == "name":
        return lambda r: (r.name.casefold(), str(r.id))
    if sort == "next_visit":
        return lambda r: (r.next_visit or FAR, r.name.casefold(), str(r.id))
    if sort == "alerts":
        return lambda r: (
            -SEVERITY_RANK[r.highest_severity],
            -r.open_alerts,
            r.name.casefold(),
            str(r.id),
        )
    return lambda r: (
        -RANK[r.risk],
        -(r.news2["total"] if r.news2 else -1),
        -SEVERITY_RANK[r.highest_severity],
        -r.open_alerts,
        r.name.casefold(),
        str(r.id),
    )


class PatientListService:
    """The clinician's patients and each one's record summary, through the access policy."""

    def __init__(self, session: AsyncSession, facets: PatientFacets):
        self.session = session
        self.facets = facets

    async def list(self, actor: Actor, query: PatientQuery) -> PatientPage:
        """The clinician's patients (care relationships the policy allows now), filtered, sorted
        and paged; audited once, naming the patients on the page."""
        require_role(actor, Role.CLINICIAN)
        async with unit_of_work(self.session):
            allowed = []
            for patient_id in await patients_of(self.session, actor):
                grant, _ = await decide(self.session, actor, patient_id, Category.RECORD, False)
                if grant is not None:
                    allowed.append(patient_id)
            faces = await directory.patient_faces(self.session, allowed)
            facets = await self.facets.read(self.session, list(faces))
            now = clock.now()
            rows = [_row(face, facets) for face in faces.values()]
            rows = sorted((r for r in rows if _matches(r, query, now)), key=_sort_key(query.sort))
            start = (query.page - 1) * query.page_size
            shown = rows[start : start + query.page_size]
            audit.record(
                self.session, "record.list", actor=actor, purpose="treatment",
                resource_type="Patient",
                detail={"via": "patients", "total": len(rows),
                        "shown": [str(r.id) for r in shown]},
            )  # fmt: skip
        return PatientPage(shown, len(rows), query.page, query.page_size)

    async def summary(self, actor: Actor, patient_id: uuid.UUID) -> RecordSummary:
        """One patient's record summary for a clinician: who, the list's facets, visits (with their
        encounter and whether its note is signed) and the problems coded in their encounters.

        Clinicians only (403): the facets span vitals, appointments and questionnaires, which a
        caregiver's delegation grants one by one; patients read their own through "My health"."""
        require_role(actor, Role.CLINICIAN)
        async with unit_of_work(self.session):
            await authorize(self.session, actor, patient_id, Category.RECORD)
            faces = await directory.patient_faces(self.session, [patient_id])
            face = faces.get(patient_id)
            if face is None:
                raise NotFound("Not found.")
            row = _row(face, await self.facets.read(self.session, [patient_id]))
            visits = await self._visits(patient_id)
            problems = await self._problems(patient_id)
        return RecordSummary(row, visits, problems)

    async def _visits(self, patient_id: uuid.UUID) -> list[dict]:
        rows = (
            await self.session.execute(
                select(Appointment, Encounter)
                .outerjoin(Encounter, Encounter.appointment_id == Appointment.id)
                .where(Appointment.patient_id == patient_id)
                .order_by(Appointment.start_at.desc())
                .limit(VISITS_SHOWN)
            )
        ).all()
        names = await directory.display_names(self.session, {a.clinician_id for a, _ in rows})
        return [
            {
                "appointment_id": a.id,
                "start": clock.as_utc(a.start_at),
                "status": a.status,
                "visit_type": a.visit_type,
                "reason": a.reason,
                "clinician_name": names.get(a.clinician_id, ""),
                "encounter_id": e.id if e else None,
                "note_signed": bool(e and e.signed_at),
            }
            for a, e in rows
        ]

    async def _problems(self, patient_id: uuid.UUID) -> list[dict]:
        rows = (
            await self.session.execute(
                select(EncounterProblem, Encounter.started_at)
                .join(Encounter, Encounter.id == EncounterProblem.encounter_id)
                .where(Encounter.patient_id == patient_id)
                .order_by(EncounterProblem.created_at.desc())
            )
        ).all()
        return [
            {
                "id": p.id,
                "text": p.text,
                "system": p.system,
                "code": p.code,
                "encounter_id": p.encounter_id,
                "recorded_at": clock.as_utc(started),
            }
            for p, started in rows
        ]
