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

A filing for an enterprise chosen from the register says so in its payload
(:func:`filing_reference`): ``payload["enterprise"] = {"id", "uscc"}`` and
``payload["materials_on_file"] = {catalog material id: MaterialOnFile.id}`` for the materials
spared from the camera (免提交). The hall checks each at intake and refuses the filing (422,
``detail = {"msg": ON_FILE_REFUSED, "reasons": {"materials_on_file.<material id>": reason}}``,
:data:`ON_FILE_REASONS` in both languages) when one is unknown, another enterprise's, expired or
of another kind; the kiosk shows the reason and asks for a photograph instead.

The enterprise's e-archive (电子档案, :data:`ARCHIVE_PATH`, :class:`ArchiveRequest` ->
:class:`ArchiveAnswer`) lists its filings, demands, documents on file and ratings, newest first;
a document with a file is printed from :data:`DOCUMENTS_PATH` (:class:`DocumentRequest` -> the
file's bytes, ``application/pdf``, ``image/jpeg`` or ``image/png``). Both are authorised as
by-code: a holder who may not act for the enterprise gets 403 ``not_authorised`` and no data.
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
ARCHIVE_PATH: Final = "/api/v1/station/enterprises/archive"
DOCUMENTS_PATH: Final = "/api/v1/station/enterprises/documents"

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


PUSHED_MAX: Final = 50  # policy pushes in one answer, newest first


class PushedPolicy(BaseModel):
    """A policy the hall pushed to the enterprise (免申即享, hall.policy_push): its register
    shows it qualifies and staff confirmed it; still open for applications."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    policy_id: StrictStr
    version: StrictStr
    reference: StrictStr  # ZC…, as in the text the enterprise got
    title_zh: StrictStr
    title_en: StrictStr
    benefit_zh: StrictStr
    benefit_en: StrictStr
    closes: StrictStr  # ISO date
    pushed_at: StrictStr  # ISO time staff confirmed it


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
    # Policies pushed to it (免申即享); an older hall sends none.
    policies: list[PushedPolicy] = []


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


# --- a filing that references the register -------------------------------------------------------

ENTERPRISE_KEY: Final = "enterprise"
MATERIALS_ON_FILE_KEY: Final = "materials_on_file"
# IntakeRefused code (detail["msg"]) of a filing whose enterprise or materials on file do not hold.
ON_FILE_REFUSED: Final = "materials_on_file_refused"
# detail["reasons"] value (per "materials_on_file.<catalog material id>", or "enterprise") ->
# what the kiosk says (zh, en); every material refused is asked for as a photograph instead.
ON_FILE_REASONS: Final[Mapping[str, tuple[str, str]]] = {
    "unknown": (
        "企业档案中没有这份材料，请拍摄上传",
        "The register does not hold this document; photograph it",
    ),
    "other_enterprise": (
        "这份材料不属于所选企业，请拍摄上传",
        "This document belongs to another enterprise; photograph it",
    ),
    "expired": (
        "企业档案中的这份材料已过期，请拍摄上传有效的材料",
        "The document on file has expired; photograph a valid one",
    ),
    "wrong_kind": (
        "企业档案中的这份材料不是本事项要求的材料，请拍摄上传",
        "The document on file is not the one this service asks for; photograph it",
    ),
    "not_looked_up": (
        "本机未查询过该企业档案，请重新选择办理企业",
        "This station has not opened the enterprise's file; choose the enterprise again",
    ),
    "malformed": (
        "企业档案信息不完整，请重新选择办理企业",
        "The enterprise's reference is incomplete; choose the enterprise again",
    ),
}


def filing_reference(
    answer: EnterpriseAnswer, materials_on_file: Mapping[str, str]
) -> dict[str, object]:
    """The payload keys of a filing for ``answer``'s enterprise: ``{"enterprise": {"id",
    "uscc"}, "materials_on_file": {catalog material id: MaterialOnFile.id}}``."""
    return {
        ENTERPRISE_KEY: {"id": answer.id, "uscc": answer.uscc},
        MATERIALS_ON_FILE_KEY: dict(materials_on_file),
    }


# --- the e-archive (电子档案) ------------------------------------------------------------------

ARCHIVE_MAX: Final = 200  # items in one answer, newest first
ArchiveKind = Literal["filing", "demand", "document", "rating", "policy"]
_EnterpriseId = Annotated[StrictStr, Field(min_length=1, max_length=32)]


class ArchiveRequest(MineRequest):
    """The e-archive of an enterprise the card holder may act for."""

    enterprise_id: _EnterpriseId


class DocumentRequest(ArchiveRequest):
    """The file of one document on file, for the kiosk's A4 printer."""

    material_id: _EnterpriseId


class ArchiveItem(BaseModel):
    """One entry of the e-archive.

    ``at`` is an ISO time (a document's: its issue date, at midnight in the district).
    ``tracking_number`` names filings, demands and the filing a rating is of. ``status`` is the
    part's status (filings, demands), ``valid`` / ``expired`` (documents) or the rating's level
    (``"1"`` … ``"5"``); ``status_zh``/``status_en`` say it in words. ``material_id`` is set, and
    ``printable`` true, for a document whose file the hall holds (:data:`DOCUMENTS_PATH`).
    """

    model_config = ConfigDict(extra="ignore", frozen=True)

    kind: ArchiveKind
    at: StrictStr
    tracking_number: StrictStr | None
    title_zh: StrictStr
    title_en: StrictStr
    status: StrictStr | None
    status_zh: StrictStr
    status_en: StrictStr
    material_id: StrictStr | None
    printable: StrictBool


class ArchiveAnswer(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    enterprise: EnterpriseAnswer
    items: list[ArchiveItem]
