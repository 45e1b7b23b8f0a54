"""fhir bulk data export: jobs and their NDJSON parts

Revision ID: 0017_fhir_bulk
Revises: 0016_smart_apps
Create Date: 2026-11-30 18:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import careverse.kernel.crypto
import careverse.kernel.db

revision: str = "0017_fhir_bulk"
down_revision: str | None = "0016_smart_apps"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "fhir_bulk_jobs",
        sa.Column("requester_id", sa.Uuid(), nullable=True),
        sa.Column("requester_role", sa.String(length=16), nullable=False),
        sa.Column("session_id", sa.Uuid(), nullable=True),
        sa.Column("level", sa.String(length=10), nullable=False),
        sa.Column("group_id", sa.String(length=64), nullable=True),
        sa.Column("types", sa.String(length=400), nullable=True),
        sa.Column("since", careverse.kernel.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("request_url", sa.String(length=2000), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("patients_total", sa.Integer(), nullable=False),
        sa.Column("patients_done", sa.Integer(), nullable=False),
        sa.Column("claimed_at", careverse.kernel.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("finished_at", careverse.kernel.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("expires_at", careverse.kernel.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", careverse.kernel.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fhir_bulk_jobs")),
    )
    with op.batch_alter_table("fhir_bulk_jobs", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_fhir_bulk_jobs_expires_at"), ["expires_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_fhir_bulk_jobs_requester_id"), ["requester_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_fhir_bulk_jobs_status"), ["status"], unique=False)

    op.create_table(
        "fhir_bulk_parts",
        sa.Column("job_id", sa.Uuid(), nullable=False),
        sa.Column("resource_type", sa.String(length=64), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("content", careverse.kernel.crypto.Encrypted(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["job_id"],
            ["fhir_bulk_jobs.id"],
            name=op.f("fk_fhir_bulk_parts_job_id_fhir_bulk_jobs"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fhir_bulk_parts")),
    )
    with op.batch_alter_table("fhir_bulk_parts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_fhir_bulk_parts_job_id"), ["job_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("fhir_bulk_parts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_fhir_bulk_parts_job_id"))
    op.drop_table("fhir_bulk_parts")
    with op.batch_alter_table("fhir_bulk_jobs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_fhir_bulk_jobs_status"))
        batch_op.drop_index(batch_op.f("ix_fhir_bulk_jobs_requester_id"))
        batch_op.drop_index(batch_op.f("ix_fhir_bulk_jobs_expires_at"))
    op.drop_table("fhir_bulk_jobs")
