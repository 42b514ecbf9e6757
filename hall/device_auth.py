"""Who is calling: the one check every kiosk-facing endpoint makes of a station.

An **enrolled device** (:mod:`hall.enrolment`) sends ``Authorization: QihangDevice
<device id>:<credential>`` plus ``X-Qihang-Timestamp`` and ``X-Qihang-Signature`` (Ed25519 over
:func:`contracts.device_auth.signing_input`: method, path with query, timestamp, body sha256).
The hall checks, in this order: the device exists (401), the credential's sha256 matches (401),
the device is not revoked (**403** ``device revoked``), the timestamp is within
:data:`~contracts.device_auth.MAX_SKEW_S` of the hall's clock (401, a replayed or badly clocked
request), the signature verifies with the enrolled key (401). Then :func:`admit` checks the
station the request is about is the device's own (403).

A request without a device credential is the **legacy** path, accepted only for a station that
has never had a device: heartbeats and the assist socket then keep their per-station token (trust
on first use, :mod:`hall.fleet`); intake stays as open as it was. A station whose device is
active refuses legacy requests (401); one whose devices were all revoked refuses them too (403),
so dropping the credential does not get round a revocation. A blob upload names no station, so
without a credential it is accepted as before; it is inert until a submission names it.

``caller`` is a FastAPI dependency (it reads the body, which FastAPI caches for the endpoint);
``authenticate`` serves the blob upload (which reads its own streamed body) and the WebSocket
handshake (method ``GET``, empty body). Credentials and signatures never reach the log.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Request, status
from fastapi.concurrency import run_in_threadpool
from starlette.requests import HTTPConnection

from contracts.device_auth import MAX_SKEW_S, DeviceAuthHeaders, signing_input
from hall.enrolment import EnrolmentStore, credential_digest

log = logging.getLogger(__name__)

REVOKED = "device revoked: this terminal must be enrolled again"


@dataclass(frozen=True)
class Caller:
    """An authenticated device (``device_id`` set) or a legacy caller (its bearer token, maybe
    empty). ``repr`` leaves the token out."""

    device_id: str | None = None
    station_id: str | None = None
    token: str = ""

    def __repr__(self) -> str:
        return f"Caller(device_id={self.device_id!r}, station_id={self.station_id!r})"


class DeviceAuthError(Exception):
    def __init__(self, status_code: int, detail: str) -> None:
        super().__init__(detail)
        self.status_code, self.detail = status_code, detail

    def http(self) -> HTTPException:
        return HTTPException(self.status_code, detail=self.detail)


def _enrolment(app: Any) -> EnrolmentStore:
    found: EnrolmentStore = app.state.enrolment
    return found


def request_path(scope: Mapping[str, Any]) -> str:
    """The path and query as the client sent them (what the signature covers)."""
    raw = scope.get("raw_path")
    path = raw.decode("latin-1") if raw else str(scope.get("path", ""))
    query = scope.get("query_string", b"")
    return f"{path}?{query.decode('latin-1')}" if query else path


def authenticate(
    app: Any, method: str, path: str, headers: Mapping[str, str], body: bytes
) -> Caller:
    """Check the request's credentials (see the module docstring); blocking (database)."""
    scheme, _, value = headers.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer":
        return Caller(token=value.strip())
    try:
        signed = DeviceAuthHeaders.from_headers(headers)
    except ValueError:
        log.warning("device credential refused (malformed)")
        raise DeviceAuthError(status.HTTP_401_UNAUTHORIZED, "unknown device credential") from None
    if signed is None:
        return Caller()
    store = _enrolment(app)
    device = store.device(signed.device_id)
    if device is None or not hmac.compare_digest(
        device.credential_sha256, credential_digest(signed.credential)
    ):
        log.warning("device credential refused (unknown device or wrong credential)")
        raise DeviceAuthError(status.HTTP_401_UNAUTHORIZED, "unknown device credential")
    if device.revoked:
        log.warning("revoked device %s refused", device.device_id)
        raise DeviceAuthError(status.HTTP_403_FORBIDDEN, REVOKED)
    timestamp = signed.timestamp
    if timestamp is None:
        raise DeviceAuthError(status.HTTP_401_UNAUTHORIZED, "missing request timestamp")
    now = store.clock.now().timestamp()
    if abs(now - timestamp) > MAX_SKEW_S:
        log.warning("device %s: stale or future timestamp refused", device.device_id)
        raise DeviceAuthError(
            status.HTTP_401_UNAUTHORIZED, "request timestamp outside the allowed window"
        )
    if not _signature_ok(
        device.public_key,
        signed.signature,
        signing_input(method, path, timestamp, body),
    ):
        log.warning("device %s: bad request signature refused", device.device_id)
        raise DeviceAuthError(status.HTTP_401_UNAUTHORIZED, "bad request signature")
    return Caller(device_id=device.device_id, station_id=device.station_id)


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
    if caller.device_id is not None:
        if station_id is not None and station_id != caller.station_id:
            log.warning("device %s refused for another station", caller.device_id)
            raise DeviceAuthError(
                status.HTTP_403_FORBIDDEN, "this device is enrolled for another station"
            )
        return
    if station_id is None:
        return
    state = _enrolment(app).station_state(station_id)
    if state == "active":
        raise DeviceAuthError(
            status.HTTP_401_UNAUTHORIZED, "this station is enrolled: use its device credential"
        )
    if state == "revoked":
        raise DeviceAuthError(status.HTTP_403_FORBIDDEN, REVOKED)


def check(
    app: Any,
    method: str,
    path: str,
    headers: Mapping[str, str],
    body: bytes,
    station_id: str | None,
) -> Caller:
    """:func:`authenticate` and :func:`admit` in one (blocking)."""
    caller = authenticate(app, method, path, headers, body)
    admit(app, caller, station_id)
    return caller


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


def admit_http(request: Request, who: Caller, station_id: str | None) -> None:
    """:func:`admit` for a route: refusals become HTTP errors."""
    try:
        admit(request.app, who, station_id)
    except DeviceAuthError as exc:
        raise exc.http() from None


CallerDep = Annotated[Caller, Depends(caller)]


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
