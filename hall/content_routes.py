"""Content kept in spreadsheets, HTTP side: the console's upload, diff, publish and roll back.

All routes are the admin's (the console's 内容发布 page)::

    GET  /api/v1/content/services/workbook             the current catalog as the workbook
    GET  /api/v1/content/services/versions             every published version, newest first
    GET  /api/v1/content/services/versions/{v}/workbook  an earlier version as the workbook
    POST /api/v1/content/services/check                the .xlsx as the body: errors, or the diff
    POST /api/v1/content/services/publish              the .xlsx again: published / unchanged
    POST /api/v1/content/services/rollback             {"version"}: that content as the newest

``check`` answers 200 either way (``ok`` false with every :class:`CellError` as a row of the
page's table); ``publish`` reads and checks the workbook again and answers 422 with the same
errors, so nothing is published while any error remains. A workbook that means the published
catalog (a download uploaded unchanged) is "unchanged" and publishes nothing; otherwise the hall
names the new version (:meth:`CatalogStore.next_version`). A roll back publishes the chosen
version's content under a new version name, so versions only ever grow and every station takes
it as the newest. Uploads are limited in :mod:`hall.body_limits`.

One route is a station's (device signed, :mod:`hall.device_auth`)::

    POST /api/v1/station/content-key   {"challenge"}: the content key, for a station that has none

A station enrolled before the hall had a content key pinned none and refuses every catalog
(``CATALOG_KEY_MISSING``). It asks here once, with a random challenge sealed to the hall's sealing
key (which it did pin); the hall opens it and answers the key with an HMAC under the challenge
(:func:`contracts.content_signature.key_proof`), so the answer is bound to this hall's sealing
key, not only to the channel.
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
from typing import Annotated, Any, Final

from fastapi import APIRouter, HTTPException, Path, Request, Response
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, ConfigDict, Field, StrictStr

from contracts.catalog import CatalogError
from contracts.content_signature import KEY_CHALLENGE_CONTEXT, KEY_PATH, key_proof
from contracts.sealing import HallKeyPair, SealError
from hall import content_workbook
from hall.auth import AdminDep, Staff, audit
from hall.body_limits import MAX_CONTENT_WORKBOOK_BYTES
from hall.catalog_publish import CatalogStore, VersionClash
from hall.content_workbook import WorkbookRefused
from hall.device_auth import CallerDep

log = logging.getLogger(__name__)

PREFIX: Final = "/api/v1/content/services"
XLSX: Final = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

_Version = Annotated[str, Path(min_length=1, max_length=64)]


class RollbackIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    version: Annotated[StrictStr, Field(min_length=1, max_length=64)]


class KeyRequestIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    # base64 of a sealed 32-byte challenge (101 bytes sealed)
    challenge: Annotated[StrictStr, Field(min_length=8, max_length=512)]


def _store(request: Request) -> CatalogStore:
    found: CatalogStore = request.app.state.catalog_store
    return found


async def _body(request: Request) -> bytes:
    # hall.body_limits passes this body through as a stream, within the limit.
    data = bytearray()
    async for chunk in request.stream():
        data += chunk
        if len(data) > MAX_CONTENT_WORKBOOK_BYTES:
            raise HTTPException(413, detail="the workbook is larger than the hall accepts")
    return bytes(data)


def _download(doc: dict[str, Any], version: str) -> Response:
    data = content_workbook.workbook_bytes(doc)
    name = f"services-{version}.xlsx".replace('"', "")
    return Response(
        data, media_type=XLSX, headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )


def _current(store: CatalogStore) -> dict[str, Any] | None:
    latest = store.latest()
    if latest is None:
        return None
    found: dict[str, Any] = json.loads(latest.body)
    return found


def router() -> APIRouter:
    outer = APIRouter()
    outer.include_router(_services_router())
    outer.include_router(_station_router())
    return outer


def _station_router() -> APIRouter:
    api = APIRouter(tags=["content"])

    @api.post(KEY_PATH)
    def content_key(body: KeyRequestIn, request: Request, caller: CallerDep) -> dict[str, Any]:
        seal_keys: HallKeyPair = request.app.state.seal_keys
        try:
            challenge = seal_keys.open(
                base64.b64decode(body.challenge, validate=True), KEY_CHALLENGE_CONTEXT
            )
        except (binascii.Error, ValueError, SealError) as exc:
            # Sealed to another hall's key (the station pinned someone else) or garbled.
            log.warning("content key request of station %s refused: %s", caller.station_id, exc)
            raise HTTPException(422, detail="challenge_refused") from None
        public = _store(request).content_key.public
        log.info("content key handed to station %s (device %s)", caller.station_id,
                 caller.device_id)  # fmt: skip
        return {"content_key": public.to_json(), "proof": key_proof(challenge, public)}

    return api


def _services_router() -> APIRouter:
    api = APIRouter(prefix=PREFIX, tags=["content"])

    @api.get("/workbook", response_class=Response)
    def download(request: Request, who: AdminDep) -> Response:
        store = _store(request)
        latest = store.latest()
        if latest is None:
            raise HTTPException(404, detail="no catalog published")
        audit(request, who, "content.download", "catalog", latest.version, "ok")
        return _download(json.loads(latest.body), latest.version)

    @api.get("/versions")
    def versions(request: Request, who: AdminDep) -> list[dict[str, Any]]:
        rows = _store(request).history()
        for index, row in enumerate(rows):
            row["current"] = index == 0
        return rows

    @api.get("/versions/{version}/workbook", response_class=Response)
    def download_version(version: _Version, request: Request, who: AdminDep) -> Response:
        doc = _store(request).document(version)
        if doc is None:
            raise HTTPException(404, detail="no such version")
        return _download(doc, version)

    @api.post("/check")
    async def check(request: Request, who: AdminDep) -> dict[str, Any]:
        data = await _body(request)
        store = _store(request)
        try:
            doc = await run_in_threadpool(content_workbook.read_workbook, data)
        except WorkbookRefused as exc:
            audit(request, who, "content.check", "catalog", f"{exc.total} errors", "refused")
            return {"ok": False, **exc.to_json()}
        latest = store.latest()
        audit(request, who, "content.check", "catalog", "-", "ok")
        return {
            "ok": True,
            "total": 0,
            "errors": [],
            "based_on": doc.get("version"),
            "published": latest.version if latest else None,
            "services": len(doc["services"]),
            "diff": content_workbook.diff(_current(store), doc),
        }

    @api.post("/publish")
    async def publish(request: Request, response: Response, who: AdminDep) -> dict[str, Any]:
        data = await _body(request)
        store = _store(request)
        try:
            doc = await run_in_threadpool(content_workbook.read_workbook, data)
        except WorkbookRefused as exc:
            audit(request, who, "content.publish", "catalog", f"{exc.total} errors", "refused")
            raise HTTPException(422, detail={"ok": False, **exc.to_json()}) from None
        changes = content_workbook.diff(_current(store), doc)
        latest = store.latest()
        if changes["no_changes"] and latest is not None:
            audit(request, who, "content.publish", "catalog", latest.version, "unchanged")
            return {"outcome": "unchanged", "version": latest.version, "diff": changes}
        return _publish_as_new(request, response, who, doc, changes, "content.publish")

    @api.post("/rollback")
    def rollback(
        body: RollbackIn, request: Request, response: Response, who: AdminDep
    ) -> dict[str, Any]:
        store = _store(request)
        doc = store.document(body.version)
        if doc is None:
            raise HTTPException(404, detail="no such version")
        changes = content_workbook.diff(_current(store), doc)
        answer = _publish_as_new(request, response, who, doc, changes, "content.rollback")
        return {**answer, "rolled_back_to": body.version}

    return api


def _publish_as_new(
    request: Request,
    response: Response,
    who: Staff,
    doc: dict[str, Any],
    changes: dict[str, Any],
    action: str,
) -> dict[str, Any]:
    store = _store(request)
    doc = {**doc, "version": store.next_version()}
    raw = json.dumps(doc, ensure_ascii=False).encode("utf-8")
    try:
        _, latest = store.publish(raw, who.name)
    except CatalogError as exc:  # a stored version the current check refuses (rules changed)
        audit(request, who, action, "catalog", "-", "rejected")
        raise HTTPException(
            422, detail={"msg": "catalog rejected", "reasons": list(exc.reasons)}
        ) from None
    except VersionClash:  # another admin published the same moment: ask again
        raise HTTPException(409, detail="另一位管理员刚刚发布了新版本，请刷新后重试") from None
    audit(request, who, action, "catalog", latest.version, "published")
    response.status_code = 201
    return {"outcome": "published", "version": latest.version, "diff": changes}
