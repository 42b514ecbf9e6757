"""The assist broker's endpoints: the helper queue and accept, capture viewing, and the two
WebSockets (kiosk: an enrolled device's signed handshake, :mod:`hall.device_auth`, nonce
included, so a captured handshake cannot be replayed; helper: staff session cookie, same
origin). The broker itself — sessions, relay, resume, persistence — is :mod:`hall.assist`.

Help calls are capped. **Per station: one** waiting or live call. A kiosk runs one call at a
time and after a network blip it *resumes* its call by id; a new ``help_requested`` from a station
that still has a call means the kiosk lost it (a restart, a crash), so the new request
**replaces** the old call (ended with reason ``replaced``) rather than being refused — refusing
would leave the walk-in without help until the old call timed out. **In total:**
``max_help_calls`` (``create_app``, default :data:`MAX_OPEN_CALLS`) calls waiting or live; a
station that has none is then refused at the handshake (503 ``too many help calls``) or, if the
last place went while it connected, with an ``end`` frame of reason ``hall_busy``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

from fastapi import APIRouter, Request, Response, WebSocket
from fastapi.concurrency import run_in_threadpool
from starlette.websockets import WebSocketDisconnect, WebSocketState

from hall import device_auth
from hall.assist import (
    CLOSE_FORBIDDEN,
    CLOSE_PROTOCOL,
    CLOSE_UNAUTHORIZED,
    CLOSE_UNKNOWN_SESSION,
    SUBJECT,
    AssistBroker,
    Link,
)
from hall.assist_frames import receive_frame
from hall.assist_store import CallState, Side
from hall.auth import COOKIE_NAME, StaffDep
from remote_assist import protocol as p

log = logging.getLogger(__name__)

MAX_OPEN_CALLS = 200  # waiting or live help calls across all stations (create_app's default)
BUSY = "too many help calls are open at the hall; try again later"


def _broker(app: Any) -> AssistBroker:
    broker: AssistBroker = app.state.assist
    return broker


_receive = receive_frame


async def _detach(link: Link, ws: WebSocket) -> None:
    if link.ws is ws:
        link.ws = None
    if ws.application_state == WebSocketState.CONNECTED:
        with contextlib.suppress(RuntimeError, OSError, WebSocketDisconnect):
            await ws.close()


def _open_calls(broker: AssistBroker, station_id: str | None = None) -> list[Any]:
    """Calls this instance runs, waiting or live, all of them or one station's."""
    return [
        s
        for s in list(broker.sessions.values())
        if not s.ended and (station_id is None or s.station_id == station_id)
    ]


async def _open_ids(broker: AssistBroker, station_id: str | None = None) -> list[str]:
    """Ids of the calls waiting or live on every instance (on PostgreSQL), or on this one."""
    if broker.cluster is None:
        return [s.id for s in _open_calls(broker, station_id)]
    rows = await broker.cluster.open_calls()
    return [r["id"] for r in rows if station_id is None or r["station_id"] == station_id]


async def _full(app: Any, broker: AssistBroker, station_id: str) -> bool:
    """Would a new call from ``station_id`` exceed the hall's cap? (Its own call is replaced.)"""
    limit: int = app.state.max_help_calls
    if await _open_ids(broker, station_id):
        return False
    return len(await _open_ids(broker)) >= limit


def router() -> APIRouter:
    api = APIRouter(prefix="/api/v1/assist", tags=["assist"])
    # Replacing a station's call and opening its new one happen as one step (two handshakes of
    # one station racing must not both open a call).
    opening = asyncio.Lock()

    @api.get("/queue")
    async def queue(request: Request, who: StaffDep) -> list[dict[str, Any]]:
        return await _broker(request.app).queue()

    @api.post("/sessions/{session_id}/accept")
    async def accept(session_id: str, request: Request, who: StaffDep) -> dict[str, str]:
        return await _broker(request.app).accept_anywhere(session_id, who)

    @api.get("/sessions/{session_id}/captures/{material_id}")
    def capture(session_id: str, material_id: str, request: Request, who: StaffDep) -> Response:
        broker = _broker(request.app)
        data, media_type = broker.capture(session_id, material_id, who)
        broker._staff.audit(
            who.name, "assist.capture_viewed", SUBJECT, session_id, f"material={material_id}"
        )
        # Shown inline only as the image the bytes are (hall.assist checked them), sandboxed and
        # (hall.app's SecurityHeaders) never sniffed: a blob cannot act as a page of the hall.
        headers = {
            "cache-control": "no-store",
            "content-security-policy": "sandbox; default-src 'none'",
            "content-disposition": f'inline; filename="capture.{media_type.split("/")[1]}"',
        }
        return Response(data, media_type=media_type, headers=headers)

    @api.websocket("/kiosk")
    async def kiosk_socket(ws: WebSocket) -> None:
        broker = _broker(ws.app)
        station_id = ws.query_params.get("station_id", "")
        try:  # an enrolled device's signed handshake, for its own station (hall.device_auth)
            await device_auth.check_connection(ws, b"", station_id)
        except device_auth.DeviceAuthError as exc:
            log.warning("assist: kiosk socket for %r refused (%s)", station_id[:32], exc.detail)
            await device_auth.deny_websocket(ws, exc)
            return
        if await _full(ws.app, broker, station_id):
            log.warning("assist: kiosk socket for %s refused (hall at its call cap)", station_id)
            await device_auth.deny_websocket(ws, device_auth.DeviceAuthError(503, BUSY))
            return
        await ws.accept()
        first = await _receive(ws)
        if first is None:
            return
        match first.message:
            case p.HelpRequested(station_id=sid, service_id=service_id) if sid == station_id:
                async with opening:
                    if await _full(ws.app, broker, station_id):
                        log.warning("assist: help from %s refused (call cap)", station_id)
                        await Link(ws=ws).send_control(p.End(reason="hall_busy"))
                        await _detach(Link(ws=ws), ws)
                        return
                    for old_call in _open_calls(broker, station_id):
                        log.info("assist %s: replaced by a new request", old_call.id)
                        old_ws = old_call.kiosk.ws
                        await broker.end(old_call, "replaced")
                        if old_ws is not None:
                            await _detach(old_call.kiosk, old_ws)
                    if broker.cluster is not None:  # its old call may run on another instance
                        for old_id in await _open_ids(broker, station_id):
                            await broker.cluster.end_elsewhere(old_id, "replaced")
                    session = await broker.open(station_id, service_id)
                    session.kiosk.ws = ws
                await session.kiosk.send_control(p.SessionOpened(session_id=session.id))
                session.kiosk.in_last = first.seq
                await broker._announce_positions()
            case p.Resume(session_id=sid, last_seq=last):
                found = broker.sessions.get(sid)
                if found is None and broker.cluster is not None:
                    claimed = await broker.cluster.claim(sid)
                    if isinstance(claimed, dict):  # run by another instance: held here
                        if claimed["station_id"] != station_id:
                            await ws.close(CLOSE_UNKNOWN_SESSION)
                            return
                        await broker.cluster.hold(ws, sid, Side.KIOSK, last, None)
                        return
                    found = claimed
                if found is None or found.station_id != station_id:
                    await ws.close(CLOSE_UNKNOWN_SESSION)
                    return
                session = found
                old = await broker.attach_local(session.kiosk, ws)
                if old is not None and old is not ws:
                    await _detach(Link(ws=old), old)
                if session.kiosk.gone_timer is not None:
                    session.kiosk.gone_timer.cancel()
                log.info("assist %s: kiosk resumed after seq %d", session.id, last)
                await session.kiosk.send_control(
                    p.Resumed(session_id=session.id, last_seq=session.kiosk.in_last)
                )
                await session.kiosk.replay_after(last)
            case _:
                await ws.close(CLOSE_PROTOCOL)
                return
        try:
            while (envelope := await _receive(ws)) is not None:
                if envelope.message.TYPE not in p.FROM_KIOSK or isinstance(
                    envelope.message, p.HelpRequested | p.Resume
                ):
                    log.warning(
                        "assist %s: %s from a kiosk refused", session.id, envelope.message.TYPE
                    )
                    continue
                if session.ended:
                    break
                await broker.from_kiosk(session, envelope.seq, envelope.message)
        finally:
            await _detach(session.kiosk, ws)
            if not session.ended and not session.kiosk.attached:
                broker.arm_gone(session, Side.KIOSK)

    @api.websocket("/helper")
    async def helper_socket(ws: WebSocket) -> None:
        broker = _broker(ws.app)
        token = ws.cookies.get(COOKIE_NAME)
        who = await run_in_threadpool(broker._staff.session_staff, token) if token else None
        origin, host = ws.headers.get("origin"), ws.headers.get("host", "")
        if who is None:
            await ws.close(CLOSE_UNAUTHORIZED)
            return
        if origin is not None and origin.split("://", 1)[-1].lower() != host.lower():
            # A page elsewhere must not ride on the helper's cookie (cross-site WebSocket).
            await ws.close(CLOSE_FORBIDDEN)
            return
        await ws.accept()
        first = await _receive(ws)
        if first is None:
            return
        if not isinstance(first.message, p.Resume):
            await ws.close(CLOSE_PROTOCOL)
            return
        sid = first.message.session_id
        session = broker.sessions.get(sid)
        if session is None and broker.cluster is not None:
            claimed = await broker.cluster.claim(sid)
            if isinstance(claimed, dict):  # run by another instance: held here
                if claimed["state"] == CallState.ACTIVE and claimed["helper"] == who.name:
                    await broker.cluster.hold(ws, sid, Side.HELPER, first.message.last_seq, who)
                    return
                claimed = None
            session = claimed
        if session is None or session.state != CallState.ACTIVE or session.helper != who.name:
            await broker._audit(who.name, "assist.join", first.message.session_id[:40], "refused")
            await ws.close(CLOSE_UNKNOWN_SESSION)
            return
        link = session.helper_link
        old = await broker.attach_local(link, ws)
        if old is not None and old is not ws:
            await _detach(Link(ws=old), old)
        if link.gone_timer is not None:
            link.gone_timer.cancel()
        await link.send_control(p.Resumed(session_id=session.id, last_seq=link.in_last))
        await link.replay_after(first.message.last_seq)
        try:
            while (envelope := await _receive(ws)) is not None:
                if envelope.message.TYPE not in p.FROM_HELPER or isinstance(
                    envelope.message, p.Resume
                ):
                    await broker._audit(
                        who.name, f"assist.{envelope.message.TYPE}", session.id, "refused"
                    )
                    continue
                if session.ended:
                    break
                await broker.from_helper(session, who, envelope.seq, envelope.message)
        finally:
            await _detach(link, ws)
            if not session.ended and not link.attached:
                broker.arm_gone(session, Side.HELPER)

    return api
