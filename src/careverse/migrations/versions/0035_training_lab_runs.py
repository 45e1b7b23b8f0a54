"""training: simulation-lab runs and their trainees

Revision ID: 0035_training_lab_runs
Revises: 0034_mentoring
Create Date: 2026-12-01 07:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import careverse.kernel.db

revision: str = "0035_training_lab_runs"
down_revision: str | None = "0034_mentoring"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "training_lab_runs",
        sa.Column("space_id", sa.Uuid(), nullable=False),
        sa.Column("scenario", sa.String(length=40), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("instructor_id", sa.Uuid(), nullable=True),
        sa.Column("instructor_name", sa.String(length=120), nullable=False),
        sa.Column("seed", sa.Integer(), nullable=False),
        sa.Column("started_at", careverse.kernel.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("ended_at", careverse.kernel.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("score", sa.JSON(), nullable=False),
        sa.Column("log", sa.JSON(), nullable=False),
        sa.Column("timeline", sa.JSON(), nullable=False),
        sa.Column("notes", sa.JSON(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["instructor_id"],
            ["accounts.id"],
            name=op.f("fk_training_lab_runs_instructor_id_accounts"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_training_lab_runs")),
    )
    with op.batch_alter_table("training_lab_runs", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_training_lab_runs_instructor_id"), ["instructor_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_training_lab_runs_space_id"), ["space_id"], unique=False
        )

    op.create_table(
        "training_lab_trainees",
        sa.Column("run_id", sa.Uuid(), nullable=False),
        sa.Column("account_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("score", sa.JSON(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_training_lab_trainees_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["training_lab_runs.id"],
            name=op.f("fk_training_lab_trainees_run_id_training_lab_runs"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_training_lab_trainees")),
    )
    with op.batch_alter_table("training_lab_trainees", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_training_lab_trainees_account_id"), ["account_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_training_lab_trainees_run_id"), ["run_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("training_lab_trainees", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_training_lab_trainees_run_id"))
        batch_op.drop_index(batch_op.f("ix_training_lab_trainees_account_id"))
    op.drop_table("training_lab_trainees")
    with op.batch_alter_table("training_lab_runs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_training_lab_runs_space_id"))
        batch_op.drop_index(batch_op.f("ix_training_lab_runs_instructor_id"))
    op.drop_table("training_lab_runs")
