"""Kiosk-side WebRTC for remote help: the helper's browser offers, the kiosk answers (aiortc).

Signalling rides on the assist WebSocket (``rtc_offer``/``rtc_answer``/``ice_candidate``). The
browser waits for its ICE gathering before offering, and aiortc gathers before answering, so on a
LAN the candidates travel inside the SDP; trickled candidates are still accepted. STUN/TURN
servers come from the kiosk's configuration (none on a LAN).

The kiosk sends a video track — frames from a ``frame_source`` callable (the kiosk camera's
latest frame through :func:`camera_frame_source`, as RGB ``numpy`` arrays, read on a worker
thread so a slow camera never stalls the signalling) or, while there is no picture, a synthetic
test pattern — and shows the helper's video: each incoming frame is scaled down and handed to
``on_remote_frame`` (the assist bridge turns it into a QML picture), dropping frames the screen
has not caught up with. Sound goes both ways when the station has it (:mod:`remote_assist.audio`:
the microphone as a track, the helper's voice to the speaker). aiortc is optional: without it
:func:`media_available` is False and the kiosk declines video, the call itself unaffected.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Sequence
from typing import Any

log = logging.getLogger(__name__)

FrameSource = Callable[[], Any]  # () -> numpy RGB array (H, W, 3) or None
# (width, height, RGB888 bytes) of the helper's latest frame, on the assist client's loop
RemoteFrameSink = Callable[[int, int, bytes], None]

SEND_WIDTH = 640  # the kiosk's picture as the helper sees it; enough for a face or a page
SHOW_WIDTH = 480  # the helper's picture on the kiosk (a corner pane)
SHOW_FPS = 15.0


def camera_frame_source(camera: Any, width: int = SEND_WIDTH) -> FrameSource:
    """The camera's next still as an RGB array ``width`` wide; None while it has none (unplugged,
    frozen, busy), so the track falls back to its pattern instead of failing the call."""

    def grab() -> Any:
        import cv2
        import numpy as np

        try:
            frame = camera.capture_still()
        except Exception as exc:  # the camera's own errors are health, not a call failure
            log.debug("assist media: no camera frame (%s)", type(exc).__name__)
            return None
        image = np.frombuffer(frame.data, dtype=np.uint8).reshape(frame.height, frame.width, 3)
        if frame.width <= width:
            return image
        height = max(2, round(frame.height * width / frame.width) // 2 * 2)
        return cv2.resize(image, (width, height), interpolation=cv2.INTER_AREA)

    return grab


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
            image = None
            if frame_source is not None:
                # The camera blocks until its next frame: not on the loop that also signals.
                image = await asyncio.get_running_loop().run_in_executor(None, frame_source)
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
        on_remote_frame: RemoteFrameSink | None = None,
        microphone: str = "",
        speaker: str = "",
    ) -> None:
        self._send_answer, self._on_state = send_answer, on_state
        self._microphone_spec, self._speaker_spec = microphone, speaker
        self._microphone: Any = None
        self._speaker: Any = None
        self._ice_servers, self._frame_source = list(ice_servers), frame_source
        self._on_remote_frame = on_remote_frame
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
            if incoming.kind == "video" and self._on_remote_frame is not None:
                self._spawn(self._show(incoming, self._on_remote_frame))
                return
            if incoming.kind == "audio" and self._speaker_spec:
                from remote_assist.audio import Speaker

                if self._speaker is None:
                    self._speaker = Speaker.open(self._speaker_spec)
                if self._speaker is not None:
                    self._spawn(self._play(incoming, self._speaker))
                    return
            sink = MediaBlackhole()  # consumed, so the sender is not stalled
            sink.addTrack(incoming)
            self._sinks.append(sink)
            self._spawn(sink.start())

        await pc.setRemoteDescription(RTCSessionDescription(sdp=sdp, type="offer"))
        pc.addTrack(_video_track(self._frame_source))
        if self._microphone_spec:
            from remote_assist.audio import open_microphone

            self._microphone = open_microphone(self._microphone_spec)
            if self._microphone is not None:
                pc.addTrack(self._microphone.audio)
        await pc.setLocalDescription(await pc.createAnswer())
        self._send_answer(pc.localDescription.sdp)

    def _spawn(self, work: Any) -> None:
        task = asyncio.ensure_future(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    @staticmethod
    async def _show(track: Any, sink: RemoteFrameSink) -> None:
        """Hand the helper's frames to the screen, scaled down and at most SHOW_FPS a second."""
        from aiortc.mediastreams import MediaStreamError

        loop = asyncio.get_running_loop()
        next_at = 0.0
        while True:
            try:
                frame = await track.recv()
            except MediaStreamError:
                return  # the helper's track ended (hang-up, new offer)
            now = loop.time()
            if now < next_at:
                continue
            next_at = now + 1.0 / SHOW_FPS
            width = min(SHOW_WIDTH, frame.width) // 2 * 2
            height = max(2, round(frame.height * width / max(1, frame.width)) // 2 * 2)
            rgb = frame.reformat(width=width, height=height, format="rgb24").to_ndarray()
            sink(width, height, rgb.tobytes())

    @staticmethod
    async def _play(track: Any, speaker: Any) -> None:
        from aiortc.mediastreams import MediaStreamError

        while True:
            try:
                frame = await track.recv()
            except MediaStreamError:
                return
            speaker.play(frame)

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
        for task in list(self._tasks):
            task.cancel()
        if self._microphone is not None:
            microphone, self._microphone = self._microphone, None
            microphone.audio.stop()  # ends the player's reading thread
        if self._speaker is not None:
            speaker, self._speaker = self._speaker, None
            await asyncio.get_running_loop().run_in_executor(None, speaker.close)
