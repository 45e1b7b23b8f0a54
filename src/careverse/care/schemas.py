"""HTTP shapes of the care API. Times go out as UTC ISO plus the viewer's local rendering."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    model_validator,
)

VisitTypeKey = Literal["new", "follow-up", "group"]
HHMM = Annotated[str, StringConstraints(pattern=r"^([01]\d|2[0-3]):[0-5]\d$|^24:00$")]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=4000)]
ShortText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]
Note = Annotated[str, StringConstraints(strip_whitespace=True, max_length=8000)]
ZoneName = Annotated[str, StringConstraints(min_length=1, max_length=64)]
Language = Annotated[str, StringConstraints(pattern=r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$")]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class When(BaseModel):
    """One instant: UTC, and as the viewer's wall clock."""

    utc: datetime
    local: str
    label: str


class SlotOut(BaseModel):
    start: datetime
    end: datetime
    start_local: str
    label: str
    visit_type: str


class SlotsOut(BaseModel):
    clinician_id: uuid.UUID
    visit_type: str
    time_zone: str
    slots: list[SlotOut]


class ClinicianOut(BaseModel):
    id: uuid.UUID
    name: str
    languages: list[str]
    specialties: list[str]
    time_zone: str
    next_free_slot: SlotOut | None


class HoursIn(_Strict):
    weekday: Annotated[int, Field(ge=0, le=6)]
    start: HHMM
    end: HHMM


class AvailabilityIn(_Strict):
    time_zone: ZoneName
    buffer_minutes: Annotated[int, Field(ge=0, le=60)] = 5
    languages: Annotated[list[Language], Field(max_length=20)] = []
    specialties: Annotated[
        list[Annotated[str, StringConstraints(max_length=60)]], Field(max_length=10)
    ] = []
    weekly: Annotated[list[HoursIn], Field(max_length=50)] = []


class OverrideIn(_Strict):
    day: date
    kind: Literal["extra", "off"]
    start: HHMM | None = None
    end: HHMM | None = None


class OverrideOut(BaseModel):
    id: uuid.UUID
    day: str
    kind: str
    start: str | None
    end: str | None


class AvailabilityOut(BaseModel):
    time_zone: str
    buffer_minutes: int
    languages: list[str]
    specialties: list[str]
    weekly: list[HoursIn]
    overrides: list[OverrideOut]
    visit_types: dict[str, int]


class StatusIn(_Strict):
    status: Literal["online", "away", "offline"] = "online"
    running_late_minutes: Annotated[int, Field(ge=0, le=240)] = 0


class PreferencesIn(_Strict):
    time_zone: ZoneName


class PreferencesOut(BaseModel):
    time_zone: str | None


class AppointmentIn(_Strict):
    clinician_id: uuid.UUID
    start: AwareDatetime
    visit_type: VisitTypeKey = "follow-up"
    reason: Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)] | None = None
    patient_id: uuid.UUID | None = None
    # Minutes before the visit to remind (0: no reminder); absent: the clinic's default.
    reminder_minutes: Literal[0, 60, 1440] | None = None
    # Invite a free interpreter of the patient's language (409 no_interpreter when none is).
    interpreter: bool = False


class CancelIn(_Strict):
    note: Annotated[str, StringConstraints(strip_whitespace=True, max_length=1000)] | None = None


class RescheduleIn(_Strict):
    start: AwareDatetime
    visit_type: VisitTypeKey | None = None
    note: Annotated[str, StringConstraints(strip_whitespace=True, max_length=1000)] | None = None


class InviteeOut(BaseModel):
    account_id: uuid.UUID
    name: str
    role: str


class AppointmentOut(BaseModel):
    id: uuid.UUID
    clinician_id: uuid.UUID
    clinician_name: str
    patient_id: uuid.UUID
    patient_name: str
    patient_language: str | None
    visit_type: str
    start: When
    end: When
    time_zone: str
    status: str
    reason: str | None
    checked_in_at: datetime | None
    check_in_opens: datetime
    reminder_minutes: int | None = None
    space_id: uuid.UUID | None
    invitees: list[InviteeOut]


class DeviceCheckIn(_Strict):
    camera: Literal["ok", "failed", "skipped"]
    microphone: Literal["ok", "failed", "skipped"]
    speaker: Literal["ok", "failed", "skipped"]
    connection: Literal["ok", "poor", "failed"]


class CheckInIn(_Strict):
    device_check: DeviceCheckIn


class WaitStateOut(BaseModel):
    appointment_id: uuid.UUID
    status: str
    start: datetime
    clinician_name: str
    clinician_status: Literal["online", "in_another_visit", "away", "offline"]
    late_minutes: int
    queue_position: int | None
    queue_length: int
    waiting_space_id: uuid.UUID | None
    space_id: uuid.UUID | None
    encounter_id: uuid.UUID | None
    poll_seconds: int = 5


class QueueEntryOut(BaseModel):
    appointment_id: uuid.UUID
    patient_id: uuid.UUID
    patient_name: str
    patient_language: str | None
    visit_type: str
    start: When
    status: str
    reason: str | None
    waiting_minutes: int | None
    device_check: dict | None
    space_id: uuid.UUID | None
    encounter_id: uuid.UUID | None


class AdmitOut(BaseModel):
    space_id: uuid.UUID
    encounter_id: uuid.UUID


class InviteIn(_Strict):
    """Whom to invite: their account id, or the e-mail address they sign in with."""

    account_id: uuid.UUID | None = None
    email: Annotated[str, StringConstraints(strip_whitespace=True, max_length=320)] | None = None
    role: Literal["caregiver", "interpreter", "clinician"]

    @model_validator(mode="after")
    def _one_of(self) -> InviteIn:
        if (self.account_id is None) == (not self.email):
            raise ValueError("Give an account_id or an email, not both.")
        return self


class RoomOut(BaseModel):
    """The visit a consult room belongs to, for someone in the room."""

    encounter_id: uuid.UUID | None
    appointment_id: uuid.UUID
    patient_id: uuid.UUID
    patient_name: str
    preferred_language: str | None
    role_in_room: Literal["clinician", "patient", "caregiver", "interpreter", "guest-clinician"]
    status: str


class NoteIn(_Strict):
    subjective: Note | None = None
    objective: Note | None = None
    assessment: Note | None = None
    plan: Note | None = None
    follow_up: Note | None = None
    patient_summary: Note | None = None


class ProblemIn(_Strict):
    text: ShortText
    system: (
        Literal["snomed", "icd-10", "http://snomed.info/sct", "http://hl7.org/fhir/sid/icd-10"]
        | None
    ) = None
    code: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9.\-]{1,20}$")] | None = None
    plain_text: ShortText | None = None


class ProblemOut(BaseModel):
    id: uuid.UUID
    text: str
    plain_text: str | None
    system: str | None
    code: str | None


class AddendumIn(_Strict):
    text: Text


class AddendumOut(BaseModel):
    id: uuid.UUID
    text: str
    author_id: uuid.UUID | None
    author_name: str
    signed_at: datetime


class OptionIn(_Strict):
    name: ShortText
    benefits: Text
    risks: Text


class OptionOut(BaseModel):
    id: uuid.UUID
    name: str
    benefits: str
    risks: str


class ChoiceIn(_Strict):
    what_matters: Note | None = None
    option_id: uuid.UUID | None = None


class ChoiceOut(BaseModel):
    what_matters: str | None
    option_id: uuid.UUID | None
    recorded_at: datetime


class EncounterOut(BaseModel):
    id: uuid.UUID
    appointment_id: uuid.UUID
    patient_id: uuid.UUID
    patient_name: str
    patient_language: str | None
    clinician_id: uuid.UUID
    clinician_name: str
    status: str
    started_at: datetime
    ended_at: datetime | None
    space_id: uuid.UUID | None
    subjective: str | None
    objective: str | None
    assessment: str | None
    plan: str | None
    follow_up: str | None
    patient_summary: str | None
    problems: list[ProblemOut]
    signed_at: datetime | None
    signed_by_name: str | None
    addenda: list[AddendumOut]
    options: list[OptionOut]
    choice: ChoiceOut | None
    editable: bool
    reason: str | None = None
    visit_type: str | None = None


class RecordedProblemOut(ProblemOut):
    encounter_id: uuid.UUID
    recorded_at: datetime
    this_visit: bool


class VisitContextOut(BaseModel):
    """What the clinician's side panel shows beside the call: why the patient came and the
    problems already recorded for them (this visit's and those of earlier signed notes)."""

    encounter_id: uuid.UUID
    appointment_id: uuid.UUID
    patient_id: uuid.UUID
    reason: str | None
    visit_type: str
    start: datetime
    problems: list[RecordedProblemOut]


class SummaryOut(BaseModel):
    encounter_id: uuid.UUID
    clinician_name: str
    date: datetime
    summary: str | None
    follow_up: str | None
    problems: list[str]
    options: list[OptionOut]
    choice: ChoiceOut | None
    signed: bool


class ChatIn(_Strict):
    body: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]


class ChatOut(BaseModel):
    id: uuid.UUID
    author_id: uuid.UUID | None
    author_name: str
    body: str
    at: datetime
