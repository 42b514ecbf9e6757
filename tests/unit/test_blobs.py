"""The content-addressed, encrypted blob store, on real files."""

from __future__ import annotations

import hashlib
import os
import time
from pathlib import Path

import pytest

from offline_queue.blobs import BlobStore
from offline_queue.crypto import KEY_BYTES, Cipher, TamperedError

SCAN = "身份证 张三丰 11010519491231002X".encode() + os.urandom(4096)


@pytest.fixture
def store(tmp_path: Path) -> BlobStore:
    return BlobStore(tmp_path / "blobs", Cipher(os.urandom(KEY_BYTES)))


def test_put_names_the_blob_by_the_sha256_of_its_plaintext(store: BlobStore) -> None:
    stored = store.put(SCAN)
    assert stored.sha256 == hashlib.sha256(SCAN).hexdigest()
    assert stored.size == len(SCAN)
    assert store.get(stored.sha256) == SCAN
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


def test_an_edited_file_is_detected(store: BlobStore) -> None:
    stored = store.put(SCAN)
    path = store.path_for(stored.sha256)
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x40
    path.write_bytes(bytes(data))
    with pytest.raises(TamperedError):
        store.get(stored.sha256)


def test_a_file_swapped_under_another_name_is_detected(store: BlobStore) -> None:
    a, b = store.put(b"first scan"), store.put(b"second scan")
    store.path_for(a.sha256).write_bytes(store.path_for(b.sha256).read_bytes())
    with pytest.raises(TamperedError):
        store.get(a.sha256)


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
