"""Care tables: availability, appointments and their time blocks, encounters, notes.

Free slots are computed from availability and appointment blocks, never stored. Double booking is
prevented by ``appointment_blocks``: every appointment claims one row per 5-minute block of its
time (buffer included), and the primary key (clinician, block start) lets only one claim win.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from careverse.kernel.crypto import Encrypted
from careverse.kernel.db import Base, CreatedMixin, IdMixin, UTCDateTime


class ClinicianProfile(CreatedMixin, Base):
    """A clinician's booking profile: time zone, buffer, languages, and the status they set."""

    __tablename__ = "care_clinician_profiles"

    clinician_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True
    )
    time_zone: Mapped[str] = mapped_column(String(64), default="UTC")
    buffer_minutes: Mapped[int] = mapped_column(Integer, default=5)
    languages: Mapped[str] = mapped_column(String(200), default="")  # space-separated BCP 47
    specialties: Mapped[str] = mapped_column(String(400), default="")  # '|'-separated
    status: Mapped[str | None] = mapped_column(String(16))  # away|offline set by hand, or None
    running_late_minutes: Mapped[int] = mapped_column(Integer, default=0)
    last_seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class WeeklyHours(IdMixin, Base):
    """One window of a clinician's usual week, in their local time."""

    __tablename__ = "care_weekly_hours"

    clinician_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )
    weekday: Mapped[int] = mapped_column(Integer)  # 0 = Monday
    start_time: Mapped[str] = mapped_column(String(5))  # "HH:MM", local
    end_time: Mapped[str] = mapped_column(String(5))


class AvailabilityOverride(IdMixin, CreatedMixin, Base):
    """A one-off change on a local date: extra hours, or time off (the whole day if no times)."""

    __tablename__ = "care_availability_overrides"

    clinician_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )
    day: Mapped[str] = mapped_column(String(10), index=True)  # ISO local date
    kind: Mapped[str] = mapped_column(String(8))  # extra|off
    start_time: Mapped[str | None] = mapped_column(String(5))
    end_time: Mapped[str | None] = mapped_column(String(5))


class Appointment(IdMixin, CreatedMixin, Base):
    __tablename__ = "appointments"

    clinician_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )
    patient_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("patients.id", ondelete="CASCADE"), index=True
    )
    booked_by: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="SET NULL")
    )
    visit_type: Mapped[str] = mapped_column(String(16))
    start_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    end_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # booked|checked_in|in_progress|completed|cancelled
    status: Mapped[str] = mapped_column(String(16), default="booked", index=True)
    reason: Mapped[str | None] = mapped_column(Encrypted)
    sequence: Mapped[int] = mapped_column(Integer, default=0)  # iCalendar SEQUENCE
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled_by: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="SET NULL")
    )
    change_note: Mapped[str | None] = mapped_column(Encrypted)
    checked_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    device_check: Mapped[str | None] = mapped_column(String(200))  # small JSON, no health data
    admitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    space_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("spaces.id", ondelete="SET NULL"))
    reminder_claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reminder_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The patient's reminder choice: minutes before (0: none); None: the clinic's default lead.
    reminder_minutes: Mapped[int | None] = mapped_column(Integer)


class AppointmentBlock(Base):
    """A 5-minute block of a clinician's time held by one appointment (prevents double booking)."""

    __tablename__ = "appointment_blocks"

    clinician_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True
    )
    block_start: Mapped[datetime] = mapped_column(UTCDateTime, primary_key=True)
    appointment_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("appointments.id", ondelete="CASCADE"), index=True
    )


class Invitee(IdMixin, CreatedMixin, Base):
    """Someone invited into an appointment's consult room: caregiver, interpreter, clinician."""

    __tablename__ = "care_invitees"

    appointment_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("appointments.id", ondelete="CASCADE"), index=True
    )
    account_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[str] = mapped_column(String(16))
    invited_by: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="SET NULL")
    )


class WaitingRoom(Base):
    """The clinic's shared, calm waiting space (one row, made by whoever needs it first)."""

    __tablename__ = "care_waiting_rooms"

    key: Mapped[str] = mapped_column(String(32), primary_key=True)
    space_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("spaces.id", ondelete="CASCADE"))


class Encounter(IdMixin, CreatedMixin, Base):
    """The visit itself, with its SOAP note (encrypted); signing locks the note."""

    __tablename__ = "encounters"

    appointment_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("appointments.id", ondelete="CASCADE"), unique=True
    )
    clinician_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )
    patient_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("patients.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[str] = mapped_column(String(16), default="in-progress")  # in-progress|finished
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    subjective: Mapped[str | None] = mapped_column(Encrypted)
    objective: Mapped[str | None] = mapped_column(Encrypted)
    assessment: Mapped[str | None] = mapped_column(Encrypted)
    plan: Mapped[str | None] = mapped_column(Encrypted)
    follow_up: Mapped[str | None] = mapped_column(Encrypted)
    patient_summary: Mapped[str | None] = mapped_column(Encrypted)  # written for the patient
    signed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    signed_by: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="SET NULL")
    )


class EncounterProblem(IdMixin, CreatedMixin, Base):
    """A coded problem: free text, optionally a SNOMED CT or ICD-10 code (all encrypted)."""

    __tablename__ = "encounter_problems"

    encounter_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("encounters.id", ondelete="CASCADE"), index=True
    )
    text: Mapped[str] = mapped_column(Encrypted)
    plain_text: Mapped[str | None] = mapped_column(Encrypted)  # in the patient's words
    system: Mapped[str | None] = mapped_column(String(100))
    code: Mapped[str | None] = mapped_column(Encrypted)


class Addendum(IdMixin, CreatedMixin, Base):
    """A later change to a signed note: signed by its author when written."""

    __tablename__ = "encounter_addenda"

    encounter_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("encounters.id", ondelete="CASCADE"), index=True
    )
    author_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="SET NULL")
    )
    text: Mapped[str] = mapped_column(Encrypted)
    signed_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ConsultMessage(IdMixin, CreatedMixin, Base):
    """A chat message of the consult, kept with the encounter (encrypted)."""

    __tablename__ = "consult_messages"

    encounter_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("encounters.id", ondelete="CASCADE"), index=True
    )
    author_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="SET NULL")
    )
    body: Mapped[str] = mapped_column(Encrypted)


class DecisionOption(IdMixin, CreatedMixin, Base):
    """One option of a shared decision, presented by the clinician (plain text, encrypted)."""

    __tablename__ = "decision_options"

    encounter_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("encounters.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer, default=0)
    name: Mapped[str] = mapped_column(Encrypted)
    benefits: Mapped[str] = mapped_column(Encrypted)
    risks: Mapped[str] = mapped_column(Encrypted)


class DecisionChoice(CreatedMixin, Base):
    """What matters to the patient, and the option they chose (one per encounter)."""

    __tablename__ = "decision_choices"

    encounter_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("encounters.id", ondelete="CASCADE"), primary_key=True
    )
    what_matters: Mapped[str | None] = mapped_column(Encrypted)
    option_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("decision_options.id", ondelete="SET NULL")
    )
    recorded_by: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="SET NULL")
    )
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)


class CarePreferences(Base):
    """A person's care preferences: the time zone their times are shown in."""

    __tablename__ = "care_preferences"

    account_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True
    )
    time_zone: Mapped[str] = mapped_column(String(64))


# ---- the patient's health record (care/health_record.py): the lists the care team keeps ------


class Condition(IdMixin, CreatedMixin, Base):
    """A problem on the patient's list. A problem coded in a signed visit note joins the list
    (``problem_id``); the care team adds others by hand and marks them resolved."""

    __tablename__ = "care_conditions"

    patient_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("patients.id", ondelete="CASCADE"), index=True
    )
    text: Mapped[str] = mapped_column(Encrypted)
    plain_text: Mapped[str | None] = mapped_column(Encrypted)  # in the patient's words
    system: Mapped[str | None] = mapped_column(String(100))
    code: Mapped[str | None] = mapped_column(Encrypted)
    clinical_status: Mapped[str] = mapped_column(String(16), default="active")  # active|resolved
    onset: Mapped[str | None] = mapped_column(String(10))  # ISO date
    resolved_on: Mapped[str | None] = mapped_column(String(10))  # ISO date
    encounter_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("encounters.id", ondelete="SET NULL")
    )
    problem_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("encounter_problems.id", ondelete="SET NULL"), unique=True
    )
    recorded_by: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="SET NULL")
    )
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class MedicationStatement(IdMixin, CreatedMixin, Base):
    """A medicine the patient takes (or took): name, dose and how to take it, all encrypted."""

    __tablename__ = "care_medications"

    patient_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("patients.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(Encrypted)
    dose: Mapped[str | None] = mapped_column(Encrypted)  # "500 mg"
    how_taken: Mapped[str | None] = mapped_column(Encrypted)  # "twice a day with food"
    reason: Mapped[str | None] = mapped_column(Encrypted)  # what it is for, in plain words
    status: Mapped[str] = mapped_column(String(16), default="active")  # active|stopped|completed
    started: Mapped[str | None] = mapped_column(String(10))  # ISO date
    recorded_by: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="SET NULL")
    )
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Allergy(IdMixin, CreatedMixin, Base):
    """An allergy or intolerance: the substance, the reaction it causes and how serious it is."""

    __tablename__ = "care_allergies"

    patient_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("patients.id", ondelete="CASCADE"), index=True
    )
    substance: Mapped[str] = mapped_column(Encrypted)
    reaction: Mapped[str | None] = mapped_column(Encrypted)
    kind: Mapped[str] = mapped_column(String(16), default="allergy")  # allergy|intolerance
    category: Mapped[str | None] = mapped_column(String(16))  # food|medication|environment|…
    criticality: Mapped[str | None] = mapped_column(String(20))  # low|high|unable-to-assess
    clinical_status: Mapped[str] = mapped_column(String(16), default="active")
    recorded_by: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="SET NULL")
    )
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class CarePlan(IdMixin, CreatedMixin, Base):
    """A plan the care team sets with the patient; its goals are :class:`CarePlanGoal` rows."""

    __tablename__ = "care_plans"

    patient_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("patients.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(Encrypted)
    description: Mapped[str | None] = mapped_column(Encrypted)
    status: Mapped[str] = mapped_column(String(16), default="active")  # active|completed|revoked
    recorded_by: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="SET NULL")
    )
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class CarePlanGoal(IdMixin, CreatedMixin, Base):
    """One goal of a care plan: what to reach, the target, and how it is going."""

    __tablename__ = "care_plan_goals"

    care_plan_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("care_plans.id", ondelete="CASCADE"), index=True
    )
    patient_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("patients.id", ondelete="CASCADE"), index=True
    )
    description: Mapped[str] = mapped_column(Encrypted)
    target: Mapped[str | None] = mapped_column(Encrypted)  # "below 140/90", "10 kg lighter"
    due: Mapped[str | None] = mapped_column(String(10))  # ISO date
    status: Mapped[str] = mapped_column(String(16), default="active")  # active|achieved|cancelled
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
