"""HTTP shapes of the spaces API."""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

TemplateKey = Literal[
    "clinic-lobby", "consult-room", "support-circle", "therapy-garden", "training-lab",
    "rehab-gym", "gallery", "auditorium",
    "therapy-room", "mindfulness",
]  # fmt: skip


class SpaceIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=120)]
    template: TemplateKey
    access: Literal["members", "invite", "listed"] = "members"
    capacity: Annotated[int, Field(ge=1, le=1000)] | None = None
    listed: bool = True


class SpaceOut(BaseModel):
    id: uuid.UUID
    name: str
    template: str
    access: str
    capacity: int
    owner_id: uuid.UUID
    present: int = 0
    facilitator: bool = False


class MemberIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    account_id: uuid.UUID
    role: Literal["participant", "facilitator"] = "participant"


class TherapyRoomIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    patient_id: uuid.UUID
