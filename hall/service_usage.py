"""What each station files most: counts per station and service, for the kiosk's service home.

With 272 services, the home opens on "本站常用" (most used at this station): the bundles, then
the services this station's walk-ins filed most. The hall counts them from the filings it
received (the ``submissions`` table: station id and service id per filing, nothing personal is
read), grouped in SQL and served to the station itself (``GET
/api/v1/stations/{station_id}/service-usage``, device-signed like the heartbeat; another
station's counts are refused with 403). The kiosk caches the answer
(:mod:`kiosk.services.service_usage`), so the order holds offline.

No table of its own, so no migration: the ``submissions_tracking`` index leads with the station
id, which narrows the count to one station's rows.
"""

from __future__ import annotations

from typing import Any, Final

from fastapi import APIRouter, HTTPException, Request
from sqlalchemy import Engine, func, select

from contracts.ids import is_valid_station_id
from hall.device_auth import CallerDep, admit_http
from hall.store import submissions

__all__ = ["TOP", "router", "station_usage"]

TOP: Final = 50  # more than the home shows; the rest of the catalog is browsed by theme


def station_usage(engine: Engine, station_id: str, top: int = TOP) -> list[dict[str, Any]]:
    """The station's most filed services, most first (ties by service id)."""
    filings = func.count().label("filings")
    query = (
        select(submissions.c.service_id, filings)
        .where(submissions.c.station_id == station_id)
        .group_by(submissions.c.service_id)
        .order_by(filings.desc(), submissions.c.service_id)
        .limit(top)
    )
    with engine.connect() as conn:
        rows = conn.execute(query).all()
    return [{"service_id": row.service_id, "filings": int(row.filings)} for row in rows]


def router() -> APIRouter:
    api = APIRouter(prefix="/api/v1/stations", tags=["fleet"])

    @api.get("/{station_id}/service-usage")
    def service_usage(station_id: str, request: Request, who: CallerDep) -> dict[str, Any]:
        if not is_valid_station_id(station_id):
            raise HTTPException(422, detail="bad station id: A-Z, 0-9 and '-', at most 32")
        admit_http(request, who, station_id)  # a station reads its own counts only
        engine: Engine = request.app.state.store.engine
        return {"station_id": station_id, "services": station_usage(engine, station_id)}

    return api
