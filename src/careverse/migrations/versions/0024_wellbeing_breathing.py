"""wellbeing: breathing sessions (relaxation and biofeedback)

Revision ID: 0024_wellbeing_breathing
Revises: 0023_care_programmes
Create Date: 2026-11-30 23:40:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import careverse.kernel.crypto
import careverse.kernel.db

revision: str = "0024_wellbeing_breathing"
down_revision: str | None = "0023_care_programmes"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "wellbeing_breathing_sessions",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("patient_id", sa.Uuid(), nullable=False),
        sa.Column("started_at", careverse.kernel.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("finished_at", careverse.kernel.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("detail", careverse.kernel.crypto.Encrypted(), nullable=False),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["patients.id"],
            ondelete="CASCADE",
            name="fk_wellbeing_breathing_sessions_patient_id_patients",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_wellbeing_breathing_sessions"),
    )
    op.create_index(
        "ix_wellbeing_breathing_sessions_patient_at",
        "wellbeing_breathing_sessions",
        ["patient_id", "started_at"],
    )


def downgrade() -> None:
    op.drop_index(
        "ix_wellbeing_breathing_sessions_patient_at", table_name="wellbeing_breathing_sessions"
    )
    op.drop_table("wellbeing_breathing_sessions")
