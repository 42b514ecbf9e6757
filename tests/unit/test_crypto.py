"""The legacy station data key (AES-GCM, read only to reseal to the hall key), on real files."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from offline_queue.crypto import KEY_BYTES, Cipher, KeyFileError, TamperedError, load_existing_key


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


def _write_key(path: Path, data: bytes, mode: int = 0o600) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT, mode)
    os.write(fd, data)
    os.close(fd)
    path.chmod(mode)


def test_a_legacy_key_file_is_read_and_a_missing_one_is_none(tmp_path: Path) -> None:
    path = tmp_path / "keys" / "outbox.key"
    assert load_existing_key(path) is None  # nothing is created any more
    assert not path.exists()
    key = os.urandom(KEY_BYTES)
    _write_key(path, key)
    assert load_existing_key(path) == key


def test_key_readable_by_others_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "outbox.key"
    _write_key(path, os.urandom(KEY_BYTES), 0o644)
    with pytest.raises(KeyFileError, match="chmod 600"):
        load_existing_key(path)


def test_key_of_the_wrong_size_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "outbox.key"
    _write_key(path, b"short")
    with pytest.raises(KeyFileError, match="exactly 32 bytes"):
        load_existing_key(path)
