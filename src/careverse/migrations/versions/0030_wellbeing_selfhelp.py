"""wellbeing: self-help (psychoeducation progress, thought records, behavioural activation)

Revision ID: 0030_wellbeing_selfhelp
Revises: 0029_wellbeing_schedules
Create Date: 2026-12-01 02:45:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import careverse.kernel.crypto
import careverse.kernel.db

revision: str = "0030_wellbeing_selfhelp"
down_revision: str | None = "0029_wellbeing_schedules"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC = careverse.kernel.db.UTCDateTime


def _patient_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["patient_id"], ["patients.id"], name=op.f(f"fk_{table}_patient_id_patients"),
        ondelete="CASCADE",
    )  # fmt: skip


def upgrade() -> None:
    op.create_table(
        "wellbeing_selfhelp_progress",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("patient_id", sa.Uuid(), nullable=False),
        sa.Column("module", sa.String(length=40), nullable=False),
        sa.Column("sections_read", sa.Text(), nullable=False),
        sa.Column("recommended_by", sa.Uuid(), nullable=True),
        sa.Column("recommended_at", UTC(timezone=True), nullable=True),
        sa.Column("completed_at", UTC(timezone=True), nullable=True),
        sa.Column("updated_at", UTC(timezone=True), nullable=False),
        _patient_fk("wellbeing_selfhelp_progress"),
        sa.ForeignKeyConstraint(
            ["recommended_by"],
            ["accounts.id"],
            name=op.f("fk_wellbeing_selfhelp_progress_recommended_by_accounts"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_wellbeing_selfhelp_progress")),
        sa.UniqueConstraint(
            "patient_id", "module", name=op.f("uq_wellbeing_selfhelp_progress_patient_id")
        ),
    )
    op.create_table(
        "wellbeing_thought_records",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("patient_id", sa.Uuid(), nullable=False),
        sa.Column("written_at", UTC(timezone=True), nullable=False),
        sa.Column("shared", sa.Boolean(), nullable=False),
        sa.Column("record", careverse.kernel.crypto.Encrypted(), nullable=False),
        _patient_fk("wellbeing_thought_records"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_wellbeing_thought_records")),
    )
    op.create_index(
        "ix_wellbeing_thought_records_patient_at",
        "wellbeing_thought_records",
        ["patient_id", "written_at"],
    )
    op.create_table(
        "wellbeing_activities",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("patient_id", sa.Uuid(), nullable=False),
        sa.Column("planned_for", UTC(timezone=True), nullable=False),
        sa.Column("created_at", UTC(timezone=True), nullable=False),
        sa.Column("detail", careverse.kernel.crypto.Encrypted(), nullable=False),
        _patient_fk("wellbeing_activities"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_wellbeing_activities")),
    )
    op.create_index(
        "ix_wellbeing_activities_patient_for", "wellbeing_activities", ["patient_id", "planned_for"]
    )


def downgrade() -> None:
    op.drop_index("ix_wellbeing_activities_patient_for", table_name="wellbeing_activities")
    op.drop_table("wellbeing_activities")
    op.drop_index("ix_wellbeing_thought_records_patient_at", table_name="wellbeing_thought_records")
    op.drop_table("wellbeing_thought_records")
    op.drop_table("wellbeing_selfhelp_progress")
