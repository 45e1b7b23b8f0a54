"""Moderation tables: content rules, holds, flags, moderators' actions, penalties, appeals,
crisis cases, post tags and per-community moderation policy (docs/moderation.md).

Free text a member or moderator writes (a flag's note, an action's reason, an appeal) can carry
health data: it is encrypted at rest. The pipeline's reasons are rule names, never post words.
``subject_account_id`` (whom an action was about) is for the penalty ladder and appeals only:
it is never shown to moderators, so a pseudonym stays unlinkable.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from careverse.kernel import clock
from careverse.kernel.crypto import Encrypted
from careverse.kernel.db import Base, CreatedMixin, IdMixin, UTCDateTime


class ContentRuleRow(IdMixin, CreatedMixin, Base):
    """A watched word: site-wide (``community_id`` NULL) or one community's."""

    __tablename__ = "community_content_rules"

    community_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("community_communities.id", ondelete="CASCADE"), index=True
    )
    word: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(20))
    replacement: Mapped[str] = mapped_column(String(300), default="")
    created_by: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="SET NULL")
    )


class ModerationPolicy(Base):
    """Per-community thresholds (as data); a community without a row uses the defaults."""

    __tablename__ = "community_moderation_policies"

    community_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("community_communities.id", ondelete="CASCADE"), primary_key=True
    )
    flags_to_hide: Mapped[int] = mapped_column(Integer, default=3)
    flag_min_trust: Mapped[int] = mapped_column(Integer, default=1)


class Hold(Base):
    """Why the pipeline (or the flags) put a post in the queue; ``reasons`` is a JSON list."""

    __tablename__ = "community_holds"

    post_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("community_posts.id", ondelete="CASCADE"), primary_key=True
    )
    community_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("community_communities.id", ondelete="CASCADE"), index=True
    )
    reasons: Mapped[str] = mapped_column(Text, default="[]")
    crisis: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class PostTag(Base):
    """A tag the pipeline put on a post (``cw-method``: shown behind a warning; a rule's tag)."""

    __tablename__ = "community_post_tags"

    post_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("community_posts.id", ondelete="CASCADE"), primary_key=True
    )
    tag: Mapped[str] = mapped_column(String(40), primary_key=True)


class Flag(IdMixin, CreatedMixin, Base):
    """A member's flag on a post (``flagger_id`` NULL: the system's, from a rule or the score)."""

    __tablename__ = "community_flags"
    __table_args__ = (
        UniqueConstraint("post_id", "flagger_id"),
        Index("ix_community_flags_community_status", "community_id", "status"),
    )

    post_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("community_posts.id", ondelete="CASCADE"))
    community_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("community_communities.id", ondelete="CASCADE")
    )
    flagger_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )
    reason: Mapped[str] = mapped_column(String(24))
    note: Mapped[str | None] = mapped_column(Encrypted)
    weight: Mapped[int] = mapped_column(Integer, default=0)  # the flagger's trust level then
    status: Mapped[str] = mapped_column(String(12), default="open")  # open|agreed|dismissed
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ModAction(IdMixin, CreatedMixin, Base):
    """One moderation action with its reason (``moderator_id`` NULL: the system's)."""

    __tablename__ = "community_mod_actions"
    __table_args__ = (Index("ix_community_mod_actions_moderator", "moderator_id", "created_at"),)

    community_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("community_communities.id", ondelete="CASCADE"), index=True
    )
    post_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("community_posts.id", ondelete="SET NULL")
    )
    subject_account_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="SET NULL"), index=True
    )
    moderator_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="SET NULL")
    )
    action: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str] = mapped_column(Encrypted)
    note: Mapped[str | None] = mapped_column(Encrypted)  # an edit's visible note
    until: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Penalty(IdMixin, CreatedMixin, Base):
    """A warning, silence or suspension of one member in one community (``until`` NULL on a
    silence or suspension: indefinite)."""

    __tablename__ = "community_penalties"
    __table_args__ = (Index("ix_community_penalties_member", "community_id", "account_id"),)

    community_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("community_communities.id", ondelete="CASCADE")
    )
    account_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(12))  # warn|silence|suspend
    step: Mapped[int] = mapped_column(Integer)  # its place on the ladder
    until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    action_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("community_mod_actions.id", ondelete="CASCADE")
    )
    lifted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Appeal(IdMixin, CreatedMixin, Base):
    __tablename__ = "community_appeals"

    action_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("community_mod_actions.id", ondelete="CASCADE"), unique=True
    )
    account_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )
    text: Mapped[str] = mapped_column(Encrypted)
    status: Mapped[str] = mapped_column(String(12), default="open")  # open|upheld|overturned
    decided_by: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="SET NULL")
    )
    decision: Mapped[str | None] = mapped_column(Encrypted)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class CrisisCase(IdMixin, Base):
    """A post held by the crisis screen (or a member's crisis flag), until a human takes it on:
    open → acknowledged → released (a false positive, published) or kept (stays held)."""

    __tablename__ = "community_crisis_cases"
    __table_args__ = (Index("ix_community_crisis_cases_status_due", "status", "acknowledge_by"),)

    post_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("community_posts.id", ondelete="CASCADE"), unique=True
    )
    community_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("community_communities.id", ondelete="CASCADE"), index=True
    )
    author_account_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )
    reasons: Mapped[str] = mapped_column(Text, default="[]")  # rule names, JSON
    status: Mapped[str] = mapped_column(String(14), default="open")
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    acknowledge_by: Mapped[datetime] = mapped_column(UTCDateTime)
    acknowledged_by: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="SET NULL")
    )
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    escalated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    escalation_claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_by: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="SET NULL")
    )
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
