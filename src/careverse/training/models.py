"""Training's tables: each simulation-lab run (scenario, instructor, event log, timeline, score,
debrief notes) and its trainees with their own score.

A run is education data about the people in it, not anyone's health record: the virtual patient
is fictional. It is shown only to the run's trainees and its instructor (kernel/policy.py).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from careverse.kernel.db import Base, CreatedMixin, IdMixin, UTCDateTime


class LabRun(IdMixin, Base):
    """One run of a scenario in a training lab, stored when it ends."""

    __tablename__ = "training_lab_runs"

    space_id: Mapped[uuid.UUID] = mapped_column(index=True)
    scenario: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(200))
    instructor_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="SET NULL"), index=True
    )
    instructor_name: Mapped[str] = mapped_column(String(120), default="")
    seed: Mapped[int] = mapped_column(Integer, default=0)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime] = mapped_column(UTCDateTime)
    outcome: Mapped[str] = mapped_column(String(16))  # stabilised|deteriorated|unresolved
    score: Mapped[dict[str, Any]] = mapped_column(JSON)  # the team's (scoring.Score.as_dict)
    log: Mapped[list[dict[str, Any]]] = mapped_column(JSON)  # the event log
    timeline: Mapped[list[dict[str, Any]]] = mapped_column(JSON)  # vitals every 5 s
    notes: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)  # PEARLS phase -> text


class LabTrainee(IdMixin, Base):
    """A trainee in a run, and the score of their own actions."""

    __tablename__ = "training_lab_trainees"

    run_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("training_lab_runs.id", ondelete="CASCADE"), index=True
    )
    account_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(120), default="")
    score: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class ScenarioDraft(IdMixin, CreatedMixin, Base):
    """An educator's scenario in the making (authoring screen): the scenario as validated JSON
    and its model answer (an actions list), theirs only; it can be started in the lab."""

    __tablename__ = "training_scenario_drafts"

    owner_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(String(200))
    scenario: Mapped[dict[str, Any]] = mapped_column(JSON)
    actions: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
