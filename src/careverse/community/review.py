"""The one hook between posting and the moderation pipeline.

Every new post (a topic's first post or a reply) is stored, then handed once to the node's
:class:`PostReviewer` in the same transaction. The reviewer answers what becomes of it:
published or held for a human, the body to keep (censored or replaced words) and, when the
writer should see it at once, a message of concern with crisis resources. The moderation side
provides the full reviewer in its setup (``runtime.provide(reviewer, as_type=PostReviewer)``:
watched words from its tables, the crisis alert, the message of concern); the default here runs
the pure pipeline (:func:`careverse.community.pipeline.review`) with no site rules.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncSession

from careverse.community import pipeline
from careverse.kernel.errors import InvalidInput


@dataclass(frozen=True, slots=True)
class Resource:
    name: str
    contact: str
    url: str


@dataclass(frozen=True, slots=True)
class Concern:
    """What the writer sees at once when a post raises concern (crisis language)."""

    message: str
    resources: list[Resource] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Draft:
    """A stored post, as the reviewer sees it. ``author_account_id`` is for the pipeline's own
    penalties and alerts only: it must never reach a member or a moderator."""

    post_id: uuid.UUID
    thread_id: uuid.UUID
    community_id: uuid.UUID
    community_kind: str
    author_account_id: uuid.UUID
    body: str
    trust_level: int = 0
    title: str | None = None  # a new topic's title
    language: str | None = None


@dataclass(frozen=True, slots=True)
class Review:
    state: str = "published"  # published | held
    body: str | None = None  # the body to store instead (censored, replaced); None keeps it
    concern: Concern | None = None
    reasons: tuple[str, ...] = ()
    tags: tuple[str, ...] | None = None  # the tags stored on the post (None: not known here)


class PostReviewer:
    """The default reviewer: the pure pipeline, without site rules (moderation replaces it)."""

    async def review(self, session: AsyncSession, draft: Draft) -> Review:
        text = draft.body if draft.title is None else f"{draft.title}\n\n{draft.body}"
        verdict = pipeline.review(
            text, community_kind=draft.community_kind, trust_level=draft.trust_level
        )
        if verdict.action == "block":
            raise InvalidInput("This post breaks the community's content rules.", field="body")
        state = "held" if verdict.action == "hold" else "published"
        body = None if draft.title is not None else verdict.text
        return Review(state=state, body=body, reasons=tuple(verdict.reasons), tags=())
