"""Encounters: the SOAP note, coded problems, signing and addenda, the patient's visit summary,
the consult chat, and shared decision-making. Every read and write passes the access policy.

The note is the booked clinician's; once signed it is locked, and later changes are addenda (each
signed by its author when written). The patient reads the signed note and a summary in plain words.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import cast

from sqlalchemy import CursorResult, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from careverse.care.events import ConsultRoomClosed
from careverse.care.models import (
    Addendum,
    Appointment,
    ConsultMessage,
    DecisionChoice,
    DecisionOption,
    Encounter,
    EncounterProblem,
)
from careverse.care.service import Access, reach
from careverse.identity import directory
from careverse.kernel import audit, clock
from careverse.kernel.errors import Conflict, Forbidden, InvalidInput, NotFound
from careverse.kernel.policy import Actor, Category, Role
from careverse.kernel.uow import unit_of_work

SNOMED = "http://snomed.info/sct"
ICD10 = "http://hl7.org/fhir/sid/icd-10"
CODE_SYSTEMS = {"snomed": SNOMED, "icd-10": ICD10, SNOMED: SNOMED, ICD10: ICD10}
NOTE_FIELDS = ("subjective", "objective", "assessment", "plan", "follow_up", "patient_summary")


@dataclass
class EncounterView:
    encounter: Encounter
    appointment: Appointment
    clinician_name: str
    patient_name: str
    patient_language: str | None
    problems: list[EncounterProblem]
    addenda: list[tuple[Addendum, str]]
    options: list[DecisionOption]
    choice: DecisionChoice | None
    show_note: bool
    editable: bool
    signer_name: str | None = None
    extra: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Summary:
    encounter_id: uuid.UUID
    clinician_name: str
    date: datetime
    summary: str | None
    follow_up: str | None
    problems: list[str]
    options: list[DecisionOption]
    choice: DecisionChoice | None
    signed: bool


@dataclass(frozen=True)
class VisitContext:
    """The visit's reason and the problems recorded for its patient, for the clinician."""

    appointment: Appointment
    encounter: Encounter
    problems: list[tuple[EncounterProblem, Encounter]]


@dataclass(frozen=True)
class NoteInput:
    subjective: str | None = None
    objective: str | None = None
    assessment: str | None = None
    plan: str | None = None
    follow_up: str | None = None
    patient_summary: str | None = None


class EncounterService:
    def __init__(self, session: AsyncSession):
        self.session = session

    async def _reach(
        self, actor: Actor, encounter_id: uuid.UUID, *, write: bool = False, invitees=False
    ) -> tuple[Encounter, Access]:
        encounter = await self.session.get(Encounter, encounter_id)
        if encounter is None:
            raise NotFound("Not found.")
        access = await reach(
            self.session, actor, encounter.appointment_id, category=Category.CONSULTS,
            write=write, invitees=invitees, resource_type="Encounter",
        )  # fmt: skip
        return encounter, access

    async def _clinician(self, actor: Actor, encounter_id: uuid.UUID) -> Encounter:
        encounter, access = await self._reach(actor, encounter_id, write=True)
        if not access.as_clinician:
            raise Forbidden("Only the visit's clinician writes its note.", code="not_the_clinician")
        return encounter

    @staticmethod
    def _unsigned(encounter: Encounter) -> None:
        if encounter.signed_at is not None:
            raise Conflict("The note is signed; add an addendum instead.", code="note_signed")

    async def view(self, actor: Actor, encounter_id: uuid.UUID) -> EncounterView:
        async with unit_of_work(self.session):
            encounter, access = await self._reach(actor, encounter_id)
            return await self._view(encounter, access.appointment, access.as_clinician)

    async def _view(
        self, encounter: Encounter, appt: Appointment, clinician: bool
    ) -> EncounterView:
        problems = (
            await self.session.scalars(
                select(EncounterProblem)
                .where(EncounterProblem.encounter_id == encounter.id)
                .order_by(EncounterProblem.created_at)
            )
        ).all()
        addenda = (
            await self.session.scalars(
                select(Addendum)
                .where(Addendum.encounter_id == encounter.id)
                .order_by(Addendum.created_at)
            )
        ).all()
        options = await self._options(encounter.id)
        choice = await self.session.get(DecisionChoice, encounter.id)
        people = {encounter.clinician_id} | {a.author_id for a in addenda if a.author_id}
        if encounter.signed_by:
            people.add(encounter.signed_by)
        names = await directory.display_names(self.session, people)
        patient = await directory.patient(self.session, encounter.patient_id)
        return EncounterView(
            encounter=encounter, appointment=appt,
            clinician_name=names.get(encounter.clinician_id, ""),
            patient_name=patient.name if patient else "",
            patient_language=patient.preferred_language if patient else None,
            problems=list(problems),
            addenda=[(a, names.get(a.author_id, "") if a.author_id else "") for a in addenda],
            options=options, choice=choice,
            show_note=clinician or encounter.signed_at is not None,
            editable=clinician and encounter.signed_at is None,
            signer_name=names.get(encounter.signed_by) if encounter.signed_by else None,
        )  # fmt: skip

    async def _options(self, encounter_id: uuid.UUID) -> list[DecisionOption]:
        rows = await self.session.scalars(
            select(DecisionOption)
            .where(DecisionOption.encounter_id == encounter_id)
            .order_by(DecisionOption.position, DecisionOption.created_at)
        )
        return list(rows.all())

    async def context(self, actor: Actor, encounter_id: uuid.UUID) -> VisitContext:
        """Why the patient came, and the problems recorded for them: this visit's (draft or
        signed) and those of their earlier signed notes, newest first. Only the visit's
        clinician reads it (everyone else 404); the read is audited through the policy."""
        async with unit_of_work(self.session):
            encounter, access = await self._reach(actor, encounter_id)
            if not access.as_clinician:
                raise NotFound("Not found.")
            rows = await self.session.execute(
                select(EncounterProblem, Encounter)
                .join(Encounter, Encounter.id == EncounterProblem.encounter_id)
                .where(
                    Encounter.patient_id == encounter.patient_id,
                    (Encounter.id == encounter.id) | Encounter.signed_at.is_not(None),
                )
                .order_by(EncounterProblem.created_at.desc())
                .limit(100)
            )
            problems = [(p, e) for p, e in rows.all()]
            return VisitContext(access.appointment, encounter, problems)

    # ---- the note ---------------------------------------------------------------------------

    async def write_note(
        self, actor: Actor, encounter_id: uuid.UUID, note: NoteInput
    ) -> EncounterView:
        """Change the unsigned note (fields left out stay as they are)."""
        async with unit_of_work(self.session):
            encounter = await self._clinician(actor, encounter_id)
            self._unsigned(encounter)
            for name in NOTE_FIELDS:
                value = getattr(note, name)
                if value is not None:
                    setattr(encounter, name, value)
            audit.record(
                self.session, "encounter.note.write", actor=actor,
                patient_id=encounter.patient_id, resource_type="Encounter",
                resource_id=encounter.id,
            )  # fmt: skip
            return await self.view(actor, encounter_id)

    async def add_problem(
        self,
        actor: Actor,
        encounter_id: uuid.UUID,
        text: str,
        system: str | None,
        code: str | None,
        plain_text: str | None,
    ) -> EncounterProblem:
        async with unit_of_work(self.session):
            encounter = await self._clinician(actor, encounter_id)
            self._unsigned(encounter)
            if (system is None) != (code is None):
                raise InvalidInput("Give a code with its system, or neither.", field="code")
            uri = None
            if system is not None:
                uri = CODE_SYSTEMS.get(system)
                if uri is None:
                    raise InvalidInput("Code systems: snomed or icd-10.", field="system")
            problem = EncounterProblem(
                encounter_id=encounter.id, text=text, system=uri, code=code, plain_text=plain_text
            )
            self.session.add(problem)
            return problem

    async def remove_problem(
        self, actor: Actor, encounter_id: uuid.UUID, problem_id: uuid.UUID
    ) -> None:
        async with unit_of_work(self.session):
            encounter = await self._clinician(actor, encounter_id)
            self._unsigned(encounter)
            problem = await self.session.get(EncounterProblem, problem_id)
            if problem is None or problem.encounter_id != encounter.id:
                raise NotFound("Not found.")
            await self.session.delete(problem)

    async def sign(self, actor: Actor, encounter_id: uuid.UUID) -> EncounterView:
        """Sign and lock the note; a second signature is refused (409)."""
        async with unit_of_work(self.session):
            encounter = await self._clinician(actor, encounter_id)
            now = clock.now()
            done = await self.session.execute(
                update(Encounter)
                .where(Encounter.id == encounter.id, Encounter.signed_at.is_(None))
                .values(signed_at=now, signed_by=actor.account_id)
            )
            if (
                cast(CursorResult, done).rowcount != 1
            ):  # the unit of work rolls back (the audit of this try too)
                raise Conflict("The note is already signed.", code="note_signed")
            audit.record(
                self.session, "encounter.sign", actor=actor, patient_id=encounter.patient_id,
                resource_type="Encounter", resource_id=encounter.id,
            )  # fmt: skip
            await self.session.refresh(encounter)
            return await self.view(actor, encounter_id)

    async def add_addendum(
        self, actor: Actor, encounter_id: uuid.UUID, text: str
    ) -> tuple[Addendum, str]:
        async with unit_of_work(self.session):
            encounter = await self._clinician(actor, encounter_id)
            if encounter.signed_at is None:
                raise Conflict("Edit the note itself until it is signed.", code="note_unsigned")
            row = Addendum(
                encounter_id=encounter.id, author_id=actor.account_id, text=text,
                signed_at=clock.now(),
            )  # fmt: skip
            self.session.add(row)
            await self.session.flush()
            audit.record(
                self.session, "encounter.addendum", actor=actor,
                patient_id=encounter.patient_id, resource_type="Encounter",
                resource_id=encounter.id,
            )  # fmt: skip
            names = await directory.display_names(self.session, {actor.account_id})
            return row, names.get(actor.account_id, "")

    async def finish(self, actor: Actor, encounter_id: uuid.UUID) -> None:
        """End the visit: the encounter is finished and the appointment completed."""
        async with unit_of_work(self.session) as uow:
            encounter = await self._clinician(actor, encounter_id)
            now = clock.now()
            if encounter.status != "finished":
                space_id = await self.session.scalar(
                    select(Appointment.space_id).where(Appointment.id == encounter.appointment_id)
                )
                if space_id is not None:  # everyone in the room is told; the call ends
                    await uow.publish(
                        ConsultRoomClosed(
                            space_id=space_id, appointment_id=encounter.appointment_id
                        )
                    )
                encounter.status = "finished"
                encounter.ended_at = now
                await self.session.execute(
                    update(Appointment)
                    .where(Appointment.id == encounter.appointment_id)
                    .values(status="completed")
                )
                audit.record(
                    self.session, "encounter.finish", actor=actor,
                    patient_id=encounter.patient_id, resource_type="Encounter",
                    resource_id=encounter.id,
                )  # fmt: skip

    # ---- for the patient -------------------------------------------------------------------

    async def summary(self, actor: Actor, encounter_id: uuid.UUID) -> Summary:
        """The visit in plain words: what the clinician wrote for the patient, follow-up,
        problems (in the patient's words where given), and the shared decision."""
        async with unit_of_work(self.session):
            encounter, access = await self._reach(actor, encounter_id)
            view = await self._view(encounter, access.appointment, access.as_clinician)
            return Summary(
                encounter_id=encounter.id, clinician_name=view.clinician_name,
                date=access.appointment.start_at, summary=encounter.patient_summary,
                follow_up=encounter.follow_up,
                problems=[p.plain_text or p.text for p in view.problems], options=view.options,
                choice=view.choice, signed=encounter.signed_at is not None,
            )  # fmt: skip

    # ---- consult chat ----------------------------------------------------------------------

    async def chat(self, actor: Actor, encounter_id: uuid.UUID) -> list[tuple[ConsultMessage, str]]:
        async with unit_of_work(self.session):
            encounter, _ = await self._reach(actor, encounter_id, invitees=True)
            rows = (
                await self.session.scalars(
                    select(ConsultMessage)
                    .where(ConsultMessage.encounter_id == encounter.id)
                    .order_by(ConsultMessage.created_at)
                    .limit(1000)
                )
            ).all()
            names = await directory.display_names(
                self.session, {m.author_id for m in rows if m.author_id}
            )
            return [(m, names.get(m.author_id, "") if m.author_id else "") for m in rows]

    async def say(self, actor: Actor, encounter_id: uuid.UUID, body: str) -> ConsultMessage:
        async with unit_of_work(self.session):
            encounter, _access = await self._reach(actor, encounter_id, write=True, invitees=True)
            if encounter.status == "finished":
                raise Conflict("This visit has ended.", code="visit_ended")
            message = ConsultMessage(
                encounter_id=encounter.id, author_id=actor.account_id, body=body
            )
            self.session.add(message)
            return message

    # ---- shared decision-making ------------------------------------------------------------

    async def add_option(
        self, actor: Actor, encounter_id: uuid.UUID, name: str, benefits: str, risks: str
    ) -> DecisionOption:
        async with unit_of_work(self.session):
            encounter = await self._clinician(actor, encounter_id)
            count = len(await self._options(encounter.id))
            if count >= 6:
                raise Conflict("Present at most six options.", code="too_many_options")
            option = DecisionOption(
                encounter_id=encounter.id, position=count, name=name, benefits=benefits, risks=risks
            )
            self.session.add(option)
            audit.record(
                self.session, "encounter.decision.option", actor=actor,
                patient_id=encounter.patient_id, resource_type="Encounter",
                resource_id=encounter.id,
            )  # fmt: skip
            return option

    async def decide(
        self,
        actor: Actor,
        encounter_id: uuid.UUID,
        what_matters: str | None,
        option_id: uuid.UUID | None,
    ) -> DecisionChoice:
        """The patient (or a caregiver with consults:write) records what matters and a choice."""
        async with unit_of_work(self.session):
            encounter, _access = await self._reach(actor, encounter_id, write=True)
            if actor.role not in (Role.PATIENT, Role.CAREGIVER):
                raise Forbidden("The patient records their choice.", code="patient_only")
            if option_id is not None and option_id not in {
                o.id for o in await self._options(encounter.id)
            }:
                raise InvalidInput("Choose one of the options shown.", field="option_id")
            choice = await self.session.get(DecisionChoice, encounter.id)
            if choice is None:
                choice = DecisionChoice(encounter_id=encounter.id, recorded_at=clock.now())
                self.session.add(choice)
            choice.what_matters = what_matters
            choice.option_id = option_id
            choice.recorded_by = actor.account_id
            choice.recorded_at = clock.now()
            audit.record(
                self.session, "encounter.decision.choice", actor=actor,
                patient_id=encounter.patient_id, resource_type="Encounter",
                resource_id=encounter.id,
            )  # fmt: skip
            return choice
