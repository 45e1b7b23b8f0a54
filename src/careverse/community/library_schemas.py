"""Education library API shapes (docs/community.md). A quiz's answers and explanations are
served to authors, and to a member only with their own scored result."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

LibraryKind = Literal["article", "infographic", "module"]
LibraryState = Literal["draft", "published"]
MAX_OPTIONS = 8
MAX_QUESTIONS = 20
Option = Annotated[str, Field(min_length=1, max_length=300)]
Choice = Annotated[int, Field(ge=0, lt=MAX_OPTIONS)]


class StrictLibrary(BaseModel):
    model_config = ConfigDict(extra="forbid")


class QuizQuestionIn(StrictLibrary):
    prompt: str = Field(min_length=2, max_length=500)
    options: list[Option] = Field(min_length=2, max_length=MAX_OPTIONS)
    correct: list[Choice] = Field(min_length=1, max_length=MAX_OPTIONS)
    explanation: str = Field(default="", max_length=2000)
    multiple: bool = False  # more than one answer may be right (checkboxes)

    @model_validator(mode="after")
    def consistent(self) -> QuizQuestionIn:
        if len(set(self.correct)) != len(self.correct):
            raise ValueError("'correct' lists an option twice.")
        if any(i >= len(self.options) for i in self.correct):
            raise ValueError("'correct' names an option that does not exist.")
        if not self.multiple and len(self.correct) != 1:
            raise ValueError("A single-answer question has exactly one correct option.")
        return self


class LibraryItemIn(StrictLibrary):
    kind: LibraryKind
    title: str = Field(min_length=2, max_length=200)
    summary: str = Field(default="", max_length=500)
    body: str = Field(default="", max_length=50_000, description="Markdown")
    alt_text: str = Field(default="", max_length=300)
    questions: list[QuizQuestionIn] = Field(default_factory=list, max_length=MAX_QUESTIONS)


class LibraryStateIn(StrictLibrary):
    state: LibraryState


class QuizAnswersIn(StrictLibrary):
    """One list of chosen option indexes per question, in the quiz's order."""

    answers: list[Annotated[list[Choice], Field(max_length=MAX_OPTIONS)]] = Field(
        max_length=MAX_QUESTIONS
    )


class QuizQuestionOut(BaseModel):
    prompt: str
    options: list[str]
    multiple: bool
    correct: list[int] | None  # authors only
    explanation: str | None  # authors only


class QuizFeedbackOut(BaseModel):
    right: bool
    chosen: list[int]
    correct: list[int]
    explanation: str


class QuizResultOut(BaseModel):
    score: int
    total: int
    taken_at: datetime
    feedback: list[QuizFeedbackOut]


class LibraryItemSummaryOut(BaseModel):
    id: uuid.UUID
    kind: LibraryKind
    state: LibraryState
    title: str
    summary: str
    author: str | None
    reviewed_by: str | None  # the reviewing clinician's name
    last_reviewed_at: datetime | None
    updated_at: datetime


class LibraryItemsOut(BaseModel):
    items: list[LibraryItemSummaryOut]
    can_author: bool  # the caller is a clinician or a peer educator of this community


class LibraryItemOut(LibraryItemSummaryOut):
    community_slug: str
    html: str  # the body rendered and sanitised on the server (as posts are)
    body: str | None  # the Markdown source, authors only
    alt_text: str
    has_image: bool
    questions: list[QuizQuestionOut]
    can_edit: bool
    can_review: bool  # the caller is a clinician who may review (and publish) it
    my_result: QuizResultOut | None
