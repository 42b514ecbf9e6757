"""The enterprise register's HTTP API: the stations' look-ups and the staff's import and codes.

Stations (device-signed, :mod:`hall.device_auth`; bodies :mod:`contracts.register`)::

    POST /api/v1/station/enterprises/mine      {holder}        -> {"items": [EnterpriseAnswer]}
    POST /api/v1/station/enterprises/by-code   {holder, code}  -> EnterpriseAnswer
    POST /api/v1/station/enterprises/by-uscc   {holder, uscc}  -> EnterpriseAnswer
    POST /api/v1/station/enterprises/archive   {holder, enterprise_id}  -> ArchiveAnswer
    POST /api/v1/station/enterprises/documents {holder, enterprise_id, material_id}
                                                                 -> the file (PDF, JPEG, PNG)

``holder`` is the card holder's ID number sealed to the hall's key with the calling station's id
as associated data (:func:`contracts.register.seal_holder`); one that does not open for this
station is 422 ``holder_invalid``. Refusals carry ``code``, ``message_zh`` and ``message_en``:
``not_authorised`` / ``no_authorised_people`` (403, no enterprise data), ``code_forged`` (422),
``code_revoked`` (410), ``uscc_invalid`` (422), ``not_registered`` (404), and 429
``too_many_refusals`` (with ``Retry-After``) once a device had :data:`hall.register.
REFUSAL_LIMIT` code or USCC look-ups refused in a row. Every look-up is logged in
``register_lookups`` (:mod:`hall.register`). The e-archive and its documents
(:mod:`hall.register_archive`) are opened like a code: an enterprise the holder may not act for
(or an unknown id) is 403 ``not_authorised`` with no data; a document is 404
``document_not_found`` or ``no_file`` (held on paper: nothing to print).

Staff (console session)::

    POST /api/v1/register/import                       admin: the .xlsx as the body
    GET  /api/v1/register/enterprises/{uscc}           supervisor: the record, people masked
    POST /api/v1/register/enterprises/{uscc}/code      admin: a new 一企一码, earlier ones revoked
    POST /api/v1/register/codes/revoke {code}          admin: revoke one code
    PUT  /api/v1/register/materials/{id}/file          admin: a material's document (PDF, JPEG,
                                                       PNG as the body; kept in the blob store)

The import answers 200 with the counts, or 422 with ``detail`` the report (every row error:
sheet, row, column, header, reason in Chinese) when the file was refused whole. Each staff
action is in the audit log.
"""

from __future__ import annotations

import base64
import hashlib
import io
import logging
import re
from collections.abc import AsyncIterator
from typing import Annotated, Any, Final

from fastapi import APIRouter, HTTPException, Path, Request, Response
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, ConfigDict, Field, StrictStr

from contracts.register import (
    ARCHIVE_PATH,
    BY_CODE_PATH,
    BY_USCC_PATH,
    CODE_MAX,
    DOCUMENTS_PATH,
    MINE_PATH,
    ArchiveAnswer,
    ArchiveRequest,
    CodeRequest,
    DocumentRequest,
    EnterpriseAnswer,
    MineAnswer,
    MineRequest,
    UsccRequest,
    holder_context,
)
from contracts.sealing import HallKeyPair, SealError
from contracts.wire import MAX_BLOB_BYTES
from hall import register_import
from hall.auth import AdminDep, SupervisorDep, audit
from hall.body_limits import MAX_REGISTER_IMPORT_BYTES as MAX_IMPORT_BYTES
from hall.device_auth import Caller, CallerDep
from hall.rate_limits import Throttled
from hall.register import EnterpriseRegister, RegisterRefused, Station
from hall.register_archive import EnterpriseArchive
from hall.register_filings import media_type_of

log = logging.getLogger(__name__)

IMPORT_PATH: Final = "/api/v1/register/import"
_ID_NUMBER: Final = re.compile(r"[1-9][0-9]{16}[0-9X]", re.ASCII)
_USCC_PATH = Annotated[str, Path(min_length=1, max_length=32)]
_MATERIAL_PATH = Annotated[str, Path(min_length=1, max_length=32)]

HOLDER_INVALID: Final = RegisterRefused(
    "holder_invalid",
    422,
    "未能识别持卡人，请重新读取身份证",
    "The card holder could not be read; read the ID card again",
)


def register_of(request: Request) -> EnterpriseRegister:
    found: EnterpriseRegister = request.app.state.register
    return found


def _holder(request: Request, caller: Caller, sealed: str) -> str:
    """The card holder's HMAC from the sealed ID number (opened for this station only)."""
    keys: HallKeyPair = request.app.state.seal_keys
    try:
        envelope = base64.b64decode(sealed, validate=True)
        number = keys.open(envelope, holder_context(caller.station_id)).decode("ascii")
    except (ValueError, SealError):  # not base64 (or not ASCII), does not open, not text
        raise HOLDER_INVALID.http() from None
    if _ID_NUMBER.fullmatch(number) is None:
        raise HOLDER_INVALID.http()
    return register_of(request).keys.id_hmac(number)


def archive_of(request: Request) -> EnterpriseArchive:
    state = request.app.state
    return EnterpriseArchive(register_of(request), state.store, state.catalog_store)


class RevokeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: Annotated[StrictStr, Field(min_length=1, max_length=CODE_MAX)]


def _throttled(caller: Caller, exc: Throttled) -> HTTPException:
    log.warning("register look-ups by station %s paused: too many refusals in a row",
                caller.station_id)  # fmt: skip
    return HTTPException(
        429,
        detail={
            "code": "too_many_refusals",
            "message_zh": "查询失败次数过多，请稍后再试，或呼叫帮办人员",
            "message_en": "Too many look-ups were refused; try again later, or call a helper",
        },
        headers={"Retry-After": str(max(1, round(exc.retry_after_s)))},
    )


def router() -> APIRouter:
    api = APIRouter(tags=["register"])

    @api.post(MINE_PATH)
    def mine(body: MineRequest, request: Request, caller: CallerDep) -> MineAnswer:
        holder = _holder(request, caller, body.holder)
        station = Station(caller.station_id, caller.device_id)
        return MineAnswer(items=register_of(request).mine(holder, station))

    @api.post(BY_CODE_PATH)
    def by_code(body: CodeRequest, request: Request, caller: CallerDep) -> EnterpriseAnswer:
        holder = _holder(request, caller, body.holder)
        try:
            return register_of(request).by_code(
                body.code, holder, Station(caller.station_id, caller.device_id)
            )
        except RegisterRefused as exc:
            raise exc.http() from None
        except Throttled as exc:
            raise _throttled(caller, exc) from None

    @api.post(BY_USCC_PATH)
    def by_uscc(body: UsccRequest, request: Request, caller: CallerDep) -> EnterpriseAnswer:
        holder = _holder(request, caller, body.holder)
        try:
            return register_of(request).by_uscc(
                body.uscc, holder, Station(caller.station_id, caller.device_id)
            )
        except RegisterRefused as exc:
            raise exc.http() from None
        except Throttled as exc:
            raise _throttled(caller, exc) from None

    @api.post(ARCHIVE_PATH)
    def archive(body: ArchiveRequest, request: Request, caller: CallerDep) -> ArchiveAnswer:
        holder = _holder(request, caller, body.holder)
        try:
            return archive_of(request).archive(
                body.enterprise_id, holder, Station(caller.station_id, caller.device_id)
            )
        except RegisterRefused as exc:
            raise exc.http() from None
        except Throttled as exc:
            raise _throttled(caller, exc) from None

    @api.post(DOCUMENTS_PATH)
    def document(body: DocumentRequest, request: Request, caller: CallerDep) -> Response:
        holder = _holder(request, caller, body.holder)
        try:
            data, media_type = archive_of(request).document(
                body.enterprise_id,
                body.material_id,
                holder,
                Station(caller.station_id, caller.device_id),
            )
        except RegisterRefused as exc:
            raise exc.http() from None
        except Throttled as exc:
            raise _throttled(caller, exc) from None
        # The enterprise's document: no cache between the hall and the kiosk keeps a copy.
        return Response(data, media_type=media_type, headers={"Cache-Control": "no-store"})

    @api.post(IMPORT_PATH)
    async def import_workbook(request: Request, who: AdminDep) -> dict[str, Any]:
        # hall.body_limits passes this body through as a stream, within MAX_IMPORT_BYTES.
        data = bytearray()
        async for chunk in request.stream():
            data += chunk
            if len(data) > MAX_IMPORT_BYTES:
                raise HTTPException(413, detail="the workbook is larger than the hall accepts")
        reg = register_of(request)
        report = await run_in_threadpool(
            register_import.import_workbook,
            reg.engine,
            reg.clock,
            reg.keys,
            io.BytesIO(bytes(data)),
        )
        outcome = "ok" if report.ok else "refused"
        audit(request, who, "register.import", "register", f"{report.rows} rows", outcome)
        if not report.ok:
            raise HTTPException(422, detail=report.to_json())
        return report.to_json()

    @api.put("/api/v1/register/materials/{material_id}/file")
    async def put_material_file(
        material_id: _MATERIAL_PATH, request: Request, who: AdminDep
    ) -> dict[str, str]:
        # hall.body_limits passes this body through as a stream, within MAX_BLOB_BYTES.
        data = bytearray()
        async for chunk in request.stream():
            data += chunk
            if len(data) > MAX_BLOB_BYTES:
                raise HTTPException(413, detail="the document is larger than the hall accepts")
        media_type = media_type_of(bytes(data))
        if media_type is None:
            raise HTTPException(
                415,
                detail={
                    "code": "not_a_document",
                    "message_zh": "只接受 PDF、JPEG 或 PNG 文件",
                    "message_en": "Only PDF, JPEG or PNG files are accepted",
                },
            )
        sha256 = hashlib.sha256(data).hexdigest()

        async def body() -> AsyncIterator[bytes]:
            yield bytes(data)

        await request.app.state.blob_store.receive(sha256, body())
        reg = register_of(request)
        enterprise_id = await run_in_threadpool(reg.attach_file, material_id, sha256, media_type)
        outcome = "ok" if enterprise_id else "not_found"
        audit(request, who, "register.file", "enterprise_material", material_id, outcome)
        if enterprise_id is None:
            raise HTTPException(404, detail="no such material in the register")
        return {"material_id": material_id, "media_type": media_type, "sha256": sha256}

    @api.get("/api/v1/register/enterprises/{uscc}")
    def staff_view(uscc: _USCC_PATH, request: Request, who: SupervisorDep) -> dict[str, Any]:
        found = register_of(request).staff_view(uscc)
        audit(request, who, "register.view", "enterprise", uscc[:32], "ok" if found else "none")
        if found is None:
            raise HTTPException(404, detail="no enterprise with this code in the register")
        return found

    @api.post("/api/v1/register/enterprises/{uscc}/code")
    def new_code(uscc: _USCC_PATH, request: Request, who: AdminDep) -> dict[str, str]:
        reg = register_of(request)
        found = reg.staff_view(uscc)
        if found is None:
            raise HTTPException(404, detail="no enterprise with this code in the register")
        with reg.engine.begin() as conn:
            token = reg.issue_code(conn, found["id"], revoke_by=who.name)
        audit(request, who, "register.code", "enterprise", found["id"], "issued")
        return {"code": token}

    @api.post("/api/v1/register/codes/revoke")
    def revoke(body: RevokeIn, request: Request, who: AdminDep) -> dict[str, str]:
        try:
            enterprise_id = register_of(request).revoke_code(body.code, who.name)
        except RegisterRefused as exc:
            raise exc.http() from None
        audit(request, who, "register.revoke", "enterprise", enterprise_id, "revoked")
        return {"enterprise_id": enterprise_id}

    return api
