"""the factory's own lines and the time plans book on them

Revision ID: d8a4b6c2e915
Revises: c2d9e7f4a1b3
Create Date: 2026-12-05 13:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "d8a4b6c2e915"
down_revision: str | None = "c2d9e7f4a1b3"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _text(length: int) -> sqlmodel.sql.sqltypes.AutoString:
    return sqlmodel.sql.sqltypes.AutoString(length=length)


def upgrade() -> None:
    op.create_table(
        "factoryline",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("line_id", _text(64), nullable=False),
        sa.Column("site", _text(128), nullable=False),
        sa.Column("process", _text(64), nullable=False),
        sa.Column("rate_units_per_day", sa.Float(), nullable=False),
        sa.Column("shift_hours", sa.Float(), nullable=False),
        sa.Column("days_off", sa.JSON(), nullable=True),
        sa.Column("ramp_days", sa.Integer(), nullable=False),
        sa.Column("ramp_start_fraction", sa.Float(), nullable=False),
        sa.Column("changeover_days", sa.Float(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("line_id"),
    )
    op.create_index(op.f("ix_factoryline_process"), "factoryline", ["process"], unique=False)
    op.create_table(
        "linebooking",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("line_id", _text(64), nullable=False),
        sa.Column("workflow_id", _text(160), nullable=False),
        sa.Column("trend_id", sa.Integer(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("start_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("end_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", _text(16), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reason", _text(500), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("released_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["trend_id"], ["trend.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    for column in ("line_id", "workflow_id", "trend_id", "status"):
        op.create_index(op.f(f"ix_linebooking_{column}"), "linebooking", [column], unique=False)


def downgrade() -> None:
    for column in ("status", "trend_id", "workflow_id", "line_id"):
        op.drop_index(op.f(f"ix_linebooking_{column}"), table_name="linebooking")
    op.drop_table("linebooking")
    op.drop_index(op.f("ix_factoryline_process"), table_name="factoryline")
    op.drop_table("factoryline")
