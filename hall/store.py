"""The hall's submission store: idempotent intake of kiosk submissions into SQLite.

Kiosks send at least once (a power cut between "sent" and "marked delivered" re-sends), so the
store decides per client id: a new id is ``created``, the same id with the same content is a
``duplicate`` (answer "already have it"), the same id with different content is a ``conflict``.
Content is compared through a sha256 of its canonical JSON. It uses stdlib ``sqlite3`` with one
short-lived connection per call, because uvicorn runs the endpoints on a thread pool and SQLite
connections are thread-confined; WAL lets readers run beside the single writer. A later version
moves this class onto SQLAlchemy Core, so callers see only :class:`SubmissionStore`.
"""

from __future__ import annotations

import hashlib
import json
import logging
import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

log = logging.getLogger(__name__)

PutOutcome = Literal["created", "duplicate", "conflict"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS submissions (
    id TEXT PRIMARY KEY,
    station_id TEXT NOT NULL,
    service_id TEXT NOT NULL,
    tracking_number TEXT NOT NULL,
    created_at TEXT NOT NULL,
    payload TEXT NOT NULL,
    content_sha256 TEXT NOT NULL,
    status TEXT NOT NULL,
    received_at TEXT NOT NULL
)
"""


@dataclass(frozen=True)
class Submission:
    """A submission as the kiosk sent it (``payload`` is personal data: never log it)."""

    id: str
    station_id: str
    service_id: str
    tracking_number: str
    created_at: str
    payload: dict[str, Any]

    def content_sha256(self) -> str:
        """sha256 of the canonical JSON of every field: key order and whitespace do not count."""
        canonical = json.dumps(
            {
                "id": self.id,
                "station_id": self.station_id,
                "service_id": self.service_id,
                "tracking_number": self.tracking_number,
                "created_at": self.created_at,
                "payload": self.payload,
            },
            sort_keys=True,
            separators=(",", ":"),
            ensure_ascii=False,
            allow_nan=False,
        )
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()

    def __repr__(self) -> str:
        return f"Submission(id={self.id!r}, tracking_number={self.tracking_number!r})"


@dataclass(frozen=True)
class SubmissionRecord:
    """What the hall tells a kiosk about a stored submission (no payload)."""

    id: str
    tracking_number: str
    status: str
    received_at: str


class SubmissionStore:
    """Submissions on one SQLite file; safe to use from many threads."""

    def __init__(self, db_path: Path) -> None:
        self.db_path = Path(db_path)
        self.db_path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as conn:
            # journal_mode is stored in the file, so setting it once here covers every connection.
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute(_SCHEMA)

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        # isolation_level=None: we write BEGIN/COMMIT ourselves, nothing implicit.
        with closing(sqlite3.connect(self.db_path, timeout=10.0, isolation_level=None)) as conn:
            conn.execute("PRAGMA synchronous=FULL")
            yield conn

    def put(self, sub: Submission) -> PutOutcome:
        """Store ``sub`` unless its id is known; say whether it was new, a repeat or a clash."""
        digest = sub.content_sha256()
        received_at = datetime.now(UTC).isoformat(timespec="milliseconds")
        payload_json = json.dumps(sub.payload, ensure_ascii=False, allow_nan=False)
        outcome: PutOutcome
        with self._connect() as conn:
            # IMMEDIATE: the check and the insert must not interleave with another request for
            # the same id (a kiosk retrying after a timeout while the first post is still here).
            conn.execute("BEGIN IMMEDIATE")
            try:
                row = conn.execute(
                    "SELECT content_sha256 FROM submissions WHERE id = ?", (sub.id,)
                ).fetchone()
                if row is None:
                    conn.execute(
                        "INSERT INTO submissions (id, station_id, service_id, tracking_number, "
                        "created_at, payload, content_sha256, status, received_at) "
                        "VALUES (?, ?, ?, ?, ?, ?, ?, 'received', ?)",
                        (
                            sub.id,
                            sub.station_id,
                            sub.service_id,
                            sub.tracking_number,
                            sub.created_at,
                            payload_json,
                            digest,
                            received_at,
                        ),
                    )
                    outcome = "created"
                elif row[0] == digest:
                    outcome = "duplicate"
                else:
                    outcome = "conflict"
                conn.execute("COMMIT")
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise
        log.info("submission %s from station %s: %s", sub.id, sub.station_id, outcome)
        return outcome

    def get(self, sub_id: str) -> SubmissionRecord | None:
        with self._connect() as conn:
            row = conn.execute(
                "SELECT id, tracking_number, status, received_at FROM submissions WHERE id = ?",
                (sub_id,),
            ).fetchone()
        if row is None:
            return None
        return SubmissionRecord(
            id=row[0], tracking_number=row[1], status=row[2], received_at=row[3]
        )

    def count(self) -> int:
        with self._connect() as conn:
            return int(conn.execute("SELECT count(*) FROM submissions").fetchone()[0])
