"""Station health at the hall: each kiosk's heartbeat (devices, outbox, version, disk, last
error codes) and the alerts staff see on the console's fleet page — a reader unplugged, a printer
out of or low on paper, filings piling up or waiting too long, a disk filling up, a station gone
quiet. The thresholds are :class:`FleetSettings`, handed to :func:`hall.app.create_app`.

Kiosks authenticate through :mod:`hall.device_auth`: only a station's enrolled device signs its
heartbeats (the per-station tokens of earlier versions are gone; their column stays unused in old
databases). Nothing personal is ever part of a heartbeat.

Built for thousands of stations: a heartbeat is one UPSERT by station id (no read first, one row
per station, never a row per beat); the time-independent part of its alerts is judged at write
time and kept as ``severity`` and ``simulated``, so the console's list (``GET /api/v1/stations``)
is paged on the server by station id (``limit``/``after``), filtered (``offline``, ``alarms``)
and counted in SQL, never loaded whole.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import queue
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Annotated, Any, Final

from fastapi import APIRouter, Depends, FastAPI, HTTPException, Query, Request, Response, status
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from sqlalchemy import (
    Column,
    ColumnElement,
    Connection,
    Engine,
    Index,
    Integer,
    String,
    Table,
    Text,
    and_,
    func,
    literal_column,
    select,
    true,
    union,
)
from sqlalchemy.dialects import postgresql, sqlite
from starlette.routing import Match, Route
from starlette.types import Message, Receive, Scope, Send

from contracts.clock import Clock
from contracts.device_auth import DeviceAuthHeaders
from contracts.ids import is_valid_station_id
from hall.auth import Staff, require_staff
from hall.device_auth import DeviceAuthError, DeviceHeadersDep, check, request_path
from hall.store import metadata, relax, relaxed_engine, sqlite_writer

log = logging.getLogger(__name__)

OFFLINE_AFTER = timedelta(minutes=5)  # three missed heartbeats at the kiosk's 60 s
BACKLOG_ALERT = 20  # filings waiting at one station
PAPER_NEAR_END = "PRINTER_PAPER_NEAR_END"  # drivers/printer/layout.py, degraded: still prints
SIMULATOR = "simulator"  # the backend name of every simulated device (kiosk/config.py)
# Stations whose id starts so are demonstrations or test rigs: simulators there are expected.
DEMO_PREFIXES = ("DEMO-", "TEST-")
PAGE_DEFAULT, PAGE_MAX = 50, 200


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
    # A simulated device anywhere else is an alarm: walk-ins would be served by no real device.
    demo_prefixes: tuple[str, ...] = DEMO_PREFIXES

    def is_demo(self, station_id: str) -> bool:
        return station_id.upper().startswith(self.demo_prefixes)


# Alert codes by urgency: a station or a device that cannot serve walk-ins is critical.
CRITICAL = ("STATION_OFFLINE", "DEVICE_DOWN", "DEVICE_SIMULATED")

station_health = Table(
    "station_health",
    metadata,
    Column("station_id", String(32), primary_key=True),
    Column("token_sha256", String(64), nullable=True),  # unused: tokens were retired
    Column("last_seen", String(40), nullable=False),
    Column("report", Text, nullable=False),
    # The report's alerts apart from STATION_OFFLINE (judged when it arrives, migration 0012):
    # what the console's filters and counts query without reading every report.
    Column("severity", String(8), nullable=False, server_default="ok"),
    Column("simulated", Integer, nullable=False, server_default="0"),
    Index("station_health_last_seen", "last_seen"),
)
# Partial indexes (migration 0016): only stations with an alert, or on simulators, have an entry,
# so the alarms filter and the counts read those few, not 20,000 reports, and a healthy
# station's beat maintains neither.
# Literal values, not bound parameters: SQLite uses a partial index only for a query whose WHERE
# holds the index's own term, which a parameter does not prove.
_ALARMING = station_health.c.severity != literal_column("'ok'")
_SIMULATED = station_health.c.simulated > literal_column("0")
Index(
    "station_health_alarming",
    station_health.c.station_id,
    sqlite_where=_ALARMING,
    postgresql_where=_ALARMING,
)
Index(
    "station_health_simulated",
    station_health.c.station_id,
    sqlite_where=_SIMULATED,
    postgresql_where=_SIMULATED,
)


_CODE = r"^[A-Z][A-Z0-9_]{0,63}$"
Code = Annotated[str, Field(pattern=_CODE)]
DeviceName = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{0,31}$")]


class DeviceHealthIn(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    level: str = Field(pattern=r"^(ok|degraded|down)$")
    code: str = Field(default="", max_length=64, pattern=r"^([A-Z][A-Z0-9_]*)?$")
    # The configured backend (``simulator``, ``escpos_network``...); kiosks before it leave it out.
    backend: str | None = Field(default=None, pattern=r"^[a-z][a-z0-9_]{0,31}$")


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
    # A short digest of the station's effective configuration: which stations run which setup.
    config_version: str | None = Field(default=None, pattern=r"^[0-9a-f]{6,64}$")


# What a heartbeat writes besides the station id (FleetStore.record).
_HEALTH_VALUES = ("last_seen", "report", "severity", "simulated")


class FleetStore:
    def __init__(self, engine: Engine, clock: Clock, settings: FleetSettings | None = None) -> None:
        self._engine, self._clock = engine, clock
        self.settings = settings or FleetSettings()
        self._beat_engine = relaxed_engine(engine)
        # The heartbeat's UPSERT, built once (per call it cost more than the write): the new
        # row's values replace the old ones (``excluded``), the station id is the conflict.
        dialect = postgresql if engine.dialect.name == "postgresql" else sqlite
        upsert = dialect.insert(station_health)
        self._upsert = upsert.on_conflict_do_update(
            index_elements=["station_id"],
            set_={name: upsert.excluded[name] for name in _HEALTH_VALUES},
        )

    @contextmanager
    def beat_transaction(self) -> Iterator[Connection]:
        """One heartbeat's transaction: the process's SQLite writer lock held (no busy-handler
        sleeps between beats), and no fsync wait at its commit (:func:`hall.store.relaxed_engine`:
        a power cut may lose the last beats' rows and nonces; the next beat, within a minute,
        rewrites the row, and a replayed beat changes nothing but that row)."""
        with sqlite_writer(self._beat_engine), self._beat_engine.begin() as conn:
            relax(conn)
            yield conn

    def close(self) -> None:
        if self._beat_engine is not self._engine:
            self._beat_engine.dispose()

    def record(self, station_id: str, beat: HeartbeatIn, conn: Connection | None = None) -> None:
        """Store the heartbeat of an authenticated station (the route checked its device): one
        UPSERT on the primary key, whatever the fleet's size; ``conn``: in that open
        transaction (the caller commits it)."""
        now = self._clock.now().isoformat()
        report = beat.model_dump(mode="json")
        found = alerts(report, timedelta(0), self.settings, station_id=station_id)
        values = {
            "last_seen": now,
            "report": json.dumps(report, ensure_ascii=False, separators=(",", ":")),
            "severity": severity(found),
            "simulated": sum(code.startswith("DEVICE_SIMULATED:") for code in found),
        }
        if conn is not None:
            conn.execute(self._upsert, {"station_id": station_id, **values})
            return
        with self._engine.begin() as own:
            own.execute(self._upsert, {"station_id": station_id, **values})

    def page(
        self, *, limit: int = PAGE_DEFAULT, after: str | None = None, show: str = "all"
    ) -> dict[str, Any]:
        """One page of stations by station id after ``after`` (keyset: an index range, however
        many stations there are), ``show``: ``all``, ``offline`` or ``alarms`` (any alert at
        all); ``next`` is the cursor of the page after, ``counts`` the whole fleet's figures."""
        now = self._clock.now()
        cutoff = (now - self.settings.offline_after).isoformat()
        offline = station_health.c.last_seen < cutoff
        where: list[ColumnElement[bool]] = []
        # A filter's stations from its index (as a list in station id order), not a filter
        # applied to every row on the way along the primary key.
        c = station_health.c
        if show == "offline":
            where.append(c.station_id.in_(select(c.station_id).where(offline)))
        elif show == "alarms":
            alarms = union(
                select(c.station_id).where(offline), select(c.station_id).where(_ALARMING)
            )
            where.append(c.station_id.in_(alarms))
        if after is not None:
            where.append(station_health.c.station_id > after)
        query = (
            select(station_health)
            .where(and_(true(), *where))
            .order_by(station_health.c.station_id)
            .limit(limit + 1)
        )
        with self._engine.connect() as conn:
            rows = conn.execute(query).all()
            counts = self._counts(conn, offline)
        more = len(rows) > limit
        out = [self._station(row, now) for row in rows[:limit]]
        return {"stations": out, "next": out[-1]["station_id"] if more else None, "counts": counts}

    @staticmethod
    def _counts(conn: Any, offline: ColumnElement[bool]) -> dict[str, int]:
        """The fleet's figures, each a count over an index range (the whole table's count,
        the quiet stations by ``last_seen``, the alerting and simulated ones by their partial
        indexes): a few rows read in a healthy fleet, however large."""
        c = station_health.c

        def count(*where: ColumnElement[bool]) -> Any:
            return select(func.count()).select_from(station_health).where(*where).scalar_subquery()

        # The alerting stations that are online: all alerting ones less the quiet ones among
        # them (an "online" term would walk the last_seen index over the whole fleet).
        is_critical, is_warning = (
            _ALARMING & (c.severity == level) for level in ("critical", "warning")
        )
        row = conn.execute(
            select(
                count(),
                count(offline),
                count(is_critical),
                count(is_critical, offline),
                count(is_warning),
                count(is_warning, offline),
                count(_SIMULATED),
            )
        ).one()
        total, quiet, all_down, quiet_down, all_warning, quiet_warning, simulated = (
            int(v) for v in row
        )
        down, warning = all_down - quiet_down, all_warning - quiet_warning
        return {
            "total": total,
            "critical": quiet + down,
            "warning": warning,
            "ok": total - quiet - down - warning,
            "offline": quiet,
            "simulated": simulated,
        }

    def _station(self, row: Any, now: datetime) -> dict[str, Any]:
        """One station as the console shows it: its last report, how long it has been silent
        (by the hall's clock, so the console needs no clock of its own), its alerts."""
        report = json.loads(row.report)
        silent_for = now - datetime.fromisoformat(row.last_seen)
        found = alerts(report, silent_for, self.settings, station_id=row.station_id)
        return {
            "station_id": row.station_id,
            "name": report.get("station_name"),
            "last_seen": row.last_seen,
            "silent_s": max(0, round(silent_for.total_seconds())),
            "demo": self.settings.is_demo(row.station_id),
            "report": report,
            "alerts": found,
            "severity": severity(found),
        }


def alerts(
    report: dict[str, Any],
    silent_for: timedelta,
    settings: FleetSettings | None = None,
    *,
    station_id: str = "",
) -> list[str]:
    """Alert codes for one station, most urgent first (the console words them):
    ``STATION_OFFLINE``, ``DEVICE_DOWN:<device>:<code>``, ``DEVICE_SIMULATED:<device>`` (a
    simulator on a station that is no demo), ``PAPER_LOW``, ``DEVICE_DEGRADED:<device>:<code>``,
    ``OUTBOX_STALE``, ``OUTBOX_BACKLOG``, ``DISK_LOW``."""
    settings = settings or FleetSettings()
    critical: list[str] = []
    warning: list[str] = []
    if silent_for > settings.offline_after:
        critical.append("STATION_OFFLINE")
    demo = settings.is_demo(station_id)
    for name, device in sorted(report.get("devices", {}).items()):
        if device.get("backend") == SIMULATOR and not demo:
            critical.append(f"DEVICE_SIMULATED:{name}")
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


# Beats one transaction takes at most. A batch holds the process's SQLite writer lock for its
# length (some 0.3 ms a beat): 64 keeps a filing's or the console's write from waiting over ~20 ms.
BATCH_MAX: Final = 64


@dataclass
class _Beat:
    loop: asyncio.AbstractEventLoop
    done: asyncio.Future[JSONResponse | None]
    path: str
    headers: Mapping[str, str]
    body: bytes
    station_id: str
    beat: HeartbeatIn


class HeartbeatWriter:
    """Heartbeats written by one thread of the hall's, in batches: the beats that arrived while
    the last batch was written share the next transaction (one writer lock, one commit, one
    wake-up of the event loop). An idle hall writes each beat as it comes; a busy one writes
    more per commit, so the cost of a beat falls as the load rises instead of the queue growing.

    Each beat is its own: the device check (its row, the signature, the station, then the
    nonce), the health row and the two look-ups that ride on its answer, in that order. A
    refused beat has written nothing when it is refused (the nonce is its last check and
    writes only when new), so it refuses that beat alone. A database error fails the batch's
    beats together (the hall answers each 503, the stations send again a minute later)."""

    def __init__(self, app: Any) -> None:
        self._app = app
        self._jobs: queue.SimpleQueue[_Beat | None] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self.batches = self.beats = 0  # written so far (read by tests and diagnostics)

    async def write(
        self, path: str, headers: Mapping[str, str], body: bytes, station_id: str, beat: HeartbeatIn
    ) -> JSONResponse | None:
        """The beat's answer once its batch is committed (None: an empty 204); raises its
        :class:`DeviceAuthError`, or the batch's database error."""
        loop = asyncio.get_running_loop()
        done: asyncio.Future[JSONResponse | None] = loop.create_future()
        if self._thread is None:  # started on the event loop's thread, once
            self._thread = threading.Thread(target=self._run, name="heartbeats", daemon=True)
            self._thread.start()
        self._jobs.put(_Beat(loop, done, path, headers, body, station_id, beat))
        return await done

    def close(self) -> None:
        if self._thread is not None:
            self._jobs.put(None)
            self._thread.join(timeout=10)

    def _run(self) -> None:
        while (first := self._jobs.get()) is not None:
            batch = [first]
            while len(batch) < BATCH_MAX:
                try:
                    job = self._jobs.get_nowait()
                except queue.Empty:
                    break
                if job is None:
                    self._jobs.put(None)  # stop after this batch
                    break
                batch.append(job)
            self.batches, self.beats = self.batches + 1, self.beats + len(batch)
            try:
                outcomes = self._write(batch)
            except Exception as exc:  # the batch's transaction: none of it was kept
                log.warning("heartbeat batch of %d failed: %s", len(batch), type(exc).__name__)
                outcomes = [exc] * len(batch)
            by_loop: dict[asyncio.AbstractEventLoop, list[tuple[Any, object]]] = {}
            for job, outcome in zip(batch, outcomes, strict=True):
                by_loop.setdefault(job.loop, []).append((job.done, outcome))
            for loop, settled in by_loop.items():
                # RuntimeError: that loop has closed, and nobody waits for these any more.
                with contextlib.suppress(RuntimeError):
                    loop.call_soon_threadsafe(_settle, settled)

    def _write(self, batch: list[_Beat]) -> list[object]:
        app = self._app
        store: FleetStore = app.state.fleet_store
        found: list[object] = []
        with store.beat_transaction() as conn:
            for job in batch:
                try:
                    check(app, "POST", job.path, job.headers, job.body, job.station_id, conn)
                except DeviceAuthError as exc:
                    found.append(exc)
                    continue
                store.record(job.station_id, job.beat, conn)
                waiting = app.state.remote_commands.any_open(job.station_id, conn)
                software = app.state.software_pins.heartbeat_field(job.station_id, conn)
                found.append((waiting, software))
        outcomes: list[object] = []
        for job, outcome in zip(batch, found, strict=True):
            if isinstance(outcome, tuple):
                try:
                    outcome = _answer_of(app, job.station_id, *outcome)
                except Exception as exc:  # delivering its commands failed: this beat's error
                    outcome = exc
            outcomes.append(outcome)
        return outcomes


def _answer_of(
    app: Any, station_id: str, waiting: bool, software: dict[str, Any] | None
) -> JSONResponse | None:
    """What rides on a beat's answer: remote commands waiting for the station
    (hall.remote_commands) and the version the console pinned it to (hall.software), each a
    field of its own. None: nothing to say, an empty 204."""
    # Nearly every beat finds no command; delivering one writes in a transaction of its own.
    commands = app.state.remote_commands.for_delivery(station_id) if waiting else []
    if not commands and not software:
        return None
    return JSONResponse(
        {
            **({"commands": commands} if commands else {}),
            **({"software": software} if software else {}),
        }
    )


def _settle(settled: list[tuple[asyncio.Future[Any], object]]) -> None:
    for done, outcome in settled:
        if done.cancelled():  # the station hung up; its beat is written all the same
            continue
        if isinstance(outcome, BaseException):
            done.set_exception(outcome)
        else:
            done.set_result(outcome)


async def _answer(request: Request, body: bytes, station_id: str, beat: HeartbeatIn) -> Response:
    # The busiest route at city scale: only the station's enrolled device (hall.device_auth;
    # there is no token path), checked by the writer with the beat's writes.
    writer: HeartbeatWriter = request.app.state.heartbeat_writer
    try:
        answer = await writer.write(
            request_path(request.scope), request.headers, body, station_id, beat
        )
    except DeviceAuthError as exc:
        raise exc.http() from None
    return Response(status_code=status.HTTP_204_NO_CONTENT) if answer is None else answer


PREFIX: Final = "/api/v1/stations"
HEARTBEAT_PATH: Final = "/{station_id}/heartbeat"


class _RegularHeartbeat(Route):
    """The heartbeat route for a well-formed beat, without FastAPI's request machinery: its
    dependency solving, JSON decoding and body validation cost about a tenth of a beat's hall
    CPU (at 20,000 stations, 333 beats a second on one core). A beat that is anything but regular
    (another content type, no or a malformed device credential, a bad station id, a body the
    model refuses) goes back to the app's router, where this route then does not match and the
    FastAPI route answers it as before, in the same words and with the same status; that route
    also stays the one in the OpenAPI schema.

    A regular beat gets the same checks as there: the device scheme's headers present and
    well-formed, the station id, ``HeartbeatIn`` strict from the bytes (pydantic's JSON mode
    accepts what its Python mode accepts of ``json.loads``' result for these field types),
    then the device check and the writes by the :class:`HeartbeatWriter`."""

    def __init__(self, path: str, router: Any) -> None:
        super().__init__(path, self._serve, methods=["POST"], include_in_schema=False)
        self.app = self._serve  # an ASGI callable, not a request-response endpoint
        self._router = router

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        if scope.get(_TO_FULL_ROUTE):
            return Match.NONE, {}
        return super().matches(scope)

    async def _serve(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive)
        body = await request.body()
        station_id = str(scope["path_params"]["station_id"])
        beat = _regular(request, body, station_id)
        if beat is None:
            await self._router({**scope, _TO_FULL_ROUTE: True}, _replay(body, receive), send)
            return
        response = await _answer(request, body, station_id, beat)
        await response(scope, receive, send)


_TO_FULL_ROUTE: Final = "qihang.heartbeat_to_full_route"


def _regular(request: Request, body: bytes, station_id: str) -> HeartbeatIn | None:
    if not body or request.headers.get("content-type") != "application/json":
        return None
    if not is_valid_station_id(station_id):
        return None
    try:
        if DeviceAuthHeaders.from_headers(request.headers) is None:
            return None
        return HeartbeatIn.model_validate_json(body)
    except (ValueError, ValidationError):  # a malformed credential; a body the model refuses
        return None


def _replay(body: bytes, receive: Receive) -> Receive:
    """``receive`` with the body already read handed out again, for the route behind."""
    pending = [body]

    async def replay() -> Message:
        if pending:
            return {"type": "http.request", "body": pending.pop(), "more_body": False}
        return await receive()

    return replay


def serve_regular_heartbeats(app: FastAPI) -> None:
    """Put :class:`_RegularHeartbeat` first among the app's routes, in front of ``router()``'s."""
    app.router.routes.insert(0, _RegularHeartbeat(f"{PREFIX}{HEARTBEAT_PATH}", app.router))


def router() -> APIRouter:
    api = APIRouter(prefix=PREFIX, tags=["fleet"])

    def store(request: Request) -> FleetStore:
        found: FleetStore = request.app.state.fleet_store
        return found

    @api.post(
        HEARTBEAT_PATH,
        status_code=status.HTTP_204_NO_CONTENT,
        responses={200: {"description": "signed remote commands: {'commands': [...]}"}},
    )
    async def heartbeat(
        station_id: str, beat: HeartbeatIn, request: Request, _: DeviceHeadersDep
    ) -> Response:
        if not is_valid_station_id(station_id):
            raise HTTPException(422, detail="bad station id: A-Z, 0-9 and '-', at most 32")
        return await _answer(request, await request.body(), station_id, beat)

    @api.get("")
    def stations(
        request: Request,
        who: Annotated[Staff, Depends(require_staff)],
        limit: Annotated[int, Query(ge=1, le=PAGE_MAX)] = PAGE_DEFAULT,
        after: Annotated[str | None, Query(max_length=32)] = None,
        show: Annotated[str, Query(pattern=r"^(all|offline|alarms)$")] = "all",
    ) -> dict[str, Any]:
        return store(request).page(limit=limit, after=after, show=show)

    return api
