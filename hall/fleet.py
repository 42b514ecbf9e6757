"""Station health at the hall: each kiosk's heartbeat (devices, outbox, version) and the alerts
staff see — a reader unplugged, a printer out of paper, filings piling up, a station gone quiet.

Kiosks authenticate with their per-station token until enrolment exists: the first heartbeat
that carries a token registers its hash for that station (trust on first use); later heartbeats
must carry the same token. Nothing personal is ever part of a heartbeat.
"""

from __future__ import annotations

import hashlib
import json
import logging
from datetime import datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Request, status
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import Column, Engine, String, Table, Text, insert, select, update

from hall.auth import Staff, require_staff
from hall.clock import Clock
from hall.store import metadata

log = logging.getLogger(__name__)

OFFLINE_AFTER = timedelta(minutes=5)  # three missed heartbeats at the kiosk's 60 s
BACKLOG_ALERT = 20  # filings waiting at one station

station_health = Table(
    "station_health",
    metadata,
    Column("station_id", String(32), primary_key=True),
    Column("token_sha256", String(64), nullable=True),
    Column("last_seen", String(40), nullable=False),
    Column("report", Text, nullable=False),
)


class DeviceHealthIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    level: str = Field(pattern=r"^(ok|degraded|down)$")
    code: str = Field(default="", max_length=64)


class HeartbeatIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    version: str = Field(max_length=32)
    uptime_s: float = Field(ge=0)
    online_since_s: float | None = None
    outbox_depth: int = Field(ge=0)
    oldest_pending_s: float | None = Field(default=None, ge=0)
    devices: dict[str, DeviceHealthIn]


class FleetStore:
    def __init__(self, engine: Engine, clock: Clock) -> None:
        self._engine, self._clock = engine, clock

    def record(self, station_id: str, token: str, beat: HeartbeatIn) -> bool:
        """Store the heartbeat; False if the station is registered with another token."""
        digest = hashlib.sha256(token.encode()).hexdigest() if token else None
        now = self._clock().isoformat()
        report = beat.model_dump_json()
        with self._engine.begin() as conn:
            row = conn.execute(
                select(station_health.c.token_sha256).where(
                    station_health.c.station_id == station_id
                )
            ).first()
            if row is None:
                conn.execute(
                    insert(station_health).values(
                        station_id=station_id, token_sha256=digest, last_seen=now, report=report
                    )
                )
                return True
            if row.token_sha256 is not None and row.token_sha256 != digest:
                return False
            conn.execute(
                update(station_health)
                .where(station_health.c.station_id == station_id)
                .values(last_seen=now, report=report, token_sha256=row.token_sha256 or digest)
            )
        return True

    def stations(self) -> list[dict[str, Any]]:
        now = self._clock()
        with self._engine.connect() as conn:
            rows = conn.execute(select(station_health).order_by(station_health.c.station_id))
            out = []
            for row in rows:
                report = json.loads(row.report)
                last_seen = datetime.fromisoformat(row.last_seen)
                out.append(
                    {
                        "station_id": row.station_id,
                        "last_seen": row.last_seen,
                        "report": report,
                        "alerts": alerts(report, now - last_seen),
                    }
                )
        return out


def alerts(report: dict[str, Any], silent_for: timedelta) -> list[str]:
    """Alert codes for one station, most urgent first (the console words them)."""
    found = []
    if silent_for > OFFLINE_AFTER:
        found.append("STATION_OFFLINE")
    for name, device in sorted(report.get("devices", {}).items()):
        if device["level"] == "down":
            found.append(f"DEVICE_DOWN:{name}:{device['code']}")
        elif device["level"] == "degraded":
            found.append(f"DEVICE_DEGRADED:{name}:{device['code']}")
    if report.get("outbox_depth", 0) >= BACKLOG_ALERT:
        found.append("OUTBOX_BACKLOG")
    return found


def router() -> APIRouter:
    api = APIRouter(prefix="/api/v1/stations", tags=["fleet"])

    def store(request: Request) -> FleetStore:
        found: FleetStore = request.app.state.fleet_store
        return found

    @api.post("/{station_id}/heartbeat", status_code=status.HTTP_204_NO_CONTENT)
    def heartbeat(station_id: str, beat: HeartbeatIn, request: Request) -> None:
        if not station_id.replace("-", "").replace("_", "").isalnum() or len(station_id) > 32:
            raise HTTPException(status.HTTP_422_UNPROCESSABLE_ENTITY, detail="bad station id")
        auth = request.headers.get("authorization", "")
        token = auth.removeprefix("Bearer ").strip() if auth.startswith("Bearer ") else ""
        if not store(request).record(station_id, token, beat):
            log.warning("heartbeat for %s with the wrong token refused", station_id)
            raise HTTPException(status.HTTP_403_FORBIDDEN, detail="wrong station token")

    @api.get("")
    def stations(
        request: Request, who: Annotated[Staff, Depends(require_staff)]
    ) -> list[dict[str, Any]]:
        return store(request).stations()

    return api
