"""0003 staff department: each staff account belongs to one department or to the hall (NULL).

Accounts made before keep their roles (helper, supervisor) and belong to the hall.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("staff", sa.Column("department", sa.String(64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("staff") as batch:
        batch.drop_column("department")
