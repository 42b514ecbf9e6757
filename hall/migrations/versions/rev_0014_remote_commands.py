"""0014 remote commands and technician accounts (issue 20): ``remote_commands`` keeps each
command the console issued to a station (who asked, when, until when, its status and the
station's result; :mod:`hall.remote_commands`), indexed for the heartbeat's look-up of a
station's open commands and for the console's history; ``technician_audit`` names whose hands
(``who``: a technician's account, or ``technician`` for a station's fallback PIN).

Rows from before read ``technician`` (every entry then was the shared PIN's).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "remote_commands",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("station_id", sa.String(32), nullable=False),
        sa.Column("kind", sa.String(24), nullable=False),
        sa.Column("args", sa.Text, nullable=False),
        sa.Column("issued_by", sa.String(64), nullable=False),
        sa.Column("issued_at", sa.String(40), nullable=False),
        sa.Column("expires_at", sa.String(40), nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("delivered_at", sa.String(40), nullable=True),
        sa.Column("finished_at", sa.String(40), nullable=True),
        sa.Column("detail", sa.Text, nullable=True),
    )
    op.create_index("remote_commands_station", "remote_commands", ["station_id", "status"])
    op.create_index("remote_commands_history", "remote_commands", ["station_id", "issued_at"])
    with op.batch_alter_table("technician_audit") as table:
        table.add_column(
            sa.Column("who", sa.String(64), nullable=False, server_default="technician")
        )


def downgrade() -> None:
    with op.batch_alter_table("technician_audit") as table:
        table.drop_column("who")
    op.drop_index("remote_commands_history", "remote_commands")
    op.drop_index("remote_commands_station", "remote_commands")
    op.drop_table("remote_commands")
