"""AES-GCM sealing and the data key file, on real files."""

from __future__ import annotations

import os
import stat
import threading
from pathlib import Path

import pytest

from offline_queue.crypto import KEY_BYTES, Cipher, KeyFileError, TamperedError, load_or_create_key


@pytest.fixture
def cipher() -> Cipher:
    return Cipher(os.urandom(KEY_BYTES))


def test_seal_and_open_round_trip(cipher: Cipher) -> None:
    sealed = cipher.seal("张三丰".encode(), b"row-1")
    assert "张三丰".encode() not in sealed
    assert cipher.open(sealed, b"row-1") == "张三丰".encode()


def test_each_seal_uses_a_fresh_nonce(cipher: Cipher) -> None:
    assert cipher.seal(b"same", b"a") != cipher.seal(b"same", b"a")


@pytest.mark.parametrize("position", [0, 1, 5, 17, 20, -1])
def test_any_flipped_bit_is_detected(cipher: Cipher, position: int) -> None:
    sealed = bytearray(cipher.seal(b"payload" * 10, b"row-1"))
    sealed[position] ^= 0x01
    with pytest.raises(TamperedError):
        cipher.open(bytes(sealed), b"row-1")


def test_ciphertext_moved_to_another_row_is_detected(cipher: Cipher) -> None:
    sealed = cipher.seal(b"payload", b"row-1")
    with pytest.raises(TamperedError):
        cipher.open(sealed, b"row-2")


@pytest.mark.parametrize("sealed", [b"", b"\x01", b"\x02" + b"\0" * 40])
def test_truncated_or_foreign_values_are_detected(cipher: Cipher, sealed: bytes) -> None:
    with pytest.raises(TamperedError):
        cipher.open(sealed, b"row-1")


def test_another_key_cannot_open(cipher: Cipher) -> None:
    sealed = cipher.seal(b"payload", b"row-1")
    with pytest.raises(TamperedError, match="another data key"):
        Cipher(os.urandom(KEY_BYTES)).open(sealed, b"row-1")


def test_key_file_is_created_once_with_owner_only_access(tmp_path: Path) -> None:
    path = tmp_path / "state" / "keys" / "outbox.key"
    key = load_or_create_key(path)
    assert len(key) == KEY_BYTES
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert load_or_create_key(path) == key  # the second start reads the same key
    assert [p.name for p in path.parent.iterdir()] == ["outbox.key"]  # no temp file left


def test_concurrent_first_starts_agree_on_one_key(tmp_path: Path) -> None:
    path = tmp_path / "keys" / "outbox.key"
    keys: list[bytes] = []
    barrier = threading.Barrier(8)

    def start() -> None:
        barrier.wait()
        keys.append(load_or_create_key(path))

    threads = [threading.Thread(target=start) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(keys) == 8 and len(set(keys)) == 1


def test_key_readable_by_others_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "outbox.key"
    load_or_create_key(path)
    path.chmod(0o644)
    with pytest.raises(KeyFileError, match="chmod 600"):
        load_or_create_key(path)


def test_key_of_the_wrong_size_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "outbox.key"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT, 0o600)
    os.write(fd, b"short")
    os.close(fd)
    with pytest.raises(KeyFileError, match="exactly 32 bytes"):
        load_or_create_key(path)
