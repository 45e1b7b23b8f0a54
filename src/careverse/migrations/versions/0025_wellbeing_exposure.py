"""wellbeing: exposure therapy (fear hierarchies, exposure sessions)

Revision ID: 0025_wellbeing_exposure
Revises: 0024_wellbeing_breathing
Create Date: 2026-11-30 23:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import careverse.kernel.crypto
import careverse.kernel.db

revision: str = "0025_wellbeing_exposure"
down_revision: str | None = "0024_wellbeing_breathing"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC = careverse.kernel.db.UTCDateTime


def upgrade() -> None:
    op.create_table(
        "wellbeing_exposure_hierarchies",
        sa.Column("patient_id", sa.Uuid(), nullable=False),
        sa.Column("therapist_id", sa.Uuid(), nullable=True),
        sa.Column("ready", sa.Boolean(), nullable=False),
        sa.Column("created_at", UTC(timezone=True), nullable=False),
        sa.Column("updated_at", UTC(timezone=True), nullable=False),
        sa.Column("plan", careverse.kernel.crypto.Encrypted(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["patients.id"],
            ondelete="CASCADE",
            name=op.f("fk_wellbeing_exposure_hierarchies_patient_id_patients"),
        ),
        sa.ForeignKeyConstraint(
            ["therapist_id"],
            ["accounts.id"],
            ondelete="SET NULL",
            name=op.f("fk_wellbeing_exposure_hierarchies_therapist_id_accounts"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_wellbeing_exposure_hierarchies")),
    )
    op.create_index(
        "ix_wellbeing_exposure_hierarchies_patient",
        "wellbeing_exposure_hierarchies",
        ["patient_id"],
    )
    op.create_table(
        "wellbeing_exposure_sessions",
        sa.Column("hierarchy_id", sa.Uuid(), nullable=False),
        sa.Column("patient_id", sa.Uuid(), nullable=False),
        sa.Column("step", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("intensity", sa.Integer(), nullable=False),
        sa.Column("started_at", UTC(timezone=True), nullable=False),
        sa.Column("ended_at", UTC(timezone=True), nullable=True),
        sa.Column("started_by", sa.Uuid(), nullable=True),
        sa.Column("record", careverse.kernel.crypto.Encrypted(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["hierarchy_id"],
            ["wellbeing_exposure_hierarchies.id"],
            ondelete="CASCADE",
            name=op.f("fk_wellbeing_exposure_sessions_hierarchy"),
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["patients.id"],
            ondelete="CASCADE",
            name=op.f("fk_wellbeing_exposure_sessions_patient_id_patients"),
        ),
        sa.ForeignKeyConstraint(
            ["started_by"],
            ["accounts.id"],
            ondelete="SET NULL",
            name=op.f("fk_wellbeing_exposure_sessions_started_by_accounts"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_wellbeing_exposure_sessions")),
    )
    op.create_index(
        "ix_wellbeing_exposure_sessions_patient_at",
        "wellbeing_exposure_sessions",
        ["patient_id", "started_at"],
    )


def downgrade() -> None:
    op.drop_index("ix_wellbeing_exposure_sessions_patient_at", "wellbeing_exposure_sessions")
    op.drop_table("wellbeing_exposure_sessions")
    op.drop_index("ix_wellbeing_exposure_hierarchies_patient", "wellbeing_exposure_hierarchies")
    op.drop_table("wellbeing_exposure_hierarchies")
