"""0008 SMS in flight: a part submitted, its answer not yet stored (a crash leaves it in doubt).

``notifications`` gains ``in_flight_part`` and ``in_flight_ref`` (the part about to be, or being,
submitted and the ``user_message_reference`` it carries, written before the ``submit_sm``),
``in_flight_at`` (when), and ``resent_in_doubt`` (how often an in-doubt part was sent again
because no delivery receipt owned it within the grace: each a possible duplicate).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("notifications") as batch:
        batch.add_column(sa.Column("in_flight_part", sa.Integer, nullable=True))
        batch.add_column(sa.Column("in_flight_ref", sa.Integer, nullable=True))
        batch.add_column(sa.Column("in_flight_at", sa.String(40), nullable=True))
        batch.add_column(
            sa.Column("resent_in_doubt", sa.Integer, nullable=False, server_default="0")
        )


def downgrade() -> None:
    with op.batch_alter_table("notifications") as batch:
        batch.drop_column("resent_in_doubt")
        batch.drop_column("in_flight_at")
        batch.drop_column("in_flight_ref")
        batch.drop_column("in_flight_part")
