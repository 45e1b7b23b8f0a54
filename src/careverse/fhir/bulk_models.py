"""Tables of FHIR Bulk Data export (``fhir/bulk.py``): a job, and the NDJSON it wrote.

The NDJSON lives in the database, encrypted like every other health data column, so any node
behind the load balancer can serve a file whichever node ran the job, and nothing is left on a
node's disk. A type's file is the concatenation of its parts (one part per patient batch).
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from careverse.kernel.crypto import Encrypted
from careverse.kernel.db import Base, CreatedMixin, IdMixin, UTCDateTime


class BulkJob(IdMixin, CreatedMixin, Base):
    """One ``$export`` request: who asked (and with which session), what for, how far it got."""

    __tablename__ = "fhir_bulk_jobs"

    requester_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, index=True)  # None: the CLI
    requester_role: Mapped[str] = mapped_column(String(16))
    session_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)  # files only to this session
    level: Mapped[str] = mapped_column(String(10))  # system | patient | group
    group_id: Mapped[str | None] = mapped_column(String(64))
    types: Mapped[str | None] = mapped_column(String(400))  # comma-separated, None: all
    since: Mapped[datetime | None] = mapped_column(UTCDateTime)
    request_url: Mapped[str] = mapped_column(String(2000))
    status: Mapped[str] = mapped_column(String(10), default="queued", index=True)
    patients_total: Mapped[int] = mapped_column(Integer, default=0)
    patients_done: Mapped[int] = mapped_column(Integer, default=0)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # the running node's beat
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    error: Mapped[str | None] = mapped_column(Text)  # a reason without health data
    app_name: Mapped[str | None] = mapped_column(String(100))  # a SMART backend client's
    # JSON: _typeFilter, _elements, patient (POST kick-off), warnings (ignored parameters)
    options: Mapped[str | None] = mapped_column(Text)


class BulkPart(IdMixin, Base):
    """Some NDJSON lines of one resource type of a job (a file is its parts, in ``seq`` order)."""

    __tablename__ = "fhir_bulk_parts"

    job_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("fhir_bulk_jobs.id", ondelete="CASCADE"), index=True
    )
    resource_type: Mapped[str] = mapped_column(String(64))
    seq: Mapped[int] = mapped_column(Integer)
    count: Mapped[int] = mapped_column(Integer)
    content: Mapped[str] = mapped_column(Encrypted)
