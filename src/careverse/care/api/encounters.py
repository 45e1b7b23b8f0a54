"""Care API: the encounter, its SOAP note, problems, signing and addenda, the patient's
summary, the consult chat and shared decision-making."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, overload

from fastapi import APIRouter, Response, status

from careverse.care.api.common import Care
from careverse.care.encounters import EncounterView, NoteInput
from careverse.care.schemas import (
    AddendumIn,
    AddendumOut,
    ChatIn,
    ChatOut,
    ChoiceIn,
    ChoiceOut,
    EncounterOut,
    NoteIn,
    OptionIn,
    OptionOut,
    ProblemIn,
    ProblemOut,
    RecordedProblemOut,
    SummaryOut,
    VisitContextOut,
)
from careverse.identity.api import ERRORS
from careverse.identity.deps import CurrentActor

if TYPE_CHECKING:
    from careverse.care.models import DecisionChoice

router = APIRouter(prefix="/api", tags=["care"])


def option_out(o) -> OptionOut:
    return OptionOut(id=o.id, name=o.name, benefits=o.benefits, risks=o.risks)


@overload
def choice_out(c: DecisionChoice) -> ChoiceOut: ...
@overload
def choice_out(c: DecisionChoice | None) -> ChoiceOut | None: ...
def choice_out(c: DecisionChoice | None) -> ChoiceOut | None:
    """The patient's recorded choice (None when there is none yet)."""
    if c is None:
        return None
    return ChoiceOut(what_matters=c.what_matters, option_id=c.option_id, recorded_at=c.recorded_at)


def problem_out(p) -> ProblemOut:
    return ProblemOut(id=p.id, text=p.text, plain_text=p.plain_text, system=p.system, code=p.code)


def encounter_out(v: EncounterView) -> EncounterOut:
    e, note = v.encounter, v.show_note
    return EncounterOut(
        id=e.id, appointment_id=e.appointment_id, patient_id=e.patient_id,
        patient_name=v.patient_name, patient_language=v.patient_language,
        clinician_id=e.clinician_id, clinician_name=v.clinician_name, status=e.status,
        started_at=e.started_at, ended_at=e.ended_at,
        space_id=v.appointment.space_id if v.appointment.status == "in_progress" else None,
        subjective=e.subjective if note else None, objective=e.objective if note else None,
        assessment=e.assessment if note else None, plan=e.plan if note else None,
        follow_up=e.follow_up if note else None,
        patient_summary=e.patient_summary if note else None,
        problems=[problem_out(p) for p in v.problems] if note else [],
        signed_at=e.signed_at, signed_by_name=v.signer_name,
        addenda=[
            AddendumOut(id=a.id, text=a.text, author_id=a.author_id, author_name=name,
                        signed_at=a.signed_at)
            for a, name in v.addenda
        ] if note else [],
        options=[option_out(o) for o in v.options], choice=choice_out(v.choice),
        editable=v.editable, reason=v.appointment.reason, visit_type=v.appointment.visit_type,
    )  # fmt: skip


@router.get("/care/encounters/{encounter_id}", response_model=EncounterOut, responses=ERRORS)
async def get_encounter(encounter_id: uuid.UUID, actor: CurrentActor, care: Care) -> EncounterOut:
    """The encounter; the note shows to the patient once signed."""
    return encounter_out(await care.encounters.view(actor, encounter_id))


@router.get(
    "/care/encounters/{encounter_id}/context", response_model=VisitContextOut, responses=ERRORS
)
async def visit_context(
    encounter_id: uuid.UUID, actor: CurrentActor, care: Care
) -> VisitContextOut:
    """For the visit's clinician (others 404): the reason for the visit and the problems
    recorded for this patient (this visit's and those of earlier signed notes)."""
    c = await care.encounters.context(actor, encounter_id)
    return VisitContextOut(
        encounter_id=c.encounter.id, appointment_id=c.appointment.id,
        patient_id=c.appointment.patient_id, reason=c.appointment.reason,
        visit_type=c.appointment.visit_type, start=c.appointment.start_at,
        problems=[
            RecordedProblemOut(
                **problem_out(p).model_dump(), encounter_id=e.id, recorded_at=p.created_at,
                this_visit=e.id == c.encounter.id,
            )
            for p, e in c.problems
        ],
    )  # fmt: skip


@router.put("/care/encounters/{encounter_id}/note", response_model=EncounterOut, responses=ERRORS)
async def write_note(
    encounter_id: uuid.UUID, body: NoteIn, actor: CurrentActor, care: Care
) -> EncounterOut:
    """Change the unsigned SOAP note (409 ``note_signed`` once signed)."""
    note = NoteInput(**body.model_dump(exclude_unset=True))
    return encounter_out(await care.encounters.write_note(actor, encounter_id, note))


@router.post(
    "/care/encounters/{encounter_id}/problems",
    status_code=status.HTTP_201_CREATED,
    response_model=ProblemOut,
    responses=ERRORS,
)
async def add_problem(
    encounter_id: uuid.UUID, body: ProblemIn, actor: CurrentActor, care: Care
) -> ProblemOut:
    """A problem in free text, optionally coded (SNOMED CT or ICD-10)."""
    p = await care.encounters.add_problem(
        actor, encounter_id, body.text, body.system, body.code, body.plain_text
    )
    return problem_out(p)


@router.delete(
    "/care/encounters/{encounter_id}/problems/{problem_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=ERRORS,
)
async def remove_problem(
    encounter_id: uuid.UUID, problem_id: uuid.UUID, actor: CurrentActor, care: Care
) -> Response:
    await care.encounters.remove_problem(actor, encounter_id, problem_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/care/encounters/{encounter_id}/sign", response_model=EncounterOut, responses=ERRORS)
async def sign(encounter_id: uuid.UUID, actor: CurrentActor, care: Care) -> EncounterOut:
    """Sign and lock the note."""
    return encounter_out(await care.encounters.sign(actor, encounter_id))


@router.post(
    "/care/encounters/{encounter_id}/addenda",
    status_code=status.HTTP_201_CREATED,
    response_model=AddendumOut,
    responses=ERRORS,
)
async def add_addendum(
    encounter_id: uuid.UUID, body: AddendumIn, actor: CurrentActor, care: Care
) -> AddendumOut:
    """A signed addendum to a signed note."""
    a, name = await care.encounters.add_addendum(actor, encounter_id, body.text)
    return AddendumOut(
        id=a.id, text=a.text, author_id=a.author_id, author_name=name,
        signed_at=a.signed_at,
    )  # fmt: skip


@router.post(
    "/care/encounters/{encounter_id}/finish",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=ERRORS,
)
async def finish(encounter_id: uuid.UUID, actor: CurrentActor, care: Care) -> Response:
    """End the visit."""
    await care.encounters.finish(actor, encounter_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/care/encounters/{encounter_id}/summary", response_model=SummaryOut, responses=ERRORS)
async def summary(encounter_id: uuid.UUID, actor: CurrentActor, care: Care) -> SummaryOut:
    """The patient's visit summary in plain words."""
    s = await care.encounters.summary(actor, encounter_id)
    return SummaryOut(
        encounter_id=s.encounter_id, clinician_name=s.clinician_name, date=s.date,
        summary=s.summary, follow_up=s.follow_up, problems=s.problems,
        options=[option_out(o) for o in s.options], choice=choice_out(s.choice), signed=s.signed,
    )  # fmt: skip


@router.get("/care/encounters/{encounter_id}/chat", response_model=list[ChatOut], responses=ERRORS)
async def read_chat(encounter_id: uuid.UUID, actor: CurrentActor, care: Care) -> list[ChatOut]:
    """The consult's chat, kept with the encounter."""
    return [
        ChatOut(id=m.id, author_id=m.author_id, author_name=name, body=m.body, at=m.created_at)
        for m, name in await care.encounters.chat(actor, encounter_id)
    ]


@router.post(
    "/care/encounters/{encounter_id}/chat",
    status_code=status.HTTP_201_CREATED,
    response_model=ChatOut,
    responses=ERRORS,
)
async def post_chat(
    encounter_id: uuid.UUID, body: ChatIn, actor: CurrentActor, care: Care
) -> ChatOut:
    """Append a chat message to the consult (the client also sends it through the room)."""
    m = await care.encounters.say(actor, encounter_id, body.body)
    return ChatOut(id=m.id, author_id=m.author_id, author_name="", body=m.body, at=m.created_at)


@router.post(
    "/care/encounters/{encounter_id}/options",
    status_code=status.HTTP_201_CREATED,
    response_model=OptionOut,
    responses=ERRORS,
)
async def add_option(
    encounter_id: uuid.UUID, body: OptionIn, actor: CurrentActor, care: Care
) -> OptionOut:
    """The clinician presents an option (name, benefits, risks) for a shared decision."""
    o = await care.encounters.add_option(actor, encounter_id, body.name, body.benefits, body.risks)
    return option_out(o)


@router.put("/care/encounters/{encounter_id}/decision", response_model=ChoiceOut, responses=ERRORS)
async def record_decision(
    encounter_id: uuid.UUID, body: ChoiceIn, actor: CurrentActor, care: Care
) -> ChoiceOut:
    """The patient records what matters to them and their choice."""
    c = await care.encounters.decide(actor, encounter_id, body.what_matters, body.option_id)
    return choice_out(c)
