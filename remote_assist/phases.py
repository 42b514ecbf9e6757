"""The phases of a help call as the kiosk shows them (kept apart from the client so the UI can
name them without importing asyncio, websockets and requests on the kiosk's start path)."""

from __future__ import annotations

IDLE, CONNECTING, WAITING, LIVE, RECONNECTING, UNREACHABLE, ENDED = (
    "idle",
    "connecting",
    "waiting",
    "live",
    "reconnecting",
    "unreachable",
    "ended",
)
