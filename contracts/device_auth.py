"""How an enrolled terminal proves itself to the hall: the headers and the bytes it signs.

Every request carries ``Authorization: QihangDevice <device id>:<credential>``, a Unix-time
``X-Qihang-Timestamp``, a random ``X-Qihang-Nonce`` and ``X-Qihang-Signature``: an Ed25519
signature (base64) over :func:`signing_input` — method, path with query, timestamp, nonce and
the body's sha256. The kiosk builds the headers (:class:`DeviceAuthHeaders`,
:mod:`kiosk.device_identity`), the hall parses and verifies them (:mod:`hall.device_auth`): a
signed request is refused when its timestamp is older than :data:`MAX_PAST_S` or more than
:data:`MAX_FUTURE_S` ahead of the hall's clock, and when its nonce was already seen within that
window (a replay).

Enrolment codes are 16 characters from an alphabet without look-alikes, shown in groups of
four; the hall makes them, the kiosk checks what was typed (:func:`code_well_formed`) and signs
:func:`enrolment_proof_input` with its new key.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Mapping
from typing import Annotated, Final

from pydantic import BaseModel, ConfigDict, Field, StrictInt, StrictStr, ValidationError

AUTH_SCHEME: Final = "QihangDevice"
TIMESTAMP_HEADER: Final = "X-Qihang-Timestamp"
SIGNATURE_HEADER: Final = "X-Qihang-Signature"
NONCE_HEADER: Final = "X-Qihang-Nonce"
# The hall's window for a signed request's timestamp: a kiosk clock may lag (NTP not yet synced
# after boot), but a timestamp from the future only helps whoever stores requests to replay later.
MAX_PAST_S: Final = 300
MAX_FUTURE_S: Final = 30
# A nonce is 16 random bytes, URL-safe base64 (22 characters); anything else is refused.
NONCE_PATTERN: Final = r"^[A-Za-z0-9_-]{16,64}$"
ENROL_CONTEXT: Final = b"qihang-enrol-v1"
CODE_ALPHABET: Final = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L
CODE_LENGTH: Final = 16
# Device ids are short; a longer one in a header is not looked up at all.
MAX_DEVICE_ID_LENGTH: Final = 40


def signing_input(method: str, path: str, timestamp: int, nonce: str, body: bytes) -> bytes:
    """The bytes a request signature covers (``path`` includes the query string)."""
    return signing_input_for_digest(
        method, path, timestamp, nonce, hashlib.sha256(body).hexdigest()
    )


def signing_input_for_digest(
    method: str, path: str, timestamp: int, nonce: str, body_sha256: str
) -> bytes:
    """:func:`signing_input` for a body whose sha256 (lower-case hex) the caller computed, e.g.
    while streaming it to disk."""
    return f"qihang-req-v2\n{method.upper()}\n{path}\n{timestamp}\n{nonce}\n{body_sha256}".encode()


def new_nonce() -> str:
    """A fresh request nonce (128 random bits)."""
    return secrets.token_urlsafe(16)


def normalise_code(code: str) -> str:
    """An enrolment code as the hall stores it: upper case, without spaces or dashes."""
    return "".join(ch for ch in code.upper() if ch not in " -\t")


def code_well_formed(code: str) -> bool:
    """Could this be an enrolment code at all (length, alphabet)? Checked before asking."""
    plain = normalise_code(code)
    return len(plain) == CODE_LENGTH and all(ch in CODE_ALPHABET for ch in plain)


def enrolment_proof_input(code: str, public_key_b64: str) -> bytes:
    """The bytes the enrolment proof signs: the typed code (normalised) and the public key."""
    return b"\n".join((ENROL_CONTEXT, normalise_code(code).encode(), public_key_b64.encode()))


class DeviceAuthHeaders(BaseModel):
    """The authentication headers of one signed request. ``repr`` hides the secrets.

    ``timestamp`` is None when the header is missing or not a whole number, ``nonce`` is "" when
    missing: the hall still checks the credential and revocation first, then refuses the request
    for its time or its nonce.
    """

    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)

    device_id: Annotated[StrictStr, Field(min_length=1, max_length=MAX_DEVICE_ID_LENGTH)]
    credential: StrictStr
    timestamp: StrictInt | None
    nonce: Annotated[StrictStr, Field(max_length=64)] = ""
    signature: StrictStr

    @classmethod
    def from_headers(cls, headers: Mapping[str, str]) -> DeviceAuthHeaders | None:
        """The device headers of a request (names in lower case, as ASGI servers give them), or
        None when it does not use the device scheme. ``ValueError`` when it does but the
        ``Authorization`` value is malformed."""
        scheme, _, value = headers.get("authorization", "").partition(" ")
        if scheme != AUTH_SCHEME:
            return None
        device_id, _, credential = value.strip().partition(":")
        try:
            timestamp: int | None = int(headers.get(TIMESTAMP_HEADER.lower(), ""))
        except ValueError:
            timestamp = None
        try:
            return cls(
                device_id=device_id[:MAX_DEVICE_ID_LENGTH],
                credential=credential,
                timestamp=timestamp,
                nonce=headers.get(NONCE_HEADER.lower(), "")[:64],
                signature=headers.get(SIGNATURE_HEADER.lower(), ""),
            )
        except ValidationError as exc:
            raise ValueError("malformed device credential") from exc

    def to_headers(self) -> dict[str, str]:
        """The headers as the kiosk sends them."""
        return {
            "Authorization": f"{AUTH_SCHEME} {self.device_id}:{self.credential}",
            TIMESTAMP_HEADER: "" if self.timestamp is None else str(self.timestamp),
            NONCE_HEADER: self.nonce,
            SIGNATURE_HEADER: self.signature,
        }

    def __repr__(self) -> str:
        return f"DeviceAuthHeaders(device_id={self.device_id!r}, timestamp={self.timestamp!r})"

    __str__ = __repr__
