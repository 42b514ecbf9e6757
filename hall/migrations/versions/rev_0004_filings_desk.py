"""0004 filings desk: what departments need to work every filing.

- ``parts`` gains what an inbox sorts, filters and searches on without opening the submission
  (station, time received, promised-by date, enterprise name and USCC — never the ID number),
  an optimistic ``version`` for concurrent officers, who moved it last, when it was paused for
  more material, when it closed, and the case number a department's own system gave it.
  Existing rows are filled from their submissions; statuses of the old staff model map onto the
  part model (handling → in_review, completed → closed, rejected → refused) except for demands,
  which the demand loop drives with its own words.
- ``part_events``: every move of a part (who, when, from, to, reasons, the applicant-facing note).
- ``department_endpoints``: a department's own system, where accepted parts are forwarded.
- ``forward_queue``: the durable queue of those deliveries (idempotency key, attempts, answer).
- ``bookings``: 帮办代办 bookings for the front desk (slot, station, state).
"""

from __future__ import annotations

import json

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

_DEMAND_SERVICE = "enterprise_demand"


def upgrade() -> None:
    with op.batch_alter_table("parts") as batch:
        batch.add_column(sa.Column("version", sa.Integer, nullable=False, server_default="1"))
        batch.add_column(sa.Column("station_id", sa.String(32), nullable=False, server_default=""))
        batch.add_column(sa.Column("received_at", sa.String(40), nullable=False, server_default=""))
        batch.add_column(sa.Column("due_on", sa.String(10), nullable=True))
        batch.add_column(sa.Column("paused_since", sa.String(40), nullable=True))
        batch.add_column(sa.Column("enterprise_name", sa.Text, nullable=False, server_default=""))
        batch.add_column(sa.Column("uscc", sa.String(18), nullable=False, server_default=""))
        batch.add_column(sa.Column("updated_by", sa.String(64), nullable=False, server_default=""))
        batch.add_column(sa.Column("closed_at", sa.String(40), nullable=True))
        batch.add_column(sa.Column("case_number", sa.String(64), nullable=True))
    op.create_index("parts_inbox", "parts", ["department", "status", "due_on"])
    op.create_index("parts_received", "parts", ["department", "received_at"])
    op.create_index("parts_uscc", "parts", ["uscc"])
    op.create_index("parts_station", "parts", ["station_id"])

    bind = op.get_bind()
    rows = bind.execute(
        sa.text("SELECT id, station_id, received_at, payload FROM submissions")
    ).all()
    for row in rows:
        try:
            form = json.loads(row.payload).get("form") or {}
        except (ValueError, AttributeError):
            form = {}
        form = form if isinstance(form, dict) else {}
        name = form.get("enterprise_name") or form.get("company_name") or ""
        uscc = form.get("uscc") or ""
        bind.execute(
            sa.text(
                "UPDATE parts SET station_id = :station, received_at = :received,"
                " enterprise_name = :name, uscc = :uscc WHERE submission_id = :id"
            ),
            {
                "station": row.station_id,
                "received": row.received_at,
                "name": name if isinstance(name, str) else "",
                "uscc": uscc[:18] if isinstance(uscc, str) else "",
                "id": row.id,
            },
        )
    for old, new in (("handling", "in_review"), ("completed", "closed"), ("rejected", "refused")):
        bind.execute(
            sa.text("UPDATE parts SET status = :new WHERE status = :old AND service_id <> :demand"),
            {"new": new, "old": old, "demand": _DEMAND_SERVICE},
        )

    op.create_table(
        "part_events",
        sa.Column("seq", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("submission_id", sa.String(36), nullable=False),
        sa.Column("part_id", sa.String(64), nullable=False),
        sa.Column("at", sa.String(40), nullable=False),
        sa.Column("actor", sa.String(64), nullable=False),
        sa.Column("from_status", sa.String(16), nullable=False),
        sa.Column("to_status", sa.String(16), nullable=False),
        sa.Column("reason", sa.Text, nullable=False, server_default=""),
        sa.Column("items", sa.Text, nullable=True),  # JSON: [{material, reason}] for 补正
        sa.Column("public_note_zh", sa.Text, nullable=False, server_default=""),
        sa.Column("public_note_en", sa.Text, nullable=False, server_default=""),
    )
    op.create_index("part_events_part", "part_events", ["submission_id", "part_id", "seq"])

    op.create_table(
        "department_endpoints",
        sa.Column("department", sa.String(64), primary_key=True),
        sa.Column("url", sa.Text, nullable=False),
        sa.Column("secret", sa.Text, nullable=False),
        sa.Column("active", sa.Boolean, nullable=False),
        sa.Column("updated_at", sa.String(40), nullable=False),
        sa.Column("updated_by", sa.String(64), nullable=False),
    )

    op.create_table(
        "forward_queue",
        sa.Column("seq", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("idempotency_key", sa.String(128), nullable=False, unique=True),
        sa.Column("submission_id", sa.String(36), nullable=False),
        sa.Column("part_id", sa.String(64), nullable=False),
        sa.Column("department", sa.String(64), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),  # pending, delivered, failed
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("next_attempt_at", sa.String(40), nullable=False),
        sa.Column("last_error", sa.Text, nullable=True),
        sa.Column("case_number", sa.String(64), nullable=True),
        sa.Column("created_at", sa.String(40), nullable=False),
        sa.Column("delivered_at", sa.String(40), nullable=True),
    )
    op.create_index("forward_queue_due", "forward_queue", ["state", "next_attempt_at"])

    op.create_table(
        "bookings",
        sa.Column("submission_id", sa.String(36), primary_key=True),
        sa.Column("tracking_number", sa.String(64), nullable=False),
        sa.Column("station_id", sa.String(32), nullable=False),
        sa.Column("enterprise_name", sa.Text, nullable=False, server_default=""),
        sa.Column("slot_date", sa.String(10), nullable=False),
        sa.Column("slot_period", sa.String(8), nullable=False),  # am, pm
        sa.Column("state", sa.String(16), nullable=False),  # requested, confirmed, cancelled
        sa.Column("note", sa.Text, nullable=False, server_default=""),
        sa.Column("version", sa.Integer, nullable=False, server_default="1"),
        sa.Column("created_at", sa.String(40), nullable=False),
        sa.Column("updated_at", sa.String(40), nullable=False),
        sa.Column("updated_by", sa.String(64), nullable=False, server_default=""),
    )
    op.create_index("bookings_slot", "bookings", ["slot_date", "state"])


def downgrade() -> None:
    op.drop_table("bookings")
    op.drop_table("forward_queue")
    op.drop_table("department_endpoints")
    op.drop_table("part_events")
    for name in ("parts_station", "parts_uscc", "parts_received", "parts_inbox"):
        op.drop_index(name, "parts")
    with op.batch_alter_table("parts") as batch:
        for column in (
            "case_number", "closed_at", "updated_by", "uscc", "enterprise_name",
            "paused_since", "due_on", "received_at", "station_id", "version",
        ):  # fmt: skip
            batch.drop_column(column)
