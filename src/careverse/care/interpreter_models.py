"""The interpreter pool: accounts that interpret, the languages they interpret and whether they
take visits now (docs/care.md, Interpreters)."""

from __future__ import annotations

import uuid

from sqlalchemy import Boolean, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from careverse.kernel.db import Base, CreatedMixin


class Interpreter(CreatedMixin, Base):
    """One interpreter of the pool (any account that is no patient nor researcher)."""

    __tablename__ = "care_interpreters"

    account_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True
    )
    languages: Mapped[str] = mapped_column(String(200), default="")  # space-separated BCP 47
    available: Mapped[bool] = mapped_column(Boolean, default=True)
