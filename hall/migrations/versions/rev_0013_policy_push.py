"""0013 policy push (免申即享, issue 18): every published policy version matched against the
enterprise register (``policy_push_policies``) and the enterprises it found eligible
(``policy_pushes``), pending until staff confirm; one row per enterprise × policy × version.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "policy_push_policies",
        sa.Column("version", sa.String(64), primary_key=True),
        sa.Column("policy_id", sa.String(80), primary_key=True),
        sa.Column("title_zh", sa.String(200), nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("eligible", sa.Integer, nullable=False),
        sa.Column("matched_at", sa.String(40), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
    )
    op.create_table(
        "policy_pushes",
        sa.Column("seq", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("version", sa.String(64), nullable=False),
        sa.Column("policy_id", sa.String(80), nullable=False),
        sa.Column("enterprise_id", sa.String(32), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("matched_at", sa.String(40), nullable=False),
        sa.Column("confirmed_at", sa.String(40), nullable=True),
        sa.Column("confirmed_by", sa.String(64), nullable=True),
        sa.Column("token", sa.String(32), nullable=True),
        sa.Column("texted", sa.String(16), nullable=True),
        sa.UniqueConstraint("enterprise_id", "policy_id", "version", name="policy_pushes_once"),
    )
    op.create_index("policy_pushes_of_policy", "policy_pushes", ["policy_id", "version", "state"])
    op.create_index("policy_pushes_of_enterprise", "policy_pushes", ["enterprise_id", "state"])


def downgrade() -> None:
    op.drop_index("policy_pushes_of_enterprise", "policy_pushes")
    op.drop_index("policy_pushes_of_policy", "policy_pushes")
    op.drop_table("policy_pushes")
    op.drop_table("policy_push_policies")
