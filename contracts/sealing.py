"""Sealing to the hall's key: what a kiosk queues, only the hall can open.

A stolen kiosk disk or a copied state folder must not give away the walk-ins' filings, so the
kiosk holds no key that opens what it queued. Each submission body and each attachment is sealed
to the hall's X25519 public key (pinned at enrolment) with a fresh ephemeral key pair: ECDH →
HKDF-SHA256 → AES-256-GCM. The envelope is authenticated, and the caller's ``context`` (the
submission's readable columns, a blob's sha256) is associated data, so an envelope copied onto
another row or blob name fails to open just like a flipped bit does.

Envelope layout (version 2; version 1 was the kiosk's own data key, see offline_queue.crypto)::

    0x02 | key id (8) | ephemeral public key (32) | nonce (12) | ciphertext + tag (16)

The key id names the hall key pair (sha256 of its public key), so a hall that rotated its key can
tell an envelope sealed to an older key from a damaged one.

Error tree::

    SealError
    ├── WrongHallKey     sealed to another hall key pair
    └── SealBroken       not an envelope, truncated, or it did not authenticate
"""

from __future__ import annotations

import base64
import hashlib
import os
from dataclasses import dataclass
from typing import Final

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

FORMAT: Final = b"\x02"
KEY_ID_BYTES: Final = 8
_PUBLIC_BYTES: Final = 32
_NONCE_BYTES: Final = 12
_TAG_BYTES: Final = 16
HEADER_BYTES: Final = 1 + KEY_ID_BYTES + _PUBLIC_BYTES + _NONCE_BYTES
OVERHEAD: Final = HEADER_BYTES + _TAG_BYTES
_INFO: Final = b"qihang-seal-v2"


class SealError(Exception):
    """An envelope cannot be opened."""


class WrongHallKey(SealError):
    """The envelope was sealed to another hall key pair."""


class SealBroken(SealError):
    """Not an envelope, truncated, or changed since it was sealed."""


def key_id(public_key: bytes) -> bytes:
    """The 8-byte id of a hall public key (raw 32 bytes)."""
    return hashlib.sha256(b"qihang-hall-seal-key" + public_key).digest()[:KEY_ID_BYTES]


def _aead_key(shared: bytes, ephemeral: bytes, recipient: bytes) -> bytes:
    # Both public keys in the info: the derived key belongs to this one pair of keys only.
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_INFO + ephemeral + recipient)
    return hkdf.derive(shared)


def _raw(public: X25519PublicKey) -> bytes:
    return public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


@dataclass(frozen=True)
class HallPublicKey:
    """The hall's sealing key as a station pins it: seals, cannot open."""

    raw: bytes

    def __post_init__(self) -> None:
        if len(self.raw) != _PUBLIC_BYTES:
            raise ValueError(f"a hall sealing key is {_PUBLIC_BYTES} bytes, not {len(self.raw)}")

    @property
    def key_id(self) -> bytes:
        return key_id(self.raw)

    def to_json(self) -> dict[str, str]:
        """How the enrolment answer carries it and the station's pin file stores it."""
        return {
            "algorithm": "X25519-HKDF-SHA256-AES256GCM",
            "public_key": base64.b64encode(self.raw).decode("ascii"),
            "key_id": self.key_id.hex(),
        }

    @classmethod
    def from_json(cls, doc: object) -> HallPublicKey:
        """Read :meth:`to_json`'s document; ValueError when it is not one (or is inconsistent)."""
        if not isinstance(doc, dict):
            raise ValueError("the hall sealing key must be an object")
        if doc.get("algorithm") != "X25519-HKDF-SHA256-AES256GCM":
            raise ValueError("unknown sealing algorithm")
        public, kid = doc.get("public_key"), doc.get("key_id")
        if not isinstance(public, str) or not isinstance(kid, str):
            raise ValueError("public_key and key_id must be strings")
        try:
            key = cls(base64.b64decode(public, validate=True))
        except (ValueError, TypeError):
            raise ValueError("public_key is not a base64 X25519 key") from None
        if key.key_id.hex() != kid:
            raise ValueError("key_id does not match the public key")
        return key

    def seal(self, plaintext: bytes, context: bytes) -> bytes:
        """An envelope only the hall's private key opens; ``context`` must be given to open it."""
        ephemeral = X25519PrivateKey.generate()
        ephemeral_raw = _raw(ephemeral.public_key())
        shared = ephemeral.exchange(X25519PublicKey.from_public_bytes(self.raw))
        nonce = os.urandom(_NONCE_BYTES)
        header = FORMAT + self.key_id + ephemeral_raw + nonce
        aead = AESGCM(_aead_key(shared, ephemeral_raw, self.raw))
        return header + aead.encrypt(nonce, plaintext, header + context)


class HallKeyPair:
    """The hall's sealing key pair (the private half never leaves the hall)."""

    def __init__(self, private: X25519PrivateKey) -> None:
        self._private = private
        self.public = HallPublicKey(_raw(private.public_key()))

    @classmethod
    def generate(cls) -> HallKeyPair:
        return cls(X25519PrivateKey.generate())

    @classmethod
    def from_private_bytes(cls, raw: bytes) -> HallKeyPair:
        if len(raw) != 32:
            raise ValueError(f"a hall sealing private key is 32 bytes, not {len(raw)}")
        return cls(X25519PrivateKey.from_private_bytes(raw))

    def private_bytes(self) -> bytes:
        return self._private.private_bytes(
            serialization.Encoding.Raw,
            serialization.PrivateFormat.Raw,
            serialization.NoEncryption(),
        )

    def open(self, envelope: bytes, context: bytes) -> bytes:
        """The plaintext of an envelope sealed to this key pair with this ``context``."""
        if len(envelope) < OVERHEAD or envelope[:1] != FORMAT:
            raise SealBroken("not a sealed envelope (wrong format or truncated)")
        header = envelope[:HEADER_BYTES]
        if header[1 : 1 + KEY_ID_BYTES] != self.public.key_id:
            raise WrongHallKey("sealed to another hall key")
        ephemeral_raw = header[1 + KEY_ID_BYTES : 1 + KEY_ID_BYTES + _PUBLIC_BYTES]
        nonce = header[1 + KEY_ID_BYTES + _PUBLIC_BYTES :]
        try:
            shared = self._private.exchange(X25519PublicKey.from_public_bytes(ephemeral_raw))
        except ValueError:  # an all-zero shared secret: a crafted ephemeral key
            raise SealBroken("the envelope's ephemeral key is invalid") from None
        aead = AESGCM(_aead_key(shared, ephemeral_raw, self.public.raw))
        try:
            return aead.decrypt(nonce, envelope[HEADER_BYTES:], header + context)
        except InvalidTag:
            raise SealBroken("authentication failed: changed, or opened in another place") from None

    def __repr__(self) -> str:
        return f"HallKeyPair(key_id={self.public.key_id.hex()})"
