"""sessions revocable: user session epoch, revoked login tokens

Revision ID: b4e8f2a61c07
Revises: a7c31e5d9b20
Create Date: 2026-12-05 10:02:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "b4e8f2a61c07"
down_revision: str | None = "a7c31e5d9b20"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("app_user") as batch:
        batch.add_column(
            sa.Column("session_epoch", sa.Integer(), nullable=False, server_default="0")
        )
    op.create_table(
        "revoked_session",
        sa.Column("jti", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("jti"),
    )


def downgrade() -> None:
    op.drop_table("revoked_session")
    with op.batch_alter_table("app_user") as batch:
        batch.drop_column("session_epoch")
