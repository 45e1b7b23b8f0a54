"""training: educators' scenario drafts (the authoring screen)

Revision ID: 0039_training_extras
Revises: 0038_gallery
Create Date: 2026-12-01 11:10:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import careverse.kernel.db

revision: str = "0039_training_extras"
down_revision: str | None = "0038_gallery"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "training_scenario_drafts",
        sa.Column("owner_id", sa.Uuid(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("scenario", sa.JSON(), nullable=False),
        sa.Column("actions", sa.JSON(), nullable=False),
        sa.Column("updated_at", careverse.kernel.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", careverse.kernel.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["owner_id"],
            ["accounts.id"],
            name=op.f("fk_training_scenario_drafts_owner_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_training_scenario_drafts")),
    )
    with op.batch_alter_table("training_scenario_drafts", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_training_scenario_drafts_owner_id"), ["owner_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("training_scenario_drafts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_training_scenario_drafts_owner_id"))
    op.drop_table("training_scenario_drafts")
