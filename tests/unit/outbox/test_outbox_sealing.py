"""Finding 11 of the hardening issue: what the outbox queued, only the hall opens.

The station seals every filing and attachment to the hall's public key pinned at enrolment; no
file in its state folder opens them. An outbox left by the previous version (sealed under the
station's own data key, ``keys/outbox.key``, beside the data) is resealed to the hall's key when
it opens, frozen rows included, and that key file is deleted.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
from pathlib import Path

import pytest

from contracts.sealing import HallKeyPair, SealError
from contracts.wire import blob_context, canonical_json
from hall.sealing import open_blob
from offline_queue.crypto import KEY_BYTES, Cipher
from offline_queue.hall_key import HallKeyMissing, load_pinned
from offline_queue.outbox import MIGRATIONS, Attachment, Outbox, associated_data
from tests.reliability.support import files_containing
from tests.support.clock import FakeClock
from tests.support.sealing import TEST_HALL_KEYS
from tests.unit.outbox.support import STATION, WALK_IN_ID, WALK_IN_NAME, opened, walk_in_payload

SCAN = f"%PDF-1.7 {WALK_IN_NAME} {WALK_IN_ID}".encode() + bytes(range(256)) * 40


def test_the_outbox_key_beside_the_data_is_gone(outbox: Outbox, path: Path) -> None:
    sub = outbox.enqueue("svc", walk_in_payload(), attachments=[Attachment(SCAN, "image/jpeg")])
    keys = path.parent / "keys"
    assert sorted(p.name for p in keys.iterdir()) == ["hall_seal.json"]  # a public key only
    assert "private" not in (keys / "hall_seal.json").read_text()
    # What the hall gets opens with the hall's private half, and with nothing else.
    claimed = outbox.claim_next()
    assert claimed is not None and opened(claimed) == sub
    with pytest.raises(SealError):
        HallKeyPair.generate().open(claimed.envelope(), claimed.context())
    sha = sub.attachments[0].sha256
    assert open_blob(TEST_HALL_KEYS, sha, outbox.read_blob(sha)) == SCAN


def test_a_copied_state_folder_yields_nothing(outbox: Outbox, path: Path, tmp_path: Path) -> None:
    outbox.enqueue("svc", walk_in_payload(), attachments=[Attachment(SCAN)])
    envelope = outbox.claim_next()
    assert envelope is not None
    outbox.close()
    stolen = tmp_path / "stolen"
    shutil.copytree(path.parent, stolen)
    files = [p for p in stolen.rglob("*") if p.is_file()]
    assert files_containing(files, [WALK_IN_NAME, WALK_IN_ID]) == []
    # Every 32-byte window of every file, tried as a hall private key, opens nothing.
    for file in files:
        data = file.read_bytes()
        for start in range(0, max(len(data) - 31, 0), 1 if len(data) < 4096 else 29):
            candidate = HallKeyPair.from_private_bytes(data[start : start + 32])
            with pytest.raises(SealError):
                candidate.open(envelope.envelope(), envelope.context())


def test_an_unenrolled_station_cannot_queue(tmp_path: Path) -> None:
    box = Outbox(tmp_path / "outbox.db", STATION)  # opens: the status tools need no key
    try:
        assert box.depth() == 0
        with pytest.raises(HallKeyMissing, match="enrol"):
            box.enqueue("svc", walk_in_payload())
        assert box.depth() == 0
    finally:
        box.close()


@pytest.mark.parametrize("doc", [{}, {"algorithm": "X25519-HKDF-SHA256-AES256GCM"}, "[]"])
def test_a_damaged_pin_is_refused_with_the_reason(tmp_path: Path, doc: object) -> None:
    (tmp_path / "keys").mkdir()
    (tmp_path / "keys" / "hall_seal.json").write_text(json.dumps(doc))
    with pytest.raises(HallKeyMissing, match=r"hall_seal\.json"):
        load_pinned(tmp_path)


def test_a_pin_whose_key_id_does_not_match_is_refused(tmp_path: Path) -> None:
    doc = TEST_HALL_KEYS.public.to_json()
    doc["key_id"] = "00" * 8
    (tmp_path / "keys").mkdir()
    (tmp_path / "keys" / "hall_seal.json").write_text(json.dumps(doc))
    with pytest.raises(HallKeyMissing, match="key_id"):
        load_pinned(tmp_path)


def _outbox_as_the_previous_version_left_it(path: Path) -> tuple[Cipher, str, str]:
    """Schema 2, a frozen row and a blob sealed under ``keys/outbox.key``; returns the cipher,
    the row's id and the blob's name."""
    path.parent.mkdir(parents=True, exist_ok=True)
    key = os.urandom(KEY_BYTES)
    keys = path.parent / "keys"
    keys.mkdir(mode=0o700, exist_ok=True)
    fd = os.open(keys / "outbox.key", os.O_WRONLY | os.O_CREAT, 0o600)
    os.write(fd, key)
    os.close(fd)
    cipher = Cipher(key)
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    for number in (1, 2):
        MIGRATIONS[number - 1](conn, cipher)
        conn.execute(f"PRAGMA user_version = {number}")
    sha = hashlib.sha256(SCAN).hexdigest()
    blob_dir = path.with_name(path.stem + "-blobs")
    blob_dir.mkdir(mode=0o700)
    (blob_dir / sha).write_bytes(cipher.seal(SCAN, sha.encode("ascii")))
    sub_id = "0190b0c0-0000-7000-8000-000000000001"
    columns = (sub_id, STATION, "svc", f"{STATION}-20250301-0001", "2025-03-01T03:00:00.000+00:00")
    attachments = [{"media_type": "image/jpeg", "name": "", "sha256": sha, "size": len(SCAN)}]
    plaintext = canonical_json({"attachments": attachments, "payload": walk_in_payload()})
    conn.execute(
        "INSERT INTO submissions (id, station_id, service_id, tracking_number, created_at, "
        "body) VALUES (?, ?, ?, ?, ?, ?)",
        (*columns, cipher.seal(plaintext, associated_data(columns))),
    )
    conn.execute(
        "INSERT INTO attachments (submission_id, ordinal, sha256) VALUES (?, 0, ?)", (sub_id, sha)
    )
    # It was being sent when the station stopped: frozen.
    conn.execute(
        "UPDATE submissions SET sending_since = '2025-03-01T03:00:01.000+00:00' WHERE id = ?",
        (sub_id,),
    )
    conn.execute("INSERT INTO tracking_seq VALUES ('20250301', 1)")
    conn.close()
    return cipher, sub_id, sha


def test_what_the_previous_version_queued_is_resealed_to_the_hall(
    path: Path, clock: FakeClock
) -> None:
    _, sub_id, sha = _outbox_as_the_previous_version_left_it(path)
    with Outbox(path, STATION, clock=clock) as box:
        assert not (path.parent / "keys" / "outbox.key").exists()
        assert box.check() == []
        claimed = box.claim_next()  # frozen while the previous version was sending: resealed
        assert claimed is not None and claimed.id == sub_id
        sub = opened(claimed)
        assert sub is not None and sub.payload == walk_in_payload()
        assert [a.sha256 for a in sub.attachments] == [sha]
        assert open_blob(TEST_HALL_KEYS, sha, box.read_blob(sha)) == SCAN
        envelope = box.read_blob(sha)
    # Opening again changes nothing (the legacy key is gone; nothing left to reseal).
    with Outbox(path, STATION, clock=clock) as box:
        assert box.read_blob(sha) == envelope
        assert opened(box.next_pending()) == sub


def test_the_legacy_key_stays_until_the_station_is_enrolled(tmp_path: Path) -> None:
    path = tmp_path / "state" / "outbox.db"
    cipher, sub_id, _ = _outbox_as_the_previous_version_left_it(path)
    with Outbox(path, STATION) as box:  # no hall key pinned: nothing can be resealed yet
        assert box.depth() == 1
    assert (path.parent / "keys" / "outbox.key").exists()
    (path.parent / "keys" / "hall_seal.json").parent.mkdir(exist_ok=True)
    from tests.support.sealing import pin_test_key

    pin_test_key(path.parent)
    with Outbox(path, STATION) as box:
        sub = opened(box.next_pending())
        assert sub is not None and sub.id == sub_id
    assert not (path.parent / "keys" / "outbox.key").exists()
    del cipher


def test_blob_context_binds_the_name(outbox: Outbox) -> None:
    stored = outbox.blobs.put(SCAN)
    other = hashlib.sha256(b"other").hexdigest()
    with pytest.raises(SealError):
        TEST_HALL_KEYS.open(outbox.read_blob(stored.sha256), blob_context(other))
