"""This terminal's device identity: its Ed25519 key pair and the credential the hall bound to it.

At enrolment (:mod:`kiosk.provision`) the kiosk makes its own key pair — the private key never
leaves this terminal — and the hall answers with a device id and a random credential tied to the
public key. Both live under ``<state_dir>/keys/`` with mode 0600: the private key sealed by the
TPM (``device.tpmkey``) or, on a machine without one, as a PKCS#8 PEM file (``device.key``; see
:mod:`kiosk.device_key_store`), and ``device.json`` (device id, station id, credential, hall URL).

Every request to the hall then carries the credential *and* proves the key: the headers and the
signed bytes are defined once, for both sides, in :mod:`contracts.device_auth`. A copied
credential alone is useless; each request carries a fresh nonce, so a captured request is
refused at once (the hall remembers nonces for its time window) and after the window for its
timestamp.

``cryptography`` (and the TPM stack) is imported only when a key is made or used: the kiosk's
start path (time to first frame) reads just ``device.json``; the key is unsealed into memory at
the first signature and kept there.
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from contracts.clock import SYSTEM_CLOCK, Clock
from contracts.device_auth import DeviceAuthHeaders, new_nonce, signing_input_for_digest
from contracts.wire import SHA256_PATTERN
from kiosk.device_key_store import load_device_key, save_device_key
from offline_queue.durable import atomic_write

if TYPE_CHECKING:
    import requests
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

log = logging.getLogger(__name__)

BLOB_PATH_PREFIX = "/api/v1/blobs/"  # PUT <prefix><sha256>: the hall's content-addressed upload
CREDENTIAL_FILE = "device.json"


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def keys_dir(state_dir: Path) -> Path:
    return Path(state_dir) / "keys"


def write_secret(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` with mode 0600 from the first byte (temp file, fsync, rename)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    os.chmod(path.parent, 0o700)
    atomic_write(path, data, mode=0o600)


class DeviceKey:
    """An Ed25519 key pair; the private half stays in this process and its key store."""

    def __init__(self, private: Ed25519PrivateKey) -> None:
        self._private = private

    @classmethod
    def generate(cls) -> DeviceKey:
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

        return cls(Ed25519PrivateKey.generate())

    @property
    def private_key(self) -> Ed25519PrivateKey:
        return self._private

    @property
    def public_key_b64(self) -> str:
        from cryptography.hazmat.primitives import serialization

        raw = self._private.public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw
        )
        return b64(raw)

    def sign(self, data: bytes) -> str:
        """The Ed25519 signature of ``data``, base64."""
        return b64(self._private.sign(data))


@dataclass(frozen=True)
class DeviceCredential:
    """What the hall issued to this terminal. ``repr`` hides the credential."""

    device_id: str
    station_id: str
    credential: str
    hall_url: str

    def __repr__(self) -> str:
        return f"DeviceCredential(device_id={self.device_id!r}, station_id={self.station_id!r})"

    def to_json(self) -> dict[str, Any]:
        return {
            "device_id": self.device_id,
            "station_id": self.station_id,
            "credential": self.credential,
            "hall_url": self.hall_url,
        }


class DeviceIdentity:
    """The credential plus the key that signs requests. The key is read from its store under
    ``keys`` (unsealed by the TPM when it is sealed) on first use; ``environ`` names the TPM
    (:func:`kiosk.device_key_store.tpm_tcti`)."""

    def __init__(
        self,
        credential: DeviceCredential,
        keys: Path,
        *,
        clock: Clock = SYSTEM_CLOCK,
        key: DeviceKey | None = None,
        environ: Mapping[str, str] | None = None,
    ) -> None:
        self.credential = credential
        self._keys = keys
        self._key = key
        self._clock = clock
        self._environ = environ

    @property
    def device_id(self) -> str:
        return self.credential.device_id

    def _signer(self) -> DeviceKey:
        if self._key is None:
            self._key = DeviceKey(load_device_key(self._keys, self._environ))
        return self._key

    def headers(
        self, method: str, path: str, body: bytes = b"", *, body_sha256: str | None = None
    ) -> dict[str, str]:
        """The authentication headers for one request (``path`` with its query string);
        ``body_sha256`` signs that digest instead of hashing ``body`` (a blob's name)."""
        digest = body_sha256 or hashlib.sha256(body).hexdigest()
        timestamp = int(self._clock.now().timestamp())
        nonce = new_nonce()  # one per request: the hall refuses a nonce it has seen
        return DeviceAuthHeaders(
            device_id=self.credential.device_id,
            credential=self.credential.credential,
            timestamp=timestamp,
            nonce=nonce,
            signature=self._signer().sign(
                signing_input_for_digest(method, path, timestamp, nonce, digest)
            ),
        ).to_headers()

    def requests_auth(self) -> requests.auth.AuthBase:
        """A ``requests`` auth that signs every request it is attached to."""
        return _make_requests_auth(self)

    def __repr__(self) -> str:
        return f"DeviceIdentity(device_id={self.device_id!r})"


def _make_requests_auth(identity: DeviceIdentity) -> requests.auth.AuthBase:
    import requests.auth

    class SignedRequests(requests.auth.AuthBase):
        def __call__(self, r: requests.PreparedRequest) -> requests.PreparedRequest:
            body = r.body or b""
            if isinstance(body, str):
                body = body.encode("utf-8")
            if not isinstance(body, bytes):
                raise TypeError("signed hall requests need a body in memory, not a stream")
            method, path = r.method or "GET", r.path_url
            # A blob's PUT signs its name, the sha256 the bytes must have: the hall checks the
            # signature before it reads the body, then holds the streamed bytes to the name (a
            # blob damaged before it left is then a 422 the outbox quarantines, not a 401).
            name = path.removeprefix(BLOB_PATH_PREFIX)
            if method == "PUT" and name != path and re.fullmatch(SHA256_PATTERN, name):
                r.headers.update(identity.headers(method, path, body_sha256=name))
            else:
                r.headers.update(identity.headers(method, path, body))
            return r

    return SignedRequests()


def save_identity(
    state_dir: Path,
    key: DeviceKey,
    credential: DeviceCredential,
    *,
    environ: Mapping[str, str] | None = None,
) -> None:
    """Store the key (sealed by the TPM where there is one, else a 0600 file) and the credential
    (0600); the credential last, so a half-finished enrolment never looks finished."""
    keys = keys_dir(state_dir)
    save_device_key(keys, key.private_key, environ)
    write_secret(keys / CREDENTIAL_FILE, json.dumps(credential.to_json(), indent=1).encode())


def load_identity(
    state_dir: Path,
    *,
    clock: Clock = SYSTEM_CLOCK,
    environ: Mapping[str, str] | None = None,
) -> DeviceIdentity | None:
    """This terminal's identity, or None when it has not been enrolled. Reads only JSON (the key
    is read, or unsealed, on the first signature)."""
    keys = keys_dir(state_dir)
    path = keys / CREDENTIAL_FILE
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        log.error("device credential %s unreadable: %s", path, type(exc).__name__)
        return None
    try:
        credential = DeviceCredential(
            device_id=str(doc["device_id"]),
            station_id=str(doc["station_id"]),
            credential=str(doc["credential"]),
            hall_url=str(doc.get("hall_url", "")),
        )
    except (KeyError, TypeError):
        log.error("device credential %s is incomplete", path)
        return None
    return DeviceIdentity(credential, keys, clock=clock, environ=environ)
