"""monitoring: a device's MQTT broker password-file hash

Revision ID: 0009_monitoring_broker_hash
Revises: 0008_wellbeing
Create Date: 2026-11-30 11:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009_monitoring_broker_hash"
down_revision: str | None = "0008_wellbeing"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Devices paired before this have none: they pair again to publish over MQTT.
    with op.batch_alter_table("monitoring_devices") as batch:
        batch.add_column(sa.Column("broker_hash", sa.String(length=160), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("monitoring_devices") as batch:
        batch.drop_column("broker_hash")
