"""compliance gates: one row per idea and market

Revision ID: 8d2e4c6a1f37
Revises: 7c2e9a4d1f35
Create Date: 2026-12-05 13:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "8d2e4c6a1f37"
down_revision: str | None = "7c2e9a4d1f35"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    text = sqlmodel.sql.sqltypes.AutoString
    op.create_table(
        "compliance",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("trend_id", sa.Integer(), nullable=False),
        sa.Column("market", text(length=16), nullable=False),
        sa.Column("rules_market", text(length=16), nullable=False),
        sa.Column("variant_id", sa.Integer(), nullable=True),
        sa.Column("age_grade", text(length=16), nullable=False),
        sa.Column("rules_version", text(length=32), nullable=False),
        sa.Column("passed", sa.Boolean(), nullable=False),
        sa.Column("status", text(length=16), nullable=False),
        sa.Column("findings", sa.JSON(), nullable=True),
        sa.Column("plan", sa.JSON(), nullable=True),
        sa.Column("lab_report_path", text(length=500), nullable=True),
        sa.Column("lab_report_sha256", text(length=64), nullable=True),
        sa.Column("waived_by", text(length=64), nullable=True),
        sa.Column("waiver_reason", text(length=1000), nullable=True),
        sa.Column("cleared_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["trend_id"], ["trend.id"]),
        sa.ForeignKeyConstraint(["variant_id"], ["designvariant.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("trend_id", "market", name="uq_compliance_market"),
    )
    op.create_index(op.f("ix_compliance_trend_id"), "compliance", ["trend_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_compliance_trend_id"), table_name="compliance")
    op.drop_table("compliance")
