"""Station health at the hall: each kiosk's heartbeat (devices, outbox, version, disk, last
error codes) and the alerts staff see on the console's fleet page — a reader unplugged, a printer
out of or low on paper, filings piling up or waiting too long, a disk filling up, a station gone
quiet. The thresholds are :class:`FleetSettings`, handed to :func:`hall.app.create_app`.

Kiosks authenticate through :mod:`hall.device_auth`: only a station's enrolled device signs its
heartbeats (the per-station tokens of earlier versions are gone; their column stays unused in old
databases). Nothing personal is ever part of a heartbeat.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Request, status
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import Column, Engine, String, Table, Text, insert, select, update

from contracts.clock import Clock
from contracts.ids import is_valid_station_id
from hall.auth import Staff, require_staff
from hall.device_auth import CallerDep, admit_http
from hall.store import metadata

log = logging.getLogger(__name__)

OFFLINE_AFTER = timedelta(minutes=5)  # three missed heartbeats at the kiosk's 60 s
BACKLOG_ALERT = 20  # filings waiting at one station
PAPER_NEAR_END = "PRINTER_PAPER_NEAR_END"  # drivers/printer/layout.py, degraded: still prints


@dataclass(frozen=True, slots=True)
class FleetSettings:
    """When a station's report becomes an alert. ``python -m hall --offline-after-min N`` sets
    ``offline_after``; the rest are the defaults below."""

    offline_after: timedelta = OFFLINE_AFTER
    backlog: int = BACKLOG_ALERT
    # A filing waiting this long means the station cannot reach the hall (or keeps being refused).
    oldest_pending_after: timedelta = timedelta(minutes=30)
    # The outbox, its photos and the logs share this disk; below either bound, warn.
    disk_low_pct: float = 10.0
    disk_low_bytes: int = 1024**3


# Alert codes by urgency: a station or a device that cannot serve walk-ins is critical.
CRITICAL = ("STATION_OFFLINE", "DEVICE_DOWN")

station_health = Table(
    "station_health",
    metadata,
    Column("station_id", String(32), primary_key=True),
    Column("token_sha256", String(64), nullable=True),  # unused: tokens were retired
    Column("last_seen", String(40), nullable=False),
    Column("report", Text, nullable=False),
)


_CODE = r"^[A-Z][A-Z0-9_]{0,63}$"
Code = Annotated[str, Field(pattern=_CODE)]
DeviceName = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{0,31}$")]


class DeviceHealthIn(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    level: str = Field(pattern=r"^(ok|degraded|down)$")
    code: str = Field(default="", max_length=64, pattern=r"^([A-Z][A-Z0-9_]*)?$")


class HeartbeatIn(BaseModel):
    """One heartbeat, strictly typed (no "3" for 3) and with no unknown fields. The fields after
    ``devices`` came with the fleet page: kiosks from before leave them out."""

    model_config = ConfigDict(extra="forbid", strict=True)
    version: str = Field(max_length=32)
    uptime_s: float = Field(ge=0)
    online_since_s: float | None = None
    outbox_depth: int = Field(ge=0)
    oldest_pending_s: float | None = Field(default=None, ge=0)
    devices: dict[DeviceName, DeviceHealthIn] = Field(max_length=16)
    station_name: str | None = Field(default=None, max_length=64)
    disk_free_bytes: int | None = Field(default=None, ge=0)
    disk_free_pct: float | None = Field(default=None, ge=0, le=100)
    last_error_codes: list[Code] = Field(default_factory=list, max_length=10)


class FleetStore:
    def __init__(self, engine: Engine, clock: Clock, settings: FleetSettings | None = None) -> None:
        self._engine, self._clock = engine, clock
        self.settings = settings or FleetSettings()

    def record(self, station_id: str, beat: HeartbeatIn) -> None:
        """Store the heartbeat of an authenticated station (the route checked its device)."""
        now = self._clock.now().isoformat()
        report = beat.model_dump_json()
        with self._engine.begin() as conn:
            row = conn.execute(
                select(station_health.c.station_id).where(station_health.c.station_id == station_id)
            ).first()
            if row is None:
                conn.execute(
                    insert(station_health).values(
                        station_id=station_id, last_seen=now, report=report
                    )
                )
                return
            conn.execute(
                update(station_health)
                .where(station_health.c.station_id == station_id)
                .values(last_seen=now, report=report)
            )

    def stations(self) -> list[dict[str, Any]]:
        """Every station with its last report, how long it has been silent (by the hall's clock,
        so the console needs no clock of its own), its alerts and their severity; the most
        urgent station first."""
        now = self._clock.now()
        with self._engine.connect() as conn:
            rows = conn.execute(select(station_health).order_by(station_health.c.station_id))
            out = []
            for row in rows:
                report = json.loads(row.report)
                silent_for = now - datetime.fromisoformat(row.last_seen)
                found = alerts(report, silent_for, self.settings)
                out.append(
                    {
                        "station_id": row.station_id,
                        "name": report.get("station_name"),
                        "last_seen": row.last_seen,
                        "silent_s": max(0, round(silent_for.total_seconds())),
                        "report": report,
                        "alerts": found,
                        "severity": severity(found),
                    }
                )
        rank = {"critical": 0, "warning": 1, "ok": 2}
        out.sort(key=lambda s: (rank[s["severity"]], -len(s["alerts"]), s["station_id"]))
        return out


def alerts(
    report: dict[str, Any], silent_for: timedelta, settings: FleetSettings | None = None
) -> list[str]:
    """Alert codes for one station, most urgent first (the console words them):
    ``STATION_OFFLINE``, ``DEVICE_DOWN:<device>:<code>``, ``PAPER_LOW``,
    ``DEVICE_DEGRADED:<device>:<code>``, ``OUTBOX_STALE``, ``OUTBOX_BACKLOG``, ``DISK_LOW``."""
    settings = settings or FleetSettings()
    critical: list[str] = []
    warning: list[str] = []
    if silent_for > settings.offline_after:
        critical.append("STATION_OFFLINE")
    for name, device in sorted(report.get("devices", {}).items()):
        if device["level"] == "down":
            critical.append(f"DEVICE_DOWN:{name}:{device['code']}")
        elif device["level"] == "degraded" and device["code"] == PAPER_NEAR_END:
            warning.append("PAPER_LOW")
        elif device["level"] == "degraded":
            warning.append(f"DEVICE_DEGRADED:{name}:{device['code']}")
    oldest = report.get("oldest_pending_s")
    if oldest is not None and oldest >= settings.oldest_pending_after.total_seconds():
        warning.append("OUTBOX_STALE")
    if report.get("outbox_depth", 0) >= settings.backlog:
        warning.append("OUTBOX_BACKLOG")
    free_pct, free_bytes = report.get("disk_free_pct"), report.get("disk_free_bytes")
    if (free_pct is not None and free_pct < settings.disk_low_pct) or (
        free_bytes is not None and free_bytes < settings.disk_low_bytes
    ):
        warning.append("DISK_LOW")
    return critical + warning


def severity(codes: list[str]) -> str:
    """``critical`` (a station or a device cannot serve walk-ins), ``warning`` or ``ok``."""
    if any(code.split(":", 1)[0] in CRITICAL for code in codes):
        return "critical"
    return "warning" if codes else "ok"


def router() -> APIRouter:
    api = APIRouter(prefix="/api/v1/stations", tags=["fleet"])

    def store(request: Request) -> FleetStore:
        found: FleetStore = request.app.state.fleet_store
        return found

    @api.post("/{station_id}/heartbeat", status_code=status.HTTP_204_NO_CONTENT)
    def heartbeat(station_id: str, beat: HeartbeatIn, request: Request, who: CallerDep) -> None:
        if not is_valid_station_id(station_id):
            raise HTTPException(422, detail="bad station id: A-Z, 0-9 and '-', at most 32")
        # Only the station's enrolled device (hall.device_auth); there is no token path.
        admit_http(request, who, station_id)
        store(request).record(station_id, beat)

    @api.get("")
    def stations(
        request: Request, who: Annotated[Staff, Depends(require_staff)]
    ) -> list[dict[str, Any]]:
        return store(request).stations()

    return api
