"""0010 filings that reference the enterprise register (issue 17).

- ``filing_enterprises``: the register's enterprise a filing names (its e-archive finds it).
- ``filing_materials_on_file``: per filing and catalog material id, the ``enterprise_materials``
  row it took instead of a photograph (免提交).
- ``enterprise_materials.media_type``: the media type of the file the hall holds (PDF, JPEG,
  PNG), for the desk and the kiosk's printer.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("enterprise_materials") as batch:
        batch.add_column(sa.Column("media_type", sa.String(64), nullable=True))
    op.create_table(
        "filing_enterprises",
        sa.Column("submission_id", sa.String(36), primary_key=True),
        sa.Column("enterprise_id", sa.String(32), nullable=False),
    )
    op.create_index("filing_enterprises_of", "filing_enterprises", ["enterprise_id"])
    op.create_table(
        "filing_materials_on_file",
        sa.Column("submission_id", sa.String(36), primary_key=True),
        sa.Column("material_id", sa.String(64), primary_key=True),
        sa.Column("enterprise_material_id", sa.String(32), nullable=False),
    )
    op.create_index(
        "filing_materials_on_file_of", "filing_materials_on_file", ["enterprise_material_id"]
    )


def downgrade() -> None:
    op.drop_table("filing_materials_on_file")
    op.drop_table("filing_enterprises")
    with op.batch_alter_table("enterprise_materials") as batch:
        batch.drop_column("media_type")
