"""Reading one assist frame off a hall WebSocket, for the broker's routes and the cluster's
holders alike: the next valid frame, or None once the socket is closed (a bad frame closes it
with the protocol close code)."""

from __future__ import annotations

import contextlib
import logging

from fastapi import WebSocket
from starlette.websockets import WebSocketDisconnect

from remote_assist import protocol as p

log = logging.getLogger(__name__)

CLOSE_PROTOCOL = 4400


async def receive_frame(ws: WebSocket) -> p.Envelope | None:
    """The next valid frame, or None once the socket is closed (a bad frame closes it)."""
    try:
        text = await ws.receive_text()
    except (WebSocketDisconnect, RuntimeError):
        return None
    try:
        return p.parse_envelope(text)
    except p.ProtocolError as exc:
        log.warning("assist: bad frame refused: %s", exc)
        with contextlib.suppress(RuntimeError, OSError, WebSocketDisconnect):
            await ws.close(CLOSE_PROTOCOL)
        return None
