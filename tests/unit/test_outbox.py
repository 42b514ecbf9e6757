"""The SQLite outbox on real files: durability settings, tracking numbers, states, counts, ids."""

from __future__ import annotations

import base64
import errno
import hashlib
import itertools
import json
import sqlite3
import subprocess
import sys
import threading
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from offline_queue.ids import uuid7
from offline_queue.outbox import (
    MIGRATIONS,
    SCHEMA_VERSION,
    Attachment,
    AttachmentRef,
    Outbox,
    OutboxError,
    TamperedRow,
)
from offline_queue.status import format_status, read_status
from tests.reliability.support import files_containing

STATION = "SND-001"
PAYLOAD = {"company": "苏州某某科技有限公司", "phone": "13800000000", "count": 3}


class FakeClock:
    """A settable clock, so dates and ages are exact."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "outbox" / "outbox.db"


@pytest.fixture
def clock() -> FakeClock:
    # Local noon, so the local calendar date is the same in every time zone the CI might use.
    return FakeClock(datetime(2025, 3, 1, 12, 0).astimezone())


@pytest.fixture
def outbox(path: Path, clock: FakeClock) -> Outbox:
    return Outbox(path, STATION, clock=clock)


# --- durability settings ---------------------------------------------------------------------


def test_wal_and_synchronous_full(outbox: Outbox, path: Path) -> None:
    assert outbox.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert outbox.db.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    # journal_mode is a property of the file: a foreign connection sees it too.
    with sqlite3.connect(path) as other:
        assert other.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_schema_version_is_recorded(outbox: Outbox, path: Path) -> None:
    assert outbox.schema_version == SCHEMA_VERSION >= 1
    outbox.close()
    with Outbox(path, STATION) as reopened:  # reopening does not migrate again
        assert reopened.schema_version == SCHEMA_VERSION


def test_newer_schema_is_refused(path: Path) -> None:
    Outbox(path, STATION).close()
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    with pytest.raises(OutboxError, match="newer"):
        Outbox(path, STATION)


def test_status_index_exists(outbox: Outbox) -> None:
    indexes = outbox.db.execute("PRAGMA index_list(submissions)").fetchall()
    columns = [
        outbox.db.execute(f"PRAGMA index_info({row[1]!r})").fetchall()[0][2] for row in indexes
    ]
    assert "status" in columns


@pytest.mark.parametrize("bad", ["", "has space", "x" * 33, "站点"])
def test_station_id_must_be_printable_in_a_tracking_number(path: Path, bad: str) -> None:
    with pytest.raises(ValueError):
        Outbox(path, bad)


# --- enqueue and tracking numbers --------------------------------------------------------------


def test_enqueue_returns_what_was_stored(outbox: Outbox) -> None:
    sub = outbox.enqueue("business-license-change", PAYLOAD)
    assert uuid.UUID(sub.id).version == 7
    assert sub.tracking_number == f"{STATION}-20250301-0001"
    assert sub.station_id == STATION
    assert sub.payload == PAYLOAD
    assert datetime.fromisoformat(sub.created_at).tzinfo is not None
    assert outbox.next_pending() == sub
    assert sub.to_body() == {
        "id": sub.id,
        "station_id": STATION,
        "service_id": "business-license-change",
        "tracking_number": sub.tracking_number,
        "created_at": sub.created_at,
        "payload": PAYLOAD,
    }


def test_repr_keeps_the_payload_out_of_logs(outbox: Outbox) -> None:
    sub = outbox.enqueue("svc", PAYLOAD)
    assert "13800000000" not in repr(sub)
    assert sub.tracking_number in repr(sub)


def test_tracking_numbers_are_sequential_and_unique_across_reopen(
    path: Path, clock: FakeClock
) -> None:
    with Outbox(path, STATION, clock=clock) as first:
        numbers = [first.enqueue("svc", {"n": i}).tracking_number for i in range(3)]
    with Outbox(path, STATION, clock=clock) as second:
        numbers += [second.enqueue("svc", {"n": i}).tracking_number for i in range(3, 5)]
    assert numbers == [f"{STATION}-20250301-{n:04d}" for n in range(1, 6)]


def test_sequence_restarts_each_day(outbox: Outbox, clock: FakeClock) -> None:
    assert outbox.enqueue("svc", {}).tracking_number.endswith("-20250301-0001")
    assert outbox.enqueue("svc", {}).tracking_number.endswith("-20250301-0002")
    clock.now += timedelta(days=1)
    assert outbox.enqueue("svc", {}).tracking_number.endswith("-20250302-0001")


def test_concurrent_enqueues_from_threads_get_distinct_numbers(
    path: Path, clock: FakeClock
) -> None:
    Outbox(path, STATION).close()  # create the schema once, up front
    numbers: list[str] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def worker() -> None:
        try:
            with Outbox(path, STATION, clock=clock) as mine:
                for i in range(25):
                    number = mine.enqueue("svc", {"i": i}).tracking_number
                    with lock:
                        numbers.append(number)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sorted(numbers) == [f"{STATION}-20250301-{n:04d}" for n in range(1, 101)]


def test_non_json_payload_is_refused_and_nothing_is_written(outbox: Outbox) -> None:
    with pytest.raises(TypeError):
        outbox.enqueue("svc", {"when": datetime.now()})
    with pytest.raises(ValueError):
        outbox.enqueue("svc", {"x": float("nan")})
    assert outbox.counts() == {"pending": 0, "delivered": 0, "quarantined": 0}
    # A failed enqueue did not use up a tracking number.
    assert outbox.enqueue("svc", {}).tracking_number.endswith("-0001")


def test_enqueue_is_durable_for_another_connection(outbox: Outbox, path: Path) -> None:
    sub = outbox.enqueue("svc", PAYLOAD)
    with Outbox(path, STATION) as other:
        assert other.next_pending() == sub


# --- states ---------------------------------------------------------------------------------


def test_pending_is_oldest_first(outbox: Outbox) -> None:
    subs = [outbox.enqueue("svc", {"n": i}) for i in range(3)]
    assert outbox.next_pending() == subs[0]
    outbox.mark_delivered(subs[0].id)
    assert outbox.next_pending() == subs[1]
    outbox.mark_quarantined(subs[1].id, "HTTP_409")
    assert outbox.next_pending() == subs[2]
    outbox.mark_delivered(subs[2].id)
    assert outbox.next_pending() is None


def test_delivered_row_keeps_only_a_stub(outbox: Outbox, path: Path, clock: FakeClock) -> None:
    # Big enough to spill into overflow pages, which SQLite frees without rewriting them
    # unless secure_delete is on.
    sub = outbox.enqueue("svc", {**PAYLOAD, "scan": "x" * 20_000})
    outbox.record_attempt(sub.id, "NETWORK_TIMEOUT")
    clock.now += timedelta(seconds=30)
    outbox.mark_delivered(sub.id)

    row = outbox.get(sub.id)
    assert row is not None
    assert row["payload"] is None
    assert row["status"] == "delivered"
    assert row["tracking_number"] == sub.tracking_number
    assert row["attempts"] == 2
    assert row["last_error"] is None
    assert row["delivered_at"] is not None
    outbox.close()
    # The personal data is gone from the file itself, not only from the query result
    # (secure_delete overwrites freed space; a checkpoint folds the WAL in first).
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    assert b"13800000000" not in path.read_bytes()


def test_quarantined_row_keeps_payload_and_reason(outbox: Outbox) -> None:
    sub = outbox.enqueue("svc", PAYLOAD)
    outbox.mark_quarantined(sub.id, "HTTP_422")
    row = outbox.get(sub.id)
    assert row is not None
    assert row["status"] == "quarantined"
    assert row["last_error"] == "HTTP_422"
    assert row["payload"] == PAYLOAD


def test_record_attempt_keeps_row_pending(outbox: Outbox) -> None:
    sub = outbox.enqueue("svc", PAYLOAD)
    outbox.record_attempt(sub.id, "HTTP_503")
    outbox.record_attempt(sub.id, "NETWORK_UNREACHABLE")
    row = outbox.get(sub.id)
    assert row is not None
    assert (row["status"], row["attempts"], row["last_error"]) == (
        "pending",
        2,
        "NETWORK_UNREACHABLE",
    )
    assert outbox.next_pending() == sub


def test_marking_twice_is_harmless_and_unknown_ids_raise(outbox: Outbox) -> None:
    sub = outbox.enqueue("svc", PAYLOAD)
    outbox.mark_delivered(sub.id)
    outbox.mark_delivered(sub.id)
    outbox.mark_quarantined(sub.id, "late")  # a delivered row is not quarantined afterwards
    assert outbox.counts() == {"pending": 0, "delivered": 1, "quarantined": 0}
    with pytest.raises(KeyError):
        outbox.mark_delivered(str(uuid7()))
    with pytest.raises(KeyError):
        outbox.record_attempt(str(uuid7()), "x")


# --- counts and ages ---------------------------------------------------------------------------


def test_counts_and_depth(outbox: Outbox) -> None:
    assert outbox.depth() == 0
    assert outbox.counts() == {"pending": 0, "delivered": 0, "quarantined": 0}
    subs = [outbox.enqueue("svc", {"n": i}) for i in range(5)]
    outbox.mark_delivered(subs[0].id)
    outbox.mark_delivered(subs[1].id)
    outbox.mark_quarantined(subs[2].id, "HTTP_409")
    assert outbox.depth() == 2
    assert outbox.counts() == {"pending": 2, "delivered": 2, "quarantined": 1}


def test_oldest_pending_age(outbox: Outbox, clock: FakeClock) -> None:
    assert outbox.oldest_pending_age_s() is None
    first = outbox.enqueue("svc", {})
    clock.now += timedelta(seconds=90)
    outbox.enqueue("svc", {})
    assert outbox.oldest_pending_age_s() == pytest.approx(90.0)
    assert outbox.oldest_pending_age_s(clock.now + timedelta(seconds=10)) == pytest.approx(100.0)
    outbox.mark_delivered(first.id)
    assert outbox.oldest_pending_age_s() == pytest.approx(0.0)
    # A clock stepped backwards does not give a negative age.
    assert outbox.oldest_pending_age_s(clock.now - timedelta(hours=1)) == 0.0


# --- ids -------------------------------------------------------------------------------------


def test_uuid7_layout() -> None:
    before = int(datetime.now(UTC).timestamp() * 1000)
    value = uuid7()
    after = int(datetime.now(UTC).timestamp() * 1000)
    assert value.version == 7
    assert value.variant == uuid.RFC_4122
    assert before - 1 <= value.int >> 80 <= after + 1


def test_uuid7_is_strictly_increasing_and_unique() -> None:
    ids = [uuid7() for _ in range(20_000)]
    assert all(a < b for a, b in itertools.pairwise(ids))
    # The outbox stores str(id) as a TEXT key: the text must sort the same way.
    assert all(str(a) < str(b) for a, b in itertools.pairwise(ids))


# --- attachments, encryption at rest, frozen rows (the outbox issue) ----------------------------

WALK_IN_NAME = "张三丰"
WALK_IN_ID = "11010519491231002X"


def walk_in_payload() -> dict[str, object]:
    return {
        "service_id": "company_startup_power",
        "parts": ["company_registration"],
        "form": {
            "applicant_name": WALK_IN_NAME,
            "applicant_id_number": WALK_IN_ID,
            "notes": "x" * 2000,
        },
        "helper_filled": [],
        "language": "zh_CN",
        "catalog_version": "1",
    }


def scan_bytes() -> bytes:
    # A "scan" whose bytes contain the name and number in clear, as an OCR layer would.
    return f"%PDF-1.7 {WALK_IN_NAME} {WALK_IN_ID}".encode() + bytes(range(256)) * 800


def outbox_files(path: Path) -> list[Path]:
    files = [p for p in (path, Path(f"{path}-wal"), Path(f"{path}-shm")) if p.exists()]
    blob_dir = path.with_name(path.stem + "-blobs")
    return files + sorted(blob_dir.iterdir())


def test_enqueue_with_attachments_round_trip(outbox: Outbox) -> None:
    scan = scan_bytes()
    sub = outbox.enqueue(
        "svc", PAYLOAD, attachments=[Attachment(scan, "application/pdf", "身份证.pdf")]
    )
    (ref,) = sub.attachments
    assert ref == AttachmentRef(
        hashlib.sha256(scan).hexdigest(), len(scan), "application/pdf", "身份证.pdf"
    )
    assert outbox.next_pending() == sub
    assert outbox.read_blob(ref.sha256) == scan
    assert sub.to_body()["attachments"] == [ref.to_json()]
    assert "身份证" not in repr(sub.attachments)
    assert outbox.unsent_blobs(sub.id) == [ref.sha256]


def test_personal_data_is_nowhere_on_disk_in_any_encoding(path: Path, clock: FakeClock) -> None:
    # Keep the connection open so the WAL still holds the fresh pages when the files are read.
    with Outbox(path, STATION, clock=clock) as box:
        box.enqueue(
            "company_startup_power", walk_in_payload(), attachments=[Attachment(scan_bytes())]
        )
        files = outbox_files(path)
        assert Path(f"{path}-wal").stat().st_size > 0
        assert len(files) >= 3  # db, WAL, one blob at least
        assert files_containing(files, [WALK_IN_NAME, WALK_IN_ID]) == []
        # The technician's columns stay readable.
        assert box.counts()["pending"] == 1
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    assert files_containing(outbox_files(path), [WALK_IN_NAME, WALK_IN_ID]) == []


def test_the_secret_scanner_finds_what_it_looks_for(tmp_path: Path) -> None:
    # The at-rest test above can only fail if this one passes.
    probes = {
        "utf8": WALK_IN_NAME.encode(),
        "utf16": WALK_IN_NAME.encode("utf-16-le"),
        "gb18030": WALK_IN_NAME.encode("gb18030"),
        "json": json.dumps(WALK_IN_NAME).encode(),
        "b64": base64.b64encode(b"xy" + WALK_IN_ID.encode()),
        "lower": WALK_IN_ID.lower().encode(),
    }
    for name, data in probes.items():
        (tmp_path / name).write_bytes(b"...." + data + b"....")
    found = files_containing(sorted(tmp_path.iterdir()), [WALK_IN_NAME, WALK_IN_ID])
    assert {Path(f).name for f, _ in found} == set(probes)


def test_claim_freezes_the_row(outbox: Outbox) -> None:
    sub = outbox.enqueue("svc", PAYLOAD, attachments=[Attachment(b"scan")])
    # Before sending starts, the row may still change (e.g. a future "correct before sending").
    outbox.db.execute("UPDATE submissions SET service_id = 'svc2' WHERE id = ?", (sub.id,))
    outbox.db.execute("UPDATE submissions SET service_id = 'svc' WHERE id = ?", (sub.id,))
    claimed = outbox.claim_next()
    assert claimed == sub
    for sql in (
        "UPDATE submissions SET body = x'00' WHERE id = ?",
        "UPDATE submissions SET service_id = 'other' WHERE id = ?",
        "UPDATE submissions SET tracking_number = 'X' WHERE id = ?",
        "UPDATE submissions SET sending_since = NULL WHERE id = ?",
        "DELETE FROM submissions WHERE id = ?",
        "DELETE FROM attachments WHERE submission_id = ?",
        "INSERT INTO attachments (submission_id, ordinal, sha256) VALUES (?, 9, 'x')",
    ):
        with pytest.raises(sqlite3.IntegrityError, match=r"frozen|only|leave"):
            outbox.db.execute(sql, (sub.id,))
    # Claiming again (after a restart) hands out the very same content.
    assert outbox.claim_next() == sub
    outbox.mark_delivered(sub.id)
    row = outbox.get(sub.id)
    assert row is not None and row["payload"] is None and row["sending_since"] is not None


def test_tampered_ciphertext_is_detected(outbox: Outbox) -> None:
    sub = outbox.enqueue("svc", PAYLOAD)
    body = bytearray(outbox.db.execute("SELECT body FROM submissions").fetchone()[0])
    body[-3] ^= 0x10
    outbox.db.execute("UPDATE submissions SET body = ? WHERE id = ?", (bytes(body), sub.id))
    with pytest.raises(TamperedRow) as caught:
        outbox.claim_next()
    assert caught.value.sub_id == sub.id
    assert any(sub.id in problem for problem in outbox.check())


def test_editing_a_readable_column_is_detected_too(outbox: Outbox) -> None:
    sub = outbox.enqueue("svc", PAYLOAD)
    outbox.db.execute("UPDATE submissions SET service_id = 'other' WHERE id = ?", (sub.id,))
    with pytest.raises(TamperedRow):
        outbox.next_pending()


def test_delivery_deletes_blobs_no_waiting_row_names(outbox: Outbox) -> None:
    shared, own = Attachment(b"shared scan"), Attachment(b"own scan")
    first = outbox.enqueue("svc", {"n": 1}, attachments=[shared, own])
    second = outbox.enqueue("svc", {"n": 2}, attachments=[shared])
    shared_sha, own_sha = (a.sha256 for a in first.attachments)
    outbox.mark_delivered(first.id)
    assert not outbox.blobs.exists(own_sha)
    assert outbox.blobs.exists(shared_sha)  # the second submission still needs it
    assert outbox.get(first.id)["attachments"] is None  # type: ignore[index]
    outbox.mark_delivered(second.id)
    assert outbox.blobs.names() == set()
    assert outbox.db.execute("SELECT count(*) FROM attachments").fetchone()[0] == 0


def test_quarantine_keeps_blobs_and_requeue_resends_them(outbox: Outbox) -> None:
    sub = outbox.enqueue("svc", PAYLOAD, attachments=[Attachment(b"scan")])
    sha = sub.attachments[0].sha256
    outbox.claim_next()
    outbox.mark_blob_sent(sub.id, sha)
    assert outbox.unsent_blobs(sub.id) == []
    outbox.mark_quarantined(sub.id, "HTTP_422")
    assert outbox.blobs.exists(sha) and outbox.depth() == 0
    outbox.requeue(sub.id)
    assert outbox.depth() == 1
    assert outbox.unsent_blobs(sub.id) == [sha]
    assert outbox.claim_next() == sub


def test_attachment_ref_must_be_in_the_store(outbox: Outbox) -> None:
    stored = outbox.blobs.put(b"captured earlier")
    sub = outbox.enqueue(
        "svc", {}, attachments=[AttachmentRef(stored.sha256, stored.size, "image/jpeg")]
    )
    assert sub.attachments[0].sha256 == stored.sha256
    with pytest.raises(FileNotFoundError):
        outbox.enqueue("svc", {}, attachments=[AttachmentRef("0" * 64, 1)])
    assert outbox.depth() == 1


def test_disk_full_in_the_database_claims_nothing_and_loses_nothing(outbox: Outbox) -> None:
    kept = [outbox.enqueue("svc", {"n": i}) for i in range(2)]
    pages = outbox.db.execute("PRAGMA page_count").fetchone()[0]
    outbox.db.execute(f"PRAGMA max_page_count = {pages}")
    big = {**walk_in_payload(), "notes": "x" * 50_000}  # needs new pages, whatever is free
    with pytest.raises(sqlite3.OperationalError, match="full"):
        outbox.enqueue("svc", big, attachments=[Attachment(scan_bytes())])
    outbox.db.execute("PRAGMA max_page_count = 1000000")
    assert [outbox.next_pending()] == [kept[0]]
    assert outbox.counts()["pending"] == 2
    assert outbox.check() == []
    # The scan written before the row failed is an orphan; the sender's clean-up removes it.
    assert outbox.remove_orphan_blobs(older_than_s=0) == 1
    assert outbox.blobs.names() == set()
    # No tracking number was used up by the failed submit.
    assert outbox.enqueue("svc", {}).tracking_number.endswith("-0003")


_FILL_THE_BLOB_DISK = r"""
import json, os, resource, signal, sys
from datetime import datetime
from pathlib import Path
from offline_queue.outbox import Attachment, Outbox
path = Path(sys.argv[1])
with Outbox(path, "SND-001") as box:
    for i in range(2):
        box.enqueue("svc", {"n": i}, attachments=[Attachment(b"small scan %d" % i)])
    # Files may not grow past 64 KiB from here on: the next 200 KB scan hits "file too large",
    # the same failure path as ENOSPC on a full disk.
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (64 * 1024, resource.RLIM_INFINITY))
    try:
        box.enqueue("svc", {"n": 2}, attachments=[Attachment(os.urandom(200_000))])
    except OSError as exc:
        print(json.dumps({"error": type(exc).__name__, "errno": exc.errno}))
    else:
        print(json.dumps({"error": None}))
"""


def test_disk_full_in_the_blob_folder_claims_nothing_and_loses_nothing(path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-c", _FILL_THE_BLOB_DISK, str(path)],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
        cwd=Path(__file__).resolve().parents[2],
    )
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["error"] == "OSError" and result["errno"] == errno.EFBIG
    with Outbox(path, STATION) as box:
        assert box.counts() == {"pending": 2, "delivered": 0, "quarantined": 0}
        assert box.check() == []
        assert len(box.blobs.names()) == 2
        # The half-written temporary file was removed on the way out.
        assert [p.name for p in box.blobs.root.iterdir() if p.name.startswith(".tmp")] == []
        assert box.enqueue("svc", {}).tracking_number.endswith("-0003")


def test_migration_from_schema_1_encrypts_plain_payloads(path: Path) -> None:
    # A file as the first kiosk version wrote it: payloads in clear.
    path.parent.mkdir(parents=True)
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA secure_delete=ON")
    MIGRATIONS[0](conn, None)  # type: ignore[arg-type]
    conn.execute("PRAGMA user_version = 1")
    rows = [
        (
            "0190b0c0-0000-7000-8000-000000000001",
            "svc",
            f"{STATION}-20250301-0001",
            json.dumps(walk_in_payload(), ensure_ascii=False),
            "pending",
            None,
        ),
        (
            "0190b0c0-0000-7000-8000-000000000002",
            "svc",
            f"{STATION}-20250301-0002",
            None,
            "delivered",
            "2025-03-01T04:00:00.000+00:00",
        ),
    ]
    for sub_id, svc, tracking, payload, status, delivered in rows:
        conn.execute(
            "INSERT INTO submissions (id, service_id, tracking_number, station_id, created_at, "
            "payload, status, delivered_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                sub_id,
                svc,
                tracking,
                STATION,
                "2025-03-01T03:00:00.000+00:00",
                payload,
                status,
                delivered,
            ),
        )
    conn.execute("INSERT INTO tracking_seq VALUES ('20250301', 2)")
    conn.close()

    with Outbox(path, STATION) as box:
        assert box.schema_version == SCHEMA_VERSION
        pending = box.next_pending()
        assert pending is not None and pending.payload == walk_in_payload()
        assert pending.tracking_number.endswith("-0001")
        assert box.counts() == {"pending": 1, "delivered": 1, "quarantined": 0}
        assert box.check() == []
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    assert files_containing([path], [WALK_IN_NAME, WALK_IN_ID]) == []


def test_last_delivered_at_survives_a_restart(path: Path, clock: FakeClock) -> None:
    with Outbox(path, STATION, clock=clock) as box:
        assert box.last_delivered_at() is None
        sub = box.enqueue("svc", {})
        clock.now += timedelta(minutes=5)
        box.mark_delivered(sub.id)
    with Outbox(path, STATION, clock=clock) as box:
        assert box.last_delivered_at() == clock.now


# --- the technician's status command ------------------------------------------------------------


def test_status_report_reads_without_the_key(path: Path, clock: FakeClock) -> None:
    assert read_status(path)["exists"] is False
    with Outbox(path, STATION, clock=clock) as box:
        subs = [box.enqueue("svc", walk_in_payload()) for _ in range(3)]
        box.mark_delivered(subs[0].id)
        box.mark_quarantined(subs[1].id, "HTTP_409")
    (path.parent / "keys" / "outbox.key").unlink()  # the report must not need it
    report = read_status(path, now=clock.now + timedelta(seconds=42))
    assert report["counts"] == {"pending": 1, "delivered": 1, "quarantined": 1}
    assert report["depth"] == 1
    assert report["oldest_pending_age_s"] == pytest.approx(42.0)
    assert report["quarantined"] == [
        {
            "id": subs[1].id,
            "tracking_number": subs[1].tracking_number,
            "reason": "HTTP_409",
            "attempts": 1,
        }
    ]
    text = format_status(report)
    assert subs[1].tracking_number in text and WALK_IN_NAME not in text


def test_main_outbox_status_json(tmp_path: Path) -> None:
    root = Path(__file__).resolve().parents[2]
    state = tmp_path / "state"
    with Outbox(state / "outbox.sqlite3", "SND-SS-001") as box:
        box.enqueue("svc", walk_in_payload())
    config = (root / "packaging" / "kiosk.example.toml").read_text(encoding="utf-8")
    config = config.replace('state_dir = "var/kiosk"', f'state_dir = "{state}"')
    (tmp_path / "kiosk.toml").write_text(config, encoding="utf-8")
    done = subprocess.run(
        [
            sys.executable,
            "main.py",
            "outbox",
            "status",
            "--json",
            "--config",
            str(tmp_path / "kiosk.toml"),
        ],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    report = json.loads(done.stdout)
    assert report["counts"] == {"pending": 1, "delivered": 0, "quarantined": 0}
    assert report["oldest_pending_age_s"] >= 0
    assert WALK_IN_NAME not in done.stdout and WALK_IN_NAME not in done.stderr
