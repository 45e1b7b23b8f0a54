"""identity: SMART Backend Services (client JWKS, assertion ids seen; the app of a bulk job)

Revision ID: 0022_smart_backend
Revises: 0021_session_refresh_grace
Create Date: 2026-11-30 19:40:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import careverse.kernel.db

revision: str = "0022_smart_backend"
down_revision: str | None = "0021_session_refresh_grace"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("smart_apps", sa.Column("jwks", sa.Text(), nullable=True))
    op.add_column("fhir_bulk_jobs", sa.Column("app_name", sa.String(length=100), nullable=True))
    op.create_table(
        "smart_assertion_ids",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("app_id", sa.Uuid(), nullable=False),
        sa.Column("jti", sa.String(length=255), nullable=False),
        sa.Column("expires_at", careverse.kernel.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["app_id"],
            ["smart_apps.id"],
            ondelete="CASCADE",
            name="fk_smart_assertion_ids_app_id_smart_apps",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_smart_assertion_ids"),
        sa.UniqueConstraint("app_id", "jti", name="uq_smart_assertion_ids_app_id"),
    )
    op.create_index("ix_smart_assertion_ids_expires_at", "smart_assertion_ids", ["expires_at"])


def downgrade() -> None:
    op.drop_index("ix_smart_assertion_ids_expires_at", table_name="smart_assertion_ids")
    op.drop_table("smart_assertion_ids")
    with op.batch_alter_table("fhir_bulk_jobs") as batch:
        batch.drop_column("app_name")
    with op.batch_alter_table("smart_apps") as batch:
        batch.drop_column("jwks")
