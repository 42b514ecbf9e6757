"""The hall's content signature: every published catalog is signed with the hall's content key.

The hall keeps an Ed25519 key pair for content (:mod:`hall.content_key`); its public half reaches
each station in the enrolment answer (``content_key``), where the station pins it
(:mod:`kiosk.provision`, ``keys/hall_content.json``). The signature covers the exact bytes served
(:data:`CONTEXT` first, so a signature over a catalog cannot be replayed as anything else) and
travels in the catalog's ETag, ``"<hash>.ed25519.<signature, base64url>"``: the kiosk's fetch
already returns the ETag beside the body, and a new key or a new body makes a new tag, so a
station's If-None-Match never keeps a copy signed by another key.

A station enrolled before the hall had a content key pinned none. It asks for the key once,
over its device-signed channel (``POST`` :data:`KEY_PATH`), with a fresh challenge sealed to the
hall's sealing key it *did* pin at enrolment (:mod:`contracts.sealing`); the hall answers the key
and an HMAC of it under the challenge (:func:`key_proof`). Only the holder of the sealing private
key can open the challenge, so the answer comes from the station's own hall even if someone on
the way (a proxy, or plain HTTP on a test bench) could rewrite it; TLS protects it in production
as well.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat


def context(kind: str) -> bytes:
    """What a signature of ``kind`` covers before the body: one kind's signature (``catalog``,
    ``knowledge``, ``demand_taxonomy``, ``holidays``) cannot be replayed as another's."""
    return b"qihang-content-v1\x00" + kind.encode("ascii") + b"\x00"


CONTEXT: Final = context("catalog")
ALG: Final = "ed25519"
PIN_FILE: Final = Path("keys") / "hall_content.json"

# The key fetch of a station that pinned none (device signed; see the module doc).
KEY_PATH: Final = "/api/v1/station/content-key"
KEY_CHALLENGE_CONTEXT: Final = b"qihang-content-key-challenge-v1"
CHALLENGE_BYTES: Final = 32
_PROOF_CONTEXT: Final = b"qihang-content-key-proof-v1\x00"


class SignatureRefused(Exception):
    """A published document without a usable signature; ``code`` is for the technician."""

    def __init__(self, code: str, reason: str) -> None:
        super().__init__(reason)
        self.code = code


# Failure codes (kiosk health history, technician screen).
UNSIGNED: Final = "CATALOG_UNSIGNED"
BAD_SIGNATURE: Final = "CATALOG_BAD_SIGNATURE"
KEY_MISSING: Final = "CATALOG_KEY_MISSING"


@dataclass(frozen=True, slots=True)
class ContentPublicKey:
    """The hall's content public key (32 raw bytes), as enrolment hands it over."""

    raw: bytes

    def __post_init__(self) -> None:
        if len(self.raw) != 32:
            raise ValueError("an Ed25519 public key is 32 bytes")

    def to_json(self) -> dict[str, str]:
        return {"alg": ALG, "public_key": base64.b64encode(self.raw).decode("ascii")}

    @classmethod
    def from_json(cls, doc: object) -> ContentPublicKey:
        if not isinstance(doc, dict) or doc.get("alg") != ALG:
            raise ValueError("not an ed25519 content key")
        try:
            return cls(base64.b64decode(str(doc.get("public_key", "")), validate=True))
        except binascii.Error:
            raise ValueError("the content key is not base64") from None

    def verify(self, etag: str | None, body: bytes, kind: str = "catalog") -> None:
        """Raise :class:`SignatureRefused` unless ``etag`` carries this key's signature of
        ``body`` as content of ``kind``."""
        signature = signature_in(etag)
        if signature is None:
            raise SignatureRefused(UNSIGNED, f"the published {kind} carries no signature")
        try:
            Ed25519PublicKey.from_public_bytes(self.raw).verify(signature, context(kind) + body)
        except InvalidSignature:
            raise SignatureRefused(
                BAD_SIGNATURE, f"the {kind}'s signature does not match the hall's content key"
            ) from None


def key_proof(challenge: bytes, key: ContentPublicKey) -> str:
    """The hall's proof that it opened the station's sealed challenge: HMAC-SHA256 of the key."""
    mac = hmac.new(challenge, _PROOF_CONTEXT + key.raw, hashlib.sha256).digest()
    return base64.b64encode(mac).decode("ascii")


def proof_ok(challenge: bytes, key: ContentPublicKey, proof: object) -> bool:
    return isinstance(proof, str) and hmac.compare_digest(key_proof(challenge, key), proof)


def sign(private: Ed25519PrivateKey, body: bytes, kind: str = "catalog") -> bytes:
    return private.sign(context(kind) + body)


def public_of(private: Ed25519PrivateKey) -> ContentPublicKey:
    return ContentPublicKey(private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw))


def signed_etag(plain_etag: str, signature: bytes) -> str:
    """The served ETag: the content hash tag with the signature appended (strong, quoted)."""
    sig = base64.urlsafe_b64encode(signature).rstrip(b"=").decode("ascii")
    return f'"{plain_etag.strip(chr(34))}.{ALG}.{sig}"'


def signature_in(etag: str | None) -> bytes | None:
    """The signature an ETag carries (a proxy's ``W/`` is ignored); None when it has none."""
    if not etag:
        return None
    parts = etag.removeprefix("W/").strip('"').split(".")
    if len(parts) != 3 or parts[1] != ALG:
        return None
    try:
        raw = base64.urlsafe_b64decode(parts[2] + "=" * (-len(parts[2]) % 4))
    except (binascii.Error, ValueError):
        return None
    return raw if len(raw) == 64 else None


def load_pinned(state_dir: Path) -> ContentPublicKey | None:
    """The content key this station pinned at enrolment; None when there is none to use."""
    try:
        return ContentPublicKey.from_json(json.loads((Path(state_dir) / PIN_FILE).read_bytes()))
    except (OSError, ValueError):
        return None
