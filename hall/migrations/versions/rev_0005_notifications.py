"""0005 notifications: the hall's durable SMS queue and what the carrier said of each part.

- ``notifications``: one row per SMS to send (unique ``dedupe_key``: queued once per event), the
  rendered text, the number (kept only at the hall), its state (pending, sent, failed), attempts.
- ``sms_parts``: per accepted part, the carrier's message id (stored before the next part goes)
  and later its delivery receipt.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "notifications",
        sa.Column("seq", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("dedupe_key", sa.String(128), nullable=False, unique=True),
        sa.Column("event", sa.String(32), nullable=False),
        sa.Column("to_number", sa.String(16), nullable=False),
        sa.Column("language", sa.String(2), nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("state", sa.String(16), nullable=False),  # pending, sent, failed
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("last_error", sa.Text, nullable=True),
        sa.Column("backend", sa.String(16), nullable=True),
        sa.Column("created_at", sa.String(40), nullable=False),
        sa.Column("sent_at", sa.String(40), nullable=True),
    )
    op.create_index("notifications_queue", "notifications", ["state", "to_number", "seq"])
    op.create_table(
        "sms_parts",
        sa.Column("notification_seq", sa.Integer, nullable=False),
        sa.Column("part", sa.Integer, nullable=False),
        sa.Column("message_id", sa.String(65), nullable=False),
        sa.Column("accepted_at", sa.String(40), nullable=False),
        sa.Column("receipt_state", sa.String(16), nullable=True),
        sa.Column("receipt_error", sa.String(16), nullable=True),
        sa.Column("receipt_at", sa.String(40), nullable=True),
        sa.PrimaryKeyConstraint("notification_seq", "part"),
    )
    op.create_index("sms_parts_message", "sms_parts", ["message_id"])


def downgrade() -> None:
    op.drop_table("sms_parts")
    op.drop_table("notifications")
