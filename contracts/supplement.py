"""What kiosk and hall both speak for a 补正 (handing in material an officer asked for).

A kiosk first asks the hall what one filing still lacks: ``POST`` :data:`LOOKUP_PATH` (device
signed) with a :class:`LookupRequest` — the tracking number and either the receipt's access
token (scanned from its QR) or :func:`id_proof` of the ID card read at the kiosk. The proof is an
HMAC of the ID number keyed with the tracking number, sent in a POST body, never in a URL: the
number itself never travels, and the same card gives a different value for every filing. (It is
a binding, not a secret: ID numbers are few enough to enumerate, which is why the request also
needs an enrolled device and travels over TLS.) The hall answers :class:`LookupAnswer`, the parts
waiting for material with each material and the officer's reason, or 404 for an unknown number
or a proof that does not match (the same answer, so the route tells nothing to a guesser).

The hand-in itself is an ordinary filing through the outbox: service :data:`SUPPLEMENT_SERVICE`,
its own id and tracking number, the payload :func:`supplement_payload` builds and the photographs
as attachments named by material id.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Annotated, Any, Final

from pydantic import BaseModel, ConfigDict, Field, StrictStr, model_validator

SUPPLEMENT_SERVICE: Final = "supplement"
LOOKUP_PATH: Final = "/api/v1/supplements/lookup"
_PROOF_KEY: Final = b"qihang-supplement-id\x1f"
_TRACKING_MAX: Final = 64


def id_proof(tracking_number: str, id_number: str) -> str:
    """HMAC-SHA256 (hex) of the ID number (upper case, trimmed) keyed with the tracking number."""
    key = _PROOF_KEY + tracking_number.encode("utf-8")
    return hmac.new(
        key, id_number.strip().upper().encode("ascii", "replace"), hashlib.sha256
    ).hexdigest()


class LookupRequest(BaseModel):
    """What a kiosk asks: one filing, proven by the receipt's token or the ID card's proof."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    tracking_number: Annotated[StrictStr, Field(min_length=1, max_length=_TRACKING_MAX)]
    token: Annotated[StrictStr, Field(min_length=1, max_length=128)] | None = None
    id_proof: Annotated[StrictStr, Field(pattern=r"^[0-9a-f]{64}$")] | None = None

    @model_validator(mode="after")
    def _one_proof(self) -> LookupRequest:
        if (self.token is None) == (self.id_proof is None):
            raise ValueError("give either token or id_proof")
        return self

    def __repr__(self) -> str:  # the token is a capability: never in a log
        return f"LookupRequest(tracking_number={self.tracking_number!r})"

    __str__ = __repr__


class MissingMaterial(BaseModel):
    """One material an officer asked for, with the officer's reason (shown to the walk-in)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    material: StrictStr
    name_zh: StrictStr
    name_en: StrictStr
    reason: StrictStr


class WaitingPart(BaseModel):
    """A part of the filing that waits for material (status ``needs_more``)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    part_id: StrictStr
    name_zh: StrictStr
    name_en: StrictStr
    items: tuple[MissingMaterial, ...]


class LookupAnswer(BaseModel):
    """The hall's answer: the parts waiting for material (empty: nothing waits any more)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    tracking_number: StrictStr
    service_id: StrictStr
    waiting: tuple[WaitingPart, ...]


def supplement_payload(
    tracking_number: str, part_id: str, materials: list[str], language: str
) -> dict[str, Any]:
    """The payload of a hand-in: which part it is for and the material ids photographed."""
    return {
        "service_id": SUPPLEMENT_SERVICE,
        "supplement_for": {"tracking_number": tracking_number, "part_id": part_id},
        "materials": list(materials),
        "language": language,
    }


class SupplementFor(BaseModel):
    """The ``supplement_for`` of a hand-in's payload, as the hall reads it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    tracking_number: Annotated[StrictStr, Field(min_length=1, max_length=_TRACKING_MAX)]
    part_id: Annotated[StrictStr, Field(min_length=1, max_length=64)]
