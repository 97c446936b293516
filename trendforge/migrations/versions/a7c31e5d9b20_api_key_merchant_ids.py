"""api key merchant ids

Revision ID: a7c31e5d9b20
Revises: e9dcc6780bd3
Create Date: 2026-12-05 09:55:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "a7c31e5d9b20"
down_revision: str | None = "e9dcc6780bd3"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("api_key", sa.Column("merchant_ids", sa.JSON(), nullable=True))
    # keys made before the binding keep what they were made for: the trend feed's ideas
    op.execute("UPDATE api_key SET merchant_ids = '[\"trend-feed\"]'")


def downgrade() -> None:
    op.drop_column("api_key", "merchant_ids")
