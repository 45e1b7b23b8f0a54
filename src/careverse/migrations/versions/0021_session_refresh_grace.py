"""identity: the refresh token a rotation replaced, and when, for a short reuse grace

Revision ID: 0021_session_refresh_grace
Revises: 0020_fhir_indexes
Create Date: 2026-11-30 18:50:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import careverse.kernel.db

revision: str = "0021_session_refresh_grace"
down_revision: str | None = "0020_fhir_indexes"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "auth_sessions", sa.Column("previous_refresh_hash", sa.String(length=64), nullable=True)
    )
    op.add_column(
        "auth_sessions",
        sa.Column("rotated_at", careverse.kernel.db.UTCDateTime(timezone=True), nullable=True),
    )


def downgrade() -> None:
    with op.batch_alter_table("auth_sessions") as batch:
        batch.drop_column("rotated_at")
        batch.drop_column("previous_refresh_hash")
