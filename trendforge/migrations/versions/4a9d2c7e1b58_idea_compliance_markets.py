"""compliance markets and age grade on ideas

Revision ID: 4a9d2c7e1b58
Revises: 3e6b1f8c5a27
Create Date: 2026-12-05 16:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "4a9d2c7e1b58"
down_revision: str | None = "3e6b1f8c5a27"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # NULL: the idea declared no markets (its destinations' apply); its grade from its words
    op.add_column("trend", sa.Column("compliance_markets", sa.JSON(), nullable=True))
    op.add_column(
        "trend",
        sa.Column("age_grade", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True),
    )


def downgrade() -> None:
    op.drop_column("trend", "age_grade")  # no batch copy: other tables point at trend
    op.drop_column("trend", "compliance_markets")
