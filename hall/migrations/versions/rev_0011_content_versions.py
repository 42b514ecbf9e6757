"""0011 published content other than the catalog (issue 18): the Q&A knowledge base, the demand
taxonomy and the holiday calendar, each kind's versions in ``content_versions``.

One row per published version of a kind, as served (the exact bytes stations verify); versions
only grow (a roll back publishes an earlier body again under a new version name).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "content_versions",
        sa.Column("seq", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("version", sa.String(64), nullable=False),
        sa.Column("etag", sa.String(80), nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("published_at", sa.String(40), nullable=False),
        sa.Column("published_by", sa.String(64), nullable=False),
        sa.UniqueConstraint("kind", "version", name="content_versions_kind_version"),
    )
    op.create_index("content_versions_of_kind", "content_versions", ["kind", "seq"])


def downgrade() -> None:
    op.drop_table("content_versions")
