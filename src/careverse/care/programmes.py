"""Care programmes: named pathways ("Heart failure remote monitoring") and who is enrolled.

Rules (docs/care.md, "Care programmes"):

- **Create** a programme: a clinician (who becomes one of its leads) or an admin (who names at
  least one lead). Names are unique. **Change** (name, description, leads) and **delete** (only
  with nobody enrolled now): a lead or an admin.
- **Enrol** a patient: a clinician whose care relationship with the patient the access policy
  allows now (not break-glass), with an optional planned end. **End** an enrolment: such a
  clinician, or the patient themselves.
- **See members**: a programme's leads see the members they may see (the policy, per patient);
  the others are only counted. Every clinician and admin sees the list of programmes (name,
  description, leads, how many are enrolled). A patient sees their own programmes; caregivers
  see none here.

Each change is audited (``care.programme.*``, the patient named on enrolments) and an
enrolment's start and end publish :class:`ProgrammeEnrolmentChanged` and tell the patient
(``NotificationRequested``, a title without the programme's name).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from careverse.care.programme_models import CareProgramme, ProgrammeEnrolment, ProgrammeLead
from careverse.identity import directory
from careverse.kernel import audit, clock
from careverse.kernel.errors import Conflict, Forbidden, InvalidInput, NotFound
from careverse.kernel.events import DomainEvent
from careverse.kernel.groups import CareGroup, GroupMember
from careverse.kernel.notify import NotificationRequested
from careverse.kernel.policy import Actor, Basis, Category, Role, decide, require_role
from careverse.kernel.uow import unit_of_work
from careverse.privacy.events import AccountErasureDue

GROUP_PREFIX = "programme-"


class ProgrammeEnrolmentChanged(DomainEvent, frozen=True):
    """A patient was enrolled in a care programme, or their enrolment ended."""

    programme_id: uuid.UUID
    patient_id: uuid.UUID
    change: str  # enrolled | ended
    by_id: uuid.UUID


@dataclass(frozen=True)
class Member:
    enrolment_id: uuid.UUID
    patient_id: uuid.UUID
    name: str
    enrolled_at: datetime
    ends_at: datetime | None
    enrolled_by: str | None


@dataclass(frozen=True)
class ProgrammeView:
    id: uuid.UUID
    name: str
    description: str
    leads: list[tuple[uuid.UUID, str]]
    enrolled: int  # open enrolments, all of them
    is_lead: bool
    members: list[Member] | None = None  # for a lead: the members they may see
    hidden: int = 0  # members the caller may not see


@dataclass(frozen=True)
class MyProgramme:
    id: uuid.UUID
    name: str
    description: str
    enrolled_at: datetime
    ends_at: datetime | None
    ended_at: datetime | None


def _open(now: datetime):
    return (ProgrammeEnrolment.ended_at.is_(None)) & (
        ProgrammeEnrolment.ends_at.is_(None) | (ProgrammeEnrolment.ends_at > now)
    )


def _clean(name: str | None, field: str, limit: int) -> str:
    text = " ".join((name or "").split())
    if not text or len(text) > limit or not text.isprintable():
        raise InvalidInput(f"{field} must be 1 to {limit} printable characters.", field=field)
    return text


def _described(text: str | None) -> str:
    value = (text or "").strip()
    if len(value) > 2000 or "\x00" in value:
        raise InvalidInput("description must be at most 2000 characters of text.",
                           field="description")  # fmt: skip
    return value


class ProgrammeService:
    def __init__(self, session: AsyncSession):
        self.session = session

    # ---- programmes ------------------------------------------------------------------------

    async def _programme(self, programme_id: uuid.UUID) -> CareProgramme:
        found = await self.session.get(CareProgramme, programme_id)
        if found is None:
            raise NotFound("No such programme.")
        return found

    async def _leads(self, programme_id: uuid.UUID) -> list[uuid.UUID]:
        rows = await self.session.scalars(
            select(ProgrammeLead.clinician_id).where(ProgrammeLead.programme_id == programme_id)
        )
        return list(rows.all())

    async def _check_leads(self, lead_ids: list[uuid.UUID]) -> list[uuid.UUID]:
        wanted = list(dict.fromkeys(lead_ids))
        if len(wanted) > 20:
            raise InvalidInput("A programme has at most 20 leads.", field="lead_ids")
        for lead in wanted:
            if await directory.active_clinician(self.session, lead) is None:
                raise InvalidInput("Each lead must be an active clinician.", field="lead_ids")
        return wanted

    async def _set_leads(self, programme_id: uuid.UUID, lead_ids: list[uuid.UUID]) -> None:
        await self.session.execute(
            delete(ProgrammeLead).where(ProgrammeLead.programme_id == programme_id)
        )
        for lead in lead_ids:
            self.session.add(ProgrammeLead(programme_id=programme_id, clinician_id=lead))

    async def _may_manage(self, actor: Actor, programme_id: uuid.UUID) -> None:
        if actor.role is Role.ADMIN:
            return
        if actor.role is Role.CLINICIAN and actor.account_id in await self._leads(programme_id):
            return
        raise Forbidden("Only the programme's leads or an admin may change it.")

    async def _name_free(self, name: str, but: uuid.UUID | None = None) -> None:
        query = select(CareProgramme.id).where(func.lower(CareProgramme.name) == name.lower())
        found = await self.session.scalar(query)
        if found is not None and found != but:
            raise Conflict("A programme with this name exists.", code="name_taken")

    async def create(
        self, actor: Actor, name: str, description: str, lead_ids: list[uuid.UUID]
    ) -> ProgrammeView:
        require_role(actor, Role.CLINICIAN, Role.ADMIN)
        name = _clean(name, "name", 120)
        description = _described(description)
        async with unit_of_work(self.session):
            leads = list(lead_ids)
            if actor.role is Role.CLINICIAN and actor.account_id not in leads:
                leads.insert(0, actor.account_id)
            if not leads:
                raise InvalidInput("Name at least one lead clinician.", field="lead_ids")
            leads = await self._check_leads(leads)
            await self._name_free(name)
            row = CareProgramme(name=name, description=description, created_by=actor.account_id)
            self.session.add(row)
            try:
                await self.session.flush()
            except IntegrityError:
                raise Conflict("A programme with this name exists.", code="name_taken") from None
            await self._set_leads(row.id, leads)
            audit.record(
                self.session, "care.programme.create", actor=actor,
                resource_type="Group", resource_id=row.id, detail={"leads": len(leads)},
            )  # fmt: skip
            return await self._view(actor, row, with_members=False)

    async def update(
        self, actor: Actor, programme_id: uuid.UUID, name: str | None,
        description: str | None, lead_ids: list[uuid.UUID] | None,
    ) -> ProgrammeView:  # fmt: skip
        async with unit_of_work(self.session):
            row = await self._programme(programme_id)
            await self._may_manage(actor, programme_id)
            if name is not None:
                cleaned = _clean(name, "name", 120)
                await self._name_free(cleaned, but=row.id)
                row.name = cleaned
            if description is not None:
                row.description = _described(description)
            if lead_ids is not None:
                if not lead_ids:
                    raise InvalidInput("A programme keeps at least one lead.", field="lead_ids")
                await self._set_leads(row.id, await self._check_leads(lead_ids))
            audit.record(
                self.session, "care.programme.update", actor=actor, resource_type="Group",
                resource_id=row.id,
                detail={"fields": [k for k, v in (("name", name), ("description", description),
                                                  ("leads", lead_ids)) if v is not None]},
            )  # fmt: skip
            return await self._view(actor, row, with_members=False)

    async def remove(self, actor: Actor, programme_id: uuid.UUID) -> None:
        async with unit_of_work(self.session):
            await self._programme(programme_id)
            await self._may_manage(actor, programme_id)
            now = clock.now()
            still = await self.session.scalar(
                select(func.count()).where(
                    ProgrammeEnrolment.programme_id == programme_id, _open(now)
                )
            )
            if still:
                raise Conflict("End every enrolment before deleting the programme.",
                               code="has_members")  # fmt: skip
            await self.session.execute(
                delete(CareProgramme).where(CareProgramme.id == programme_id)
            )
            audit.record(self.session, "care.programme.delete", actor=actor,
                         resource_type="Group", resource_id=programme_id)  # fmt: skip

    async def list(self, actor: Actor) -> list[ProgrammeView]:
        require_role(actor, Role.CLINICIAN, Role.ADMIN)
        rows = (
            await self.session.scalars(select(CareProgramme).order_by(CareProgramme.name))
        ).all()
        return [await self._view(actor, row, with_members=False) for row in rows]

    async def get(self, actor: Actor, programme_id: uuid.UUID) -> ProgrammeView:
        require_role(actor, Role.CLINICIAN, Role.ADMIN)
        async with unit_of_work(self.session):
            row = await self._programme(programme_id)
            return await self._view(actor, row, with_members=True)

    async def _view(self, actor: Actor, row: CareProgramme, *, with_members: bool) -> ProgrammeView:
        leads = await self._leads(row.id)
        names = await directory.display_names(self.session, set(leads))
        leads.sort(key=lambda lead: (names.get(lead, ""), str(lead)))
        now = clock.now()
        enrolments = (
            await self.session.scalars(
                select(ProgrammeEnrolment)
                .where(ProgrammeEnrolment.programme_id == row.id, _open(now))
                .order_by(ProgrammeEnrolment.enrolled_at)
            )
        ).all()
        is_lead = actor.role is Role.CLINICIAN and actor.account_id in leads
        members: list[Member] | None = None
        hidden = 0
        if with_members and is_lead:
            visible = []
            for e in enrolments:
                grant, _ = await decide(self.session, actor, e.patient_id, Category.RECORD, False)
                if grant is None:
                    hidden += 1
                else:
                    visible.append(e)
            patient_names = await directory.patient_names(
                self.session, [e.patient_id for e in visible]
            )
            by = await directory.display_names(
                self.session, {e.enrolled_by for e in visible if e.enrolled_by}
            )
            members = [
                Member(e.id, e.patient_id, patient_names.get(e.patient_id, ""),
                       clock.as_utc(e.enrolled_at), e.ends_at and clock.as_utc(e.ends_at),
                       by.get(e.enrolled_by) if e.enrolled_by else None)
                for e in visible
            ]  # fmt: skip
            audit.record(
                self.session, "record.list", actor=actor, purpose="treatment",
                resource_type="Group", resource_id=row.id,
                detail={"via": "programme", "shown": [str(m.patient_id) for m in members]},
            )  # fmt: skip
        return ProgrammeView(
            row.id, row.name, row.description, [(lead, names.get(lead, "")) for lead in leads],
            len(enrolments), is_lead, members, hidden,
        )  # fmt: skip

    # ---- enrolments ------------------------------------------------------------------------

    async def _cares_for(self, actor: Actor, patient_id: uuid.UUID) -> None:
        """A clinician whose care relationship the policy allows now (404: no probing)."""
        require_role(actor, Role.CLINICIAN)
        grant, _ = await decide(self.session, actor, patient_id, Category.RECORD, False)
        if grant is None or grant.basis is not Basis.CARE_RELATIONSHIP:
            raise NotFound("Not found.")

    async def enrol(
        self, actor: Actor, programme_id: uuid.UUID, patient_id: uuid.UUID,
        ends_at: datetime | None,
    ) -> Member:  # fmt: skip
        async with unit_of_work(self.session) as uow:
            programme = await self._programme(programme_id)
            await self._cares_for(actor, patient_id)
            now = clock.now()
            if ends_at is not None:
                if ends_at.tzinfo is None:
                    raise InvalidInput("ends_at needs a time zone offset.", field="ends_at")
                if ends_at <= now:
                    raise InvalidInput("ends_at must be in the future.", field="ends_at")
            await self._close_lapsed(programme_id, patient_id, now)
            already = await self.session.scalar(
                select(ProgrammeEnrolment.id).where(
                    ProgrammeEnrolment.programme_id == programme_id,
                    ProgrammeEnrolment.patient_id == patient_id, _open(now),
                )
            )  # fmt: skip
            if already is not None:
                raise Conflict("The patient is already in this programme.", code="enrolled")
            row = ProgrammeEnrolment(
                programme_id=programme_id, patient_id=patient_id, open_key=str(patient_id),
                enrolled_by=actor.account_id, enrolled_at=now, ends_at=ends_at,
            )  # fmt: skip
            self.session.add(row)
            try:
                await self.session.flush()
            except IntegrityError:
                raise Conflict(
                    "The patient is already in this programme.", code="enrolled"
                ) from None
            audit.record(
                self.session, "care.programme.enrol", actor=actor, patient_id=patient_id,
                purpose="treatment", resource_type="Group", resource_id=programme_id,
                detail={"enrolment": str(row.id), "planned_end": ends_at is not None},
            )  # fmt: skip
            await self._tell(uow, programme, patient_id, "enrolled", actor)
            names = await directory.patient_names(self.session, [patient_id])
            by = await directory.display_names(self.session, {actor.account_id})
            return Member(row.id, patient_id, names.get(patient_id, ""), now, ends_at,
                          by.get(actor.account_id))  # fmt: skip

    async def _close_lapsed(self, programme_id: uuid.UUID, patient_id: uuid.UUID, now) -> None:
        """An enrolment past its planned end is closed (frees its ``open_key``)."""
        lapsed = (
            await self.session.scalars(
                select(ProgrammeEnrolment).where(
                    ProgrammeEnrolment.programme_id == programme_id,
                    ProgrammeEnrolment.patient_id == patient_id,
                    ProgrammeEnrolment.ended_at.is_(None),
                    ProgrammeEnrolment.ends_at <= now,
                )
            )
        ).all()
        for row in lapsed:
            row.ended_at, row.open_key = row.ends_at, None
        if lapsed:
            await self.session.flush()

    async def end(self, actor: Actor, programme_id: uuid.UUID, patient_id: uuid.UUID) -> None:
        async with unit_of_work(self.session) as uow:
            programme = await self._programme(programme_id)
            if actor.role is Role.PATIENT:
                if actor.patient_id != patient_id:
                    raise NotFound("Not found.")
            else:
                await self._cares_for(actor, patient_id)
            now = clock.now()
            row = await self.session.scalar(
                select(ProgrammeEnrolment).where(
                    ProgrammeEnrolment.programme_id == programme_id,
                    ProgrammeEnrolment.patient_id == patient_id, _open(now),
                )
            )  # fmt: skip
            if row is None:
                raise NotFound("The patient is not in this programme.")
            row.ended_at, row.ended_by, row.open_key = now, actor.account_id, None
            audit.record(
                self.session, "care.programme.end", actor=actor, patient_id=patient_id,
                purpose="self" if actor.role is Role.PATIENT else "treatment",
                resource_type="Group", resource_id=programme_id,
                detail={"enrolment": str(row.id)},
            )  # fmt: skip
            await self._tell(uow, programme, patient_id, "ended", actor)

    async def _tell(self, uow, programme: CareProgramme, patient_id, change: str, actor) -> None:
        await uow.publish(
            ProgrammeEnrolmentChanged(
                programme_id=programme.id, patient_id=patient_id, change=change,
                by_id=actor.account_id,
            )
        )  # fmt: skip
        brief = await directory.patient(self.session, patient_id)
        if brief is None or brief.account_id is None or brief.account_id == actor.account_id:
            return
        what = "You were enrolled in" if change == "enrolled" else "Your enrolment ended in"
        await uow.publish(
            NotificationRequested(
                account_id=brief.account_id, kind=f"programme.{change}",
                title="Your care programmes changed",
                body=f"{what} the care programme {programme.name}.",
                link="/home", patient_id=patient_id,
            )
        )  # fmt: skip

    async def mine(self, actor: Actor) -> list[MyProgramme]:
        """A patient's own programmes, current and past (newest first)."""
        require_role(actor, Role.PATIENT)
        if actor.patient_id is None:
            return []
        rows = (
            await self.session.execute(
                select(ProgrammeEnrolment, CareProgramme)
                .join(CareProgramme, CareProgramme.id == ProgrammeEnrolment.programme_id)
                .where(ProgrammeEnrolment.patient_id == actor.patient_id)
                .order_by(ProgrammeEnrolment.enrolled_at.desc())
            )
        ).all()
        now = clock.now()
        out = []
        for e, p in rows:
            ended = e.ended_at or (
                e.ends_at if e.ends_at and clock.as_utc(e.ends_at) <= now else None
            )
            out.append(MyProgramme(p.id, p.name, p.description, clock.as_utc(e.enrolled_at),
                                   e.ends_at and clock.as_utc(e.ends_at),
                                   ended and clock.as_utc(ended)))  # fmt: skip
        return out


# ---- the groups fhir reads (kernel.groups.GroupDirectory) -----------------------------------


async def _group(session: AsyncSession, row: CareProgramme) -> CareGroup:
    leads = (
        await session.scalars(
            select(ProgrammeLead.clinician_id).where(ProgrammeLead.programme_id == row.id)
        )
    ).all()
    names = await directory.display_names(session, set(leads))
    leads = sorted(leads, key=lambda lead: (names.get(lead, ""), str(lead)))
    now = clock.now()
    enrolments = (
        await session.scalars(
            select(ProgrammeEnrolment)
            .where(ProgrammeEnrolment.programme_id == row.id)
            .order_by(ProgrammeEnrolment.enrolled_at)
        )
    ).all()
    members = []
    for e in enrolments:
        end = e.ended_at or e.ends_at
        active = e.ended_at is None and (e.ends_at is None or clock.as_utc(e.ends_at) > now)
        members.append(GroupMember(e.patient_id, clock.as_utc(e.enrolled_at),
                                   end and clock.as_utc(end), active))  # fmt: skip
    return CareGroup(
        id=f"{GROUP_PREFIX}{row.id}", name=row.name, description=row.description,
        lead_ids=tuple(leads), lead_names=tuple(names.get(lead, "") for lead in leads),
        members=tuple(members),
    )  # fmt: skip


async def all_groups(session: AsyncSession) -> list[CareGroup]:
    rows = (await session.scalars(select(CareProgramme).order_by(CareProgramme.name))).all()
    return [await _group(session, row) for row in rows]


async def group(session: AsyncSession, group_id: str) -> CareGroup | None:
    try:
        programme_id = uuid.UUID(group_id.removeprefix(GROUP_PREFIX))
    except ValueError:
        return None
    row = await session.get(CareProgramme, programme_id)
    return None if row is None else await _group(session, row)


async def erase_person(event: AccountErasureDue, session: AsyncSession) -> None:
    """An erased person's enrolments and leads go (their programmes stay; TRANSACTION)."""
    if event.patient_id is not None:
        await session.execute(
            delete(ProgrammeEnrolment).where(ProgrammeEnrolment.patient_id == event.patient_id)
        )
    await session.execute(
        delete(ProgrammeLead).where(ProgrammeLead.clinician_id == event.account_id)
    )


# Demo data (careverse/demo.py): (name, description, leads, members by their clinician).
DEMO_PROGRAMMES = (
    ("Heart failure remote monitoring",
     "Daily weight, blood pressure and heart rate at home; a nurse call when they drift.",
     ("dr.okafor", "dr.rivera"), (("dr.okafor", "lucia"), ("dr.rivera", "amara"))),
    ("Post-COVID rehabilitation",
     "Twelve weeks of breathing exercises, graded activity and fatigue check-ins.",
     ("dr.rivera",), (("dr.rivera", "jonas"),)),
)  # fmt: skip


async def seed_demo_programmes(session: AsyncSession, accounts: dict) -> None:
    """The demo's programmes and members, once (a programme that exists is left alone)."""
    service = ProgrammeService(session)
    for name, description, leads, members in DEMO_PROGRAMMES:
        if await session.scalar(select(CareProgramme.id).where(CareProgramme.name == name)):
            continue
        first = accounts[leads[0]]
        made = await service.create(
            Actor(first.id, Role.CLINICIAN), name, description,
            [accounts[lead].id for lead in leads],
        )  # fmt: skip
        for clinician, patient in members:
            actor = Actor(accounts[clinician].id, Role.CLINICIAN)
            await service.enrol(actor, made.id, accounts[patient].patient.id, None)
