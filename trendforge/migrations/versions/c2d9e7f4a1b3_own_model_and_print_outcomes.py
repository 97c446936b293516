"""own model and print settings on ideas; print outcomes, units, plates and previews on prototypes

Revision ID: c2d9e7f4a1b3
Revises: 5f1c2d7a9b10
Create Date: 2026-12-05 13:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "c2d9e7f4a1b3"
down_revision: str | None = "5f1c2d7a9b10"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _text(length: int) -> sqlmodel.sql.sqltypes.AutoString:
    return sqlmodel.sql.sqltypes.AutoString(length=length)


def upgrade() -> None:
    op.add_column(
        "trend", sa.Column("use_as", _text(16), nullable=False, server_default="reference")
    )
    op.add_column(
        "trend", sa.Column("alternatives", sa.Boolean(), nullable=False, server_default=sa.true())
    )
    op.add_column("trend", sa.Column("units", _text(8), nullable=False, server_default="auto"))
    op.add_column("trend", sa.Column("scale", sa.Float(), nullable=True))
    op.add_column(
        "trend", sa.Column("allow_split", sa.Boolean(), nullable=False, server_default=sa.false())
    )
    op.add_column("trend", sa.Column("printer", _text(32), nullable=True))
    op.add_column(
        "prototype", sa.Column("status", _text(16), nullable=False, server_default="ready")
    )
    op.add_column("prototype", sa.Column("reason", _text(2000), nullable=True))
    op.add_column("prototype", sa.Column("fix", _text(2000), nullable=True))
    op.add_column("prototype", sa.Column("unit", _text(8), nullable=False, server_default="mm"))
    op.add_column(
        "prototype", sa.Column("unit_note", _text(500), nullable=False, server_default="")
    )
    op.add_column("prototype", sa.Column("scale", sa.Float(), nullable=False, server_default="1.0"))
    op.add_column(
        "prototype", sa.Column("printer", _text(32), nullable=False, server_default="prusa_mk4")
    )
    op.add_column(
        "prototype", sa.Column("plate_count", sa.Integer(), nullable=False, server_default="1")
    )
    op.add_column("prototype", sa.Column("plate_paths", sa.JSON(), nullable=True))
    op.add_column("prototype", sa.Column("part_paths", sa.JSON(), nullable=True))
    op.add_column("prototype", sa.Column("health_before", sa.JSON(), nullable=True))
    op.add_column("prototype", sa.Column("health_after", sa.JSON(), nullable=True))
    op.add_column("prototype", sa.Column("before_preview_path", _text(1024), nullable=True))
    op.add_column("prototype", sa.Column("after_preview_path", _text(1024), nullable=True))
    # prototypes made before this revision: empty lists and maps, not NULL
    op.execute(
        sa.text(
            "UPDATE prototype SET plate_paths = '[]', part_paths = '[]', "
            "health_before = '{}', health_after = '{}'"
        )
    )


def downgrade() -> None:
    with op.batch_alter_table("prototype") as batch:
        for name in (
            "after_preview_path", "before_preview_path", "health_after", "health_before",
            "part_paths", "plate_paths", "plate_count", "printer", "scale", "unit_note", "unit",
            "fix", "reason", "status",
        ):  # fmt: skip
            batch.drop_column(name)
    for name in ("printer", "allow_split", "scale", "units", "alternatives", "use_as"):
        op.drop_column("trend", name)
