"""The applicant loop's tables (migration 0007): access tokens, 补正 hand-ins, ratings (好差评) and
the rectification tasks poor ratings open. ``parts.delivery`` and ``parts.waybill`` are on
:data:`hall.tracking.parts`.

Live mirrors of what ``hall/migrations/versions/rev_0007_applicant_loop.py`` builds; a test keeps
them equal on SQLite and PostgreSQL.
"""

from __future__ import annotations

from sqlalchemy import Column, Index, Integer, String, Table, Text, UniqueConstraint

from hall.store import metadata

# The receipt's access token per filing: the hall keeps the token (not a hash) because the texts
# it sends carry it in their links. A capability for one filing's story; never logged.
applicant_access = Table(
    "applicant_access",
    metadata,
    Column("submission_id", String(36), primary_key=True),
    Column("tracking_number", String(64), nullable=False, unique=True),
    Column("token", String(64), nullable=False),
    Column("created_at", String(40), nullable=False),
)

# A 补正 hand-in, linked to the part that asked for it.
supplements = Table(
    "supplements",
    metadata,
    Column("submission_id", String(36), primary_key=True),
    Column("original_submission_id", String(36), nullable=False),
    Column("part_id", String(64), nullable=False),
    Column("tracking_number", String(64), nullable=False),  # the supplement's own
    Column("state", String(16), nullable=False),  # applied, late
    Column("materials", Text, nullable=False),  # JSON list of material ids handed in
    Column("received_at", String(40), nullable=False),
)
Index("supplements_part", supplements.c.original_submission_id, supplements.c.part_id)

# 好差评: one rating per part (一次一评), changeable within 7 days.
ratings = Table(
    "ratings",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column("submission_id", String(36), nullable=False),
    Column("part_id", String(64), nullable=False),
    Column("tracking_number", String(64), nullable=False),
    Column("service_id", String(64), nullable=False),
    Column("department", String(64), nullable=False),
    Column("level", Integer, nullable=False),  # 5 非常满意 … 1 非常不满意
    Column("indicators", Text, nullable=False),  # JSON {overall, efficiency, ...}: 1-5 each
    Column("comment", Text, nullable=False, server_default=""),
    Column("channel", String(16), nullable=False),  # phone, kiosk
    Column("created_at", String(40), nullable=False),
    Column("updated_at", String(40), nullable=False),
    UniqueConstraint("submission_id", "part_id", name="ratings_one_per_part"),
)
Index("ratings_department", ratings.c.department, ratings.c.created_at)

# The task a 不满意 / 非常不满意 rating opens for the department: 15 working days, a call-back.
rectifications = Table(
    "rectifications",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column("rating_seq", Integer, nullable=False, unique=True),
    Column("department", String(64), nullable=False),
    Column("due_on", String(10), nullable=False),
    Column("state", String(16), nullable=False),  # open, called_back, closed
    Column("callback_note", Text, nullable=False, server_default=""),
    Column("callback_at", String(40), nullable=True),
    Column("handled_by", String(64), nullable=False, server_default=""),
    Column("version", Integer, nullable=False, server_default="1"),
    Column("created_at", String(40), nullable=False),
    Column("updated_at", String(40), nullable=False),
)
Index(
    "rectifications_open",
    rectifications.c.department,
    rectifications.c.state,
    rectifications.c.due_on,
)
