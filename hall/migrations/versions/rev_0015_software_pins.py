"""0015 software pins (issue 20, updates): the kiosk version the console pinned a station to
(``software_pins``, :mod:`hall.software`), delivered in the station's heartbeat answer; the
station installs it from the hall's apt repository (:mod:`hall.apt_repo`).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "software_pins",
        sa.Column("station_id", sa.String(32), primary_key=True),
        sa.Column("version", sa.String(64), nullable=False),
        sa.Column("set_by", sa.String(64), nullable=False),
        sa.Column("set_at", sa.String(40), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("software_pins")
