"""kernel: the key-ring sentinel checked at every start

Revision ID: 0007_kernel_sentinel
Revises: 0006_care
Create Date: 2026-11-30 09:15:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007_kernel_sentinel"
down_revision: str | None = "0006_care"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # No row here: the first start writes it (on an empty database or one from before this).
    op.create_table(
        "kernel_sentinel",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("ciphertext", sa.Text(), nullable=False),
        sa.Column("blind_index", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kernel_sentinel")),
    )


def downgrade() -> None:
    op.drop_table("kernel_sentinel")
