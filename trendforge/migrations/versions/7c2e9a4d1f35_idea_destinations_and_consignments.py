"""destinations on ideas; consignment table (the delivery leg, issue 22)

Revision ID: 7c2e9a4d1f35
Revises: d8a4b6c2e915
Create Date: 2026-12-05 13:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "7c2e9a4d1f35"
down_revision: str | None = "d8a4b6c2e915"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("trend", sa.Column("destinations", sa.JSON(), nullable=True))
    # ideas made before this revision name no destinations: an empty list, not NULL
    op.execute(sa.text("UPDATE trend SET destinations = '[]'"))
    op.create_table(
        "consignment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("trend_id", sa.Integer(), nullable=False),
        sa.Column("batch_sequence", sa.Integer(), nullable=False),
        sa.Column("market", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.Column("leg", sa.Integer(), nullable=False),
        sa.Column("units", sa.Integer(), nullable=False),
        sa.Column("mode", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("lane_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("deadline", sa.Date(), nullable=True),
        sa.Column("planned_departure", sa.Date(), nullable=False),
        sa.Column("eta_latest", sa.Date(), nullable=False),
        sa.Column("freight_usd", sa.Float(), nullable=False),
        sa.Column("duty_usd", sa.Float(), nullable=False),
        sa.Column("fees_usd", sa.Float(), nullable=False),
        sa.Column("export_mode", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.Column("documents", sa.JSON(), nullable=True),
        sa.Column("explanation", sa.JSON(), nullable=True),
        sa.Column("booked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["trend_id"], ["trend.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("trend_id", "batch_sequence", "market", "leg", name="uq_consignment"),
    )
    with op.batch_alter_table("consignment", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_consignment_trend_id"), ["trend_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_consignment_status"), ["status"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("consignment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_consignment_status"))
        batch_op.drop_index(batch_op.f("ix_consignment_trend_id"))
    op.drop_table("consignment")
    op.drop_column("trend", "destinations")  # no batch copy: other tables point at trend
