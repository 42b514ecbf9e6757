"""The hall's schema as the last release before migrations left it: the baseline revision.

A frozen copy, on purpose: the live tables (``hall.store.metadata`` and the modules that add to
it) move on with every later revision, but what revision 0001 creates, and what a database from
before migrations is brought up to before it is stamped (:mod:`hall.migrations.legacy`), must
stay what that release made. Never edit these definitions; change the schema in a new revision.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

TRACKING_UNIQUE = "submissions_tracking_unique"


def baseline_metadata() -> MetaData:
    """A new MetaData holding the seventeen baseline tables, exactly as that release made them."""
    md = MetaData()
    submissions = Table(
        "submissions",
        md,
        Column("id", String(36), primary_key=True),
        Column("station_id", String(32), nullable=False),
        Column("service_id", String(64), nullable=False),
        Column("tracking_number", String(64), nullable=False),
        Column("created_at", String(40), nullable=False),
        Column("payload", Text, nullable=False),
        Column("attachments", Text, nullable=True),
        Column("content_sha256", String(64), nullable=False),
        Column("status", String(16), nullable=False),
        Column("received_at", String(40), nullable=False),
    )
    Index("submissions_tracking", submissions.c.station_id, submissions.c.tracking_number)
    Index(TRACKING_UNIQUE, submissions.c.tracking_number, unique=True)
    Table(
        "blobs",
        md,
        Column("sha256", String(64), primary_key=True),
        Column("size", BigInteger, nullable=False),
        Column("data", LargeBinary, nullable=False),
        Column("received_at", String(40), nullable=False),
    )
    # hall.auth
    Table(
        "staff",
        md,
        Column("name", String(64), primary_key=True),
        Column("role", String(16), nullable=False),
        Column("password_hash", String(255), nullable=False),
        Column("active", Boolean, nullable=False),
        Column("created_at", String(40), nullable=False),
    )
    Table(
        "staff_sessions",
        md,
        Column("token_sha256", String(64), primary_key=True),
        Column("staff_name", String(64), nullable=False),
        Column("created_at", String(40), nullable=False),
        Column("last_seen", String(40), nullable=False),
        Column("expires_at", String(40), nullable=False),
    )
    audit_log = Table(
        "audit_log",
        md,
        Column("seq", Integer, primary_key=True, autoincrement=True),
        Column("at", String(40), nullable=False),
        Column("actor", String(64), nullable=False),
        Column("action", String(64), nullable=False),
        Column("subject_kind", String(32), nullable=False),
        Column("subject_id", String(128), nullable=False),
        Column("outcome", String(32), nullable=False),
        Column("client", String(64), nullable=True),
    )
    Index("audit_subject", audit_log.c.subject_kind, audit_log.c.subject_id)
    # hall.catalog_publish
    Table(
        "catalogs",
        md,
        Column("seq", Integer, primary_key=True, autoincrement=True),
        Column("version", String(64), nullable=False, unique=True),
        Column("etag", String(80), nullable=False),
        Column("body", Text, nullable=False),
        Column("published_at", String(40), nullable=False),
        Column("published_by", String(64), nullable=False),
    )
    # hall.tracking
    parts = Table(
        "parts",
        md,
        Column("submission_id", String(36), primary_key=True),
        Column("part_id", String(64), primary_key=True),
        Column("position", Integer, nullable=False),
        Column("tracking_number", String(64), nullable=False),
        Column("service_id", String(64), nullable=False),
        Column("department", String(64), nullable=False),
        Column("fields", Text, nullable=False),
        Column("status", String(16), nullable=False),
        Column("note_zh", Text, nullable=False),
        Column("note_en", Text, nullable=False),
        Column("updated_at", String(40), nullable=False),
    )
    Index("parts_tracking", parts.c.tracking_number)
    Table(
        "part_steps",
        md,
        Column("submission_id", String(36), primary_key=True),
        Column("part_id", String(64), primary_key=True),
        Column("step_id", String(64), primary_key=True),
        Column("position", Integer, nullable=False),
        Column("status", String(16), nullable=False),
        Column("updated_at", String(40), nullable=False),
    )
    # hall.demand_desk
    demands = Table(
        "demands",
        md,
        Column("id", String(36), primary_key=True),
        Column("tracking_number", String(64), nullable=False),
        Column("category", String(64), nullable=False),
        Column("state", String(16), nullable=False),
        Column("department", String(64), nullable=True),
        Column("received_at", String(40), nullable=False),
        Column("due_date", String(10), nullable=False),
        Column("version", Integer, nullable=False),
        Column("doc", Text, nullable=False),
    )
    Index("demands_state", demands.c.state)
    # hall.fleet
    Table(
        "station_health",
        md,
        Column("station_id", String(32), primary_key=True),
        Column("token_sha256", String(64), nullable=True),
        Column("last_seen", String(40), nullable=False),
        Column("report", Text, nullable=False),
    )
    # hall.diagnostics
    Table(
        "diagnostic_bundles",
        md,
        Column("id", Integer, primary_key=True, autoincrement=True),
        Column("station_id", String(32), nullable=False, index=True),
        Column("received_at", String(40), nullable=False),
        Column("sha256", String(64), nullable=False),
        Column("size", Integer, nullable=False),
        Column("data", LargeBinary, nullable=False),
    )
    Table(
        "technician_audit",
        md,
        Column("id", Integer, primary_key=True, autoincrement=True),
        Column("station_id", String(32), nullable=False),
        Column("seq", Integer, nullable=False),
        Column("at", String(40), nullable=False),
        Column("action", String(64), nullable=False),
        Column("outcome", String(32), nullable=False),
        Column("detail", String(128), nullable=False),
        Column("received_at", String(40), nullable=False),
        UniqueConstraint("station_id", "seq", name="technician_audit_once"),
    )
    # hall.assist_store
    Table(
        "assist_sessions",
        md,
        Column("id", String(40), primary_key=True),
        Column("station_id", String(32), nullable=False),
        Column("service_id", String(64), nullable=False),
        Column("requested_at", String(40), nullable=False),
        Column("state", String(16), nullable=False),
        Column("helper", String(64), nullable=False),
        Column("consent", Boolean, nullable=False),
        Column("form", Text, nullable=False),
        Column("kiosk_in_last", Integer, nullable=False),
        Column("helper_in_last", Integer, nullable=False),
        Column("kiosk_out_seq", Integer, nullable=False),
        Column("helper_out_seq", Integer, nullable=False),
    )
    Table(
        "assist_frames",
        md,
        Column("session_id", String(40), primary_key=True),
        Column("side", String(8), primary_key=True),
        Column("seq", Integer, primary_key=True),
        Column("frame", Text, nullable=False),
    )
    # hall.enrolment
    Table(
        "enrolment_codes",
        md,
        Column("code_sha256", String(64), primary_key=True),
        Column("station_id", String(32), nullable=False),
        Column("station_name", String(128), nullable=False),
        Column("ice_servers", Text, nullable=False),
        Column("created_by", String(64), nullable=False),
        Column("created_at", String(40), nullable=False),
        Column("expires_at", String(40), nullable=False),
        Column("used_at", String(40), nullable=True),
        Column("device_id", String(40), nullable=True),
    )
    devices = Table(
        "devices",
        md,
        Column("device_id", String(40), primary_key=True),
        Column("station_id", String(32), nullable=False),
        Column("station_name", String(128), nullable=False),
        Column("public_key", String(64), nullable=False),
        Column("credential_sha256", String(64), nullable=False),
        Column("enrolled_at", String(40), nullable=False),
        Column("revoked_at", String(40), nullable=True),
        Column("revoked_by", String(64), nullable=True),
    )
    Index("devices_station", devices.c.station_id)
    # hall.device_auth
    Table(
        "request_nonces",
        md,
        Column("device_id", String(40), primary_key=True),
        Column("nonce", String(64), primary_key=True),
        Column("expires_at", BigInteger, nullable=False, index=True),
    )
    return md
