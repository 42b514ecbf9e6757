"""Technician diagnostics at the hall: bundles uploaded from a station's technician mode, and
the station's technician audit trail.

Kiosk side (authenticated like the heartbeat, :mod:`hall.device_auth`: the station's enrolled
device only):

- ``POST /api/v1/stations/{id}/diagnostics`` — the zip (``application/zip``, at most
  :data:`hall.body_limits.MAX_BUNDLE_BYTES`, enforced while it streams); 201 ``{"id", "sha256",
  "size"}``; 413 too large; 422 not a zip.
  The kiosk scrubs the bundle of personal data before it leaves (``kiosk/technician``).
- ``POST /api/v1/stations/{id}/technician-audit`` — ``{"entries": [{seq, at, who, action,
  outcome, detail}]}``, codes only; each ``(station, seq)`` is kept once, so a kiosk that lost
  the answer simply sends again. 200 ``{"stored": n, "last_seq": m}``.

Staff side (console session): ``GET /api/v1/stations/{id}/diagnostics`` lists bundles,
``GET /api/v1/diagnostics/{n}`` downloads one (supervisors; audited as ``diagnostics.download``;
``n`` beyond the database's 64-bit range is a 422),
``GET /api/v1/stations/{id}/technician-audit`` lists the station's technician actions.
"""

from __future__ import annotations

import hashlib
import io
import logging
import threading
import zipfile
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Request, Response, status
from fastapi import Path as PathParam
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import (
    Column,
    Engine,
    Integer,
    LargeBinary,
    String,
    Table,
    UniqueConstraint,
    insert,
    select,
)
from sqlalchemy.exc import IntegrityError

from contracts.clock import Clock
from contracts.ids import is_valid_station_id
from hall import auth
from hall.clock import iso
from hall.device_auth import Caller, CallerDep, admit_http
from hall.store import MAX_DB_INT, metadata

log = logging.getLogger(__name__)

_CODE = r"^[A-Za-z0-9_.:/=-]{0,120}$"  # the kiosk's audit detail rule, checked again here

diagnostic_bundles = Table(
    "diagnostic_bundles",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("station_id", String(32), nullable=False, index=True),
    Column("received_at", String(40), nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("size", Integer, nullable=False),
    Column("data", LargeBinary, nullable=False),
)

technician_audit = Table(
    "technician_audit",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("station_id", String(32), nullable=False),
    Column("seq", Integer, nullable=False),
    Column("at", String(40), nullable=False),
    Column("action", String(64), nullable=False),
    Column("outcome", String(32), nullable=False),
    Column("detail", String(128), nullable=False),
    Column("received_at", String(40), nullable=False),
    # Whose hands (migration 0014): a technician's name, or "technician" for the fallback PIN.
    Column("who", String(64), nullable=False, server_default="technician"),
    UniqueConstraint("station_id", "seq", name="technician_audit_once"),
)


class AuditEntryIn(BaseModel):
    model_config = ConfigDict(extra="ignore")
    seq: int = Field(ge=1, le=MAX_DB_INT)
    at: str = Field(max_length=40)
    # "technician" (the station's fallback PIN) or the name of the technician whose one-time
    # code opened technician mode (hall.technicians).
    who: str = Field(pattern=r"^[A-Za-z0-9_.-]{2,64}$")
    action: str = Field(pattern=_CODE, min_length=1, max_length=64)
    outcome: str = Field(pattern=r"^(ok|failed|refused|locked_out|started)$")
    detail: str = Field(default="", pattern=_CODE)


class AuditBatchIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    entries: list[AuditEntryIn] = Field(max_length=1000)


class DiagnosticsStore:
    def __init__(self, engine: Engine, clock: Clock) -> None:
        self._engine, self._clock = engine, clock
        metadata.create_all(engine, tables=[diagnostic_bundles, technician_audit])

    def add_bundle(self, station_id: str, data: bytes) -> dict[str, Any]:
        digest = hashlib.sha256(data).hexdigest()
        with self._engine.begin() as conn:
            row_id = conn.execute(
                insert(diagnostic_bundles).values(
                    station_id=station_id,
                    received_at=iso(self._clock.now()),
                    sha256=digest,
                    size=len(data),
                    data=data,
                )
            ).inserted_primary_key
        assert row_id is not None
        log.info("diagnostics bundle from %s (%d bytes)", station_id, len(data))
        return {"id": int(row_id[0]), "sha256": digest, "size": len(data)}

    def bundles(self, station_id: str) -> list[dict[str, Any]]:
        cols = diagnostic_bundles.c
        query = (
            select(cols.id, cols.received_at, cols.sha256, cols.size)
            .where(cols.station_id == station_id)
            .order_by(cols.id.desc())
        )
        with self._engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(query)]

    def bundle(self, bundle_id: int) -> tuple[str, bytes] | None:
        cols = diagnostic_bundles.c
        with self._engine.connect() as conn:
            row = conn.execute(
                select(cols.station_id, cols.data).where(cols.id == bundle_id)
            ).first()
        return None if row is None else (str(row.station_id), bytes(row.data))

    def add_audit(self, station_id: str, entries: list[AuditEntryIn]) -> int:
        """Store entries not held yet; return how many were new."""
        stored = 0
        now = iso(self._clock.now())
        for e in entries:
            try:
                with self._engine.begin() as conn:
                    conn.execute(
                        insert(technician_audit).values(
                            station_id=station_id,
                            seq=e.seq,
                            at=e.at,
                            who=e.who,
                            action=e.action,
                            outcome=e.outcome,
                            detail=e.detail,
                            received_at=now,
                        )
                    )
                stored += 1
            except IntegrityError:
                pass  # already held: the kiosk sent it again after a lost answer
        return stored

    def audit(self, station_id: str) -> list[dict[str, Any]]:
        cols = technician_audit.c
        query = (
            select(cols.seq, cols.at, cols.who, cols.action, cols.outcome, cols.detail)
            .where(cols.station_id == station_id)
            .order_by(cols.seq)
        )
        with self._engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(query)]


_store_lock = threading.Lock()


def _store(request: Request) -> DiagnosticsStore:
    state = request.app.state
    with _store_lock:
        found: DiagnosticsStore | None = getattr(state, "diagnostics_store", None)
        if found is None:
            found = DiagnosticsStore(state.store.engine, state.clock)
            state.diagnostics_store = found
    return found


def _check_station(request: Request, who: Caller, station_id: str) -> None:
    """Only this station's enrolled device uploads (:mod:`hall.device_auth`)."""
    if not is_valid_station_id(station_id):
        raise HTTPException(422, detail="bad station id: A-Z, 0-9 and '-', at most 32")
    admit_http(request, who, station_id)


def router() -> APIRouter:
    api = APIRouter(prefix="/api/v1", tags=["diagnostics"])

    @api.post("/stations/{station_id}/diagnostics", status_code=status.HTTP_201_CREATED)
    async def upload(station_id: str, request: Request, who: CallerDep) -> dict[str, Any]:
        # hall.body_limits has refused a body over MAX_BUNDLE_BYTES (413) before it was held.
        data = await request.body()
        await run_in_threadpool(_check_station, request, who, station_id)
        if not zipfile.is_zipfile(io.BytesIO(data)):
            raise HTTPException(422, detail="not a zip file")
        return await run_in_threadpool(_store(request).add_bundle, station_id, data)

    @api.post("/stations/{station_id}/technician-audit")
    def audit_in(
        station_id: str, batch: AuditBatchIn, request: Request, who: CallerDep
    ) -> dict[str, int]:
        _check_station(request, who, station_id)
        stored = _store(request).add_audit(station_id, batch.entries)
        last = max((e.seq for e in batch.entries), default=0)
        return {"stored": stored, "last_seq": last}

    @api.get("/stations/{station_id}/diagnostics")
    def bundles(
        station_id: str, request: Request, who: Annotated[auth.Staff, Depends(auth.require_staff)]
    ) -> list[dict[str, Any]]:
        return _store(request).bundles(station_id)

    @api.get("/stations/{station_id}/technician-audit")
    def audit_out(
        station_id: str, request: Request, who: Annotated[auth.Staff, Depends(auth.require_staff)]
    ) -> list[dict[str, Any]]:
        return _store(request).audit(station_id)

    @api.get("/diagnostics/{bundle_id}")
    def download(
        bundle_id: Annotated[int, PathParam(ge=1, le=MAX_DB_INT)],
        request: Request,
        who: auth.SupervisorDep,
    ) -> Response:
        found = _store(request).bundle(bundle_id)
        if found is None:
            raise HTTPException(status.HTTP_404_NOT_FOUND, detail="no such bundle")
        station_id, data = found
        auth.audit(request, who, "diagnostics.download", "station", station_id, "ok")
        return Response(
            data,
            media_type="application/zip",
            headers={"Content-Disposition": f'attachment; filename="diagnostics-{bundle_id}.zip"'},
        )

    return api
