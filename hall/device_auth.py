"""Who is calling: the one check every kiosk-facing endpoint makes of a station.

Every station enrols (:mod:`hall.enrolment`); there is no unauthenticated or token path. A
device sends ``Authorization: QihangDevice <device id>:<credential>`` plus
``X-Qihang-Timestamp``, ``X-Qihang-Nonce`` and ``X-Qihang-Signature`` (Ed25519 over
:func:`contracts.device_auth.signing_input`: method, path with query, timestamp, nonce, body
sha256). The hall checks, in this order: the request carries device headers at all (401
``device credential required``), the device exists (401), the credential's sha256 matches (401),
the device is not revoked (**403** ``device revoked``), the timestamp is at most
:data:`~contracts.device_auth.MAX_PAST_S` behind and :data:`~contracts.device_auth.MAX_FUTURE_S`
ahead of the hall's clock (401), the nonce is well formed (401), the signature verifies with the
enrolled key (401), and the nonce was not used by this device before (401 ``replayed request``).
Then :func:`admit` checks the station the request is about is the device's own (403).

**Nonces** live in the hall's database (:class:`NonceStore`, table ``request_nonces``), not in
memory: a replay is refused across a hall restart and, with PostgreSQL, across hall instances.
A nonce is kept until its request's timestamp leaves the window (after that the timestamp check
refuses the replay anyway), so the table holds at most one window of each device's requests;
expired rows are deleted as new ones arrive. Nonces are recorded only after the signature
verified, so nobody without the device key can fill the table or burn a device's nonces.

Every refusal is logged with the device and station ids it concerns and the reason, never the
credential, the signature or the body.

``caller`` is a FastAPI dependency (it reads the body, which FastAPI caches for the endpoint);
``authenticate`` serves the WebSocket handshake (method ``GET``, empty body), and
``authenticate_digest`` a route that streams its body and hashes it on the way (the caller
passes the body's sha256).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import logging
import re
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated, Any, Final, NoReturn

from fastapi import Depends, HTTPException, Request, status
from fastapi.concurrency import run_in_threadpool
from sqlalchemy import BigInteger, Column, Connection, Engine, String, Table, delete, insert
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from starlette.requests import HTTPConnection

from contracts.clock import Clock
from contracts.device_auth import (
    MAX_FUTURE_S,
    MAX_PAST_S,
    NONCE_PATTERN,
    DeviceAuthHeaders,
    signing_input_for_digest,
)
from hall.enrolment import EnrolmentStore, credential_digest
from hall.store import metadata

log = logging.getLogger(__name__)

REVOKED = "device revoked: this terminal must be enrolled again"
CREDENTIAL_REQUIRED = "device credential required: enrol this station (python main.py provision)"
_NONCE = re.compile(NONCE_PATTERN)

request_nonces = Table(
    "request_nonces",
    metadata,
    Column("device_id", String(40), primary_key=True),
    Column("nonce", String(64), primary_key=True),
    Column("expires_at", BigInteger, nullable=False, index=True),  # Unix seconds, hall clock
)


class NonceStore:
    """Nonces of signed requests seen within the window, in the hall's database; thread-safe."""

    PURGE_EVERY = 256  # inserts between deletions of expired rows

    def __init__(self, engine: Engine, clock: Clock) -> None:
        self.engine, self.clock = engine, clock
        metadata.create_all(engine, tables=[request_nonces])
        self._inserts = 0
        self._lock = threading.Lock()
        self.purge()

    def remember(
        self, device_id: str, nonce: str, timestamp: int, conn: Connection | None = None
    ) -> bool:
        """Record ``nonce`` for ``device_id``; False when it was already recorded (a replay).
        ``conn``: in that open transaction (the caller commits it, with its own writes)."""
        with self._lock:
            self._inserts += 1
            due = self._inserts % self.PURGE_EVERY == 0
        if due:
            # In a SQLite caller's transaction: the caller holds the process's writer lock, and a
            # purge committed on a connection of its own (with its fsync) held every other beat
            # behind it for 20-80 ms. PostgreSQL has no such lock; a purge in the caller's
            # transaction would only make concurrent ones wait on each other's rows.
            self.purge(conn if conn is not None and conn.dialect.name == "sqlite" else None)
        row = {"device_id": device_id, "nonce": nonce, "expires_at": timestamp + MAX_PAST_S + 1}
        if conn is not None:
            # No IntegrityError inside the caller's transaction (PostgreSQL would abort it): a
            # seen nonce inserts nothing and returns no row.
            insert_new = _INSERT_NEW_NONCE[conn.dialect.name == "postgresql"]
            return conn.execute(insert_new, row).first() is not None
        try:
            with self.engine.begin() as own:
                own.execute(_INSERT_NONCE, row)
        except IntegrityError:
            return False
        return True

    def purge(self, conn: Connection | None = None) -> int:
        """Delete nonces whose requests are out of the window anyway; the number deleted.
        ``conn``: in that open transaction (the caller commits it)."""
        now = int(self.clock.now().timestamp())
        expired = delete(request_nonces).where(request_nonces.c.expires_at < now)
        if conn is not None:
            return int(conn.execute(expired).rowcount or 0)
        with self.engine.begin() as own:
            return int(own.execute(expired).rowcount or 0)


@dataclass(frozen=True)
class Caller:
    """An authenticated, enrolled device and the station it was enrolled for."""

    device_id: str
    station_id: str


class DeviceAuthError(Exception):
    def __init__(self, status_code: int, detail: str) -> None:
        super().__init__(detail)
        self.status_code, self.detail = status_code, detail

    def http(self) -> HTTPException:
        return HTTPException(self.status_code, detail=self.detail)


def _enrolment(app: Any) -> EnrolmentStore:
    found: EnrolmentStore = app.state.enrolment
    return found


# Built once: every signed request inserts one (a statement built per call costs more than the
# insert itself).
_INSERT_NONCE: Final = insert(request_nonces)
# The same inside a caller's transaction, by dialect (False: SQLite, True: PostgreSQL).
_INSERT_NEW_NONCE: Final = {
    is_pg: dialect.insert(request_nonces).on_conflict_do_nothing().returning(request_nonces.c.nonce)
    for is_pg, dialect in ((False, sqlite), (True, postgresql))
}


def _nonces(app: Any) -> NonceStore:
    found: NonceStore = app.state.nonces
    return found


def request_path(scope: Mapping[str, Any]) -> str:
    """The path and query as the client sent them (what the signature covers)."""
    raw = scope.get("raw_path")
    path = raw.decode("latin-1") if raw else str(scope.get("path", ""))
    query = scope.get("query_string", b"")
    return f"{path}?{query.decode('latin-1')}" if query else path


def _refuse(code: int, detail: str, why: str, device: str = "-", station: str = "-") -> NoReturn:
    log.warning("device request refused: %s (device %s, station %s)", why, device, station)
    raise DeviceAuthError(code, detail)


def authenticate(
    app: Any, method: str, path: str, headers: Mapping[str, str], body: bytes
) -> Caller:
    """Check the request's credentials (see the module docstring); blocking (database)."""
    return authenticate_digest(app, method, path, headers, hashlib.sha256(body).hexdigest())


def authenticate_digest(
    app: Any,
    method: str,
    path: str,
    headers: Mapping[str, str],
    body_sha256: str,
    conn: Connection | None = None,
    station_id: str | None = None,
) -> Caller:
    """:func:`authenticate` for a body the caller hashed itself (lower-case hex sha256);
    ``conn``: read the device and record the nonce in that open transaction (the caller's);
    ``station_id``: :func:`admit` the device for it before its nonce is recorded (a refused
    request writes nothing, even inside a transaction the caller commits)."""
    unauthorized = status.HTTP_401_UNAUTHORIZED
    try:
        signed = DeviceAuthHeaders.from_headers(headers)
    except ValueError:
        _refuse(unauthorized, "unknown device credential", f"malformed credential on {path[:80]}")
    if signed is None:
        _refuse(unauthorized, CREDENTIAL_REQUIRED, f"no device credential on {path[:80]}")
    store = _enrolment(app)
    device = store.device(signed.device_id, conn)
    if device is None or not hmac.compare_digest(
        device.credential_sha256, credential_digest(signed.credential)
    ):
        _refuse(unauthorized, "unknown device credential", "unknown device or wrong credential")
    dev, station = device.device_id, device.station_id
    if device.revoked:
        _refuse(status.HTTP_403_FORBIDDEN, REVOKED, "revoked device", dev, station)
    timestamp = signed.timestamp
    if timestamp is None:
        _refuse(unauthorized, "missing request timestamp", "no timestamp", dev, station)
    now = store.clock.now().timestamp()
    if not now - MAX_PAST_S <= timestamp <= now + MAX_FUTURE_S:
        _refuse(
            unauthorized,
            "request timestamp outside the allowed window",
            f"timestamp {timestamp - now:+.0f} s from the hall's clock",
            dev,
            station,
        )
    if _NONCE.fullmatch(signed.nonce) is None:
        _refuse(unauthorized, "missing or malformed request nonce", "bad nonce", dev, station)
    data = signing_input_for_digest(method, path, timestamp, signed.nonce, body_sha256)
    if not _signature_ok(device.public_key, signed.signature, data):
        _refuse(unauthorized, "bad request signature", "bad signature", dev, station)
    caller = Caller(device_id=dev, station_id=station)
    admit(app, caller, station_id)
    if not _nonces(app).remember(dev, signed.nonce, timestamp, conn):
        _refuse(unauthorized, "replayed request (nonce already used)", "replay", dev, station)
    return caller


def _signature_ok(public_key_b64: str, signature_b64: str, data: bytes) -> bool:
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    try:
        key = Ed25519PublicKey.from_public_bytes(base64.b64decode(public_key_b64))
        key.verify(base64.b64decode(signature_b64, validate=True), data)
    except (ValueError, binascii.Error, InvalidSignature):
        return False
    return True


def admit(app: Any, caller: Caller, station_id: str | None) -> None:
    """May ``caller`` act for ``station_id``? Raises :class:`DeviceAuthError` if not.

    ``station_id`` None: the request names no station (a blob upload).
    """
    if station_id is not None and station_id != caller.station_id:
        _refuse(
            status.HTTP_403_FORBIDDEN,
            "this device is enrolled for another station",
            f"asked to act for station {station_id[:32]!r}",
            caller.device_id,
            caller.station_id,
        )


def check(
    app: Any,
    method: str,
    path: str,
    headers: Mapping[str, str],
    body: bytes,
    station_id: str | None,
    conn: Connection | None = None,
) -> Caller:
    """:func:`authenticate` and :func:`admit` in one (blocking); ``conn``: in that open
    transaction, which the caller commits with its own writes (or rolls back on a refusal)."""
    digest = hashlib.sha256(body).hexdigest()
    return authenticate_digest(app, method, path, headers, digest, conn, station_id)


async def caller(request: Request) -> Caller:
    """FastAPI dependency: the authenticated caller (credentials only; see :func:`admit`)."""
    body = await request.body()
    try:
        return await run_in_threadpool(
            authenticate,
            request.app,
            request.method,
            request_path(request.scope),
            request.headers,
            body,
        )
    except DeviceAuthError as exc:
        raise exc.http() from None


async def device_headers(request: Request) -> DeviceAuthHeaders:
    """FastAPI dependency for a route that runs :func:`check` itself, in the worker thread that
    does its other work: a request without the device scheme, or with a malformed one, is
    refused here in the words :func:`authenticate` uses, before its body is parsed (401, not
    422). Nothing is verified yet (the device, its key and the nonce need the database): the
    route must still call :func:`check` before it writes anything, and a request with
    well-formed but false credentials may hear of a bad body (422) before of them (401)."""
    path = request_path(request.scope)
    try:
        signed = DeviceAuthHeaders.from_headers(request.headers)
    except ValueError:
        log.warning("device request refused: malformed credential on %s", path[:80])
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "unknown device credential") from None
    if signed is None:
        log.warning("device request refused: no device credential on %s", path[:80])
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, CREDENTIAL_REQUIRED)
    return signed


def admit_http(request: Request, who: Caller, station_id: str | None) -> None:
    """:func:`admit` for a route: refusals become HTTP errors."""
    try:
        admit(request.app, who, station_id)
    except DeviceAuthError as exc:
        raise exc.http() from None


CallerDep = Annotated[Caller, Depends(caller)]
DeviceHeadersDep = Annotated[DeviceAuthHeaders, Depends(device_headers)]


async def deny_websocket(ws: Any, exc: DeviceAuthError) -> None:
    """Refuse a WebSocket handshake with the HTTP status and detail when the server can send a
    denial response (uvicorn can), else with a plain close (which the client sees as 403)."""
    from fastapi.responses import JSONResponse

    if "websocket.http.response" in ws.scope.get("extensions", {}):
        await ws.send_denial_response(
            JSONResponse({"detail": exc.detail}, status_code=exc.status_code)
        )
    else:
        await ws.close(4000 + exc.status_code)


async def check_connection(conn: HTTPConnection, body: bytes, station_id: str | None) -> Caller:
    """:func:`check` for a request or a WebSocket handshake (method GET), off the event loop."""
    method = str(conn.scope.get("method", "GET"))
    path = request_path(conn.scope)
    return await run_in_threadpool(check, conn.app, method, path, conn.headers, body, station_id)
