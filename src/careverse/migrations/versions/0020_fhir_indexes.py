"""fhir indexes: a patient's readings by time (the Observation search without a code, the
record's readings in order)

Revision ID: 0020_fhir_indexes
Revises: 0018_community_digest
Create Date: 2026-11-30 18:45:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0020_fhir_indexes"
down_revision: str | None = "0018_community_digest"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_monitoring_readings_patient_time",
        "monitoring_readings",
        ["patient_id", "effective_at", "id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_monitoring_readings_patient_time", table_name="monitoring_readings")
