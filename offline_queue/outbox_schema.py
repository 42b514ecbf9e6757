"""The outbox file's schema: frozen migrations and the associated data that binds each sealed
payload to its row (used by the migrations and by :mod:`offline_queue.outbox`).

Migrations get a :class:`Sealer`: rows that were stored in clear by the first schema are sealed
on the way (today to the hall's key, :class:`contracts.sealing.HallPublicKey`; the station's own
data key, :class:`offline_queue.crypto.Cipher`, did it before).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from typing import Any, Protocol

from contracts.wire import canonical_json, submission_context


class Sealer(Protocol):
    def seal(self, plaintext: bytes, associated: bytes, /) -> bytes: ...


def associated_data(row: dict[str, Any] | tuple[str, ...]) -> bytes:
    """Associated data binding a ciphertext to its row's readable columns."""
    if isinstance(row, tuple):
        values = row
    else:
        values = tuple(
            row[k] for k in ("id", "station_id", "service_id", "tracking_number", "created_at")
        )
    # The same bytes the hall rebuilds from a SealedSubmission's readable columns.
    return submission_context(*values)


# --- schema -------------------------------------------------------------------------------------
# Migrations are frozen, applied in order; PRAGMA user_version records how many ran. Never edit
# one that has shipped: append a new function instead. They get a sealer because moving plain
# rows to encrypted ones needs it.

Migration = Callable[[sqlite3.Connection, Sealer], None]


def _migration_1(conn: sqlite3.Connection, cipher: Sealer) -> None:
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


def _migration_2(conn: sqlite3.Connection, cipher: Sealer) -> None:
    """Encryption at rest, attachments, and frozen rows (the outbox issue)."""
    conn.execute(
        """
        CREATE TABLE submissions_v2 (
            seq INTEGER PRIMARY KEY,          -- insertion order: the sender drains by it
            id TEXT NOT NULL UNIQUE,
            service_id TEXT NOT NULL,
            tracking_number TEXT NOT NULL UNIQUE,
            station_id TEXT NOT NULL,
            created_at TEXT NOT NULL,
            body BLOB,                        -- AES-GCM: payload + attachment list
            status TEXT NOT NULL DEFAULT 'pending'
                CHECK (status IN ('pending', 'delivered', 'quarantined')),
            attempts INTEGER NOT NULL DEFAULT 0,
            last_error TEXT,
            sending_since TEXT,               -- set when sending starts; the row is frozen then
            delivered_at TEXT,
            updated_at TEXT,
            CHECK (status = 'delivered' OR body IS NOT NULL),
            CHECK (status = 'delivered' OR delivered_at IS NULL)
        )
        """
    )
    old = conn.execute(
        "SELECT id, service_id, tracking_number, station_id, created_at, payload, status, "
        "attempts, last_error, delivered_at FROM submissions ORDER BY rowid"
    ).fetchall()
    for row in old:
        sub_id, service_id, tracking, station_id, created_at, payload_text = row[:6]
        body = None
        if payload_text is not None:
            doc = {"payload": json.loads(payload_text), "attachments": []}
            body = cipher.seal(
                canonical_json(doc),
                associated_data((sub_id, station_id, service_id, tracking, created_at)),
            )
        conn.execute(
            "INSERT INTO submissions_v2 (id, service_id, tracking_number, station_id, "
            "created_at, body, status, attempts, last_error, delivered_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (sub_id, service_id, tracking, station_id, created_at, body, *row[6:]),
        )
    conn.execute("DROP TABLE submissions")
    conn.execute("ALTER TABLE submissions_v2 RENAME TO submissions")
    # (status, seq): "oldest pending" is one index seek however many delivered stubs pile up.
    conn.execute("CREATE INDEX submissions_status ON submissions (status, seq)")
    conn.execute(
        """
        CREATE TABLE attachments (
            submission_id TEXT NOT NULL REFERENCES submissions (id),
            ordinal INTEGER NOT NULL,
            sha256 TEXT NOT NULL,
            sent_at TEXT,                     -- the hall confirmed the blob
            PRIMARY KEY (submission_id, ordinal)
        )
        """
    )
    conn.execute("CREATE INDEX attachments_sha256 ON attachments (sha256)")
    # Frozen rows: once sending has started, what was (maybe) sent cannot change. Only the
    # delivery itself may drop the ciphertext.
    conn.execute(
        """
        CREATE TRIGGER submissions_frozen
        BEFORE UPDATE OF id, service_id, tracking_number, station_id, created_at, body,
            sending_since ON submissions
        WHEN OLD.sending_since IS NOT NULL AND (
            NEW.id IS NOT OLD.id OR NEW.service_id IS NOT OLD.service_id
            OR NEW.tracking_number IS NOT OLD.tracking_number
            OR NEW.station_id IS NOT OLD.station_id OR NEW.created_at IS NOT OLD.created_at
            OR NEW.sending_since IS NOT OLD.sending_since
            OR (NEW.body IS NOT OLD.body AND NOT (NEW.body IS NULL AND NEW.status = 'delivered'))
        )
        BEGIN
            SELECT RAISE(ABORT, 'outbox row is frozen: sending has started');
        END
        """
    )
    conn.execute(
        """
        CREATE TRIGGER submissions_frozen_delete
        BEFORE DELETE ON submissions
        WHEN OLD.status != 'delivered'
        BEGIN
            SELECT RAISE(ABORT, 'only delivered stubs may be deleted');
        END
        """
    )
    conn.execute(
        """
        CREATE TRIGGER attachments_frozen_insert
        BEFORE INSERT ON attachments
        WHEN (SELECT sending_since FROM submissions WHERE id = NEW.submission_id) IS NOT NULL
        BEGIN
            SELECT RAISE(ABORT, 'outbox row is frozen: sending has started');
        END
        """
    )
    conn.execute(
        """
        CREATE TRIGGER attachments_frozen_update
        BEFORE UPDATE OF submission_id, ordinal, sha256 ON attachments
        WHEN (SELECT sending_since FROM submissions WHERE id = OLD.submission_id) IS NOT NULL
        BEGIN
            SELECT RAISE(ABORT, 'outbox row is frozen: sending has started');
        END
        """
    )
    conn.execute(
        """
        CREATE TRIGGER attachments_frozen_delete
        BEFORE DELETE ON attachments
        WHEN (SELECT status FROM submissions WHERE id = OLD.submission_id) != 'delivered'
        BEGIN
            SELECT RAISE(ABORT, 'attachments leave only with a delivered submission');
        END
        """
    )


def _migration_3(conn: sqlite3.Connection, cipher: Sealer) -> None:
    """Sealed to the hall's key: a frozen row may be resealed once, from the station's own data
    key (envelope format byte 0x01) to the hall's key (0x02). The hall judges a re-sent id by its
    plaintext, so the reseal does not change what was (maybe) sent."""
    conn.execute("DROP TRIGGER submissions_frozen")
    conn.execute(
        """
        CREATE TRIGGER submissions_frozen
        BEFORE UPDATE OF id, service_id, tracking_number, station_id, created_at, body,
            sending_since ON submissions
        WHEN OLD.sending_since IS NOT NULL AND (
            NEW.id IS NOT OLD.id OR NEW.service_id IS NOT OLD.service_id
            OR NEW.tracking_number IS NOT OLD.tracking_number
            OR NEW.station_id IS NOT OLD.station_id OR NEW.created_at IS NOT OLD.created_at
            OR NEW.sending_since IS NOT OLD.sending_since
            OR (NEW.body IS NOT OLD.body
                AND NOT (NEW.body IS NULL AND NEW.status = 'delivered')
                AND NOT (substr(OLD.body, 1, 1) = x'01' AND substr(NEW.body, 1, 1) = x'02'))
        )
        BEGIN
            SELECT RAISE(ABORT, 'outbox row is frozen: sending has started');
        END
        """
    )


MIGRATIONS: list[Migration] = [_migration_1, _migration_2, _migration_3]
SCHEMA_VERSION = len(MIGRATIONS)
