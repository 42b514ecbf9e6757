"""Encryption at rest for the outbox: AES-256-GCM over payloads and attachment blobs.

The walk-in's answers and document scans sit on the kiosk's disk until the hall confirms them; a
stolen disk or a copied state folder must not give them away. Each sealed value carries a format
byte, a key id and a random 96-bit nonce; the caller binds it to where it belongs through the
associated data (the submission id, the blob's sha256), so a ciphertext copied onto another row
fails to open just like a flipped bit does (:class:`TamperedError`).

The data key is 32 random bytes in a 0600 file created on first start (``load_or_create_key``).
Enrollment with the hall will provision and rotate it later; the key id in every ciphertext is
what lets a later version find the right key.

Error tree::

    CryptoError
    ├── KeyFileError     the key file is missing, unreadable, the wrong size or too open
    └── TamperedError    a ciphertext failed authentication (or was sealed under another key)
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import stat
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from offline_queue.durable import atomic_write

KEY_BYTES = 32
_FORMAT_V1 = b"\x01"
_KEY_ID_BYTES = 4
_NONCE_BYTES = 12
_HEADER_BYTES = 1 + _KEY_ID_BYTES + _NONCE_BYTES
_TAG_BYTES = 16


class CryptoError(Exception):
    """Base of the outbox's encryption errors."""


class KeyFileError(CryptoError):
    """The data key file cannot be used."""


class TamperedError(CryptoError):
    """A ciphertext did not authenticate: changed on disk, truncated, or from another key."""


def load_or_create_key(path: Path) -> bytes:
    """Return the data key at ``path``, creating it (0600, in a 0700 folder) on first start.

    Safe against two threads or processes starting at once: the key is written to a private
    temporary file and linked into place (:func:`~offline_queue.durable.atomic_write` with
    ``overwrite=False``), which fails if another starter won the race, so nobody ever reads a
    half-written key.
    """
    path = Path(path)
    try:
        return _read_key(path)
    except FileNotFoundError:
        pass
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    # FileExistsError: another starter created it first, so use theirs.
    with contextlib.suppress(FileExistsError):
        atomic_write(path, os.urandom(KEY_BYTES), mode=0o600, overwrite=False)
    return _read_key(path)


def _read_key(path: Path) -> bytes:
    with path.open("rb") as f:
        mode = os.fstat(f.fileno()).st_mode
        if mode & (stat.S_IRWXG | stat.S_IRWXO):
            raise KeyFileError(
                f"{path} is readable by others (mode {stat.S_IMODE(mode):04o}); "
                "it must be 0600 (chmod 600)"
            )
        key = f.read(KEY_BYTES + 1)
    if len(key) != KEY_BYTES:
        raise KeyFileError(f"{path} must hold exactly {KEY_BYTES} bytes, not {len(key)}")
    return key


class Cipher:
    """Seals and opens values under one data key. Stateless and thread-safe."""

    def __init__(self, key: bytes) -> None:
        if len(key) != KEY_BYTES:
            raise KeyFileError(f"data key must be {KEY_BYTES} bytes, not {len(key)}")
        self._aead = AESGCM(key)
        # Identifies the key without revealing it: a later key rotation looks it up by this.
        self.key_id = hashlib.sha256(b"qihang-outbox-key-id" + key).digest()[:_KEY_ID_BYTES]

    @classmethod
    def from_key_file(cls, path: Path) -> Cipher:
        return cls(load_or_create_key(path))

    def seal(self, plaintext: bytes, associated: bytes) -> bytes:
        """Encrypt ``plaintext``; ``associated`` must be given again, unchanged, to open it."""
        nonce = os.urandom(_NONCE_BYTES)
        header = _FORMAT_V1 + self.key_id + nonce
        return header + self._aead.encrypt(nonce, plaintext, header + associated)

    def open(self, sealed: bytes, associated: bytes) -> bytes:
        """Decrypt a value from :meth:`seal`; raise :class:`TamperedError` if it does not verify."""
        if len(sealed) < _HEADER_BYTES + _TAG_BYTES or sealed[:1] != _FORMAT_V1:
            raise TamperedError("not a sealed outbox value (wrong format or truncated)")
        header = sealed[:_HEADER_BYTES]
        if header[1 : 1 + _KEY_ID_BYTES] != self.key_id:
            raise TamperedError("sealed under another data key")
        nonce = header[1 + _KEY_ID_BYTES :]
        try:
            return self._aead.decrypt(nonce, sealed[_HEADER_BYTES:], header + associated)
        except InvalidTag:
            raise TamperedError("authentication failed: the ciphertext was changed") from None
