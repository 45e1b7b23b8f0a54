"""World tables: spaces, their members and their persistent objects."""

from __future__ import annotations

import uuid

from sqlalchemy import Boolean, Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from careverse.kernel.crypto import Encrypted
from careverse.kernel.db import Base, CreatedMixin, IdMixin


class Space(IdMixin, CreatedMixin, Base):
    __tablename__ = "spaces"

    name: Mapped[str] = mapped_column(String(120))
    template: Mapped[str] = mapped_column(String(32))
    owner_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )
    access: Mapped[str] = mapped_column(String(16), default="members")  # members|invite|listed
    capacity: Mapped[int] = mapped_column(Integer)
    listed: Mapped[bool] = mapped_column(Boolean, default=True)  # shown in the space list
    locked: Mapped[bool] = mapped_column(Boolean, default=False)


class SpaceMember(IdMixin, CreatedMixin, Base):
    """Someone invited to (or listed for) a space, and their role in it."""

    __tablename__ = "space_members"

    space_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("spaces.id", ondelete="CASCADE"), index=True
    )
    account_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[str] = mapped_column(String(16), default="participant")  # facilitator|participant
    # The name shown in the space instead of the account's (a support group's pseudonym).
    alias: Mapped[str | None] = mapped_column(String(40), nullable=True, default=None)


class SpaceObject(IdMixin, CreatedMixin, Base):
    """A poster, note or 3D model placed in a space; it survives restarts."""

    __tablename__ = "space_objects"

    space_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("spaces.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(16))  # poster|note|model
    label: Mapped[str] = mapped_column(Encrypted)  # free text: encrypted at rest
    asset: Mapped[str | None] = mapped_column(String(200))
    x: Mapped[float] = mapped_column(Float, default=0)
    y: Mapped[float] = mapped_column(Float, default=0)
    z: Mapped[float] = mapped_column(Float, default=0)
    yaw: Mapped[float] = mapped_column(Float, default=0)
    created_by: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="SET NULL")
    )
    data: Mapped[str | None] = mapped_column(Text)
