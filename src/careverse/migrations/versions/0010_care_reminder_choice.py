"""care: the patient's reminder choice per appointment

Revision ID: 0010_care_reminder_choice
Revises: 0009_monitoring_broker_hash
Create Date: 2026-11-30 12:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010_care_reminder_choice"
down_revision: str | None = "0009_monitoring_broker_hash"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("appointments") as batch:
        batch.add_column(sa.Column("reminder_minutes", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("appointments") as batch:
        batch.drop_column("reminder_minutes")
