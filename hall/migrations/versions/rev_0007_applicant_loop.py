"""0007 applicant loop: what brings the applicant back in (issue 16).

- ``applicant_access``: the receipt's access token per filing (the kiosk makes it, it travels
  sealed in the payload). The hall keeps the token itself, not a hash, because it must put it in
  the links of the texts it sends; it is a capability for one filing's story, never logged.
- ``supplements``: a 补正 hand-in (a submission of its own, with its own tracking number) linked to
  the part that asked for it; ``state`` says whether it sent the part back to review or came when
  the part no longer waited (kept, flagged, never lost).
- ``parts`` gains ``delivery`` (pickup, ems: the walk-in's choice at review) and ``waybill``
  (the EMS number the officer records when sending).
- ``ratings``: 好差评, one per part (一次一评), five levels plus the four indicators and a comment,
  changeable within 7 days; ``rectifications``: the task a poor rating opens for the department
  (15 working days, a call-back record), with an optimistic version like parts.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "applicant_access",
        sa.Column("submission_id", sa.String(36), primary_key=True),
        sa.Column("tracking_number", sa.String(64), nullable=False, unique=True),
        sa.Column("token", sa.String(64), nullable=False),
        sa.Column("created_at", sa.String(40), nullable=False),
    )

    op.create_table(
        "supplements",
        sa.Column("submission_id", sa.String(36), primary_key=True),
        sa.Column("original_submission_id", sa.String(36), nullable=False),
        sa.Column("part_id", sa.String(64), nullable=False),
        sa.Column("tracking_number", sa.String(64), nullable=False),  # the supplement's own
        sa.Column("state", sa.String(16), nullable=False),  # applied, late
        sa.Column("materials", sa.Text, nullable=False),  # JSON list of material ids handed in
        sa.Column("received_at", sa.String(40), nullable=False),
    )
    op.create_index("supplements_part", "supplements", ["original_submission_id", "part_id"])

    with op.batch_alter_table("parts") as batch:
        batch.add_column(sa.Column("delivery", sa.String(8), nullable=True))
        batch.add_column(sa.Column("waybill", sa.String(32), nullable=True))

    op.create_table(
        "ratings",
        sa.Column("seq", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("submission_id", sa.String(36), nullable=False),
        sa.Column("part_id", sa.String(64), nullable=False),
        sa.Column("tracking_number", sa.String(64), nullable=False),
        sa.Column("service_id", sa.String(64), nullable=False),
        sa.Column("department", sa.String(64), nullable=False),
        sa.Column("level", sa.Integer, nullable=False),  # 5 非常满意 … 1 非常不满意
        sa.Column("indicators", sa.Text, nullable=False),  # JSON {overall, efficiency, ...}: 1-5
        sa.Column("comment", sa.Text, nullable=False, server_default=""),
        sa.Column("channel", sa.String(16), nullable=False),  # phone, kiosk
        sa.Column("created_at", sa.String(40), nullable=False),
        sa.Column("updated_at", sa.String(40), nullable=False),
        sa.UniqueConstraint("submission_id", "part_id", name="ratings_one_per_part"),
    )
    op.create_index("ratings_department", "ratings", ["department", "created_at"])

    op.create_table(
        "rectifications",
        sa.Column("seq", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("rating_seq", sa.Integer, nullable=False, unique=True),
        sa.Column("department", sa.String(64), nullable=False),
        sa.Column("due_on", sa.String(10), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),  # open, called_back, closed
        sa.Column("callback_note", sa.Text, nullable=False, server_default=""),
        sa.Column("callback_at", sa.String(40), nullable=True),
        sa.Column("handled_by", sa.String(64), nullable=False, server_default=""),
        sa.Column("version", sa.Integer, nullable=False, server_default="1"),
        sa.Column("created_at", sa.String(40), nullable=False),
        sa.Column("updated_at", sa.String(40), nullable=False),
    )
    op.create_index("rectifications_open", "rectifications", ["department", "state", "due_on"])


def downgrade() -> None:
    op.drop_table("rectifications")
    op.drop_table("ratings")
    with op.batch_alter_table("parts") as batch:
        batch.drop_column("waybill")
        batch.drop_column("delivery")
    op.drop_table("supplements")
    op.drop_table("applicant_access")
