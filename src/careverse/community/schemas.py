"""Community HTTP API shapes. Authors appear only as a per-community ``handle`` (pseudonymous
posts) or a ``name`` (posts under one's name); no account id of an author is ever served."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, EmailStr, Field, field_validator

Kind = Literal["condition", "caregiver", "mental_health", "professional"]
Visibility = Literal["public", "request", "invite"]
Identity = Literal["pseudonym", "name"]
ReactionKind = Literal["me_too", "thank_you", "helpful"]
MemberRole = Literal["member", "facilitator", "moderator", "educator"]  # educator: peer educator
# The pipeline's tags a reader may see: the ones the client acts on. Others (lived-experience,
# watched words' tags) are the moderators' business and stay in the queue.
PUBLIC_TAGS = frozenset({"cw-method"})


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class CommunityIn(Strict):
    slug: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{1,62}$")
    name: str = Field(min_length=2, max_length=120)
    kind: Kind
    visibility: Visibility
    description: str = Field(default="", max_length=2000)
    guidelines: str = Field(default="", max_length=10_000)


class MembershipOut(BaseModel):
    status: str
    role: str
    lived_experience: bool
    guidelines_version: int | None
    guidelines_accepted_at: datetime | None


class CommunityOut(BaseModel):
    id: uuid.UUID
    slug: str
    name: str
    kind: str
    visibility: str
    description: str
    guidelines_html: str
    guidelines_version: int
    members: int
    staff: bool  # the caller is one of its facilitators or moderators (or site staff)
    membership: MembershipOut | None


class CommunitiesOut(BaseModel):
    communities: list[CommunityOut]


class JoinIn(Strict):
    accept_guidelines: bool
    guidelines_version: int = Field(ge=1)
    lived_experience: bool = False


class MemberOut(BaseModel):
    membership_id: uuid.UUID
    account_id: uuid.UUID
    name: str
    status: str
    role: str


class MembersOut(BaseModel):
    members: list[MemberOut]


class CommunityInviteIn(Strict):
    email: EmailStr


class RoleIn(Strict):
    role: MemberRole


class AuthorOut(BaseModel):
    handle: str | None
    name: str | None
    badge: str | None
    mine: bool


class QuoteOut(BaseModel):
    post_id: uuid.UUID
    seq: int
    author: AuthorOut
    excerpt: str


class ReactionsOut(BaseModel):
    me_too: int = 0
    thank_you: int = 0
    helpful: int = 0


class PostOut(BaseModel):
    id: uuid.UUID
    thread_id: uuid.UUID
    seq: int
    author: AuthorOut
    html: str  # sanitised on the server; empty for a removed post or one not shown
    state: Literal["published", "held", "hidden", "removed"]
    quote: QuoteOut | None
    reactions: ReactionsOut
    my_reactions: list[str]
    bookmarked: bool
    accepted: bool
    tags: list[str]  # the pipeline's tags (``cw-method``: shown behind a content warning)
    created_at: datetime
    edited_at: datetime | None

    @field_validator("tags")
    @classmethod
    def _public_only(cls, tags: list[str]) -> list[str]:
        return [t for t in tags if t in PUBLIC_TAGS]


class ThreadOut(BaseModel):
    id: uuid.UUID
    community_id: uuid.UUID
    title: str
    author: AuthorOut
    created_at: datetime
    last_post_at: datetime
    post_count: int
    unread: int
    accepted_post_id: uuid.UUID | None
    slow_seconds: int | None
    slow_until: datetime | None


class ThreadsOut(BaseModel):
    threads: list[ThreadOut]


class ResourceOut(BaseModel):
    name: str
    contact: str
    url: str


class ConcernOut(BaseModel):
    message: str
    resources: list[ResourceOut]


class TopicIn(Strict):
    title: str = Field(min_length=1, max_length=200)
    body: str = Field(min_length=1, max_length=20_000)
    identity: Identity = "pseudonym"


class ReplyIn(Strict):
    body: str = Field(min_length=1, max_length=20_000)
    identity: Identity = "pseudonym"
    quote_post_id: uuid.UUID | None = None


class PostedOut(BaseModel):
    """The contract with the composer: the post with its ``state`` and, when the writer should
    see it at once, a message of ``concern`` with crisis resources."""

    post: PostOut
    concern: ConcernOut | None
    thread: ThreadOut | None = None


class ThreadPageOut(BaseModel):
    thread: ThreadOut
    community: CommunityOut
    posts: list[PostOut]


class ReactionIn(Strict):
    kind: ReactionKind


class AcceptIn(Strict):
    post_id: uuid.UUID | None


class CommunityAcceptedOut(BaseModel):
    accepted_post_id: uuid.UUID | None


class SlowModeIn(Strict):
    seconds: int = Field(ge=0, le=7 * 24 * 3600)
    until: datetime | None = None
    reason: str | None = Field(default=None, max_length=500)


class SlowModeOut(BaseModel):
    seconds: int | None
    until: datetime | None


class SearchHitOut(BaseModel):
    thread: ThreadOut
    post: PostOut


class SearchOut(BaseModel):
    hits: list[SearchHitOut]


class BookmarksOut(BaseModel):
    posts: list[PostOut]


class UnmaskIn(Strict):
    reason: str = Field(min_length=10, max_length=1000)


class UnmaskOut(BaseModel):
    account_id: uuid.UUID
    name: str


class TrustOut(BaseModel):
    level: int
    name: str
    posts_read: int
    days_visited: int
    topics_per_day: int
    posts_per_hour: int
