"""Kiosk-side WebRTC for remote help: the helper's browser offers, the kiosk answers (aiortc).

Signalling rides on the assist WebSocket (``rtc_offer``/``rtc_answer``/``ice_candidate``). The
browser waits for its ICE gathering before offering, and aiortc gathers before answering, so on a
LAN the candidates travel inside the SDP; trickled candidates are still accepted. STUN/TURN
servers come from the kiosk's configuration (none on a LAN).

The kiosk sends a video track — frames from a ``frame_source`` callable (the document camera's
latest frame, as RGB ``numpy`` arrays) or, without one, a synthetic test pattern — and consumes
the helper's video. aiortc is optional: without it :func:`media_available` is False and the
kiosk declines video, the call itself unaffected.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Sequence
from typing import Any

log = logging.getLogger(__name__)

FrameSource = Callable[[], Any]  # () -> numpy RGB array (H, W, 3) or None


def media_available() -> bool:
    try:
        import aiortc  # noqa: F401
    except ImportError:
        return False
    return True


def _video_track(frame_source: FrameSource | None) -> Any:
    import numpy as np
    from aiortc.mediastreams import VideoStreamTrack
    from av import VideoFrame

    class KioskVideoTrack(VideoStreamTrack):
        """The kiosk's picture: the camera's latest frame, else a moving test pattern."""

        def __init__(self) -> None:
            super().__init__()
            self._n = 0

        async def recv(self) -> Any:
            pts, time_base = await self.next_timestamp()
            image = frame_source() if frame_source is not None else None
            if image is None:
                self._n = (self._n + 4) % 256
                ramp = np.arange(320, dtype=np.uint16)
                row = ((ramp + self._n) % 256).astype(np.uint8)
                image = np.repeat(
                    np.stack([row, row[::-1], np.full_like(row, 128)], -1)[None], 240, axis=0
                )
            frame = VideoFrame.from_ndarray(np.ascontiguousarray(image), format="rgb24")
            frame.pts, frame.time_base = pts, time_base
            return frame

    return KioskVideoTrack()


class MediaPeer:
    """One WebRTC connection with the helper's browser; lives on the assist client's loop."""

    def __init__(
        self,
        send_answer: Callable[[str], None],
        on_state: Callable[[str], None],
        *,
        ice_servers: Sequence[str] = (),
        frame_source: FrameSource | None = None,
    ) -> None:
        self._send_answer, self._on_state = send_answer, on_state
        self._ice_servers, self._frame_source = list(ice_servers), frame_source
        self._pc: Any = None
        self._sinks: list[Any] = []
        self._tasks: set[asyncio.Future[Any]] = set()  # strong references

    async def offer(self, sdp: str) -> None:
        """Answer the helper's offer (a new offer replaces the previous connection)."""
        from aiortc import RTCConfiguration, RTCIceServer, RTCPeerConnection, RTCSessionDescription
        from aiortc.contrib.media import MediaBlackhole

        await self.close()
        config = RTCConfiguration(iceServers=[RTCIceServer(urls=u) for u in self._ice_servers])
        pc = RTCPeerConnection(configuration=config)
        self._pc = pc

        @pc.on("connectionstatechange")
        async def state_changed() -> None:
            log.info("assist media: %s", pc.connectionState)
            self._on_state(str(pc.connectionState))

        @pc.on("track")
        def track(incoming: Any) -> None:
            # Consumed, not shown yet: the kiosk screen has no video pane (the chat carries it).
            sink = MediaBlackhole()
            sink.addTrack(incoming)
            self._sinks.append(sink)
            self._tasks.add(asyncio.ensure_future(sink.start()))

        await pc.setRemoteDescription(RTCSessionDescription(sdp=sdp, type="offer"))
        pc.addTrack(_video_track(self._frame_source))
        await pc.setLocalDescription(await pc.createAnswer())
        self._send_answer(pc.localDescription.sdp)

    async def candidate(self, candidate: str, sdp_mid: str, sdp_mline_index: int) -> None:
        from aiortc.sdp import candidate_from_sdp

        if self._pc is None or not candidate:
            return
        parsed = candidate_from_sdp(candidate.removeprefix("candidate:"))
        parsed.sdpMid, parsed.sdpMLineIndex = sdp_mid, sdp_mline_index
        await self._pc.addIceCandidate(parsed)

    async def close(self) -> None:
        for sink in self._sinks:
            with contextlib.suppress(Exception):
                await sink.stop()
        self._sinks.clear()
        if self._pc is not None:
            pc, self._pc = self._pc, None
            await pc.close()
