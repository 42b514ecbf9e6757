"""The outbox at rest: attachments, encryption (no personal data on disk in any encoding),
frozen and tamper-evident rows, a full disk losing nothing, and the schema 1 -> 2 migration."""

from __future__ import annotations

import base64
import errno
import hashlib
import json
import sqlite3
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest

from contracts.wire import AttachmentRef
from hall.sealing import EnvelopeRefused, open_blob
from offline_queue.outbox import (
    MIGRATIONS,
    SCHEMA_VERSION,
    Attachment,
    Outbox,
    TamperedRow,
)
from tests.reliability.support import files_containing
from tests.support.clock import FakeClock
from tests.support.sealing import TEST_HALL_KEYS
from tests.unit.outbox.support import (
    PAYLOAD,
    STATION,
    WALK_IN_ID,
    WALK_IN_NAME,
    opened,
    walk_in_payload,
)

# --- attachments, encryption at rest, frozen rows (the outbox issue) ----------------------------


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
    assert opened(outbox.next_pending()) == sub
    assert open_blob(TEST_HALL_KEYS, ref.sha256, outbox.read_blob(ref.sha256)) == scan
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
    assert opened(claimed) == sub
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
    assert opened(outbox.claim_next()) == sub
    outbox.mark_delivered(sub.id)
    row = outbox.get(sub.id)
    assert row is not None and row["body"] is None and row["sending_since"] is not None


def test_a_flipped_bit_is_sent_as_it_is_and_the_hall_refuses_it(outbox: Outbox) -> None:
    # The station holds no key that opens the envelope, so it cannot tell; the hall can.
    sub = outbox.enqueue("svc", PAYLOAD)
    body = bytearray(outbox.db.execute("SELECT body FROM submissions").fetchone()[0])
    body[-3] ^= 0x10
    outbox.db.execute("UPDATE submissions SET body = ? WHERE id = ?", (bytes(body), sub.id))
    claimed = outbox.claim_next()
    assert claimed is not None
    with pytest.raises(EnvelopeRefused, match="does not open"):
        opened(claimed)


def test_a_row_that_is_no_hall_envelope_is_not_sent(outbox: Outbox) -> None:
    sub = outbox.enqueue("svc", PAYLOAD)
    body = bytearray(outbox.db.execute("SELECT body FROM submissions").fetchone()[0])
    body[0] = 0x01  # the legacy format: not resealed (its key was lost)
    outbox.db.execute("UPDATE submissions SET body = ? WHERE id = ?", (bytes(body), sub.id))
    with pytest.raises(TamperedRow) as caught:
        outbox.claim_next()
    assert caught.value.sub_id == sub.id
    assert any(sub.id in problem for problem in outbox.check())


def test_editing_a_readable_column_is_refused_by_the_hall(outbox: Outbox) -> None:
    sub = outbox.enqueue("svc", PAYLOAD)
    outbox.db.execute("UPDATE submissions SET service_id = 'other' WHERE id = ?", (sub.id,))
    with pytest.raises(EnvelopeRefused):
        opened(outbox.next_pending())


def test_delivery_deletes_blobs_no_waiting_row_names(outbox: Outbox) -> None:
    shared, own = Attachment(b"shared scan"), Attachment(b"own scan")
    first = outbox.enqueue("svc", {"n": 1}, attachments=[shared, own])
    second = outbox.enqueue("svc", {"n": 2}, attachments=[shared])
    shared_sha, own_sha = (a.sha256 for a in first.attachments)
    outbox.mark_delivered(first.id)
    assert not outbox.blobs.exists(own_sha)
    assert outbox.blobs.exists(shared_sha)  # the second submission still needs it
    assert outbox.get(first.id)["attachments"] == []  # type: ignore[index]
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
    assert opened(outbox.claim_next()) == sub


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
    assert [opened(outbox.next_pending())] == [kept[0]]
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
        cwd=Path(__file__).resolve().parents[3],
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
    path.parent.mkdir(parents=True, exist_ok=True)
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
        pending = opened(box.next_pending())
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
        clock.advance(timedelta(minutes=5))
        box.mark_delivered(sub.id)
    with Outbox(path, STATION, clock=clock) as box:
        assert box.last_delivered_at() == clock.now()
