"""The hall's submission store: idempotent intake of kiosk submissions and their blobs.

Kiosks send at least once (a power cut between "sent" and "marked delivered" re-sends), so the
store decides per client id: a new id is ``created``, the same id with the same content is a
``duplicate`` (answer "already have it"), the same id with different content is a ``conflict``.
Content is compared through a sha256 of its canonical JSON. A submission that names an attachment
the hall does not hold (or holds with another size) is refused with :class:`MissingBlobs`; blobs
arrive first, by their own idempotent upload, verified against their sha256 as they stream to
disk (:mod:`hall.blob_files`, :mod:`hall.blob_store`).

SQLAlchemy Core over SQLite by default (one file, zero setup: WAL, ``synchronous=FULL``) or any
database URL, PostgreSQL in particular (``postgresql+psycopg://…``). The check-then-insert race
between two requests for the same id (a kiosk retrying after a timeout while its first post is
still in flight) is closed by ``INSERT … ON CONFLICT DO NOTHING`` and a re-read, which works the
same on both databases without table locks. Payloads are personal data: never logged.

A tracking number names one submission: ``tracking_number`` has a UNIQUE index, so a second
submission under a number already held is refused (``tracking_taken``), never "first one wins"
for look-ups. A database made before the index existed gets it at start; if it already holds a
number twice the hall refuses to start
(:class:`~hall.migrations.legacy.DuplicateTrackingNumbers`) until staff resolve them.

Opening the store creates or upgrades the whole hall schema to the migrations' head
(:func:`hall.migrations.upgrade_to_head`); the tables the other hall modules define on
:data:`metadata` are the live mirror of that head.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final, Literal

from sqlalchemy import (
    BigInteger,
    Column,
    Engine,
    Index,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    create_engine,
    event,
    func,
    select,
    text,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError
from sqlalchemy.pool import ConnectionPoolEntry

from contracts.wire import AttachmentRef, Submission, canonical_json
from hall import blob_files, migrations
from hall.blob_files import default_blob_dir

log = logging.getLogger(__name__)

PutOutcome = Literal["created", "duplicate", "conflict", "tracking_taken"]
# Runs inside the transaction that stores a *new* submission (never for a repeat or a clash), so
# the rows it adds (tracked parts, a demand) exist exactly when the submission does.
IntakeHook = Callable[[Connection, "Submission"], None]
BlobOutcome = Literal["created", "duplicate"]

metadata = MetaData()

# Integers the hall stores or looks up are 64-bit signed in both databases: a request naming a
# larger one is refused (422) at the route, not left to overflow in the driver (a 500).
MAX_DB_INT: Final = 2**63 - 1

submissions = Table(
    "submissions",
    metadata,
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
Index("submissions_tracking_unique", submissions.c.tracking_number, unique=True)

blobs = Table(
    "blobs",
    metadata,
    Column("sha256", String(64), primary_key=True),
    Column("size", BigInteger, nullable=False),
    # The bytes live in files (hall.blob_files); rows written before that kept them here.
    Column("data", LargeBinary, nullable=False),
    Column("received_at", String(40), nullable=False),
)


class IntakeRefused(Exception):
    """An intake hook refuses the content (nothing is stored; the route answers 422).

    ``code`` and ``reasons`` (field -> code) name what is wrong, never a value: they reach the
    log and the kiosk.
    """

    def __init__(self, code: str, reasons: dict[str, str]) -> None:
        super().__init__(f"{code}: " + ", ".join(f"{k}={v}" for k, v in sorted(reasons.items())))
        self.code, self.reasons = code, dict(reasons)

    def detail(self) -> dict[str, Any]:
        return {"msg": self.code, "reasons": self.reasons}


class MissingBlobs(Exception):
    """The submission names attachments the hall does not hold (sha256s in ``missing``)."""

    def __init__(self, missing: Sequence[str]) -> None:
        super().__init__(f"{len(missing)} attachment(s) not received")
        self.missing = tuple(missing)


@dataclass(frozen=True)
class SubmissionRecord:
    """What the hall tells a kiosk about a stored submission (no payload)."""

    id: str
    tracking_number: str
    status: str
    received_at: str


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def database_url(db: Path | str) -> str:
    """A SQLAlchemy URL for ``db``: a database URL as is, anything else as a SQLite file path."""
    if isinstance(db, str) and "://" in db:
        return db
    return f"sqlite+pysqlite:///{Path(db).resolve()}"


# How long a SQLite writer waits for the lock before the request is answered 503 (hall.app).
DEFAULT_BUSY_TIMEOUT_MS: Final = 10_000
# Connections per process: at least the request threads FastAPI runs sync endpoints on (anyio's
# default limiter: 40), so a burst waits on the database, not on the pool, and never times out
# in it while threads sit idle. PostgreSQL keeps fewer open between bursts (its own
# max_connections is shared by every instance).
_POOL: Final = {"sqlite": (40, 8), "postgresql": (10, 30)}
POOL_TIMEOUT_S: Final = 10.0


def _sqlite_pragmas(busy_timeout_ms: int) -> Any:
    def on_connect(dbapi_conn: Any, record: ConnectionPoolEntry) -> None:
        cursor = dbapi_conn.cursor()
        try:
            # journal_mode is stored in the file; synchronous and the busy timeout are per
            # connection.
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=FULL")
            cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        finally:
            cursor.close()

    return on_connect


def _relaxed_sqlite(dbapi_conn: Any, record: ConnectionPoolEntry) -> None:
    cursor = dbapi_conn.cursor()
    try:
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute(f"PRAGMA busy_timeout={DEFAULT_BUSY_TIMEOUT_MS}")
    finally:
        cursor.close()


def relaxed_engine(engine: Engine) -> Engine:
    """For writes that may skip the fsync (a help call's frames, a heartbeat and its nonce): on
    SQLite a pool of its own on the same file with ``synchronous=NORMAL`` (WAL: a process crash
    keeps every commit, a power cut may drop the last few), so the intake's stays ``FULL``;
    PostgreSQL's engine as it is (relax each transaction with :func:`relax`). Dispose a new
    engine when done (``engine is not`` the one given)."""
    if engine.dialect.name != "sqlite":
        return engine
    relaxed = create_engine(engine.url)
    event.listen(relaxed, "connect", _relaxed_sqlite)
    return relaxed


def relax(conn: Connection) -> None:
    """PostgreSQL: this transaction's commit does not wait for its WAL flush."""
    if conn.dialect.name == "postgresql":
        conn.execute(text("SET LOCAL synchronous_commit TO OFF"))


# One writer at a time per SQLite file in this process, for the busiest writes. A thread that
# finds the file's write lock taken inside SQLite sleeps in its busy handler's steps (1, 2, 5,
# 10 ... 100 ms) however soon the lock frees: under thousands of heartbeats most of their time
# went there. Waiting on a Python lock, it wakes as soon as the holder commits.
_SQLITE_WRITERS: dict[str, threading.Lock] = {}
_SQLITE_WRITERS_GUARD = threading.Lock()


def sqlite_writer(engine: Engine) -> AbstractContextManager[object]:
    """The process's writer lock for ``engine``'s SQLite file; nothing to hold on PostgreSQL."""
    if engine.dialect.name != "sqlite":
        return nullcontext()
    with _SQLITE_WRITERS_GUARD:
        return _SQLITE_WRITERS.setdefault(str(engine.url.database), threading.Lock())


@contextmanager
def reading(engine: Engine, conn: Connection | None) -> Iterator[Connection]:
    """``conn`` when the caller holds a transaction open (a heartbeat's), else a connection of
    ``engine``'s for the read alone."""
    if conn is not None:
        yield conn
        return
    with engine.connect() as own:
        yield own


class SubmissionStore:
    """Submissions and blobs in one database; safe to use from many threads."""

    def __init__(
        self,
        db: Path | str,
        blob_dir: Path | None = None,
        busy_timeout_ms: int = DEFAULT_BUSY_TIMEOUT_MS,
    ) -> None:
        self.url = database_url(db)
        # Attachment bytes, one file per blob (hall.blob_files); the rows say which are held.
        self.blob_dir = blob_dir or default_blob_dir(self.url)
        self.intake_hooks: list[IntakeHook] = []
        if self.url.startswith("sqlite"):
            Path(self.url.split(":///", 1)[1]).parent.mkdir(parents=True, exist_ok=True)
        size, overflow = _POOL["sqlite" if self.url.startswith("sqlite") else "postgresql"]
        self.engine: Engine = create_engine(
            self.url,
            pool_pre_ping=False,
            pool_size=size,
            max_overflow=overflow,
            pool_timeout=POOL_TIMEOUT_S,
        )
        if self.engine.dialect.name == "sqlite":
            event.listen(self.engine, "connect", _sqlite_pragmas(busy_timeout_ms))
        # Every table of the hall, not only these two: its schema is the migrations' head.
        migrations.upgrade_to_head(self.engine)

    def close(self) -> None:
        self.engine.dispose()

    def _insert_ignore(self, conn: Connection, table: Table, values: dict[str, Any]) -> bool:
        """INSERT unless the primary key exists; True if this call inserted the row."""
        key = [c.name for c in table.primary_key.columns]
        if conn.dialect.name == "postgresql":
            stmt: Any = postgresql.insert(table).values(**values)
        elif conn.dialect.name == "sqlite":
            stmt = sqlite.insert(table).values(**values)
        else:  # pragma: no cover - only SQLite and PostgreSQL are supported
            raise RuntimeError(f"unsupported database {conn.dialect.name}")
        # RETURNING, not rowcount: psycopg under SQLAlchemy reports -1 for this statement.
        stmt = stmt.on_conflict_do_nothing(index_elements=key).returning(*table.primary_key)
        return conn.execute(stmt).first() is not None

    # --- submissions ----------------------------------------------------------------------------

    def put(self, sub: Submission) -> PutOutcome:
        """Store ``sub`` unless its id is known; say whether it was new, a repeat or a clash.

        Raises :class:`MissingBlobs` for a new submission whose attachments are not all here,
        :class:`IntakeRefused` when an intake hook refuses its content (nothing is kept).
        """
        digest = sub.content_sha256()
        existing = self._digest_of(sub.id)
        if existing is not None:
            outcome: PutOutcome = "duplicate" if existing == digest else "conflict"
        else:
            missing = self.missing_blobs(sub.attachments)
            if missing:
                log.info("submission %s refused: %d blob(s) missing", sub.id, len(missing))
                raise MissingBlobs(missing)
            values = {
                "id": sub.id,
                "station_id": sub.station_id,
                "service_id": sub.service_id,
                "tracking_number": sub.tracking_number,
                "created_at": sub.created_at,
                "payload": canonical_json(sub.payload).decode("utf-8"),
                "attachments": (
                    canonical_json([a.to_json() for a in sub.attachments]).decode("utf-8")
                    if sub.attachments
                    else None
                ),
                "content_sha256": digest,
                "status": "received",
                "received_at": _now(),
            }
            try:
                with self.engine.begin() as conn:
                    inserted = self._insert_ignore(conn, submissions, values)
                    if inserted:
                        for hook in self.intake_hooks:
                            hook(conn, sub)
            except IntakeRefused as exc:
                log.warning("submission %s refused: %s", sub.id, exc)
                raise
            except IntegrityError:
                # The id's own conflict is ignored by the insert; this is the tracking number,
                # unless a racing request for the same id got there first (judged below).
                if self._digest_of(sub.id) is None:
                    log.warning("submission %s refused: tracking number already held", sub.id)
                    return "tracking_taken"
                inserted = False
            if inserted:
                outcome = "created"
            else:
                # Another request for the same id won the race: judge against what it stored.
                outcome = "duplicate" if self._digest_of(sub.id) == digest else "conflict"
        log.info("submission %s from station %s: %s", sub.id, sub.station_id, outcome)
        return outcome

    def _digest_of(self, sub_id: str) -> str | None:
        with self.engine.connect() as conn:
            value = conn.execute(
                select(submissions.c.content_sha256).where(submissions.c.id == sub_id)
            ).scalar_one_or_none()
        return None if value is None else str(value)

    def get(self, sub_id: str) -> SubmissionRecord | None:
        with self.engine.connect() as conn:
            row = conn.execute(
                select(
                    submissions.c.id,
                    submissions.c.tracking_number,
                    submissions.c.status,
                    submissions.c.received_at,
                ).where(submissions.c.id == sub_id)
            ).one_or_none()
        if row is None:
            return None
        return SubmissionRecord(
            id=row.id,
            tracking_number=row.tracking_number,
            status=row.status,
            received_at=row.received_at,
        )

    def load(self, sub_id: str) -> Submission | None:
        """The whole submission as stored (for hall staff's tools and tests; personal data)."""
        with self.engine.connect() as conn:
            row = conn.execute(select(submissions).where(submissions.c.id == sub_id)).one_or_none()
        if row is None:
            return None
        return Submission(
            id=row.id,
            station_id=row.station_id,
            service_id=row.service_id,
            tracking_number=row.tracking_number,
            created_at=row.created_at,
            payload=json.loads(row.payload),
            attachments=tuple(AttachmentRef(**a) for a in json.loads(row.attachments or "[]")),
        )

    def stored_payload(self, sub_id: str) -> str | None:
        """The payload exactly as stored (canonical JSON text), or None."""
        with self.engine.connect() as conn:
            value = conn.execute(
                select(submissions.c.payload).where(submissions.c.id == sub_id)
            ).scalar_one_or_none()
        return None if value is None else str(value)

    def ids(self) -> list[str]:
        with self.engine.connect() as conn:
            return [str(v) for v in conn.execute(select(submissions.c.id)).scalars()]

    def count(self) -> int:
        with self.engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(submissions)).scalar_one())

    # --- blobs ----------------------------------------------------------------------------------

    def record_blob(self, sha256: str, size: int, received_at: str) -> BlobOutcome:
        """Note a blob whose file is in place (:func:`hall.blob_files.receive`)."""
        with self.engine.begin() as conn:
            inserted = self._insert_ignore(
                conn,
                blobs,
                {"sha256": sha256, "size": size, "data": b"", "received_at": received_at},
            )
            if not inserted:  # uploaded again: its grace period before the sweep starts anew
                conn.execute(
                    update(blobs).where(blobs.c.sha256 == sha256).values(received_at=received_at)
                )
        outcome: BlobOutcome = "created" if inserted else "duplicate"
        log.info("blob %s… (%d bytes): %s", sha256[:12], size, outcome)
        return outcome

    def has_blob(self, sha256: str) -> bool:
        with self.engine.connect() as conn:
            return (
                conn.execute(select(blobs.c.sha256).where(blobs.c.sha256 == sha256)).first()
                is not None
            )

    def get_blob(self, sha256: str) -> bytes | None:
        with self.engine.connect() as conn:
            value = conn.execute(
                select(blobs.c.data).where(blobs.c.sha256 == sha256)
            ).scalar_one_or_none()
        if value is None:
            return None
        # A row from before blobs moved to files still carries its bytes.
        return bytes(value) if value else blob_files.read(self.blob_dir, sha256)

    def missing_blobs(self, refs: Sequence[AttachmentRef]) -> list[str]:
        """sha256s of ``refs`` the hall does not hold with the stated size, in order."""
        if not refs:
            return []
        wanted = {r.sha256 for r in refs}
        with self.engine.connect() as conn:
            sizes = {
                row.sha256: row.size
                for row in conn.execute(
                    select(blobs.c.sha256, blobs.c.size).where(blobs.c.sha256.in_(wanted))
                )
            }
        return [r.sha256 for r in refs if sizes.get(r.sha256) != r.size]
