"""Community tables: communities, memberships, pseudonyms, threads, posts and what members do
with them (reactions, bookmarks, reading), and each member's trust statistics.

Post bodies and thread titles are health-related disclosures: they are stored encrypted
(``Encrypted``). Search runs on ``community_post_terms``: one keyed blind index (HMAC) per
normalised word, so words can be matched without any plaintext at rest (docs/community.md).

A pseudonym's owner is never stored in the clear: ``owner`` is the account id encrypted and
``owner_index`` a keyed blind index of (community, account) so the author's own requests can
find their pseudonym. Only :meth:`CommunityService.unmask` (admins, with a reason, audited)
decrypts ``owner``.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from careverse.kernel import clock
from careverse.kernel.crypto import Encrypted
from careverse.kernel.db import Base, CreatedMixin, IdMixin, UTCDateTime


class Community(IdMixin, CreatedMixin, Base):
    __tablename__ = "community_communities"

    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(16))  # condition|caregiver|mental_health|professional
    visibility: Mapped[str] = mapped_column(String(16))  # public|request|invite
    description: Mapped[str] = mapped_column(Text, default="")
    guidelines: Mapped[str] = mapped_column(Text, default="")
    guidelines_version: Mapped[int] = mapped_column(Integer, default=1)
    created_by: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="SET NULL")
    )


class Membership(IdMixin, Base):
    """One account in one community: its status, role, accepted guidelines and slow mode."""

    __tablename__ = "community_memberships"
    __table_args__ = (UniqueConstraint("community_id", "account_id"),)

    community_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("community_communities.id", ondelete="CASCADE")
    )
    account_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[str] = mapped_column(String(12))  # active|requested|invited|left
    role: Mapped[str] = mapped_column(String(12), default="member")  # member|facilitator|moderator
    lived_experience: Mapped[bool] = mapped_column(Boolean, default=False)
    guidelines_version: Mapped[int | None] = mapped_column(Integer)
    guidelines_accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    joined_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    invited_by: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="SET NULL")
    )
    slow_seconds: Mapped[int | None] = mapped_column(Integer)
    slow_until: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Pseudonym(IdMixin, CreatedMixin, Base):
    """A member's handle in one community; its owner is encrypted (see the module docstring)."""

    __tablename__ = "community_pseudonyms"
    __table_args__ = (UniqueConstraint("community_id", "handle"),)

    community_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("community_communities.id", ondelete="CASCADE")
    )
    handle: Mapped[str] = mapped_column(String(40))
    owner_index: Mapped[str] = mapped_column(String(64), unique=True)
    owner: Mapped[str] = mapped_column(Encrypted)


class Thread(IdMixin, CreatedMixin, Base):
    __tablename__ = "community_threads"
    __table_args__ = (Index("ix_community_threads_community_last", "community_id", "last_post_at"),)

    community_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("community_communities.id", ondelete="CASCADE")
    )
    title: Mapped[str] = mapped_column(Encrypted)
    author_account_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="SET NULL")
    )
    pseudonym_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("community_pseudonyms.id", ondelete="SET NULL")
    )
    last_post_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    post_count: Mapped[int] = mapped_column(Integer, default=0)
    accepted_post_id: Mapped[uuid.UUID | None] = mapped_column()  # one of its posts
    slow_seconds: Mapped[int | None] = mapped_column(Integer)
    slow_until: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Post(IdMixin, CreatedMixin, Base):
    """One post: the first of a thread is its topic, the others replies (``seq`` orders them)."""

    __tablename__ = "community_posts"
    __table_args__ = (
        UniqueConstraint("thread_id", "seq"),
        Index("ix_community_posts_community_created", "community_id", "created_at"),
    )

    thread_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("community_threads.id", ondelete="CASCADE")
    )
    community_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("community_communities.id", ondelete="CASCADE")
    )
    seq: Mapped[int] = mapped_column(Integer)
    author_account_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="SET NULL"), index=True
    )
    pseudonym_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("community_pseudonyms.id", ondelete="SET NULL"), index=True
    )
    badge: Mapped[str | None] = mapped_column(String(24))  # verified_professional|lived_experience
    body: Mapped[str] = mapped_column(Encrypted)  # Markdown source; HTML is rendered on read
    quote_post_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("community_posts.id", ondelete="SET NULL")
    )
    state: Mapped[str] = mapped_column(String(12), default="published")  # |held|hidden|removed
    edited_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class PostTerm(Base):
    """A keyed blind index of one normalised word of a post (search without plaintext)."""

    __tablename__ = "community_post_terms"
    __table_args__ = (Index("ix_community_post_terms_lookup", "community_id", "term"),)

    post_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("community_posts.id", ondelete="CASCADE"), primary_key=True
    )
    term: Mapped[str] = mapped_column(String(24), primary_key=True)
    community_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("community_communities.id", ondelete="CASCADE")
    )


class Reaction(Base):
    __tablename__ = "community_reactions"

    post_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("community_posts.id", ondelete="CASCADE"), primary_key=True
    )
    account_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True
    )
    kind: Mapped[str] = mapped_column(String(12), primary_key=True)  # me_too|thank_you|helpful


class Bookmark(CreatedMixin, Base):
    __tablename__ = "community_bookmarks"

    post_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("community_posts.id", ondelete="CASCADE"), primary_key=True
    )
    account_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True
    )


class ThreadRead(Base):
    """How far a member has read a thread (the highest ``seq`` seen)."""

    __tablename__ = "community_reads"

    thread_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("community_threads.id", ondelete="CASCADE"), primary_key=True
    )
    account_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True
    )
    last_read_seq: Mapped[int] = mapped_column(Integer, default=0)


class MemberStats(Base):
    """What trust levels are earned from: posts read, days visited, good standing."""

    __tablename__ = "community_member_stats"

    account_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True
    )
    posts_read: Mapped[int] = mapped_column(Integer, default=0)
    days_visited: Mapped[int] = mapped_column(Integer, default=0)
    last_visit_on: Mapped[str | None] = mapped_column(String(10))  # ISO date (UTC)
    good_standing: Mapped[bool] = mapped_column(Boolean, default=True)
    trust_level: Mapped[int] = mapped_column(Integer, default=0)
