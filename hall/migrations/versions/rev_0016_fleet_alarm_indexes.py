"""0016 the fleet page's alarms and counts from partial indexes (issue 20): stations with an
alert apart from going quiet (``severity`` not ``ok``) and stations on simulators
(``simulated`` > 0) each get an index holding only them, so the console's alarms filter and its
counts read those few rows, not every station's report; a healthy station's heartbeat updates
neither.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

_PARTIAL = {
    "station_health_alarming": "severity != 'ok'",
    "station_health_simulated": "simulated > 0",
}


def upgrade() -> None:
    for name, where in _PARTIAL.items():
        op.create_index(
            name,
            "station_health",
            ["station_id"],
            sqlite_where=sa.text(where),
            postgresql_where=sa.text(where),
        )


def downgrade() -> None:
    for name in _PARTIAL:
        op.drop_index(name, "station_health")
