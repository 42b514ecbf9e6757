"""The content-addressed blob store, sealed to the hall's key, on real files (opened with the
test hall key pair, as the hall would)."""

from __future__ import annotations

import hashlib
import os
import time
from pathlib import Path

import pytest

from contracts.wire import blob_context
from hall.sealing import EnvelopeRefused, open_blob
from offline_queue.blobs import BlobStore
from offline_queue.crypto import KEY_BYTES, Cipher, TamperedError
from tests.support.sealing import TEST_HALL_KEYS

SCAN = "身份证 张三丰 11010519491231002X".encode() + os.urandom(4096)


@pytest.fixture
def store(tmp_path: Path) -> BlobStore:
    return BlobStore(tmp_path / "blobs", lambda: TEST_HALL_KEYS.public)


def test_put_names_the_blob_by_the_sha256_of_its_plaintext(store: BlobStore) -> None:
    stored = store.put(SCAN)
    assert stored.sha256 == hashlib.sha256(SCAN).hexdigest()
    assert stored.size == len(SCAN)
    assert open_blob(TEST_HALL_KEYS, stored.sha256, store.envelope(stored.sha256)) == SCAN
    assert store.names() == {stored.sha256}


def test_the_file_on_disk_is_encrypted(store: BlobStore) -> None:
    stored = store.put(SCAN)
    on_disk = store.path_for(stored.sha256).read_bytes()
    assert "张三丰".encode() not in on_disk
    assert b"11010519491231002X" not in on_disk


def test_same_content_is_stored_once(store: BlobStore) -> None:
    first = store.put(SCAN)
    before = store.path_for(first.sha256).stat().st_mtime_ns
    assert store.put(SCAN) == first
    assert store.path_for(first.sha256).stat().st_mtime_ns == before
    assert len(store.names()) == 1


def test_the_station_cannot_open_what_it_stored(store: BlobStore) -> None:
    # No key on the station opens it: only the hall's private half does.
    stored = store.put(SCAN)
    envelope = store.envelope(stored.sha256)
    from contracts.sealing import HallKeyPair, WrongHallKey

    with pytest.raises(WrongHallKey):
        HallKeyPair.generate().open(envelope, blob_context(stored.sha256))


def test_an_edited_file_is_refused_by_the_hall(store: BlobStore) -> None:
    stored = store.put(SCAN)
    path = store.path_for(stored.sha256)
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x40
    path.write_bytes(bytes(data))
    with pytest.raises(EnvelopeRefused, match="does not open"):
        open_blob(TEST_HALL_KEYS, stored.sha256, store.envelope(stored.sha256))


def test_a_file_swapped_under_another_name_is_refused_by_the_hall(store: BlobStore) -> None:
    a, b = store.put(b"first scan"), store.put(b"second scan")
    store.path_for(a.sha256).write_bytes(store.path_for(b.sha256).read_bytes())
    with pytest.raises(EnvelopeRefused):
        open_blob(TEST_HALL_KEYS, a.sha256, store.envelope(a.sha256))


def test_a_file_that_is_no_hall_envelope_is_not_sent(store: BlobStore) -> None:
    stored = store.put(SCAN)
    store.path_for(stored.sha256).write_bytes(b"\x01" + os.urandom(64))  # the legacy format
    with pytest.raises(TamperedError, match="not sealed to a hall key"):
        store.envelope(stored.sha256)


def test_legacy_files_are_resealed_to_the_hall_key(store: BlobStore) -> None:
    legacy = Cipher(os.urandom(KEY_BYTES))
    sha = hashlib.sha256(SCAN).hexdigest()
    store.path_for(sha).write_bytes(legacy.seal(SCAN, sha.encode("ascii")))
    assert store.reseal_legacy(legacy) == 1
    assert open_blob(TEST_HALL_KEYS, sha, store.envelope(sha)) == SCAN
    assert store.reseal_legacy(legacy) == 0  # done once


def test_bad_names_are_refused(store: BlobStore) -> None:
    for bad in ("../etc/passwd", "ABC", "0" * 63, "G" * 64):
        with pytest.raises(ValueError):
            store.path_for(bad)


def test_orphans_and_temp_files_are_removed_after_the_grace_period(store: BlobStore) -> None:
    kept, orphan = store.put(b"kept"), store.put(b"orphan")
    leftover = store.root / ".tmp-123-abc"
    leftover.write_bytes(b"half a scan")
    assert store.remove_orphans({kept.sha256}, older_than_s=3600) == 0  # too young to go
    old = time.time() - 7200
    for p in store.root.iterdir():
        os.utime(p, (old, old))
    assert store.remove_orphans({kept.sha256}, older_than_s=3600) == 2
    assert store.names() == {kept.sha256}
    assert not leftover.exists()
    assert not store.exists(orphan.sha256)
