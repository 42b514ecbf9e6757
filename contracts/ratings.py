"""What kiosk and hall both speak for 好差评 (the enterprise rating each part of its filing).

The scale (levels, indicators, the comment's limit) is :mod:`contracts.rating_scale`, free of
pydantic so the kiosk's screens can name it before the first frame; here are the two station
routes. A station that has read an ID card asks the hall which parts await that card holder's
rating with ``POST`` :data:`PENDING_PATH` (device signed) and a :class:`HolderProof`: a fresh
random salt and :func:`holder_digest`, ``HMAC-SHA256(salt, ID number)``. The number itself never
travels, and a new salt per request makes the digest useless outside that request. (Like every
digest of an ID number it can be enumerated; the enrolled device's signature and TLS keep it
between the two.) The hall answers ``{"items": [...]}`` (:class:`PendingPart` each); the
walk-in's rating goes back with ``POST`` :data:`RATE_PATH` and the same kind of proof.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import Annotated, Final

from pydantic import BaseModel, ConfigDict, Field, StrictStr

PENDING_PATH: Final = "/api/v1/station/ratings/pending"
RATE_PATH: Final = "/api/v1/station/ratings"

SALT_BYTES: Final = 16


def holder_digest(salt_hex: str, id_number: str) -> str:
    """``HMAC-SHA256(salt, ID number)`` in hex; the number upper-cased and trimmed."""
    key = bytes.fromhex(salt_hex)
    return hmac.new(key, id_number.strip().upper().encode(), hashlib.sha256).hexdigest()


class HolderProof(BaseModel):
    """Who is at the station, as the hall may learn it: a salt and the digest under it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    salt: Annotated[StrictStr, Field(min_length=32, max_length=64)]
    holder: Annotated[StrictStr, Field(min_length=64, max_length=64)]

    @classmethod
    def of(cls, id_number: str) -> HolderProof:
        """A fresh proof for one request."""
        salt = secrets.token_hex(SALT_BYTES)
        return cls(salt=salt, holder=holder_digest(salt, id_number))


class PendingPart(BaseModel):
    """One part awaiting the card holder's rating, named for the screen (no personal data)."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    submission_id: StrictStr
    part_id: StrictStr
    tracking_number: StrictStr
    service_name_zh: StrictStr
    service_name_en: StrictStr
    part_name_zh: StrictStr
    part_name_en: StrictStr
    department_name_zh: StrictStr
    department_name_en: StrictStr
