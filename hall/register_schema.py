"""The enterprise register's tables (企业档案, migration 0009): enterprises, their authorised
people, their materials on file, their 一企一码 and the log of every station look-up; and
(migration 0010) the filings that name an enterprise, the materials on file they reference and
the media type of a material's file.

Live mirrors of what ``hall/migrations/versions/rev_0009_enterprise_register.py`` and
``rev_0010_filings_on_file.py`` build; a test keeps them equal on SQLite and PostgreSQL. Ids of
enterprises, materials and codes are random strings made by the hall, so a bulk import writes
every table without reading keys back.
"""

from __future__ import annotations

from sqlalchemy import Column, Index, Integer, String, Table, Text, UniqueConstraint

from hall.store import metadata

enterprises = Table(
    "enterprises",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("uscc", String(18), nullable=True),  # NULL: a start-up whose code is not known yet
    Column("name", String(200), nullable=False),
    Column("type", String(32), nullable=False),  # llc, sole_proprietorship, sole_trader, …
    Column("address", String(300), nullable=False),  # registered address
    Column("industry", String(64), nullable=False),
    Column("size", String(16), nullable=False),  # micro, small, medium, large ("" unknown)
    Column("qualifications", Text, nullable=False),  # JSON list of strings (policy matching)
    Column("registered_capital", String(16), nullable=False),  # 万元, as filed
    Column("scope", Text, nullable=False),  # business scope
    Column("source", String(16), nullable=False),  # import, filing
    Column("submission_id", String(36), nullable=True),  # the start-up filing that made it
    Column("created_at", String(40), nullable=False),
    Column("updated_at", String(40), nullable=False),
    UniqueConstraint("uscc", name="enterprises_uscc"),
)
Index("enterprises_submission", enterprises.c.submission_id)

# Legal representative and authorised agents: the HMAC of the ID number (hall secret), never the
# number; the name only masked (王*明).
enterprise_people = Table(
    "enterprise_people",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column("enterprise_id", String(32), nullable=False),
    Column("role", String(16), nullable=False),  # legal_rep, agent
    Column("id_hmac", String(64), nullable=False),
    Column("name_masked", String(64), nullable=False),
    Column("source", String(16), nullable=False),  # import, filing
    Column("created_at", String(40), nullable=False),
    UniqueConstraint("enterprise_id", "role", "id_hmac", name="enterprise_people_one"),
)
Index("enterprise_people_holder", enterprise_people.c.id_hmac, enterprise_people.c.enterprise_id)

# Documents the government holds for the enterprise (免证办); kind is the catalog's material id.
enterprise_materials = Table(
    "enterprise_materials",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("enterprise_id", String(32), nullable=False),
    Column("kind", String(64), nullable=False),
    Column("issued_on", String(10), nullable=True),
    Column("valid_until", String(10), nullable=True),  # NULL: no expiry
    Column("blob_sha256", String(64), nullable=True),  # the file, when the hall holds it
    Column("file_ref", String(300), nullable=True),  # else where it is (result of a filing, …)
    Column("source", String(80), nullable=False),  # import, filing:<tracking number>/<part>
    Column("created_at", String(40), nullable=False),
    # The file's media type (application/pdf, image/jpeg, image/png; migration 0010).
    Column("media_type", String(64), nullable=True),
)
Index("enterprise_materials_of", enterprise_materials.c.enterprise_id, enterprise_materials.c.kind)

# 一企一码: the QR holds a token naming this row, MAC'd with the hall's secret; revocable.
enterprise_codes = Table(
    "enterprise_codes",
    metadata,
    Column("token_id", String(32), primary_key=True),
    Column("enterprise_id", String(32), nullable=False),
    Column("issued_at", String(40), nullable=False),
    Column("revoked_at", String(40), nullable=True),
    Column("revoked_by", String(64), nullable=True),
)
Index("enterprise_codes_of", enterprise_codes.c.enterprise_id)

# Every station look-up: station, device, how, the enterprise (NULL: none), the card holder's
# HMAC and the outcome. Never the ID number.
register_lookups = Table(
    "register_lookups",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column("at", String(40), nullable=False),
    Column("station_id", String(32), nullable=False),
    Column("device_id", String(64), nullable=False),
    Column("how", String(8), nullable=False),  # mine, code, uscc, archive, print
    Column("enterprise_id", String(32), nullable=True),
    Column("holder_hmac", String(64), nullable=False),
    Column("outcome", String(16), nullable=False),  # shown, none, not_authorised, not_found, …
)
Index("register_lookups_enterprise", register_lookups.c.enterprise_id, register_lookups.c.at)

# Filings that name an enterprise of the register (migration 0010): which one, so its e-archive
# finds them also without a USCC in the form.
filing_enterprises = Table(
    "filing_enterprises",
    metadata,
    Column("submission_id", String(36), primary_key=True),
    Column("enterprise_id", String(32), nullable=False),
)
Index("filing_enterprises_of", filing_enterprises.c.enterprise_id)

# The materials a filing took from the register instead of the camera (免提交): the catalog's
# material id and the enterprise_materials row it references.
filing_materials_on_file = Table(
    "filing_materials_on_file",
    metadata,
    Column("submission_id", String(36), primary_key=True),
    Column("material_id", String(64), primary_key=True),
    Column("enterprise_material_id", String(32), nullable=False),
)
Index("filing_materials_on_file_of", filing_materials_on_file.c.enterprise_material_id)
