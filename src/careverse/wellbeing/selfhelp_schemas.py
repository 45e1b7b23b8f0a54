"""Self-help HTTP schemas: modules, thought records, the activity planner, the summary."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field

from careverse.wellbeing.schemas import CrisisPathOut

Intensity = Annotated[int, Field(ge=0, le=100, strict=True)]
Rating = Annotated[int, Field(ge=0, le=10, strict=True)]
Category = Literal["routine", "pleasure", "necessary", "values"]


def _not_blank(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be blank")
    return value


Text = Annotated[str, Field(min_length=1, max_length=2000), AfterValidator(_not_blank)]
Short = Annotated[str, Field(min_length=1, max_length=60), AfterValidator(_not_blank)]


class SectionOut(BaseModel):
    id: str
    title: str
    body: list[str]


class ModuleProgressOut(BaseModel):
    module: str
    title: str
    summary: str
    minutes: int
    sections: int
    sections_read: list[str]
    completed: bool
    recommended: bool


class ModuleOut(ModuleProgressOut):
    content: list[SectionOut]
    sources: list[str]


class ModulesOut(BaseModel):
    modules: list[ModuleProgressOut]
    thinking_traps: list[str]


class CatalogueEntryOut(BaseModel):
    module: str
    title: str
    summary: str


class CatalogueOut(BaseModel):
    modules: list[CatalogueEntryOut]
    thinking_traps: list[str]


class SectionReadIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    section: Annotated[str, Field(min_length=1, max_length=40)]


class RecommendIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    module: Annotated[str, Field(min_length=1, max_length=40)]


class EmotionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: Short
    intensity: Intensity


class ThoughtRecordIn(BaseModel):
    """The seven columns: situation; emotions 0-100; automatic thoughts with the hot one (its
    position); evidence for; evidence against; a balanced thought; the emotions re-rated."""

    model_config = ConfigDict(extra="forbid")

    situation: Text
    emotions: Annotated[list[EmotionIn], Field(min_length=1, max_length=10)]
    automatic_thoughts: Annotated[list[Text], Field(min_length=1, max_length=10)]
    hot_thought: Annotated[int, Field(ge=0, le=9, strict=True)] = 0
    evidence_for: Text
    evidence_against: Text
    balanced_thought: Text
    rerated: Annotated[list[EmotionIn], Field(min_length=1, max_length=10)]
    traps: Annotated[list[str], Field(max_length=10)] = []
    shared: bool = False


class EmotionChangeOut(BaseModel):
    name: str
    before: int
    after: int | None
    change: int | None


class ThoughtRecordOut(BaseModel):
    id: uuid.UUID
    written_at: datetime
    shared: bool
    situation: str
    emotions: list[EmotionIn]
    automatic_thoughts: list[str]
    hot_thought: int
    evidence_for: str
    evidence_against: str
    balanced_thought: str
    rerated: list[EmotionIn]
    traps: list[str]
    change: list[EmotionChangeOut]
    crisis: CrisisPathOut | None = None


class ThoughtRecordsOut(BaseModel):
    records: list[ThoughtRecordOut]


class ShareIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    shared: bool


class ActivityIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    title: Annotated[str, Field(min_length=1, max_length=120), AfterValidator(_not_blank)]
    category: Category
    planned_for: AwareDatetime
    note: Annotated[str | None, Field(max_length=1000)] = None


class ActivityUpdateIn(BaseModel):
    """Done or not, with mood 0-10 before and after, pleasure and mastery 0-10, a note."""

    model_config = ConfigDict(extra="forbid")
    done: bool
    mood_before: Rating | None = None
    mood_after: Rating | None = None
    pleasure: Rating | None = None
    mastery: Rating | None = None
    note: Annotated[str | None, Field(max_length=1000)] = None


class ActivityOut(BaseModel):
    id: uuid.UUID
    title: str
    category: Category
    planned_for: datetime
    note: str | None
    done: bool
    mood_before: int | None
    mood_after: int | None
    pleasure: int | None
    mastery: int | None
    crisis: CrisisPathOut | None = None


class CategorySummaryOut(BaseModel):
    category: Category
    planned: int
    done: int
    mood_change_mean: float | None
    pleasure_mean: float | None
    mastery_mean: float | None


class ActivitySummaryOut(BaseModel):
    planned: int
    due: int
    done: int
    adherence: float | None
    mood_change_mean: float | None
    categories: list[CategorySummaryOut]


class WeekOut(BaseModel):
    start: datetime
    activities: list[ActivityOut]
    summary: ActivitySummaryOut


class SelfHelpSummaryOut(BaseModel):
    """What the clinician sees: progress and counts, no text the patient wrote."""

    modules: list[ModuleProgressOut]
    thought_records: int
    shared_thought_records: int
    activities: ActivitySummaryOut
    days: int
