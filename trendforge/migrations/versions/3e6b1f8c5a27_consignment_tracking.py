"""consignment tracking and packing: where the carrier last said a leg was, and when; the
packing its documents list (issue 22)

Revision ID: 3e6b1f8c5a27
Revises: 8d2e4c6a1f37
Create Date: 2026-12-05 13:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "3e6b1f8c5a27"
down_revision: str | None = "8d2e4c6a1f37"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("consignment", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "location",
                sqlmodel.sql.sqltypes.AutoString(length=240),
                nullable=False,
                server_default="",
            )
        )
        batch_op.add_column(sa.Column("tracked_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("packing", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("consignment", schema=None) as batch_op:
        batch_op.drop_column("packing")
        batch_op.drop_column("tracked_at")
        batch_op.drop_column("location")
