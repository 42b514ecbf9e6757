"""What kiosk and hall both speak for the enterprise register (企业档案, issue 17).

After the ID card is read, a station asks the hall which enterprises the card holder may act for
(``POST`` :data:`MINE_PATH`), or opens one by its 一企一码 (:data:`BY_CODE_PATH`) or its USCC
(:data:`BY_USCC_PATH`); every request is device signed. The card holder travels as
:func:`seal_holder`: the ID number sealed to the hall's public key (:mod:`contracts.sealing`)
with the station's id as associated data, so only the hall opens it and an envelope copied to
another station's request does not open. The hall keys its register by ``HMAC-SHA256(hall secret,
ID number)`` and never stores the number; a salted digest (as the ratings use) could not be
matched against that key, which is why the number itself is sealed here.

Answers (:class:`EnterpriseAnswer`) name only enterprises where the holder is legal
representative or authorised agent; a code or USCC of an enterprise the holder may not act for
is 403 ``not_authorised`` with no enterprise data. :data:`PREFILL_FIELDS` names the form fields a
kiosk fills from an answer (:func:`prefill_form`); ``materials`` are the documents on file, each
with its validity (an expired one is asked for again).
"""

from __future__ import annotations

import base64
from collections.abc import Iterable, Mapping
from typing import Annotated, Final, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictStr

from contracts.sealing import HallPublicKey

MINE_PATH: Final = "/api/v1/station/enterprises/mine"
BY_CODE_PATH: Final = "/api/v1/station/enterprises/by-code"
BY_USCC_PATH: Final = "/api/v1/station/enterprises/by-uscc"

# An 18-character ID number sealed: 18 bytes + the envelope's overhead, in base64; some room.
_HOLDER_MAX: Final = 256
CODE_MAX: Final = 128
_HOLDER_CONTEXT: Final = b"qihang-register-holder\x1f"

Role = Literal["legal_rep", "agent"]
ROLES: Final[tuple[Role, ...]] = ("legal_rep", "agent")

# Form field name -> the answer's field that fills it ("来自企业档案" at the kiosk). The catalog's
# forms name the enterprise's fields this way in every service an existing enterprise files.
PREFILL_FIELDS: Final[Mapping[str, str]] = {
    "enterprise_name": "name",
    "uscc": "uscc",
    "registered_address": "address",
}


def holder_context(station_id: str) -> bytes:
    """Associated data of a sealed card holder: the register's purpose and the station."""
    return _HOLDER_CONTEXT + station_id.encode("utf-8")


def normalise_id_number(id_number: str) -> str:
    """The ID number as both sides key it: trimmed, upper case (the ``X``)."""
    return id_number.strip().upper()


def seal_holder(hall: HallPublicKey, station_id: str, id_number: str) -> str:
    """The card holder for one request: the ID number sealed to the hall, base64."""
    sealed = hall.seal(normalise_id_number(id_number).encode("ascii"), holder_context(station_id))
    return base64.b64encode(sealed).decode("ascii")


_Holder = Annotated[StrictStr, Field(min_length=1, max_length=_HOLDER_MAX)]


class MineRequest(BaseModel):
    """Which enterprises may the card holder act for?"""

    model_config = ConfigDict(extra="forbid", frozen=True)

    holder: _Holder

    def __repr__(self) -> str:  # sealed personal data: never in a log
        return f"{type(self).__name__}(holder=…)"


class CodeRequest(MineRequest):
    """Open the enterprise of a scanned 一企一码 for the card holder."""

    code: Annotated[StrictStr, Field(min_length=1, max_length=CODE_MAX)]


class UsccRequest(MineRequest):
    """Open the enterprise of a typed USCC (or one read from an e-licence QR)."""

    uscc: Annotated[StrictStr, Field(min_length=1, max_length=32)]


class MaterialOnFile(BaseModel):
    """A document the government holds for the enterprise (免证办: not photographed again)."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    id: StrictStr
    kind: StrictStr  # the catalog's material id: business_licence, articles_of_association, …
    issued_on: StrictStr | None
    valid_until: StrictStr | None  # None: no expiry
    expired: StrictBool


class EnterpriseAnswer(BaseModel):
    """One enterprise the card holder may act for, as a form and the materials step need it."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    id: StrictStr
    uscc: StrictStr | None  # None: registered from a start-up filing, code not yet known
    name: StrictStr
    type: StrictStr
    address: StrictStr
    industry: StrictStr
    size: StrictStr
    qualifications: list[StrictStr]
    role: Role
    legal_rep_masked: StrictStr  # e.g. 王*明: enough to recognise, nothing more
    code: StrictStr | None  # the 一企一码 token to print; None when revoked and not reissued
    prefill: dict[StrictStr, StrictStr]  # form field -> value (PREFILL_FIELDS)
    materials: list[MaterialOnFile]


class MineAnswer(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    items: list[EnterpriseAnswer]


def prefill_form(answer: EnterpriseAnswer, field_names: Iterable[str]) -> dict[str, str]:
    """The values a form with ``field_names`` takes from the register (empty ones left out)."""
    return {
        name: value
        for name in field_names
        if (value := answer.prefill.get(name)) is not None and value != ""
    }
