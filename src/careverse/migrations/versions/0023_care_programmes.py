"""care: care programmes (leads, enrolments); fhir: the options of a bulk export job

Revision ID: 0023_care_programmes
Revises: 0022_smart_backend
Create Date: 2026-11-30 23:20:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import careverse.kernel.db

revision: str = "0023_care_programmes"
down_revision: str | None = "0022_smart_backend"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC = careverse.kernel.db.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "care_programmes",
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("created_by", sa.Uuid(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by"], ["accounts.id"], ondelete="SET NULL",
            name="fk_care_programmes_created_by_accounts",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_care_programmes"),
        sa.UniqueConstraint("name", name="uq_care_programmes_name"),
    )  # fmt: skip
    op.create_table(
        "care_programme_leads",
        sa.Column("programme_id", sa.Uuid(), nullable=False),
        sa.Column("clinician_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["programme_id"], ["care_programmes.id"], ondelete="CASCADE",
            name="fk_care_programme_leads_programme_id_care_programmes",
        ),
        sa.ForeignKeyConstraint(
            ["clinician_id"], ["accounts.id"], ondelete="CASCADE",
            name="fk_care_programme_leads_clinician_id_accounts",
        ),
        sa.PrimaryKeyConstraint("programme_id", "clinician_id", name="pk_care_programme_leads"),
    )  # fmt: skip
    op.create_index(
        "ix_care_programme_leads_clinician_id", "care_programme_leads", ["clinician_id"]
    )
    op.create_table(
        "care_programme_enrolments",
        sa.Column("programme_id", sa.Uuid(), nullable=False),
        sa.Column("patient_id", sa.Uuid(), nullable=False),
        sa.Column("open_key", sa.String(length=36), nullable=True),
        sa.Column("enrolled_by", sa.Uuid(), nullable=True),
        sa.Column("enrolled_at", UTC, nullable=False),
        sa.Column("ends_at", UTC, nullable=True),
        sa.Column("ended_at", UTC, nullable=True),
        sa.Column("ended_by", sa.Uuid(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["programme_id"], ["care_programmes.id"], ondelete="CASCADE",
            name="fk_care_programme_enrolments_programme_id_care_programmes",
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patients.id"], ondelete="CASCADE",
            name="fk_care_programme_enrolments_patient_id_patients",
        ),
        sa.ForeignKeyConstraint(
            ["enrolled_by"], ["accounts.id"], ondelete="SET NULL",
            name="fk_care_programme_enrolments_enrolled_by_accounts",
        ),
        sa.ForeignKeyConstraint(
            ["ended_by"], ["accounts.id"], ondelete="SET NULL",
            name="fk_care_programme_enrolments_ended_by_accounts",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_care_programme_enrolments"),
        sa.UniqueConstraint(
            "programme_id", "open_key", name="uq_care_programme_enrolments_programme_id"
        ),
    )  # fmt: skip
    op.create_index(
        "ix_care_programme_enrolments_programme_id", "care_programme_enrolments", ["programme_id"]
    )
    op.create_index(
        "ix_care_programme_enrolments_patient_id", "care_programme_enrolments", ["patient_id"]
    )
    op.add_column("fhir_bulk_jobs", sa.Column("options", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("fhir_bulk_jobs") as batch:
        batch.drop_column("options")
    op.drop_index("ix_care_programme_enrolments_patient_id", table_name="care_programme_enrolments")
    op.drop_index(
        "ix_care_programme_enrolments_programme_id", table_name="care_programme_enrolments"
    )
    op.drop_table("care_programme_enrolments")
    op.drop_index("ix_care_programme_leads_clinician_id", table_name="care_programme_leads")
    op.drop_table("care_programme_leads")
    op.drop_table("care_programmes")
