"""portfolio: a planner's priority override per idea; a plan's ramp curve and recruiting
proposal (issue 21)

Revision ID: f1a7c3d5e208
Revises: 4a9d2c7e1b58
Create Date: 2026-12-05 16:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "f1a7c3d5e208"
down_revision: str | None = "4a9d2c7e1b58"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("trend", sa.Column("priority_override", sa.Integer(), nullable=True))
    op.add_column("productionplan", sa.Column("ramp", sa.JSON(), nullable=True))


def downgrade() -> None:
    op.drop_column("productionplan", "ramp")
    op.drop_column("trend", "priority_override")
