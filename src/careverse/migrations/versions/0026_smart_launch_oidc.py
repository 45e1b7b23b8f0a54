"""identity: SMART EHR launch handles, OpenID Connect signing keys, a backend client's jwks_url

Revision ID: 0026_smart_launch_oidc
Revises: 0025_wellbeing_exposure
Create Date: 2026-11-30 23:20:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import careverse.kernel.crypto
import careverse.kernel.db

revision: str = "0026_smart_launch_oidc"
down_revision: str | None = "0025_wellbeing_exposure"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("smart_apps", sa.Column("jwks_url", sa.Text(), nullable=True))
    op.add_column("smart_apps", sa.Column("launch_url", sa.Text(), nullable=True))
    op.add_column("smart_codes", sa.Column("nonce", sa.String(length=255), nullable=True))
    op.create_table(
        "smart_launches",
        sa.Column("handle_hash", sa.String(length=64), nullable=False),
        sa.Column("app_id", sa.Uuid(), nullable=False),
        sa.Column("account_id", sa.Uuid(), nullable=False),
        sa.Column("patient_id", sa.Uuid(), nullable=False),
        sa.Column("expires_at", careverse.kernel.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("used_at", careverse.kernel.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", careverse.kernel.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_smart_launches_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["app_id"],
            ["smart_apps.id"],
            name=op.f("fk_smart_launches_app_id_smart_apps"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["patients.id"],
            name=op.f("fk_smart_launches_patient_id_patients"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_smart_launches")),
        sa.UniqueConstraint("handle_hash", name=op.f("uq_smart_launches_handle_hash")),
    )
    for column in ("account_id", "app_id", "expires_at", "patient_id"):
        op.create_index(op.f(f"ix_smart_launches_{column}"), "smart_launches", [column])
    op.create_table(
        "smart_signing_keys",
        sa.Column("kid", sa.String(length=64), nullable=False),
        sa.Column("alg", sa.String(length=10), nullable=False),
        sa.Column("private_jwk", careverse.kernel.crypto.Encrypted(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", careverse.kernel.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_smart_signing_keys")),
        sa.UniqueConstraint("kid", name=op.f("uq_smart_signing_keys_kid")),
    )


def downgrade() -> None:
    op.drop_table("smart_signing_keys")
    for column in ("account_id", "app_id", "expires_at", "patient_id"):
        op.drop_index(op.f(f"ix_smart_launches_{column}"), table_name="smart_launches")
    op.drop_table("smart_launches")
    with op.batch_alter_table("smart_codes") as batch:
        batch.drop_column("nonce")
    with op.batch_alter_table("smart_apps") as batch:
        batch.drop_column("launch_url")
        batch.drop_column("jwks_url")
