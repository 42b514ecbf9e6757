"""0012 the fleet page paged on the server (issue 20): each station's heartbeat row keeps the
severity of its alerts apart from going quiet (``severity``) and how many simulated devices a
station that is no demo runs (``simulated``), judged when the heartbeat arrives, so the console's
filters and counts are SQL; ``last_seen`` is indexed for the offline filter.

Rows from before read ``ok``/0 until their station's next heartbeat (within a minute).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("station_health") as table:
        table.add_column(sa.Column("severity", sa.String(8), nullable=False, server_default="ok"))
        table.add_column(sa.Column("simulated", sa.Integer, nullable=False, server_default="0"))
    op.create_index("station_health_last_seen", "station_health", ["last_seen"])


def downgrade() -> None:
    op.drop_index("station_health_last_seen", "station_health")
    with op.batch_alter_table("station_health") as table:
        table.drop_column("simulated")
        table.drop_column("severity")
