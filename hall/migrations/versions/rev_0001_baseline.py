"""0001 baseline: the hall's tables as the last release before migrations made them.

Built from the frozen copy in :mod:`hall.migrations.baseline`, which is also what a database from
that release is brought up to before it is stamped with this revision.
"""

from __future__ import annotations

from alembic import op

from hall.migrations.baseline import baseline_metadata

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    baseline_metadata().create_all(op.get_bind())


def downgrade() -> None:
    baseline_metadata().drop_all(op.get_bind())
