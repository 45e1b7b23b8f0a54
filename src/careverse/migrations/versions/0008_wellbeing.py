"""wellbeing: questionnaire responses; alert sources up to 16 characters ("wellbeing")

Revision ID: 0008_wellbeing
Revises: 0007_kernel_sentinel
Create Date: 2026-11-30 11:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import careverse.kernel.crypto
import careverse.kernel.db

revision: str = "0008_wellbeing"
down_revision: str | None = "0007_kernel_sentinel"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "wellbeing_responses",
        sa.Column("patient_id", sa.Uuid(), nullable=False),
        sa.Column("instrument", sa.String(length=16), nullable=False),
        sa.Column("submitted_at", careverse.kernel.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("submitted_by", sa.Uuid(), nullable=True),
        sa.Column("result", careverse.kernel.crypto.Encrypted(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["patients.id"],
            name=op.f("fk_wellbeing_responses_patient_id_patients"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["submitted_by"],
            ["accounts.id"],
            name=op.f("fk_wellbeing_responses_submitted_by_accounts"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_wellbeing_responses")),
    )
    with op.batch_alter_table("wellbeing_responses", schema=None) as batch_op:
        batch_op.create_index(
            "ix_wellbeing_responses_patient_at", ["patient_id", "submitted_at"], unique=False
        )
    # Monitoring's alerts now also come from wellbeing's crisis path (source "wellbeing").
    with op.batch_alter_table("monitoring_alerts", schema=None) as batch_op:
        batch_op.alter_column(
            "source", existing_type=sa.String(length=8), type_=sa.String(length=16),
            existing_nullable=False,
        )  # fmt: skip


def downgrade() -> None:
    with op.batch_alter_table("monitoring_alerts", schema=None) as batch_op:
        batch_op.alter_column(
            "source", existing_type=sa.String(length=16), type_=sa.String(length=8),
            existing_nullable=False,
        )  # fmt: skip
    with op.batch_alter_table("wellbeing_responses", schema=None) as batch_op:
        batch_op.drop_index("ix_wellbeing_responses_patient_at")
    op.drop_table("wellbeing_responses")
