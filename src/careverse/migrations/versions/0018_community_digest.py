"""community e-mail digest: one row per member who chose a daily or weekly digest

Revision ID: 0018_community_digest
Revises: 0017_fhir_bulk
Create Date: 2026-11-30 18:35:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import careverse.kernel.db

revision: str = "0018_community_digest"
down_revision: str | None = "0017_fhir_bulk"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "community_digest_choices",
        sa.Column("account_id", sa.Uuid(), nullable=False),
        sa.Column("frequency", sa.String(length=8), nullable=False),
        sa.Column("due_at", careverse.kernel.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("since", careverse.kernel.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("mentions", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_community_digest_choices_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("account_id", name=op.f("pk_community_digest_choices")),
    )
    with op.batch_alter_table("community_digest_choices", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_community_digest_choices_due_at"), ["due_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("community_digest_choices", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_community_digest_choices_due_at"))
    op.drop_table("community_digest_choices")
