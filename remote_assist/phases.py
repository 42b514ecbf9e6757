"""The phases of a help call as the kiosk shows them (kept apart from the client so the UI can
name them without importing asyncio, websockets and requests on the kiosk's start path)."""

from __future__ import annotations

from enum import StrEnum


class Phase(StrEnum):
    """Where a help call stands; the values are what QML compares ``assist.phase`` with."""

    IDLE = "idle"
    CONNECTING = "connecting"
    WAITING = "waiting"
    LIVE = "live"
    RECONNECTING = "reconnecting"
    UNREACHABLE = "unreachable"
    ENDED = "ended"


# The members under their own names, for ``from remote_assist.phases import LIVE``.
IDLE, CONNECTING, WAITING, LIVE = Phase.IDLE, Phase.CONNECTING, Phase.WAITING, Phase.LIVE
RECONNECTING, UNREACHABLE, ENDED = Phase.RECONNECTING, Phase.UNREACHABLE, Phase.ENDED
# A call under way: the walk-in is connecting, queued, talking, or briefly cut off.
ACTIVE_PHASES = frozenset({CONNECTING, WAITING, LIVE, RECONNECTING})
