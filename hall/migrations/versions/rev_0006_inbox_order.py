"""0006 inbox order: indexes that hold the filings desk's inbox in page order, and its counts.

The inbox lists parts by their promised-by date, then the time received, then the ids
(:mod:`hall.desk_views`). With 100,000 parts, a page of every part or of the done ones sorted a
department's whole history on each request (about 30 ms on SQLite, more for a supervisor's
view of every department); these indexes let the page be read in order and stop after a page:

- ``parts_queue``: one department's parts in that order (an officer's inbox);
- ``parts_queue_all``: every department's (a supervisor's);
- ``parts_due``: parts by status, promised-by date and pause, so the overdue ones of every
  department and the tab counts across departments are read from an index (PostgreSQL has no
  skip scan of ``parts_inbox``, which starts with the department);
- ``parts_service``: parts by service, so the parts another desk drives (demands) are counted
  apart without reading a department's rows, and the inbox's service filter is an index range;
- ``parts_name``: the enterprise names by department, with the part's key, so a name search
  reads the index alone, not the rows (a search for a name few parts carry read 20,000 rows of
  one department, ~30 ms on SQLite; 100,000 for a supervisor, ~40 ms on PostgreSQL).
"""

from __future__ import annotations

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

_ORDER = ["due_on", "received_at", "submission_id", "part_id"]


def upgrade() -> None:
    op.create_index("parts_queue", "parts", ["department", *_ORDER])
    op.create_index("parts_queue_all", "parts", _ORDER)
    op.create_index("parts_due", "parts", ["status", "due_on", "paused_since"])
    op.create_index("parts_service", "parts", ["service_id", "status"])
    op.create_index(
        "parts_name", "parts", ["department", "enterprise_name", "submission_id", "part_id"]
    )


def downgrade() -> None:
    op.drop_index("parts_name", "parts")
    op.drop_index("parts_service", "parts")
    op.drop_index("parts_due", "parts")
    op.drop_index("parts_queue_all", "parts")
    op.drop_index("parts_queue", "parts")
