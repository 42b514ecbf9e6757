"""Content kept in spreadsheets, HTTP side: the console's upload, diff, publish and roll back.

All routes are the admin's (the console's 内容发布 page)::

    GET  /api/v1/content/services/workbook             the current catalog as the workbook
    GET  /api/v1/content/services/versions             every published version, newest first
    GET  /api/v1/content/services/versions/{v}/workbook  an earlier version as the workbook
    POST /api/v1/content/services/check                the .xlsx as the body: errors, or the diff
    POST /api/v1/content/services/publish              the .xlsx again: published / unchanged
    POST /api/v1/content/services/rollback             {"version"}: that content as the newest
    POST /api/v1/content/services/preview/{service}    the .xlsx (or nothing: the published
                                                       catalog): the service's kiosk screens

``check`` answers 200 either way (``ok`` false with every :class:`CellError` as a row of the
page's table); ``publish`` reads and checks the workbook again and answers 422 with the same
errors, so nothing is published while any error remains. A workbook that means the published
catalog (a download uploaded unchanged) is "unchanged" and publishes nothing; otherwise the hall
names the new version (:meth:`CatalogStore.next_version`). A roll back publishes the chosen
version's content under a new version name, so versions only ever grow and every station takes
it as the newest. Uploads are limited in :mod:`hall.body_limits`.

``preview`` draws the kiosk's screens for one service with the kiosk's own QML, in a program the
hall runs (:mod:`hall.content_preview`; a hall without ``--preview-command`` answers 409).

The other kinds (:mod:`hall.content_kinds`: ``knowledge``, ``demand_taxonomy``, ``holidays``)
have the same six routes under ``/api/v1/content/<kind>/``, and stations read the published
version, signed like the catalog (the signature in the ETag, under the kind's own context;
``If-None-Match`` answered with 304)::

    GET  /api/v1/published/<kind>

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
from hall.catalog_publish import CatalogStore, VersionClash, _matches
from hall.content_kinds import KINDS, ContentStore, Kind
from hall.content_kinds import VersionClash as KindVersionClash
from hall.content_kinds import read as read_kind
from hall.content_kinds import workbook_bytes as kind_workbook_bytes
from hall.content_preview import PreviewFailed, PreviewRunner
from hall.content_workbook import WorkbookRefused
from hall.device_auth import CallerDep

log = logging.getLogger(__name__)

PREFIX: Final = "/api/v1/content/services"
XLSX: Final = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

_Version = Annotated[str, Path(min_length=1, max_length=64)]
_ServiceId = Annotated[str, Path(pattern=r"^[a-z][a-z0-9_]{0,63}$")]
NO_PREVIEW: Final = "此大厅未配置预览：请系统管理员为大厅设置预览程序（--preview-command）"


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
    for kind in KINDS.values():
        outer.include_router(_kind_router(kind))
    outer.include_router(_published_router())
    return outer


def _kinds(request: Request) -> ContentStore:
    found: ContentStore = request.app.state.content_store
    return found


def _context(request: Request) -> dict[str, Any]:
    """What a kind's checks look up elsewhere: the published catalog's demand routes."""
    latest = _store(request).latest()
    if latest is None:
        return {}
    routes = json.loads(latest.body).get("demand_routes")
    return {"demand_routes": routes} if isinstance(routes, dict) else {}


def _kind_router(kind: Kind) -> APIRouter:
    """The console's routes for one kind, like the services catalog's."""
    api = APIRouter(prefix=f"/api/v1/content/{kind.key}", tags=["content"])

    def current(request: Request) -> dict[str, Any] | None:
        latest = _kinds(request).latest(kind.key)
        return None if latest is None else latest.document()

    def download(doc: dict[str, Any], version: str) -> Response:
        data = kind_workbook_bytes(kind, doc)
        name = f"{kind.key}-{version}.xlsx".replace('"', "")
        return Response(
            data,
            media_type=XLSX,
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )

    def publish_new(
        request: Request, response: Response, who: Staff, doc: dict[str, Any], action: str
    ) -> dict[str, Any]:
        store = _kinds(request)
        changes = kind.diff(current(request), doc)
        try:
            latest = store.publish(kind.key, {**doc, "version": store.next_version(kind.key)},
                                   who.name)  # fmt: skip
        except KindVersionClash:
            raise HTTPException(409, detail="另一位管理员刚刚发布了新版本，请刷新后重试") from None
        audit(request, who, action, kind.key, latest.version, "published")
        response.status_code = 201
        return {"outcome": "published", "version": latest.version, "diff": changes}

    @api.get("/workbook", response_class=Response)
    def get_workbook(request: Request, who: AdminDep) -> Response:
        latest = _kinds(request).latest(kind.key)
        if latest is None:
            raise HTTPException(404, detail="nothing published")
        audit(request, who, "content.download", kind.key, latest.version, "ok")
        return download(latest.document(), latest.version)

    @api.get("/versions")
    def versions(request: Request, who: AdminDep) -> list[dict[str, Any]]:
        rows = _kinds(request).history(kind.key)
        for index, row in enumerate(rows):
            row["current"] = index == 0
        return rows

    @api.get("/versions/{version}/workbook", response_class=Response)
    def get_version(version: _Version, request: Request, who: AdminDep) -> Response:
        doc = _kinds(request).document(kind.key, version)
        if doc is None:
            raise HTTPException(404, detail="no such version")
        return download(doc, version)

    @api.post("/check")
    async def check(request: Request, who: AdminDep) -> dict[str, Any]:
        data = await _body(request)
        try:
            doc = await run_in_threadpool(read_kind, kind, data, _context(request))
        except WorkbookRefused as exc:
            audit(request, who, "content.check", kind.key, f"{exc.total} errors", "refused")
            return {"ok": False, **exc.to_json()}
        latest = _kinds(request).latest(kind.key)
        audit(request, who, "content.check", kind.key, "-", "ok")
        return {
            "ok": True,
            "total": 0,
            "errors": [],
            "based_on": doc.get("version"),
            "published": latest.version if latest else None,
            "diff": kind.diff(current(request), doc),
        }

    @api.post("/publish")
    async def publish(request: Request, response: Response, who: AdminDep) -> dict[str, Any]:
        data = await _body(request)
        try:
            doc = await run_in_threadpool(read_kind, kind, data, _context(request))
        except WorkbookRefused as exc:
            audit(request, who, "content.publish", kind.key, f"{exc.total} errors", "refused")
            raise HTTPException(422, detail={"ok": False, **exc.to_json()}) from None
        latest = _kinds(request).latest(kind.key)
        changes = kind.diff(current(request), doc)
        if changes["no_changes"] and latest is not None:
            audit(request, who, "content.publish", kind.key, latest.version, "unchanged")
            return {"outcome": "unchanged", "version": latest.version, "diff": changes}
        return publish_new(request, response, who, doc, "content.publish")

    @api.post("/rollback")
    def rollback(
        body: RollbackIn, request: Request, response: Response, who: AdminDep
    ) -> dict[str, Any]:
        doc = _kinds(request).document(kind.key, body.version)
        if doc is None:
            raise HTTPException(404, detail="no such version")
        answer = publish_new(request, response, who, doc, "content.rollback")
        return {**answer, "rolled_back_to": body.version}

    return api


def _published_router() -> APIRouter:
    """What stations read: the latest published version of a kind, signed (public, like the
    catalog: nothing in it is personal)."""
    api = APIRouter(prefix="/api/v1/published", tags=["content"])

    @api.get("/{kind}", responses={304: {"description": "the station's copy is current"}})
    def published(kind: Annotated[str, Path(max_length=32)], request: Request) -> Response:
        if kind not in KINDS:
            raise HTTPException(404, detail="no such content")
        latest = _kinds(request).latest(kind)
        if latest is None:
            raise HTTPException(404, detail="nothing published")
        headers = {"ETag": latest.served_etag, "Cache-Control": "no-cache"}
        inm = request.headers.get("if-none-match")
        if inm is not None and _matches(inm, latest.served_etag):
            return Response(status_code=304, headers=headers)
        return Response(latest.body, media_type="application/json; charset=utf-8", headers=headers)

    return api


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
            # For the preview's choice of service.
            "service_list": [{"id": s["id"], "name_zh": s["name_zh"]} for s in doc["services"]],
            "diff": content_workbook.diff(_current(store), doc),
        }

    @api.post("/preview/{service_id}")
    async def preview(service_id: _ServiceId, request: Request, who: AdminDep) -> dict[str, Any]:
        runner: PreviewRunner | None = request.app.state.preview
        if runner is None:
            raise HTTPException(409, detail=NO_PREVIEW)
        data = await _body(request)
        store = _store(request)
        if data:
            try:
                doc = await run_in_threadpool(content_workbook.read_workbook, data)
            except WorkbookRefused as exc:
                raise HTTPException(422, detail={"ok": False, **exc.to_json()}) from None
        else:  # nothing uploaded: the published catalog
            found = _current(store)
            if found is None:
                raise HTTPException(404, detail="no catalog published")
            doc = found
        if service_id not in {s["id"] for s in doc["services"]}:
            raise HTTPException(404, detail=f"目录中没有事项“{service_id}”")
        try:
            images = await run_in_threadpool(runner.render, doc, service_id)
        except PreviewFailed as exc:
            audit(request, who, "content.preview", "catalog", service_id, "failed")
            if exc.busy:
                raise HTTPException(429, detail=exc.reason, headers={"Retry-After": "5"}) from None
            raise HTTPException(422, detail=exc.reason) from None
        audit(request, who, "content.preview", "catalog", service_id, "ok")
        return {
            "service": service_id,
            "published": not data,
            "images": [image.to_json() for image in images],
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
