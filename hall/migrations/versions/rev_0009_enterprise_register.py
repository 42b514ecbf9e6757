"""0009 enterprise register (企业档案, issue 17).

- ``enterprises``: USCC (unique, GB 32100; NULL while a start-up's code is not known), name,
  type, registered address, industry, size, qualifications (JSON), capital, scope, where it came
  from (import, filing) and the start-up filing that made it.
- ``enterprise_people``: legal representative and authorised agents by the HMAC of the ID number
  with the hall's secret (never the number), the name masked.
- ``enterprise_materials``: documents on file (kind, issue date, validity, blob or reference).
- ``enterprise_codes``: 一企一码 tokens (MAC'd, revocable).
- ``register_lookups``: every station look-up (station, device, enterprise, holder HMAC).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "enterprises",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("uscc", sa.String(18), nullable=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("type", sa.String(32), nullable=False),
        sa.Column("address", sa.String(300), nullable=False),
        sa.Column("industry", sa.String(64), nullable=False),
        sa.Column("size", sa.String(16), nullable=False),
        sa.Column("qualifications", sa.Text, nullable=False),
        sa.Column("registered_capital", sa.String(16), nullable=False),
        sa.Column("scope", sa.Text, nullable=False),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("submission_id", sa.String(36), nullable=True),
        sa.Column("created_at", sa.String(40), nullable=False),
        sa.Column("updated_at", sa.String(40), nullable=False),
        sa.UniqueConstraint("uscc", name="enterprises_uscc"),
    )
    op.create_index("enterprises_submission", "enterprises", ["submission_id"])

    op.create_table(
        "enterprise_people",
        sa.Column("seq", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("enterprise_id", sa.String(32), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("id_hmac", sa.String(64), nullable=False),
        sa.Column("name_masked", sa.String(64), nullable=False),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("created_at", sa.String(40), nullable=False),
        sa.UniqueConstraint("enterprise_id", "role", "id_hmac", name="enterprise_people_one"),
    )
    op.create_index("enterprise_people_holder", "enterprise_people", ["id_hmac", "enterprise_id"])

    op.create_table(
        "enterprise_materials",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("enterprise_id", sa.String(32), nullable=False),
        sa.Column("kind", sa.String(64), nullable=False),
        sa.Column("issued_on", sa.String(10), nullable=True),
        sa.Column("valid_until", sa.String(10), nullable=True),
        sa.Column("blob_sha256", sa.String(64), nullable=True),
        sa.Column("file_ref", sa.String(300), nullable=True),
        sa.Column("source", sa.String(80), nullable=False),
        sa.Column("created_at", sa.String(40), nullable=False),
    )
    op.create_index("enterprise_materials_of", "enterprise_materials", ["enterprise_id", "kind"])

    op.create_table(
        "enterprise_codes",
        sa.Column("token_id", sa.String(32), primary_key=True),
        sa.Column("enterprise_id", sa.String(32), nullable=False),
        sa.Column("issued_at", sa.String(40), nullable=False),
        sa.Column("revoked_at", sa.String(40), nullable=True),
        sa.Column("revoked_by", sa.String(64), nullable=True),
    )
    op.create_index("enterprise_codes_of", "enterprise_codes", ["enterprise_id"])

    op.create_table(
        "register_lookups",
        sa.Column("seq", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("at", sa.String(40), nullable=False),
        sa.Column("station_id", sa.String(32), nullable=False),
        sa.Column("device_id", sa.String(64), nullable=False),
        sa.Column("how", sa.String(8), nullable=False),
        sa.Column("enterprise_id", sa.String(32), nullable=True),
        sa.Column("holder_hmac", sa.String(64), nullable=False),
        sa.Column("outcome", sa.String(16), nullable=False),
    )
    op.create_index("register_lookups_enterprise", "register_lookups", ["enterprise_id", "at"])


def downgrade() -> None:
    op.drop_table("register_lookups")
    op.drop_table("enterprise_codes")
    op.drop_table("enterprise_materials")
    op.drop_table("enterprise_people")
    op.drop_table("enterprises")
