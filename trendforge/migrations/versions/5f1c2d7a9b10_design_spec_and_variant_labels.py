"""design spec on ideas; labels, source and findings on variants

Revision ID: 5f1c2d7a9b10
Revises: b4e8f2a61c07
Create Date: 2026-12-05 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "5f1c2d7a9b10"
down_revision: str | None = "b4e8f2a61c07"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("trend", sa.Column("design_spec", sa.JSON(), nullable=True))
    with op.batch_alter_table("designvariant") as batch:
        batch.add_column(sa.Column("labels", sa.JSON(), nullable=True))
        batch.add_column(
            sa.Column(
                "source",
                sqlmodel.sql.sqltypes.AutoString(length=64),
                nullable=False,
                server_default="parametric",
            )
        )
        batch.add_column(sa.Column("findings", sa.JSON(), nullable=True))
    # variants made before this revision have no labels or findings: empty lists, not NULL
    op.execute(sa.text("UPDATE designvariant SET labels = '[]', findings = '[]'"))


def downgrade() -> None:
    with op.batch_alter_table("designvariant") as batch:
        batch.drop_column("findings")
        batch.drop_column("source")
        batch.drop_column("labels")
    op.drop_column("trend", "design_spec")
