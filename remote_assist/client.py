"""The kiosk's end of remote assist: one outbound WebSocket to the hall's assist broker.

:class:`AssistClient` runs its own asyncio loop on a daemon thread, so the GUI thread never
blocks on the network. The GUI calls its methods (thread-safe: each hops onto the loop) and gets
two kinds of callbacks, on the client's thread — the Qt bridge re-posts them to the GUI thread:

- ``on_status(Status)``: where the call stands (connecting, waiting with a queue position, live
  with a helper, reconnecting, unreachable, ended with a reason code);
- ``on_message(Message)``: what the helper sent (a proposed value, a highlight, guidance, chat, a
  capture request, a submit proposal, WebRTC signalling).

Resume: every sequenced frame the kiosk sends stays in a buffer; after a dropped socket the client
reconnects for up to ``resume_window_s``, sends ``resume`` with the highest seq it received, and
re-sends only what the hall says it lacks. Frames the hall replays that the kiosk already holds
are dropped by seq, so an edit is applied exactly once.

Privacy is enforced here as well as at the broker: until :meth:`grant_consent`, snapshots and
field changes leave the kiosk with their values blanked, and the helper's proposals, submit
proposals, photo requests and video offers are ignored (again after :meth:`revoke_consent`).

Errors: the client never raises into the GUI; failures arrive as a ``Status`` whose ``reason``
is a code (``HALL_UNREACHABLE``, ``ASSIST_REFUSED``, ``HALL_LOST``, ``session_unknown``, or the
peer's end reason).
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import hashlib
import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import urlsplit

import requests
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidStatus

from contracts.sealing import HallPublicKey
from contracts.wire import blob_context
from remote_assist import protocol as p
from remote_assist.media import FrameSource, MediaPeer, RemoteFrameSink, media_available
from remote_assist.phases import Phase

log = logging.getLogger(__name__)

BUFFER_FRAMES = 2000


@dataclass(frozen=True)
class Status:
    """Where the help call stands; ``reason`` is a code for ``unreachable`` and ``ended``."""

    phase: Phase
    position: int = 0
    helper_name: str = ""
    reason: str = ""
    session_id: str = ""  # the hall's id of this call, once a helper joined (the filing names it)


class RequestSigner(Protocol):
    """The enrolled device's signature headers for one request (method, path with query, body):
    :meth:`kiosk.device_identity.DeviceIdentity.headers`. A fresh nonce each call."""

    def __call__(self, method: str, path: str, body: bytes = b"") -> dict[str, str]: ...


def ws_url(hall_url: str, station_id: str) -> str:
    """The broker's kiosk socket for a hall base URL (http → ws, https → wss)."""
    base = hall_url.rstrip("/")
    scheme, _, rest = base.partition("://")
    ws_scheme = "wss" if scheme == "https" else "ws"
    return f"{ws_scheme}://{rest}/api/v1/assist/kiosk?station_id={station_id}"


class AssistClient:
    """One help call at a time, over a resumable WebSocket; see the module docstring."""

    def __init__(
        self,
        hall_url: str,
        station_id: str,
        *,
        on_status: Callable[[Status], None],
        on_message: Callable[[p.Message], None],
        resume_window_s: float = 15.0,
        open_timeout_s: float = 5.0,
        on_media_state: Callable[[str], None] | None = None,
        ice_servers: Sequence[str] = (),
        frame_source: FrameSource | None = None,
        on_remote_frame: RemoteFrameSink | None = None,
        microphone: str = "",
        speaker: str = "",
        auth_headers: RequestSigner | None = None,
        hall_key: HallPublicKey | None = None,
    ) -> None:
        self._hall_url, self._station_id = hall_url, station_id
        # Captures go to the hall's blob store, which takes them sealed to its key (pinned at
        # enrolment, contracts.sealing) like a filing's attachments.
        self._hall_key = hall_key
        # The enrolled terminal signs each handshake (method, path -> headers with a fresh nonce;
        # see kiosk.device_identity): a captured handshake cannot be replayed.
        self._auth_headers = auth_headers
        self._on_status, self._on_message = on_status, on_message
        self.resume_window_s = resume_window_s
        self._open_timeout_s = open_timeout_s
        self._on_media_state = on_media_state or (lambda state: None)
        self._ice_servers, self._frame_source = list(ice_servers), frame_source
        self._on_remote_frame = on_remote_frame
        self._microphone, self._speaker = microphone, speaker
        self._media: MediaPeer | None = None
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="assist", daemon=True)
        self._thread.start()
        self._task: asyncio.Task[None] | None = None
        self._uploads: set[asyncio.Task[None]] = set()  # strong references until done
        self._reset()

    def _reset(self) -> None:
        self.session_id = ""
        self._helper_left = ""
        self._standing = Status(Phase.WAITING)
        self._dropped_at: float | None = None  # when the socket dropped, while reconnecting
        self._consent = False
        self._out_seq = 0
        self._out: collections.deque[tuple[int, str]] = collections.deque(maxlen=BUFFER_FRAMES)
        self._sent_upto = 0
        self._in_last = 0
        self._ws: ClientConnection | None = None
        self._wake = asyncio.Event()

    @property
    def available(self) -> bool:
        """A station not enrolled cannot be authenticated, so it offers no remote help."""
        return self._auth_headers is not None

    # --- GUI-thread API (each call hops onto the client's loop) ---------------------------------

    def request_help(self, service_id: str) -> None:
        self._call(self._start, service_id)

    def hang_up(self, reason: str = "walk_in_ended") -> None:
        """End the call (the walk-in hung up, or the session is being wiped)."""
        self._call(self._hang_up, reason)

    def grant_consent(self) -> None:
        self._call(self._set_consent, True)

    def revoke_consent(self) -> None:
        self._call(self._set_consent, False)

    def send(self, msg: p.Message) -> None:
        """Send a kiosk message (snapshot, change, chat, submit answer, signalling)."""
        self._call(self._send, msg)

    def attach_capture(self, material_id: str, jpeg: bytes) -> None:
        """Upload a photo to the hall (as a blob) and tell the helper it is there."""
        data = bytes(jpeg)
        self._call(self._spawn_upload, material_id, data)

    def close(self) -> None:
        """Stop the call and the thread (the kiosk is shutting down)."""
        if not self._thread.is_alive():
            return
        done = asyncio.run_coroutine_threadsafe(self._shutdown(), self._loop)
        with contextlib.suppress(Exception):
            done.result(timeout=5)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=5)
        self._loop.close()

    # --- the loop's side ------------------------------------------------------------------------

    def _call(self, fn: Callable[..., object], *args: object) -> None:
        if self._thread.is_alive():
            self._loop.call_soon_threadsafe(fn, *args)

    def _start(self, service_id: str) -> None:
        if self._task is not None and not self._task.done():
            return  # one call at a time
        self._reset()
        self._send(p.HelpRequested(station_id=self._station_id, service_id=service_id))
        self._task = self._loop.create_task(self._run())

    def _set_consent(self, granted: bool) -> None:
        self._consent = granted
        self._send(p.ConsentGranted() if granted else p.ConsentRevoked())

    def _masked(self, msg: p.Message) -> p.Message:
        """Blank values before consent: the kiosk's own guarantee, whatever the caller sent."""
        if self._consent:
            return msg
        if isinstance(msg, p.FormSnapshot):
            return p.FormSnapshot(
                service_id=msg.service_id,
                service_name=msg.service_name,
                masked=True,
                fields=[{**f, "value": ""} for f in msg.fields],
                materials=msg.materials,
            )
        if isinstance(msg, p.FieldChanged):
            return p.FieldChanged(name=msg.name, value="", by=msg.by, masked=True)
        return msg

    def _send(self, msg: p.Message) -> None:
        if self._task is None and not isinstance(msg, p.HelpRequested):
            return  # no call under way
        self._out_seq += 1
        self._out.append((self._out_seq, p.dump(self._masked(msg), self._out_seq)))
        self._wake.set()

    def _spawn_upload(self, material_id: str, data: bytes) -> None:
        if self._task is None or self._task.done():
            return
        task = self._loop.create_task(self._upload(material_id, data))
        self._uploads.add(task)
        task.add_done_callback(self._uploads.discard)

    async def _upload(self, material_id: str, data: bytes) -> None:
        sha = hashlib.sha256(data).hexdigest()
        path = f"/api/v1/blobs/{sha}"
        url = self._hall_url.rstrip("/") + path
        headers = {"content-type": "image/jpeg"}
        if self._auth_headers is not None:  # the hall takes blobs from enrolled devices only
            # Signed over the name (the plaintext's sha256), as the outbox's uploads are.
            headers.update(self._auth_headers("PUT", urlsplit(url).path, data))
        body = data if self._hall_key is None else self._hall_key.seal(data, blob_context(sha))

        def put() -> int:
            response = requests.put(url, data=body, headers=headers, timeout=10)
            return response.status_code

        try:
            code = await asyncio.to_thread(put)
        except requests.RequestException as exc:
            log.warning("assist: capture upload failed: %s", type(exc).__name__)
            return
        if code in (200, 201):
            self._send(
                p.CaptureAttached(material_id=material_id, sha256=sha, media_type="image/jpeg")
            )
        else:
            log.warning("assist: capture upload refused (HTTP %d)", code)

    def _hang_up(self, reason: str) -> None:
        if self._task is None or self._task.done():
            return
        self._send(p.End(reason=reason))
        # Give the writer a moment to deliver the End, then stop the call.
        self._loop.call_later(0.5, self._cancel_task)

    def _cancel_task(self) -> None:
        if self._task is not None and not self._task.done():
            self._task.cancel()

    async def _shutdown(self) -> None:
        task = self._task
        if task is not None and not task.done():
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task

    def _status(self, status: Status) -> None:
        log.info("assist: %s %s", status.phase, status.reason)
        try:
            self._on_status(status)
        except Exception:  # a GUI callback must not kill the network loop
            log.exception("assist status callback failed")

    async def _run(self) -> None:
        """The call's task: its final status is reported once the task is no longer current, so
        the walk-in can ask again from that very callback."""
        self._final = Status(Phase.ENDED, reason="walk_in_ended")
        try:
            await self._connect_loop()
        finally:
            self._task = None
            self._ws = None
            if self._media is not None:
                media, self._media = self._media, None
                with contextlib.suppress(Exception):
                    await media.close()
                self._on_media_state("closed")
            self._status(self._final)

    def _finish(self, status: Status) -> None:
        self._final = status

    def _handshake_headers(self) -> dict[str, str]:
        """Signed anew for every connection attempt (a resume too): each has its own nonce."""
        if self._auth_headers is None:
            return {}  # the hall refuses it; `available` kept the kiosk from offering help
        url = ws_url(self._hall_url, self._station_id)
        path = "/" + url.split("://", 1)[1].split("/", 1)[1]
        return self._auth_headers("GET", path)

    async def _connect_loop(self) -> None:
        """Connect, resume after drops, until the call ends or the resume window runs out."""
        self._status(Status(Phase.CONNECTING))
        self._dropped_at = None
        ended = False
        while not ended:
            dropped_at: float | None = self._dropped_at
            try:
                ws = await connect(
                    ws_url(self._hall_url, self._station_id),
                    additional_headers=self._handshake_headers(),
                    open_timeout=self._open_timeout_s,
                    proxy=None,
                    ping_interval=5,
                    ping_timeout=5,
                    close_timeout=1,
                )
            except InvalidStatus as exc:
                log.warning("assist: hall refused the socket (HTTP %d)", exc.response.status_code)
                self._finish(Status(Phase.UNREACHABLE, reason="ASSIST_REFUSED"))
                return
            except (OSError, TimeoutError, InvalidHandshake) as exc:
                if dropped_at is None and not self.session_id:
                    log.warning("assist: hall unreachable: %s", type(exc).__name__)
                    self._finish(Status(Phase.UNREACHABLE, reason="HALL_UNREACHABLE"))
                    return
                if dropped_at is not None and time.monotonic() - dropped_at > self.resume_window_s:
                    self._finish(Status(Phase.ENDED, reason="HALL_LOST"))
                    return
                await asyncio.sleep(0.2)
                continue
            try:
                ended = await self._session(ws)
            finally:
                self._ws = None
                await ws.close()
            if not ended:
                if self._dropped_at is None:
                    self._dropped_at = time.monotonic()
                self._status(Status(Phase.RECONNECTING))

    async def _session(self, ws: ClientConnection) -> bool:
        """One connection's life; True when the call is over, False when the socket dropped."""
        if self.session_id:
            await ws.send(p.dump(p.Resume(session_id=self.session_id, last_seq=self._in_last), 0))
            try:
                first = p.parse_envelope(await ws.recv())
            except ConnectionClosed as exc:
                if exc.rcvd is not None and exc.rcvd.code == 4404:
                    self._finish(Status(Phase.ENDED, reason="session_unknown"))
                    return True
                return False
            if not isinstance(first.message, p.Resumed):
                return False
            self._sent_upto = first.message.last_seq
            self._dropped_at = None  # back within the window: a later blip gets a fresh one
            self._status(self._standing)  # waiting or live again, as before the drop
            log.info("assist %s: resumed (hall holds up to %d)", self.session_id, self._sent_upto)
        else:
            self._sent_upto = 0
        self._ws = ws
        writer = asyncio.get_running_loop().create_task(self._writer(ws))
        try:
            async for frame in ws:
                try:
                    envelope = p.parse_envelope(frame)
                except p.ProtocolError as exc:
                    log.warning("assist: bad frame from the hall: %s", exc)
                    continue
                if envelope.seq > 0:
                    if envelope.seq <= self._in_last:
                        continue  # replayed, already applied
                    self._in_last = envelope.seq
                if self._handle(envelope.message):
                    return True
            return False
        except ConnectionClosed:
            return False
        finally:
            writer.cancel()
            with contextlib.suppress(asyncio.CancelledError, ConnectionClosed):
                await writer

    async def _writer(self, ws: ClientConnection) -> None:
        self._wake.set()
        while True:
            await self._wake.wait()
            self._wake.clear()
            for seq, frame in list(self._out):
                if seq > self._sent_upto:
                    await ws.send(frame)
                    self._sent_upto = seq

    def _spawn(self, coro: Any) -> None:
        task = self._loop.create_task(coro)
        self._uploads.add(task)
        task.add_done_callback(self._uploads.discard)

    async def _answer(self, sdp: str) -> None:
        """The helper offers video: answer with the kiosk's camera (the broker only forwards
        offers after consent; without aiortc the kiosk stays on chat)."""
        if not media_available():
            log.info("assist: video offered, but aiortc is not installed")
            return
        if self._media is None:
            self._media = MediaPeer(
                lambda answer: self._send(p.RtcAnswer(sdp=answer)),
                self._on_media_state,
                ice_servers=self._ice_servers,
                frame_source=self._frame_source,
                on_remote_frame=self._on_remote_frame,
                microphone=self._microphone,
                speaker=self._speaker,
            )
        try:
            await self._media.offer(sdp)
        except Exception as exc:  # a bad SDP from the peer must not end the call
            log.warning("assist: video answer failed: %s", type(exc).__name__)
            self._on_media_state("failed")

    def _stand(self, status: Status) -> None:
        """Report a standing status (waiting, live), remembered for after a resume."""
        self._standing = status
        self._status(status)

    def _handle(self, msg: p.Message) -> bool:
        """Act on one frame from the hall; True if it ends the call."""
        if not self._consent and (msg.TYPE in p.NEEDS_CONSENT or isinstance(msg, p.RtcOffer)):
            # The broker drops these before consent too; a kiosk does not rely on it.
            log.warning("assist: %s before consent ignored", msg.TYPE)
            return False
        match msg:
            case p.SessionOpened(session_id=sid):
                self.session_id = sid
                self._stand(Status(Phase.WAITING))
            case p.QueuePosition(position=n):
                if self._standing.phase == Phase.WAITING:
                    self._stand(Status(Phase.WAITING, position=n))
            case p.HelperJoined(helper_name=name):
                self._stand(Status(Phase.LIVE, helper_name=name, session_id=self.session_id))
            case p.HelperLeft(reason=reason):
                # The End that follows carries the session's reason; the walk-in is told why.
                self._helper_left = reason
            case p.End(reason=reason):
                self._finish(Status(Phase.ENDED, reason=self._helper_left or reason))
                return True
            case p.Ping() | p.Resumed():
                pass
            case p.FrameRefused(refused=refused, reason=reason):
                log.warning("assist: the hall refused our %s (%s)", refused, reason)
            case p.RtcOffer(sdp=sdp):
                self._spawn(self._answer(sdp))
            case p.IceCandidate(candidate=c, sdp_mid=mid, sdp_mline_index=index):
                if self._media is not None:
                    self._spawn(self._media.candidate(c, mid, index))
            case _:
                try:
                    self._on_message(msg)
                except Exception:
                    log.exception("assist message callback failed")
        return False
