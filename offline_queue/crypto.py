"""The station's own data key of earlier versions (AES-256-GCM, ``keys/outbox.key``): read only to
open what those versions queued and reseal it to the hall's key (:mod:`contracts.sealing`).

Earlier versions sealed payloads and blobs under 32 random bytes kept in a 0600 file beside the
data, so a stolen disk yielded both. Today the outbox seals to the hall's public key and keeps no
key that opens it; :meth:`offline_queue.outbox.Outbox` reseals what it finds under this key and
deletes the key file. Each legacy value carries a format byte (0x01), a key id and a random 96-bit
nonce; the associated data binds it to its row or blob name (:class:`TamperedError` otherwise).

Error tree::

    CryptoError
    ├── KeyFileError     the key file is missing, unreadable, the wrong size or too open
    └── TamperedError    a ciphertext failed authentication (or was sealed under another key)
"""

from __future__ import annotations

import hashlib
import os
import stat
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

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


def load_existing_key(path: Path) -> bytes | None:
    """The legacy data key at ``path``, or None when there is none (any more)."""
    try:
        return _read_key(Path(path))
    except FileNotFoundError:
        return None


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
