"""The kiosk's durable outbox: submissions wait here, in SQLite, until the hall confirms them.

A walk-in's filing is written in ONE transaction (WAL, ``synchronous=FULL``) together with its
locally assigned tracking number, so the receipt can print even when the hall is unreachable and
a power cut right after "submit" loses nothing. Attachments go to the :class:`BlobStore` first
(fsynced files), then the row that names them commits.

At rest, the payload and the attachment list are one envelope (``body``) sealed to the hall's
public key, pinned at enrolment (:mod:`contracts.sealing`, :mod:`offline_queue.hall_key`), bound
to the row's readable columns (id, station, service, tracking number, creation time), which stay
in clear for the technician's status tools. The station keeps no key that opens it: the sender
posts the envelope as it is and the hall opens it at intake. A row that is not a hall envelope at
all (e.g. left under a lost legacy key) raises :class:`TamperedRow`; the sender quarantines it
instead of sending it.
Rows and blobs a previous version sealed under the station's own data key (``keys/outbox.key``)
are resealed to the hall's key when the outbox opens, and that key file is then deleted.

Row life: ``pending`` → (the sender *claims* it: ``sending_since`` is set and from then on the row
is frozen, enforced by triggers, so every retry carries the same bytes and the hall's
same-id-same-content check holds) → ``delivered`` (ciphertext and attachment list dropped,
unreferenced blobs deleted: a non-personal stub stays — id, tracking number, status, times) or
``quarantined`` (the hall refused it for good, or it was tampered with; kept for a technician,
who may :meth:`Outbox.requeue` it).

SQLite connections are thread-confined, so every thread opens its own :class:`Outbox` on the same
file. Payloads are personal data: they are never logged, only ids and tracking numbers are.

Rows are written and read through sqlite-utils (inserts, the tracking counter's upsert, counts and
queries); its writes nest as savepoints inside the explicit ``BEGIN IMMEDIATE`` transactions here.
The schema (frozen migrations with CHECK constraints and triggers) and the guarded updates
(``… WHERE status = 'pending'``: a no-op if the row moved on) stay SQL. sqlite-utils is imported
when an outbox is opened, not with this module: it imports NumPy when installed (~50 ms), and
this module is imported for its types and statuses on paths that never open the file.
"""

from __future__ import annotations

import base64
import json
import logging
import re
import sqlite3
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, Literal

from contracts.clock import SYSTEM_CLOCK, Clock
from contracts.sealing import FORMAT as SEALED_FORMAT
from contracts.sealing import OVERHEAD as SEALED_OVERHEAD
from contracts.sealing import HallPublicKey
from contracts.wire import AttachmentRef, SealedSubmission, Submission, canonical_json
from offline_queue import hall_key as pinned_hall_key
from offline_queue.blobs import BlobStore, StoredBlob, check_sha256
from offline_queue.crypto import Cipher, TamperedError, load_existing_key
from offline_queue.ids import uuid7
from offline_queue.outbox_schema import (
    MIGRATIONS,
    SCHEMA_VERSION,
    associated_data,
)

if TYPE_CHECKING:
    from sqlite_utils import Database

log = logging.getLogger(__name__)

Status = Literal["pending", "delivered", "quarantined"]
STATUSES: tuple[Status, ...] = ("pending", "delivered", "quarantined")

# Same rule as kiosk.config.StationConfig.id: it ends up inside printed tracking numbers.
_STATION_ID = re.compile(r"^[A-Za-z0-9_-]{1,32}$")

# How long a connection waits for another one's write lock (the sender thread and the submit
# path share the file) before SQLite gives up with "database is locked".
_BUSY_TIMEOUT_S = 10.0


def _enable_wal(conn: sqlite3.Connection, db: Database) -> None:
    """WAL mode, also when another connection opens a new outbox file at the same moment (the
    sender's thread and the first filing's): both ask for the exclusive lock the switch needs
    while holding a shared one, and SQLite refuses one of them at once rather than wait (a
    deadlock otherwise). By the time it asks again the other has switched the file."""
    deadline = time.monotonic() + _BUSY_TIMEOUT_S
    while True:
        try:
            if conn.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
                db.enable_wal()
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.01)


def check_station_id(station_id: str) -> str:
    """Return ``station_id`` if it can appear in a tracking number; raise ValueError if not."""
    if not _STATION_ID.match(station_id):
        raise ValueError(f"station_id {station_id!r} must match {_STATION_ID.pattern}")
    return station_id


def default_key_path(outbox_path: Path) -> Path:
    """``<state_dir>/keys/outbox.key`` for an outbox at ``<state_dir>/outbox.sqlite3``: the
    station's own data key of earlier versions, read only to reseal what it sealed."""
    return Path(outbox_path).parent / "keys" / "outbox.key"


def default_blob_dir(outbox_path: Path) -> Path:
    """The blob folder that belongs to one outbox file (two outboxes never share one)."""
    path = Path(outbox_path)
    return path.with_name(path.stem + "-blobs")


class OutboxError(Exception):
    """The outbox file cannot be used (e.g. written by a newer kiosk version)."""


class TamperedRow(OutboxError):
    """A row is not a hall envelope; it must not be sent. ``sub_id`` names the row."""

    def __init__(self, sub_id: str, tracking_number: str) -> None:
        super().__init__(f"submission {sub_id} ({tracking_number}) is not sealed to a hall key")
        self.sub_id = sub_id
        self.tracking_number = tracking_number


@dataclass(frozen=True)
class Attachment:
    """A new attachment handed to :meth:`Outbox.enqueue` (``data`` is personal: never log it)."""

    data: bytes
    media_type: str = "application/octet-stream"
    name: str = ""

    def __repr__(self) -> str:
        return f"Attachment(media_type={self.media_type!r}, size={len(self.data)})"


class _PinnedKeySealer:
    """Seals with the outbox's hall key, loaded only if a migration has rows to seal."""

    def __init__(self, outbox: Outbox) -> None:
        self._outbox = outbox

    def seal(self, plaintext: bytes, associated: bytes, /) -> bytes:
        return self._outbox.hall_key.seal(plaintext, associated)


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds")


class Outbox:
    """A connection to the outbox file; use it from the thread that opened it.

    ``hall_key`` defaults to the key pinned at enrolment in the outbox's folder
    (:func:`offline_queue.hall_key.load_pinned`: :class:`~offline_queue.hall_key.HallKeyMissing`
    when the station is not enrolled); ``legacy_key_path`` (the station data key of earlier
    versions) to ``<outbox folder>/keys/outbox.key``; the blob folder to ``<outbox stem>-blobs``
    beside the file.
    """

    def __init__(
        self,
        path: Path,
        station_id: str,
        *,
        clock: Clock = SYSTEM_CLOCK,
        hall_key: HallPublicKey | None = None,
        legacy_key_path: Path | None = None,
        blob_dir: Path | None = None,
        shared: bool = False,
    ) -> None:
        """``shared``: the connection may be used from any thread; the caller serialises the
        calls (see kiosk.runtime.SharedOutbox). Otherwise it belongs to the opening thread."""
        check_station_id(station_id)
        self.path = Path(path)
        self.station_id = station_id
        self._clock = clock
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # Loaded on first need: the non-personal reads (depth, stubs, heartbeat) work without it.
        self._hall_key = hall_key
        self._legacy_key_path = legacy_key_path or default_key_path(self.path)
        self.blobs = BlobStore(blob_dir or default_blob_dir(self.path), lambda: self.hall_key)
        # isolation_level=None: no implicit transactions; every write says BEGIN IMMEDIATE.
        conn = sqlite3.connect(
            self.path, timeout=_BUSY_TIMEOUT_S, isolation_level=None, check_same_thread=not shared
        )
        from sqlite_utils import Database  # brings NumPy: see the module docstring

        self.db: Database = Database(conn)
        try:
            _enable_wal(conn, self.db)
            # FULL: a commit is on disk when enqueue() returns. NORMAL is ~3x faster in WAL but
            # may roll back the last commits on power loss, i.e. lose a printed receipt's filing.
            self.db.execute("PRAGMA synchronous=FULL")
            # Overwrite freed pages so a delivered ciphertext does not linger in the file.
            self.db.execute("PRAGMA secure_delete=ON")
            self._migrate()
            self._reseal_legacy()
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
        # on the busy timeout instead of failing with SQLITE_BUSY on a read-to-write upgrade. The
        # lock also serialises blob deletion against enqueues that re-use the same blob.
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
                MIGRATIONS[number - 1](conn, _PinnedKeySealer(self))
                # PRAGMA takes no bound parameters; number is an int we computed.
                conn.execute(f"PRAGMA user_version = {number:d}")
                log.info("outbox %s migrated to schema version %d", self.path, number)

    def _reseal_legacy(self) -> None:
        """Reseal what an earlier version sealed under the station's own data key to the hall's
        key, then delete that key file: afterwards nothing on this disk opens a queued filing."""
        cipher_key = load_existing_key(self._legacy_key_path)
        if cipher_key is None:
            return
        try:
            _ = self.hall_key
        except pinned_hall_key.HallKeyMissing:
            log.info("legacy outbox key kept until this station is enrolled")
            return
        cipher = Cipher(cipher_key)
        resealed = 0
        with self._write() as conn:
            rows = conn.execute(
                "SELECT id, station_id, service_id, tracking_number, created_at, body "
                "FROM submissions WHERE body IS NOT NULL"
            ).fetchall()
            for sub_id, station_id, service_id, tracking, created_at, body in rows:
                if bytes(body[:1]) == SEALED_FORMAT:
                    continue
                context = associated_data((sub_id, station_id, service_id, tracking, created_at))
                try:
                    plaintext = cipher.open(body, context)
                except TamperedError:
                    log.warning("submission %s does not open under the legacy key", sub_id)
                    continue
                conn.execute(
                    "UPDATE submissions SET body = ? WHERE id = ?",
                    (self.hall_key.seal(plaintext, context), sub_id),
                )
                resealed += 1
            resealed_blobs = self.blobs.reseal_legacy(cipher)
        self._legacy_key_path.unlink()
        log.info(
            "resealed %d submission(s) and %d blob(s) to the hall key; station data key removed",
            resealed,
            resealed_blobs,
        )

    @property
    def hall_key(self) -> HallPublicKey:
        """The hall key this outbox seals to (HallKeyMissing when the station is not enrolled)."""
        if self._hall_key is None:
            self._hall_key = pinned_hall_key.load_pinned(self.path.parent)
        return self._hall_key

    @property
    def schema_version(self) -> int:
        return int(self.db.execute("PRAGMA user_version").fetchone()[0])

    # --- writes ---------------------------------------------------------------------------------

    def enqueue(
        self,
        service_id: str,
        payload: dict[str, Any],
        *,
        attachments: Sequence[Attachment | AttachmentRef] = (),
    ) -> Submission:
        """Store a new submission and give it an id and a tracking number, atomically.

        ``attachments`` are new files (:class:`Attachment`, written to the blob store here) or
        blobs already in the store (:class:`AttachmentRef`). When this returns, everything is on
        disk; when it raises (disk full, …), nothing of this submission counts as queued.
        """
        if not service_id:
            raise ValueError("service_id must not be empty")
        # Serialise before the transaction: a payload that is not JSON fails here, not half-way.
        payload_json = canonical_json(payload)
        data_by_sha: dict[str, bytes] = {}
        refs: list[AttachmentRef] = []
        for item in attachments:
            if isinstance(item, Attachment):
                stored: StoredBlob = self.blobs.put(item.data)
                data_by_sha[stored.sha256] = item.data
                refs.append(AttachmentRef(stored.sha256, stored.size, item.media_type, item.name))
            else:
                check_sha256(item.sha256)
                refs.append(item)
        now = self._clock.now()
        created_at = _iso(now)
        # The receipt shows the station's local date, which is what the walk-in sees on the wall.
        day = now.astimezone().strftime("%Y%m%d")
        sub_id = str(uuid7())
        doc_prefix = b'{"attachments":' + canonical_json([r.to_json() for r in refs])
        plaintext = doc_prefix + b',"payload":' + payload_json + b"}"
        with self._write():
            # Under the write lock: a blob that the sender deleted after delivering another
            # submission with the same file (between our put and this lock) is written again.
            for ref in refs:
                if not self.blobs.exists(ref.sha256):
                    if ref.sha256 not in data_by_sha:
                        raise FileNotFoundError(f"blob {ref.sha256[:12]}… is not in the store")
                    self.blobs.put(data_by_sha[ref.sha256])
            # Read and bumped under the write lock, so no two filings share a number.
            today = next(self.db.table("tracking_seq").rows_where("day = ?", [day]), None)
            seq = 1 if today is None else int(today["last_seq"]) + 1
            self.db.table("tracking_seq").upsert({"day": day, "last_seq": seq}, pk="day")
            tracking_number = f"{self.station_id}-{day}-{seq:04d}"
            body = self.hall_key.seal(
                plaintext,
                associated_data((sub_id, self.station_id, service_id, tracking_number, created_at)),
            )
            self.db.table("submissions").insert(
                {
                    "id": sub_id,
                    "service_id": service_id,
                    "tracking_number": tracking_number,
                    "station_id": self.station_id,
                    "created_at": created_at,
                    "body": body,
                    "status": "pending",
                    "updated_at": created_at,
                }
            )
            self.db.table("attachments").insert_all(
                {"submission_id": sub_id, "ordinal": i, "sha256": ref.sha256}
                for i, ref in enumerate(refs)
            )
        log.info("queued submission %s as %s", sub_id, tracking_number)
        return Submission(
            id=sub_id,
            tracking_number=tracking_number,
            service_id=service_id,
            station_id=self.station_id,
            created_at=created_at,
            payload=json.loads(payload_json),
            attachments=tuple(refs),
        )

    def claim_next(self) -> SealedSubmission | None:
        """The oldest pending submission as sealed, frozen for sending; None when nothing waits.

        The freeze is committed before this returns, i.e. before any byte of it goes out.
        Raises :class:`TamperedRow` if it is not a hall envelope (it is not frozen then).
        """
        row = self._oldest_pending()
        if row is None:
            return None
        sub = self._decode(row)
        if row["sending_since"] is None:
            with self._write() as conn:
                conn.execute(
                    "UPDATE submissions SET sending_since = ?, updated_at = ? "
                    "WHERE id = ? AND sending_since IS NULL",
                    (_iso(self._clock.now()), _iso(self._clock.now()), sub.id),
                )
        return sub

    def unsent_blobs(self, sub_id: str) -> list[str]:
        """sha256 of the blobs of ``sub_id`` that the hall has not confirmed yet, in order."""
        rows = self.db.table("attachments").rows_where(
            "submission_id = ? AND sent_at IS NULL", [sub_id], order_by="ordinal", select="sha256"
        )
        return [r["sha256"] for r in rows]

    def mark_blob_sent(self, sub_id: str, sha256: str) -> None:
        """The hall confirmed this blob; after a restart it is not sent again for this row."""
        with self._write() as conn:
            conn.execute(
                "UPDATE attachments SET sent_at = ? WHERE submission_id = ? AND sha256 = ? "
                "AND sent_at IS NULL",
                (_iso(self._clock.now()), sub_id, sha256),
            )

    def read_blob(self, sha256: str) -> bytes:
        """A queued blob as sealed to the hall: what is uploaded (TamperedError when it is not
        an envelope for the pinned key, FileNotFoundError if it is gone)."""
        return self.blobs.envelope(sha256)

    def mark_delivered(self, sub_id: str) -> None:
        """The hall has it: drop the ciphertext and attachment list, keep a non-personal stub.

        No-op if the row is not pending. Blobs no other waiting row names are deleted.
        """
        now = _iso(self._clock.now())
        with self._write() as conn:
            cur = conn.execute(
                "UPDATE submissions SET status = 'delivered', body = NULL, last_error = NULL, "
                "attempts = attempts + 1, delivered_at = ?, updated_at = ? "
                "WHERE id = ? AND status = 'pending'",
                (now, now, sub_id),
            )
            self._require_row(conn, sub_id, cur.rowcount)
            if not cur.rowcount:
                return
            attachments = self.db.table("attachments")
            where = ("submission_id = ?", [sub_id])
            shas = [r["sha256"] for r in attachments.rows_where(*where, select="sha256")]
            attachments.delete_where(*where)
            # Deleted while holding the write lock, so an enqueue re-using one of these files
            # either committed before (and is counted here) or sees it missing and rewrites it.
            # Every blob of this row was confirmed by the hall before delivery, so even if the
            # commit below failed, a retry would not need them.
            for sha in shas:
                if not attachments.count_where("sha256 = ?", [sha]):
                    self.blobs.delete(sha)
        log.info("submission %s delivered", sub_id)

    def mark_quarantined(self, sub_id: str, reason: str) -> None:
        """Refused for good (or tampered with); keep it for a technician. No-op if not pending."""
        now = _iso(self._clock.now())
        with self._write() as conn:
            cur = conn.execute(
                "UPDATE submissions SET status = 'quarantined', last_error = ?, "
                "attempts = attempts + 1, updated_at = ? WHERE id = ? AND status = 'pending'",
                (reason, now, sub_id),
            )
            self._require_row(conn, sub_id, cur.rowcount)
        log.warning("submission %s quarantined: %s", sub_id, reason)

    def record_attempt(self, sub_id: str, error: str) -> None:
        """Count a failed (transient) send attempt; the row stays pending."""
        with self._write() as conn:
            cur = conn.execute(
                "UPDATE submissions SET attempts = attempts + 1, last_error = ?, updated_at = ? "
                "WHERE id = ?",
                (error, _iso(self._clock.now()), sub_id),
            )
            self._require_row(conn, sub_id, cur.rowcount)

    def requeue(self, sub_id: str) -> None:
        """Technician's action: a quarantined row goes back to pending (blobs are re-sent).

        Its content stays exactly as it was (it is frozen), so a requeue can only help when the
        hall's answer was about the hall, not about the content.
        """
        with self._write() as conn:
            cur = conn.execute(
                "UPDATE submissions SET status = 'pending', updated_at = ? "
                "WHERE id = ? AND status = 'quarantined'",
                (_iso(self._clock.now()), sub_id),
            )
            self._require_row(conn, sub_id, cur.rowcount)
            conn.execute("UPDATE attachments SET sent_at = NULL WHERE submission_id = ?", (sub_id,))
        log.info("submission %s requeued", sub_id)

    def remove_orphan_blobs(self, older_than_s: float = 3600.0) -> int:
        """Delete blob files no row names (left by a crash mid-enqueue); return how many."""
        with self._write():
            rows = self.db.table("attachments").rows_where(select="sha256")
            return self.blobs.remove_orphans({r["sha256"] for r in rows}, older_than_s)

    def _require_row(self, conn: sqlite3.Connection, sub_id: str, rowcount: int) -> None:
        if rowcount:
            return
        if not self.db.table("submissions").count_where("id = ?", [sub_id]):
            raise KeyError(sub_id)

    # --- reads ----------------------------------------------------------------------------------

    _COLUMNS = "id, tracking_number, service_id, station_id, created_at, body, sending_since, seq"

    def _oldest_pending(self) -> dict[str, Any] | None:
        # The (status, seq) index makes this one seek however many delivered stubs there are.
        rows = self.db.table("submissions").rows_where(
            "status = 'pending'", order_by="seq", limit=1, select=self._COLUMNS
        )
        return next(rows, None)

    def next_pending(self) -> SealedSubmission | None:
        """The oldest pending submission without claiming it; None when nothing waits."""
        row = self._oldest_pending()
        return None if row is None else self._decode(row)

    def get(self, sub_id: str) -> dict[str, Any] | None:
        """The row's readable columns, the sealed body (None once delivered) and the names of
        its attachments, for technicians and tests. Nothing here opens the body."""
        found = next(self.db.table("submissions").rows_where("id = ?", [sub_id]), None)
        if found is None:
            return None
        row = dict(found)
        row["attachments"] = [
            r["sha256"]
            for r in self.db.table("attachments").rows_where(
                "submission_id = ?", [sub_id], order_by="ordinal", select="sha256"
            )
        ]
        return row

    def stub(self, tracking_number: str) -> dict[str, Any] | None:
        """The readable columns of one filing by its tracking number (no key needed, nothing
        personal): what the kiosk's progress look-up shows before the hall has it."""
        rows = self.db.table("submissions").rows_where(
            "tracking_number = ?",
            [tracking_number],
            select="tracking_number, service_id, status, created_at",
        )
        return next(rows, None)

    def depth(self) -> int:
        """How many submissions still wait for the hall."""
        return int(self.db.table("submissions").count_where("status = 'pending'"))

    def counts(self) -> dict[str, int]:
        """Rows per status; every status is present, zero included."""
        result: dict[str, int] = dict.fromkeys(STATUSES, 0)
        for row in self.db.query("SELECT status, count(*) AS n FROM submissions GROUP BY status"):
            result[row["status"]] = int(row["n"])
        return result

    def oldest_pending_age_s(self, now: datetime | None = None) -> float | None:
        """Seconds the oldest pending submission has waited, or None when nothing waits."""
        row = next(
            self.db.table("submissions").rows_where(
                "status = 'pending'", order_by="seq", limit=1, select="created_at"
            ),
            None,
        )
        if row is None:
            return None
        now = now if now is not None else self._clock.now()
        age = (now - datetime.fromisoformat(row["created_at"])).total_seconds()
        # A clock stepped backwards would give a negative age; "just queued" is the honest answer.
        return max(age, 0.0)

    def last_delivered_at(self) -> datetime | None:
        """When the hall last confirmed a submission (survives restarts, for the status bar)."""
        rows = self.db.query(
            "SELECT max(delivered_at) AS at FROM submissions WHERE status = 'delivered'"
        )
        at = next(rows)["at"]
        return None if at is None else datetime.fromisoformat(at)

    def check(self) -> list[str]:
        """Problems found: SQLite's integrity check, then every waiting row and blob checked to be
        an envelope for the pinned hall key and every named blob present (only the hall can open
        them, so only the hall can tell a changed byte).

        Empty when all is well. For the technician's tools and the reliability tests.
        """
        problems = [
            str(r[0])
            for r in self.db.execute("PRAGMA integrity_check").fetchall()
            if str(r[0]) != "ok"
        ]
        for row in self.db.table("submissions").rows_where(
            "status != 'delivered'", select=self._COLUMNS
        ):
            try:
                self._decode(row)
            except TamperedRow as exc:
                problems.append(str(exc))
        for (sha,) in self.db.execute("SELECT DISTINCT sha256 FROM attachments").fetchall():
            try:
                self.blobs.envelope(sha)
            except (TamperedError, OSError) as exc:
                problems.append(f"blob {sha[:12]}…: {type(exc).__name__}")
        return problems

    def _decode(self, row: dict[str, Any]) -> SealedSubmission:
        body = row["body"]
        # Only the format is checked: an envelope sealed to a hall key pinned before a
        # re-enrolment still goes, and only the hall can tell whether it opens.
        if body is None or len(body) < SEALED_OVERHEAD or bytes(body[:1]) != SEALED_FORMAT:
            raise TamperedRow(row["id"], row["tracking_number"])
        return SealedSubmission(
            id=row["id"],
            tracking_number=row["tracking_number"],
            service_id=row["service_id"],
            station_id=row["station_id"],
            created_at=row["created_at"],
            sealed=base64.b64encode(body).decode("ascii"),
        )
