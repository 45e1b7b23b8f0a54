"""messaging: the notifications inbox moves from care (link and patient instead of the
appointment), secure message threads, messages, attachments and read receipts

Revision ID: 0012_messaging
Revises: 0011_care_health_record
Create Date: 2026-11-30 14:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import careverse.kernel.crypto
import careverse.kernel.db

revision: str = "0012_messaging"
down_revision: str | None = "0011_care_health_record"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

Encrypted = careverse.kernel.crypto.Encrypted
When = careverse.kernel.db.UTCDateTime


def _fk(table: str, column: str, target: str, ondelete: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], [f"{target}.id"], name=op.f(f"fk_{table}_{column}_{target}"), ondelete=ondelete
    )


def upgrade() -> None:
    # The inbox: a client link and the patient it concerns replace care's appointment column.
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.add_column(sa.Column("link", sa.String(length=300), nullable=True))
        batch_op.add_column(sa.Column("patient_id", sa.Uuid(), nullable=True))
    op.execute(
        "UPDATE notifications SET link = '/care/appointments/' || CAST(appointment_id AS VARCHAR),"
        " patient_id = (SELECT appointments.patient_id FROM appointments"
        " WHERE appointments.id = notifications.appointment_id)"
        " WHERE appointment_id IS NOT NULL"
    )
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_notifications_appointment_id"))
        batch_op.drop_constraint(
            op.f("fk_notifications_appointment_id_appointments"), type_="foreignkey"
        )
        batch_op.drop_column("appointment_id")
        batch_op.create_foreign_key(
            op.f("fk_notifications_patient_id_patients"), "patients", ["patient_id"], ["id"],
            ondelete="CASCADE",
        )  # fmt: skip
        batch_op.create_index(
            batch_op.f("ix_notifications_patient_id"), ["patient_id"], unique=False
        )

    op.create_table(
        "message_threads",
        sa.Column("patient_id", sa.Uuid(), nullable=False),
        sa.Column("subject", Encrypted(), nullable=False),
        sa.Column("created_by", sa.Uuid(), nullable=True),
        sa.Column("last_message_at", When(timezone=True), nullable=False),
        sa.Column("assigned_to", sa.Uuid(), nullable=True),
        sa.Column("handled_at", When(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", When(timezone=True), nullable=False),
        _fk("message_threads", "patient_id", "patients", "CASCADE"),
        _fk("message_threads", "created_by", "accounts", "SET NULL"),
        _fk("message_threads", "assigned_to", "accounts", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_message_threads")),
    )
    with op.batch_alter_table("message_threads", schema=None) as batch_op:
        batch_op.create_index(
            "ix_message_threads_patient_last", ["patient_id", "last_message_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_message_threads_assigned_to"), ["assigned_to"], unique=False
        )

    op.create_table(
        "messages",
        sa.Column("thread_id", sa.Uuid(), nullable=False),
        sa.Column("author_id", sa.Uuid(), nullable=True),
        sa.Column("side", sa.String(length=16), nullable=False),
        sa.Column("body", Encrypted(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", When(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["thread_id"],
            ["message_threads.id"],
            name=op.f("fk_messages_thread_id_message_threads"),
            ondelete="CASCADE",
        ),
        _fk("messages", "author_id", "accounts", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_messages")),
    )
    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.create_index(
            "ix_messages_thread_created", ["thread_id", "created_at"], unique=False
        )

    op.create_table(
        "message_attachments",
        sa.Column("message_id", sa.Uuid(), nullable=False),
        sa.Column("filename", Encrypted(), nullable=False),
        sa.Column("content_type", sa.String(length=64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("content", Encrypted(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", When(timezone=True), nullable=False),
        _fk("message_attachments", "message_id", "messages", "CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_message_attachments")),
    )
    with op.batch_alter_table("message_attachments", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_message_attachments_message_id"), ["message_id"], unique=False
        )

    op.create_table(
        "message_thread_reads",
        sa.Column("thread_id", sa.Uuid(), nullable=False),
        sa.Column("account_id", sa.Uuid(), nullable=False),
        sa.Column("read_at", When(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["thread_id"],
            ["message_threads.id"],
            name=op.f("fk_message_thread_reads_thread_id_message_threads"),
            ondelete="CASCADE",
        ),
        _fk("message_thread_reads", "account_id", "accounts", "CASCADE"),
        sa.PrimaryKeyConstraint("thread_id", "account_id", name=op.f("pk_message_thread_reads")),
    )


def downgrade() -> None:
    op.drop_table("message_thread_reads")
    with op.batch_alter_table("message_attachments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_message_attachments_message_id"))
    op.drop_table("message_attachments")
    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.drop_index("ix_messages_thread_created")
    op.drop_table("messages")
    with op.batch_alter_table("message_threads", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_message_threads_assigned_to"))
        batch_op.drop_index("ix_message_threads_patient_last")
    op.drop_table("message_threads")
    # Notices that were not about an appointment have no place in care's old table.
    op.execute(
        "DELETE FROM notifications WHERE link IS NULL OR link NOT LIKE '/care/appointments/%'"
    )
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_notifications_patient_id"))
        batch_op.drop_constraint(op.f("fk_notifications_patient_id_patients"), type_="foreignkey")
        batch_op.drop_column("patient_id")
        batch_op.add_column(sa.Column("appointment_id", sa.Uuid(), nullable=True))
    # Best effort: the kept notices lose their appointment id (they are a courtesy; the
    # appointments are the record).
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.drop_column("link")
        batch_op.create_foreign_key(
            op.f("fk_notifications_appointment_id_appointments"), "appointments",
            ["appointment_id"], ["id"], ondelete="CASCADE",
        )  # fmt: skip
        batch_op.create_index(
            batch_op.f("ix_notifications_appointment_id"), ["appointment_id"], unique=False
        )
