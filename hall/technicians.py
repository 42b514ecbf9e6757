"""Technician accounts at the hall: one-time technician codes and the stations' fallback PIN.

A technician has a personal staff account (role ``technician``, :mod:`hall.auth`). At a station
they ask the console for a **one-time code** for that station (``POST /api/v1/stations/{id}/
technician-code``): eight digits, shown once to them and never stored. The hall keeps only an
argon2 verifier of it, and sends the verifier with the technician's name to that station alone,
as a signed remote command (``technician_code``, :mod:`hall.remote_commands`) in its next
heartbeat answer; the command expires with the code, after :data:`CODE_TTL`. The kiosk
(:mod:`kiosk.technician.codes`) accepts the code once, until then, and its technician audit
names the technician.

A station that cannot reach the hall still opens with its **fallback PIN** (the argon2 hash in
its configuration). A supervisor rotates it from the console (``POST .../fallback-pin``): the hall
hashes the new PIN and sends the hash as a signed ``set_fallback_pin`` command, kept for
:data:`PIN_TTL` so a station offline for days still gets it. Both are audited with who asked.
"""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Any, Final

from fastapi import APIRouter, Request
from pydantic import BaseModel, ConfigDict, Field

from hall import auth
from hall.remote_commands import TechnicianDep, check_station, store_of

CODE_TTL: Final = timedelta(minutes=30)
PIN_TTL: Final = timedelta(days=7)
CODE_DIGITS: Final = 8


class FallbackPinIn(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    pin: str = Field(pattern=r"^[0-9]{6,12}$")


def _hasher(request: Request) -> Any:
    staff: auth.StaffStore = request.app.state.staff_store
    return staff.hasher


def router() -> APIRouter:
    api = APIRouter(prefix="/api/v1/stations", tags=["technicians"])

    @api.post("/{station_id}/technician-code", status_code=201)
    def technician_code(station_id: str, request: Request, who: TechnicianDep) -> dict[str, Any]:
        """A one-time code for ``who`` at this station (the answer is the only copy)."""
        check_station(station_id)
        code = f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
        args = {"technician": who.name, "verifier": _hasher(request).hash(code)}
        made = store_of(request).issue(station_id, "technician_code", args, who.name, CODE_TTL)
        auth.audit(request, who, "technician.code", "station", station_id, "issued")
        return {"code": code, "expires_at": made["expires_at"], "command": made}

    @api.post("/{station_id}/fallback-pin", status_code=201)
    def fallback_pin(
        station_id: str, body: FallbackPinIn, request: Request, who: auth.SupervisorDep
    ) -> dict[str, Any]:
        """Rotate the station's offline PIN (the new PIN itself is neither kept nor logged)."""
        check_station(station_id)
        args = {"pin_hash": _hasher(request).hash(body.pin)}
        made = store_of(request).issue(station_id, "set_fallback_pin", args, who.name, PIN_TTL)
        auth.audit(request, who, "technician.fallback_pin", "station", station_id, "queued")
        return {"command": made}

    return api
