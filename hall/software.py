"""Which stations run which kiosk version, and pinning a station to one (issue 20, updates).

The version a station runs is the ``version`` of its last heartbeat (:mod:`hall.fleet`); the
console's fleet page shows the fleet counted by version (``GET /api/v1/software``) next to the
versions the hall's apt repository can install (:mod:`hall.apt_repo`) and the stations pinned. A
technician (or a supervisor) pins a station (``PUT /api/v1/software/pins/{station_id}`` with
``{"version": "1.2.0"}``; ``DELETE`` to follow the newest again): kept in ``software_pins``
(migration 0015), audited with who asked, and delivered in the station's next heartbeat answer as
its own field, ``"software": {"pin": "1.2.0"}`` (:meth:`SoftwarePins.heartbeat_field`), apart from
the remote commands. The station writes an apt preference for the version and installs it between
walk-ins (:mod:`kiosk.updater`). A version the repository has not published is refused (409): a
station pinned to it would never find it.

The count by version reads each station's last report (one scan of ``station_health``, like the
fleet page's counts; the known limit written down in ``docs/hall.md``).
"""

from __future__ import annotations

from typing import Annotated, Any, Final

from fastapi import APIRouter, Depends, HTTPException, Request
from pydantic import BaseModel, ConfigDict
from sqlalchemy import (
    Column,
    Connection,
    Engine,
    String,
    Table,
    bindparam,
    cast,
    delete,
    func,
    select,
)
from sqlalchemy.dialects import postgresql, sqlite

from contracts.apt_source import KIOSK_PACKAGE, SoftwareAnswer, Version
from contracts.clock import Clock
from hall.apt_repo import AptRepo
from hall.auth import Staff, audit, require_role, require_staff
from hall.clock import iso
from hall.fleet import station_health
from hall.remote_commands import check_station
from hall.store import metadata, reading

PINS_SHOWN = 500

software_pins = Table(
    "software_pins",
    metadata,
    Column("station_id", String(32), primary_key=True),
    Column("version", String(64), nullable=False),
    Column("set_by", String(64), nullable=False),
    Column("set_at", String(40), nullable=False),
)
# Every heartbeat asks: built once.
_PIN_OF: Final = select(software_pins.c.version).where(
    software_pins.c.station_id == bindparam("station_id")
)


class SoftwarePins:
    """The stations' version pins; thread-safe."""

    def __init__(self, engine: Engine, clock: Clock) -> None:
        self.engine, self.clock = engine, clock
        metadata.create_all(engine, tables=[software_pins])  # migration 0015 makes it too

    def pin_of(self, station_id: str, conn: Connection | None = None) -> str | None:
        """The version ``station_id`` is pinned to; ``conn``: read in that open transaction."""
        with reading(self.engine, conn) as read:
            found = read.execute(_PIN_OF, {"station_id": station_id}).scalar()
        return None if found is None else str(found)

    def heartbeat_field(
        self, station_id: str, conn: Connection | None = None
    ) -> dict[str, Any] | None:
        """The heartbeat answer's ``software`` for ``station_id``, or None (not pinned)."""
        pinned = self.pin_of(station_id, conn)
        return None if pinned is None else SoftwareAnswer(pin=pinned).model_dump()

    def pin(self, station_id: str, version: str, by: str) -> None:
        values = {"version": version, "set_by": by, "set_at": iso(self.clock.now())}
        dialect = postgresql if self.engine.dialect.name == "postgresql" else sqlite
        upsert = dialect.insert(software_pins).values(station_id=station_id, **values)
        upsert = upsert.on_conflict_do_update(index_elements=["station_id"], set_=values)
        with self.engine.begin() as conn:
            conn.execute(upsert)

    def unpin(self, station_id: str) -> bool:
        with self.engine.begin() as conn:
            gone = conn.execute(
                delete(software_pins).where(software_pins.c.station_id == station_id)
            )
        return bool(gone.rowcount)

    def pins(self, limit: int = PINS_SHOWN) -> list[dict[str, str]]:
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(software_pins).order_by(software_pins.c.station_id).limit(limit)
            ).all()
        return [dict(row._mapping) for row in rows]

    def running(self) -> list[dict[str, Any]]:
        """The fleet counted by the version each station last reported, most stations first."""
        if self.engine.dialect.name == "postgresql":
            version: Any = cast(station_health.c.report, postgresql.JSON)["version"].as_string()
        else:
            version = func.json_extract(station_health.c.report, "$.version")
        # Grouped over a subquery: PostgreSQL compares the GROUP BY with the select list, and
        # the JSON path's bound parameter would make them two expressions.
        reported = select(version.label("version")).select_from(station_health).subquery()
        query = select(reported.c.version, func.count().label("stations")).group_by(
            reported.c.version
        )
        with self.engine.connect() as conn:
            rows = conn.execute(query).all()
        out = [{"version": row.version, "stations": int(row.stations)} for row in rows]
        return sorted(out, key=lambda r: (-r["stations"], str(r["version"])))


class PinIn(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    version: Version


TechnicianDep = Annotated[Staff, Depends(require_role("technician"))]


def router() -> APIRouter:
    api = APIRouter(prefix="/api/v1/software", tags=["fleet"])

    def pins(request: Request) -> SoftwarePins:
        found: SoftwarePins = request.app.state.software_pins
        return found

    def repo(request: Request) -> AptRepo:
        found: AptRepo = request.app.state.apt_repo
        return found

    @api.get("")
    def overview(request: Request, who: Annotated[Staff, Depends(require_staff)]) -> dict[str, Any]:
        apt = repo(request)
        return {
            "running": pins(request).running(),
            "published": apt.versions(KIOSK_PACKAGE) if apt.ready else [],
            "repository": apt.ready,
            "pins": pins(request).pins(),
        }

    @api.put("/pins/{station_id}")
    def pin(station_id: str, body: PinIn, request: Request, who: TechnicianDep) -> dict[str, str]:
        check_station(station_id)
        apt = repo(request)
        if not apt.ready or body.version not in apt.versions(KIOSK_PACKAGE):
            audit(request, who, "software.pin", "station", station_id, "not_published")
            raise HTTPException(
                409, detail=f"version {body.version} is not in the hall's apt repository"
            )
        pins(request).pin(station_id, body.version, who.name)
        audit(request, who, "software.pin", "station", station_id, body.version)
        return {"station_id": station_id, "pin": body.version}

    @api.delete("/pins/{station_id}")
    def unpin(station_id: str, request: Request, who: TechnicianDep) -> dict[str, Any]:
        check_station(station_id)
        if not pins(request).unpin(station_id):
            raise HTTPException(404, detail="this station is not pinned")
        audit(request, who, "software.unpin", "station", station_id, "ok")
        return {"station_id": station_id, "pin": None}

    return api
