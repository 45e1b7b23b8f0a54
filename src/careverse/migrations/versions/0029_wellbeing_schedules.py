"""wellbeing: questionnaire schedules (an instrument every N days for a patient, reminders)

Revision ID: 0029_wellbeing_schedules
Revises: 0026_smart_launch_oidc
Create Date: 2026-11-30 23:40:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import careverse.kernel.db

revision: str = "0029_wellbeing_schedules"
down_revision: str | None = "0026_smart_launch_oidc"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "wellbeing_schedules",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("patient_id", sa.Uuid(), nullable=False),
        sa.Column("instrument", sa.String(length=16), nullable=False),
        sa.Column("every_days", sa.Integer(), nullable=False),
        sa.Column("next_due_at", careverse.kernel.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("reminded_for", careverse.kernel.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("assigned_by", sa.Uuid(), nullable=True),
        sa.Column("created_at", careverse.kernel.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("ended_at", careverse.kernel.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("ended_by", sa.Uuid(), nullable=True),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["patients.id"],
            name=op.f("fk_wellbeing_schedules_patient_id_patients"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["assigned_by"],
            ["accounts.id"],
            name=op.f("fk_wellbeing_schedules_assigned_by_accounts"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["ended_by"],
            ["accounts.id"],
            name=op.f("fk_wellbeing_schedules_ended_by_accounts"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_wellbeing_schedules")),
    )
    with op.batch_alter_table("wellbeing_schedules", schema=None) as batch_op:
        batch_op.create_index("ix_wellbeing_schedules_due", ["ended_at", "next_due_at"])
        batch_op.create_index(batch_op.f("ix_wellbeing_schedules_patient_id"), ["patient_id"])


def downgrade() -> None:
    with op.batch_alter_table("wellbeing_schedules", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_wellbeing_schedules_patient_id"))
        batch_op.drop_index("ix_wellbeing_schedules_due")
    op.drop_table("wellbeing_schedules")
