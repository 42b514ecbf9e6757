"""The kiosk's durable outbox: submissions wait here, in SQLite, until the hall confirms them.

A walk-in's filing is written in ONE transaction (WAL, ``synchronous=FULL``) together with its
locally assigned tracking number, so the receipt can print even when the hall is unreachable and
a power cut right after "submit" loses nothing. Rows move ``pending`` → ``delivered`` (the payload
is dropped, a non-personal stub stays: id, tracking number, status, times) or ``pending`` →
``quarantined`` (the hall refused it for good; a technician looks at it). SQLite connections are
thread-confined, so every thread opens its own :class:`Outbox` on the same file. Payloads are
personal data: they are never logged, only ids and tracking numbers are.
"""

from __future__ import annotations

import json
import logging
import re
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Any, Literal

from sqlite_utils import Database

from offline_queue.ids import uuid7

log = logging.getLogger(__name__)

Status = Literal["pending", "delivered", "quarantined"]
STATUSES: tuple[Status, ...] = ("pending", "delivered", "quarantined")

# Same rule as kiosk.config.StationConfig.id: it ends up inside printed tracking numbers.
_STATION_ID = re.compile(r"^[A-Za-z0-9_-]{1,32}$")

# How long a connection waits for another one's write lock (the sender thread and the submit
# path share the file) before SQLite gives up with "database is locked".
_BUSY_TIMEOUT_S = 10.0


def check_station_id(station_id: str) -> str:
    """Return ``station_id`` if it can appear in a tracking number; raise ValueError if not."""
    if not _STATION_ID.match(station_id):
        raise ValueError(f"station_id {station_id!r} must match {_STATION_ID.pattern}")
    return station_id


class OutboxError(Exception):
    """The outbox file cannot be used (e.g. written by a newer kiosk version)."""


@dataclass(frozen=True)
class QueuedSubmission:
    """One submission as queued; ``payload`` holds the walk-in's answers (personal data)."""

    id: str
    tracking_number: str
    service_id: str
    station_id: str
    created_at: str
    payload: dict[str, Any]

    def to_body(self) -> dict[str, Any]:
        """The JSON body the hall's ``POST /api/v1/submissions`` expects."""
        return {
            "id": self.id,
            "station_id": self.station_id,
            "service_id": self.service_id,
            "tracking_number": self.tracking_number,
            "created_at": self.created_at,
            "payload": self.payload,
        }

    def __repr__(self) -> str:
        # Keep the payload out of reprs: they end up in logs and tracebacks.
        return f"QueuedSubmission(id={self.id!r}, tracking_number={self.tracking_number!r})"


def _utcnow() -> datetime:
    return datetime.now(UTC)


# --- schema -------------------------------------------------------------------------------------
# Migrations are frozen SQL, applied in order; PRAGMA user_version records how many ran. Never edit
# one that has shipped: append a new function instead.


def _migration_1(conn: sqlite3.Connection) -> None:
    conn.execute(
        """
        CREATE TABLE submissions (
            id TEXT PRIMARY KEY,
            service_id TEXT NOT NULL,
            tracking_number TEXT NOT NULL UNIQUE,
            station_id TEXT NOT NULL,
            created_at TEXT NOT NULL,
            payload TEXT,
            status TEXT NOT NULL DEFAULT 'pending'
                CHECK (status IN ('pending', 'delivered', 'quarantined')),
            attempts INTEGER NOT NULL DEFAULT 0,
            last_error TEXT,
            delivered_at TEXT,
            -- only a delivered row may have lost its payload
            CHECK (status = 'delivered' OR payload IS NOT NULL)
        )
        """
    )
    # Delivered stubs pile up over months; the index keeps "next pending" off them.
    conn.execute("CREATE INDEX submissions_status ON submissions (status)")
    conn.execute(
        """
        CREATE TABLE tracking_seq (
            day TEXT PRIMARY KEY,
            last_seq INTEGER NOT NULL
        )
        """
    )


MIGRATIONS: list[Callable[[sqlite3.Connection], None]] = [_migration_1]
SCHEMA_VERSION = len(MIGRATIONS)


class Outbox:
    """A connection to the outbox file; use it from the thread that opened it."""

    def __init__(
        self,
        path: Path,
        station_id: str,
        *,
        clock: Callable[[], datetime] = _utcnow,
    ) -> None:
        check_station_id(station_id)
        self.path = Path(path)
        self.station_id = station_id
        self._clock = clock
        self.path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(self.path, timeout=_BUSY_TIMEOUT_S)
        self.db = Database(conn)
        try:
            self.db.enable_wal()
            # FULL: a commit is on disk when enqueue() returns. NORMAL is ~3x faster in WAL but
            # may roll back the last commits on power loss, i.e. lose a printed receipt's filing.
            self.db.execute("PRAGMA synchronous=FULL")
            # Overwrite freed pages so a delivered payload does not linger in the file.
            self.db.execute("PRAGMA secure_delete=ON")
            self._migrate()
        except BaseException:
            conn.close()
            raise

    # --- lifecycle ------------------------------------------------------------------------------

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Outbox:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        # BEGIN IMMEDIATE takes the write lock up front, so two threads enqueueing at once queue
        # on the busy timeout instead of failing with SQLITE_BUSY on a read-to-write upgrade.
        conn = self.db.conn
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield conn
            conn.execute("COMMIT")
        except BaseException:
            # Some errors (disk full, I/O) have already ended the transaction inside SQLite.
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise

    def _migrate(self) -> None:
        with self._write() as conn:
            version = int(conn.execute("PRAGMA user_version").fetchone()[0])
            if version > SCHEMA_VERSION:
                raise OutboxError(
                    f"{self.path} has schema version {version}; this kiosk knows up to "
                    f"{SCHEMA_VERSION} (was it written by a newer version?)"
                )
            for number in range(version + 1, SCHEMA_VERSION + 1):
                MIGRATIONS[number - 1](conn)
                # PRAGMA takes no bound parameters; number is an int we computed.
                conn.execute(f"PRAGMA user_version = {number:d}")
                log.info("outbox %s migrated to schema version %d", self.path, number)

    @property
    def schema_version(self) -> int:
        return int(self.db.execute("PRAGMA user_version").fetchone()[0])

    # --- writes ---------------------------------------------------------------------------------

    def enqueue(self, service_id: str, payload: dict[str, Any]) -> QueuedSubmission:
        """Store a new submission and give it an id and a tracking number, atomically."""
        if not service_id:
            raise ValueError("service_id must not be empty")
        # Serialise before the transaction: a payload that is not JSON fails here, not half-way.
        payload_json = json.dumps(payload, ensure_ascii=False, sort_keys=True, allow_nan=False)
        now = self._clock()
        created_at = now.astimezone(UTC).isoformat(timespec="milliseconds")
        # The receipt shows the station's local date, which is what the walk-in sees on the wall.
        day = now.astimezone().strftime("%Y%m%d")
        sub_id = str(uuid7())
        with self._write() as conn:
            conn.execute(
                "INSERT INTO tracking_seq (day, last_seq) VALUES (?, 1) "
                "ON CONFLICT (day) DO UPDATE SET last_seq = last_seq + 1",
                (day,),
            )
            seq = int(
                conn.execute("SELECT last_seq FROM tracking_seq WHERE day = ?", (day,)).fetchone()[
                    0
                ]
            )
            tracking_number = f"{self.station_id}-{day}-{seq:04d}"
            conn.execute(
                "INSERT INTO submissions (id, service_id, tracking_number, station_id, "
                "created_at, payload, status) VALUES (?, ?, ?, ?, ?, ?, 'pending')",
                (sub_id, service_id, tracking_number, self.station_id, created_at, payload_json),
            )
        log.info("queued submission %s as %s", sub_id, tracking_number)
        return QueuedSubmission(
            id=sub_id,
            tracking_number=tracking_number,
            service_id=service_id,
            station_id=self.station_id,
            created_at=created_at,
            payload=json.loads(payload_json),
        )

    def mark_delivered(self, sub_id: str) -> None:
        """The hall has it: drop the payload, keep a non-personal stub. No-op if not pending."""
        delivered_at = self._clock().astimezone(UTC).isoformat(timespec="milliseconds")
        with self._write() as conn:
            cur = conn.execute(
                "UPDATE submissions SET status = 'delivered', payload = NULL, last_error = NULL, "
                "attempts = attempts + 1, delivered_at = ? WHERE id = ? AND status = 'pending'",
                (delivered_at, sub_id),
            )
            self._require_row(conn, sub_id, cur.rowcount)
        log.info("submission %s delivered", sub_id)

    def mark_quarantined(self, sub_id: str, reason: str) -> None:
        """The hall refused it for good; keep it for a technician. No-op if not pending."""
        with self._write() as conn:
            cur = conn.execute(
                "UPDATE submissions SET status = 'quarantined', last_error = ?, "
                "attempts = attempts + 1 WHERE id = ? AND status = 'pending'",
                (reason, sub_id),
            )
            self._require_row(conn, sub_id, cur.rowcount)
        log.warning("submission %s quarantined: %s", sub_id, reason)

    def record_attempt(self, sub_id: str, error: str) -> None:
        """Count a failed (transient) send attempt; the row stays pending."""
        with self._write() as conn:
            cur = conn.execute(
                "UPDATE submissions SET attempts = attempts + 1, last_error = ? WHERE id = ?",
                (error, sub_id),
            )
            self._require_row(conn, sub_id, cur.rowcount)

    @staticmethod
    def _require_row(conn: sqlite3.Connection, sub_id: str, rowcount: int) -> None:
        if rowcount:
            return
        if conn.execute("SELECT 1 FROM submissions WHERE id = ?", (sub_id,)).fetchone() is None:
            raise KeyError(sub_id)

    # --- reads ----------------------------------------------------------------------------------

    _COLUMNS = "id, tracking_number, service_id, station_id, created_at, payload"

    def next_pending(self) -> QueuedSubmission | None:
        """The oldest pending submission, or None when there is nothing to send."""
        # rowid is insertion order, and the status index is ordered by (status, rowid), so this
        # is one index seek however many delivered stubs the table holds.
        rows = list(
            self.db.query(
                f"SELECT {self._COLUMNS} FROM submissions "
                "WHERE status = 'pending' ORDER BY rowid LIMIT 1"
            )
        )
        if not rows:
            return None
        return self._to_submission(rows[0])

    def get(self, sub_id: str) -> dict[str, Any] | None:
        """The raw row (payload decoded, or None once delivered), for technicians and tests."""
        rows = list(self.db.query("SELECT * FROM submissions WHERE id = ?", (sub_id,)))
        if not rows:
            return None
        row = dict(rows[0])
        if row["payload"] is not None:
            row["payload"] = json.loads(row["payload"])
        return row

    def depth(self) -> int:
        """How many submissions still wait for the hall."""
        return int(
            self.db.execute("SELECT count(*) FROM submissions WHERE status = 'pending'").fetchone()[
                0
            ]
        )

    def counts(self) -> dict[str, int]:
        """Rows per status; every status is present, zero included."""
        result: dict[str, int] = dict.fromkeys(STATUSES, 0)
        for status, n in self.db.execute(
            "SELECT status, count(*) FROM submissions GROUP BY status"
        ).fetchall():
            result[status] = int(n)
        return result

    def oldest_pending_age_s(self, now: datetime | None = None) -> float | None:
        """Seconds the oldest pending submission has waited, or None when nothing waits."""
        row = self.db.execute(
            "SELECT created_at FROM submissions WHERE status = 'pending' ORDER BY rowid LIMIT 1"
        ).fetchone()
        if row is None:
            return None
        now = now if now is not None else self._clock()
        age = (now - datetime.fromisoformat(row[0])).total_seconds()
        # A clock stepped backwards would give a negative age; "just queued" is the honest answer.
        return max(age, 0.0)

    def _to_submission(self, row: dict[str, Any]) -> QueuedSubmission:
        return QueuedSubmission(
            id=row["id"],
            tracking_number=row["tracking_number"],
            service_id=row["service_id"],
            station_id=row["station_id"],
            created_at=row["created_at"],
            payload=json.loads(row["payload"]),
        )
