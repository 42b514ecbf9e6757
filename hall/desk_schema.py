"""The filings desk's own tables (migration 0004): part events, department endpoints, the
forwarding queue and 帮办代办 bookings. The part rows themselves are :data:`hall.tracking.parts`.

Live mirrors of what ``hall/migrations/versions/rev_0004_filings_desk.py`` builds; a test keeps
them equal on SQLite and PostgreSQL.
"""

from __future__ import annotations

from sqlalchemy import Boolean, Column, Index, Integer, String, Table, Text

from hall.store import metadata

# Every move of a part: who, when, from, to, the reason (required where the model says so), the
# listed materials of a 补正 and the note the applicant sees on the progress page.
part_events = Table(
    "part_events",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column("submission_id", String(36), nullable=False),
    Column("part_id", String(64), nullable=False),
    Column("at", String(40), nullable=False),
    Column("actor", String(64), nullable=False),
    Column("from_status", String(16), nullable=False),
    Column("to_status", String(16), nullable=False),
    Column("reason", Text, nullable=False, server_default=""),
    Column("items", Text, nullable=True),  # JSON: [{"material": id, "reason": text}] for 补正
    Column("public_note_zh", Text, nullable=False, server_default=""),
    Column("public_note_en", Text, nullable=False, server_default=""),
)
Index("part_events_part", part_events.c.submission_id, part_events.c.part_id, part_events.c.seq)

# A department's own case system: accepted parts are delivered there (hall.forwarding).
department_endpoints = Table(
    "department_endpoints",
    metadata,
    Column("department", String(64), primary_key=True),
    Column("url", Text, nullable=False),
    Column("secret", Text, nullable=False),  # the HMAC-SHA256 key both sides hold
    Column("active", Boolean, nullable=False),
    Column("updated_at", String(40), nullable=False),
    Column("updated_by", String(64), nullable=False),
)

# The durable queue of deliveries to department systems, one row per accepted part.
forward_queue = Table(
    "forward_queue",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column("idempotency_key", String(128), nullable=False, unique=True),
    Column("submission_id", String(36), nullable=False),
    Column("part_id", String(64), nullable=False),
    Column("department", String(64), nullable=False),
    Column("state", String(16), nullable=False),  # pending, delivered, failed
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("next_attempt_at", String(40), nullable=False),
    Column("last_error", Text, nullable=True),
    Column("case_number", String(64), nullable=True),
    Column("created_at", String(40), nullable=False),
    Column("delivered_at", String(40), nullable=True),
)
Index("forward_queue_due", forward_queue.c.state, forward_queue.c.next_attempt_at)

# 帮办代办 bookings as the front desk works them (one per booking filing).
bookings = Table(
    "bookings",
    metadata,
    Column("submission_id", String(36), primary_key=True),
    Column("tracking_number", String(64), nullable=False),
    Column("station_id", String(32), nullable=False),
    Column("enterprise_name", Text, nullable=False, server_default=""),
    Column("slot_date", String(10), nullable=False),
    Column("slot_period", String(8), nullable=False),  # am, pm
    Column("state", String(16), nullable=False),  # requested, confirmed, cancelled
    Column("note", Text, nullable=False, server_default=""),
    Column("version", Integer, nullable=False, server_default="1"),
    Column("created_at", String(40), nullable=False),
    Column("updated_at", String(40), nullable=False),
    Column("updated_by", String(64), nullable=False, server_default=""),
)
Index("bookings_slot", bookings.c.slot_date, bookings.c.state)
