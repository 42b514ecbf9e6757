"""0002 departments: the departments table, filled from the latest published catalog.

A department is data published with the catalog (its id, names); the table keeps every department
any catalog named, ``listed`` saying whether the latest one still does (staff accounts and parts
keep naming a department a newer catalog dropped). ``catalog_seq`` is the published catalog the
row was last brought in line with (:mod:`hall.departments` keeps it current after this).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    departments = op.create_table(
        "departments",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("name_zh", sa.Text, nullable=False),
        sa.Column("name_en", sa.Text, nullable=False),
        sa.Column("listed", sa.Boolean, nullable=False),
        sa.Column("catalog_seq", sa.Integer, nullable=False),
        sa.Column("updated_at", sa.String(40), nullable=False),
    )
    latest = (
        op.get_bind()
        .execute(sa.text("SELECT seq, body FROM catalogs ORDER BY seq DESC LIMIT 1"))
        .first()
    )
    if latest is None:
        return  # a new hall: filled when the first catalog is published
    # Published catalogs passed the catalog check, so the list has this shape; read only it, so
    # this revision keeps working whatever later catalog versions add.
    listed = json.loads(latest.body).get("departments", [])
    now = datetime.now(UTC).isoformat(timespec="milliseconds")
    op.bulk_insert(
        departments,
        [
            {
                "id": d["id"],
                "name_zh": d["name_zh"],
                "name_en": d["name_en"],
                "listed": True,
                "catalog_seq": latest.seq,
                "updated_at": now,
            }
            for d in listed
        ],
    )


def downgrade() -> None:
    op.drop_table("departments")
