"""The assist broker: walk-ins asking for remote help (远程帮办) meet hall helpers.

Each kiosk holds one outbound WebSocket (``/api/v1/assist/kiosk``; its handshake is checked by
:mod:`hall.device_auth`: the enrolled device's signature, with a nonce) and each
helper one from the console (``/api/v1/assist/helper``, the staff session cookie). A help request
waits in a queue until a helper accepts it; the broker then relays
:mod:`remote_assist.protocol` frames between the two, refusing any frame from the wrong side.

- **Resume.** Each direction of a session is a :class:`Link`: sequenced frames (seq ≥ 1) are kept
  in a bounded buffer, and the highest seq received from the peer is remembered. A side that
  reconnects sends ``resume(session_id, last_seq)``; the broker answers ``resumed`` with the last
  seq it holds from that side and replays what came after ``last_seq``. Receivers drop seqs they
  already hold, so a dropped socket loses and duplicates nothing. Control frames (resume,
  resumed, ping) carry seq 0 and are not buffered.
- **Privacy.** Until the kiosk sends ``consent_granted`` the broker forwards no field value to the
  helper (snapshots and changes are masked here, whatever the kiosk sent) and stores none; on
  ``consent_revoked`` it forgets the values, purges buffered frames that carried them, and sends
  the helper a masked snapshot. Proposals, submit proposals and photo requests
  (:data:`remote_assist.protocol.NEEDS_CONSENT`) are dropped while consent does not hold, and the
  helper is answered ``frame_refused``. Captures are served only to the accepting helper, with
  consent, and only as JPEG or PNG checked by their bytes (at intake and when served).
- **Senders.** A chat line's ``sender`` must be the side whose socket carried it.
- **Audit.** Every helper action goes to the hall's audit log: who, when, which session, which
  field — never a value or a chat text.
- **Lifetime.** A kiosk or helper gone longer than :data:`RESUME_WINDOW_S` ends the session (the
  other side is told). Calls are written through to the database (:mod:`hall.assist_store`):
  after a hall restart, sides that come back within the window resume as after a blip.
- **Several instances.** On PostgreSQL the broker runs with :mod:`hall.assist_cluster`: a call
  is owned by one instance and its sockets may be held by others, over LISTEN/NOTIFY. On SQLite
  (one process) everything stays in this process's memory.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import json
import logging
import secrets
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, cast

from fastapi import HTTPException, WebSocket, status
from fastapi.concurrency import run_in_threadpool
from sqlalchemy import Engine
from starlette.websockets import WebSocketDisconnect, WebSocketState

from contracts.clock import Clock
from hall.assist_cluster import AssistCluster
from hall.assist_frames import CLOSE_PROTOCOL
from hall.assist_store import AssistStore, CallState, Side, StoredCall
from hall.auth import Staff, StaffStore
from hall.pg_notify import Bus, lock_key
from hall.store import SubmissionStore
from remote_assist import protocol as p

log = logging.getLogger(__name__)

RESUME_WINDOW_S = 15.0  # a network blip shorter than this resumes; longer ends the session
BUFFER_FRAMES = 2000  # per direction; a session's edits fit many times over
SUBJECT = "assist_session"
# Close codes (4000-4999 are the application's): the kiosk client shows a message per code.
KIOSK_END_REASONS = frozenset({"walk_in_ended", "session_over"})
CLOSE_UNAUTHORIZED = 4401
CLOSE_FORBIDDEN = 4403
CLOSE_UNKNOWN_SESSION = 4404
__all__ = ["CLOSE_PROTOCOL"]  # re-exported for the routes' close codes


def _masked(msg: p.FormSnapshot) -> p.FormSnapshot:
    return p.FormSnapshot(
        service_id=msg.service_id,
        service_name=msg.service_name,
        masked=True,
        fields=[{**f, "value": ""} for f in msg.fields],
        materials=msg.materials,
        choices=msg.choices,
    )


def _carries_values(msg: p.Message) -> bool:
    return isinstance(msg, p.FormSnapshot | p.FieldChanged) and not msg.masked


# Captures are shown to the helper inline from the hall's own origin: only bytes that really are
# a JPEG or PNG may be named as one (a kiosk could otherwise store HTML and have it served).
_IMAGE_MAGIC = {b"\xff\xd8\xff": "image/jpeg", b"\x89PNG\r\n\x1a\n": "image/png"}


def image_type(data: bytes) -> str | None:
    """``image/jpeg`` or ``image/png`` from the bytes' signature, or None for anything else."""
    return next((kind for magic, kind in _IMAGE_MAGIC.items() if data.startswith(magic)), None)


@dataclass
class Link:
    """One direction's socket and sequencing: what the broker sent to a side, and what it
    received from it."""

    ws: WebSocket | None = None
    out_seq: int = 0
    out: collections.deque[tuple[int, p.Message]] = field(
        default_factory=lambda: collections.deque(maxlen=BUFFER_FRAMES)
    )
    in_last: int = 0
    gone_timer: asyncio.TimerHandle | None = None
    # Writes the frame (and the call's state) to disk before it goes out; see hall.assist_store.
    persist: Callable[[int, str], Awaitable[None]] | None = None
    # Numbering, saving and writing one frame happen together: frames leave in seq order.
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    # The side's socket sits on another hall instance (hall.assist_cluster): frames go there.
    remote: Callable[[str], Awaitable[None]] | None = None
    remote_token: str = ""

    @property
    def attached(self) -> bool:
        """Whether the side has a socket, here or on another instance."""
        return self.ws is not None or self.remote is not None

    async def send(self, msg: p.Message) -> None:
        async with self.lock:
            self.out_seq += 1
            seq = self.out_seq
            self.out.append((seq, msg))
            frame = p.dump(msg, seq)
            if self.persist is not None:
                await self.persist(seq, frame)
            await self._write(frame)

    async def send_control(self, msg: p.Message) -> None:
        await self._write(p.dump(msg, 0))

    async def replay_after(self, last_seq: int) -> None:
        for seq, msg in list(self.out):
            if seq > last_seq:
                await self._write(p.dump(msg, seq))

    async def _write(self, frame: str) -> None:
        ws = self.ws
        if ws is None and self.remote is not None:
            with contextlib.suppress(Exception):  # the bus is down: the side resumes later
                await self.remote(frame)
            return
        if ws is None or ws.application_state != WebSocketState.CONNECTED:
            return  # kept in the buffer: the side gets it when it resumes
        # If the socket died under us, the receive loop notices and detaches it.
        with contextlib.suppress(RuntimeError, OSError, WebSocketDisconnect):
            await ws.send_text(frame)


@dataclass
class AssistSession:
    """One help call: waiting in the queue, then live with one helper, then ended."""

    id: str
    station_id: str
    service_id: str
    requested_at: str  # hall clock, ISO
    requested_mono: float
    state: CallState = CallState.WAITING
    helper: str = ""  # staff name of the helper who accepted
    consent: bool = False
    kiosk: Link = field(default_factory=Link)
    helper_link: Link = field(default_factory=Link)
    # The latest form the kiosk showed: field rows in order; values only while consent holds.
    service_name: str = ""
    fields: dict[str, p.SnapshotField] = field(default_factory=dict)
    materials: list[p.SnapshotMaterial] = field(default_factory=list)
    choices: dict[str, list[list[str]]] = field(default_factory=dict)
    captures: dict[str, tuple[str, str]] = field(default_factory=dict)  # material -> sha, type

    @property
    def ended(self) -> bool:
        """Over; read after an ``await``, where another task may have ended the call."""
        return self.state == CallState.ENDED

    def row(self) -> dict[str, Any]:
        """The call as :mod:`hall.assist_store` keeps it (values only while consent holds)."""
        form = {
            "service_name": self.service_name,
            "fields": list(self.fields.values()),
            "materials": self.materials,
            "choices": self.choices,
            "captures": {k: list(v) for k, v in self.captures.items()},
        }
        return {
            "id": self.id,
            "station_id": self.station_id,
            "service_id": self.service_id,
            "requested_at": self.requested_at,
            "state": self.state.value,
            "helper": self.helper,
            "consent": self.consent,
            "form": json.dumps(form, ensure_ascii=False),
            "kiosk_in_last": self.kiosk.in_last,
            "helper_in_last": self.helper_link.in_last,
            "kiosk_out_seq": self.kiosk.out_seq,
            "helper_out_seq": self.helper_link.out_seq,
        }

    def snapshot(self) -> p.FormSnapshot:
        rows: list[p.SnapshotField] = [
            {**row, "value": row["value"] if self.consent else ""} for row in self.fields.values()
        ]
        return p.FormSnapshot(
            service_id=self.service_id,
            service_name=self.service_name,
            masked=not self.consent,
            fields=rows,
            materials=[{**m} for m in self.materials],
            choices={name: [list(pair) for pair in pairs] for name, pairs in self.choices.items()},
        )


class AssistBroker:
    """Sessions, the queue and the relay; runs on the hall's event loop (not thread-safe)."""

    def __init__(
        self, engine: Engine, clock: Clock, staff: StaffStore, store: SubmissionStore
    ) -> None:
        self._engine, self._clock, self._staff, self._store = engine, clock, staff, store
        self.sessions: dict[str, AssistSession] = {}  # the calls this instance runs
        self._tasks: set[asyncio.Task[None]] = set()  # strong references until they finish
        self.calls = AssistStore(engine, BUFFER_FRAMES)
        self.cluster: AssistCluster | None = None  # started by restore() on PostgreSQL

    def close(self) -> None:
        self.calls.close()

    async def aclose(self) -> None:
        """Leave the cluster (its locks go with its connections), then close the store."""
        if self.cluster is not None:
            await self.cluster.close()
            self.cluster = None
        self.close()

    # --- persistence -----------------------------------------------------------------------------

    def _wire(self, session: AssistSession) -> None:
        """Make both links write through to the database."""
        for side, link in ((Side.KIOSK, session.kiosk), (Side.HELPER, session.helper_link)):

            async def persist(seq: int, frame: str, side: Side = side) -> None:
                row = session.row()  # the state as of this frame, taken before any await
                await run_in_threadpool(self.calls.save, row, (side, seq, frame))

            link.persist = persist

    async def _save(self, session: AssistSession) -> None:
        await run_in_threadpool(self.calls.save, session.row())

    async def restore(self) -> None:
        """Load the calls a previous run left waiting or live; each side gets the resume window
        from now to come back, as after a blip. Runs on the event loop at start-up."""
        if self._engine.dialect.name == "postgresql" and self.cluster is None:
            self.cluster = AssistCluster(self, lambda handler: Bus(self._engine, handler))
            await self.cluster.start()
        calls = await run_in_threadpool(self.calls.load)
        restored = 0
        for call in calls:
            # Another live instance may run this call: take only the ones nobody owns.
            if self.cluster is not None and not await self.cluster.bus.try_lock(
                lock_key(call.row["id"])
            ):
                continue
            self.adopt(call)
            restored += 1
        if restored:
            log.info("assist: %d call(s) restored after a restart", restored)

    def adopt(self, call: StoredCall) -> AssistSession:
        """Run a stored call here; each side gets the resume window from now to come back."""
        session = self._revive(call, self._clock.now())
        self.sessions[session.id] = session
        self.arm_gone(session, Side.KIOSK)
        if session.state == CallState.ACTIVE:
            self.arm_gone(session, Side.HELPER)
        return session

    async def attach_local(self, link: Link, ws: WebSocket) -> WebSocket | None:
        """Give ``link`` this instance's socket ``ws``; the socket it had here, if any. A socket
        of the side still held on another instance is told to close there."""
        old, link.ws = link.ws, ws
        if link.remote_token and self.cluster is not None:
            close = {"t": "close", "token": link.remote_token, "code": 1000}
            await self.cluster.bus.publish(close)
        link.remote, link.remote_token = None, ""
        return old

    def arm_gone(self, session: AssistSession, side: Side) -> None:
        """Start ``side``'s resume window: the call ends if it is not back in time."""
        if side == Side.KIOSK:
            self._arm_gone(session, session.kiosk, "kiosk_lost")
        else:
            self._arm_gone(session, session.helper_link, "helper_lost")

    def _revive(self, call: StoredCall, now: Any) -> AssistSession:
        row, form = call.row, call.form
        waited = max(0.0, (now - datetime.fromisoformat(row["requested_at"])).total_seconds())
        session = AssistSession(
            id=row["id"],
            station_id=row["station_id"],
            service_id=row["service_id"],
            requested_at=row["requested_at"],
            requested_mono=time.monotonic() - waited,
            state=CallState(row["state"]),
            helper=row["helper"],
            consent=bool(row["consent"]),
            service_name=form["service_name"],
            # Written by row() from validated messages: the same shapes come back.
            fields={f["name"]: cast(p.SnapshotField, dict(f)) for f in form["fields"]},
            materials=[cast(p.SnapshotMaterial, dict(m)) for m in form["materials"]],
            choices={k: [list(x) for x in v] for k, v in form["choices"].items()},
            captures={k: (v[0], v[1]) for k, v in form["captures"].items()},
        )
        for side, link in ((Side.KIOSK, session.kiosk), (Side.HELPER, session.helper_link)):
            link.in_last = row[f"{side}_in_last"]
            link.out_seq = row[f"{side}_out_seq"]
            for seq, frame in call.frames.get(side, []):
                link.out.append((seq, p.parse_envelope(frame).message))
        self._wire(session)
        return session

    async def queue(self) -> list[dict[str, Any]]:
        """The calls waiting for a helper, oldest first (every instance's, on PostgreSQL)."""
        if self.cluster is None:
            return self._local_queue()
        rows = await self.cluster.open_calls()
        held = await self.cluster.bus.held()
        now = self._clock.now()
        queue = []
        for row in rows:
            if row["state"] != CallState.WAITING:
                continue
            mine = self.sessions.get(row["id"])
            waited = (now - datetime.fromisoformat(row["requested_at"])).total_seconds()
            queue.append(
                {
                    "session_id": row["id"],
                    "station_id": row["station_id"],
                    "service_id": row["service_id"],
                    "service_name": row["form"].get("service_name", ""),
                    "requested_at": row["requested_at"],
                    "waiting_s": max(0, round(waited)),
                    # Run elsewhere: connected while its instance is alive (it ends a call
                    # whose kiosk stays away past the resume window).
                    "kiosk_connected": mine.kiosk.attached
                    if mine is not None
                    else lock_key(row["id"]) in held,
                }
            )
        return queue

    def _local_queue(self) -> list[dict[str, Any]]:
        now = time.monotonic()
        return [
            {
                "session_id": s.id,
                "station_id": s.station_id,
                "service_id": s.service_id,
                "service_name": s.service_name,
                "requested_at": s.requested_at,
                "waiting_s": round(now - s.requested_mono),
                "kiosk_connected": s.kiosk.attached,
            }
            for s in self.sessions.values()
            if s.state == CallState.WAITING
        ]

    async def _announce_positions(self) -> None:
        waiting = [s for s in self.sessions.values() if s.state == CallState.WAITING]
        for position, s in enumerate(waiting):
            await s.kiosk.send(p.QueuePosition(position=position))

    async def open(self, station_id: str, service_id: str) -> AssistSession:
        session = AssistSession(
            id=secrets.token_urlsafe(12),
            station_id=station_id,
            service_id=service_id,
            requested_at=self._clock.now().isoformat(),
            requested_mono=time.monotonic(),
        )
        if self.cluster is not None:
            await self.cluster.own_new(session.id)
        self.sessions[session.id] = session
        self._wire(session)
        await self._save(session)
        log.info("assist %s: help requested at %s", session.id, station_id)
        return session

    async def accept_anywhere(self, session_id: str, who: Staff) -> dict[str, str]:
        """Accept a call whichever instance runs it."""
        if self.cluster is not None and session_id not in self.sessions:
            claimed = await self.cluster.claim(session_id)
            if isinstance(claimed, dict):
                return await self.cluster.accept_elsewhere(session_id, who)
        session = await self.accept(session_id, who)
        return {"session_id": session.id, "station_id": session.station_id}

    async def accept(self, session_id: str, who: Staff) -> AssistSession:
        session = self.sessions.get(session_id)
        if session is None or session.state == CallState.ENDED:
            raise HTTPException(status.HTTP_404_NOT_FOUND, detail="no such help request")
        if session.state == CallState.ACTIVE:
            if session.helper == who.name:
                return session
            raise HTTPException(status.HTTP_409_CONFLICT, detail="another helper accepted it")
        session.state, session.helper = CallState.ACTIVE, who.name
        await self._audit(who.name, "assist.accept", session.id, "ok")
        # The first frame the helper gets is the form as it stands (masked until consent).
        await session.helper_link.send(session.snapshot())
        await session.kiosk.send(p.HelperJoined(helper_name=who.name))
        await self._announce_positions()
        return session

    async def end(self, session: AssistSession, reason: str) -> None:
        if session.state == CallState.ENDED:
            return
        session.state = CallState.ENDED
        log.info("assist %s: ended (%s)", session.id, reason)
        # Off the disk before either side hears the end: an ended call is never resumed.
        for link in (session.kiosk, session.helper_link):
            link.persist = None
        await run_in_threadpool(self.calls.forget, session.id)
        await session.kiosk.send(p.End(reason=reason))
        await session.helper_link.send(p.End(reason=reason))
        for link in (session.kiosk, session.helper_link):
            if link.gone_timer is not None:
                link.gone_timer.cancel()
        # Forget the form; a later reconnect finds nothing to resume.
        session.fields.clear()
        session.captures.clear()
        await self._announce_positions()
        self.sessions.pop(session.id, None)
        if self.cluster is not None:
            await self.cluster.disown(session.id)

    def _arm_gone(self, session: AssistSession, link: Link, reason: str) -> None:
        """End the session if ``link`` stays without a socket past the resume window."""
        loop = asyncio.get_running_loop()

        def expire() -> None:
            link.gone_timer = None
            if not link.attached and session.state != CallState.ENDED:
                task = loop.create_task(self._side_lost(session, reason))
                self._tasks.add(task)
                task.add_done_callback(self._tasks.discard)

        if link.gone_timer is not None:
            link.gone_timer.cancel()
        link.gone_timer = loop.call_later(RESUME_WINDOW_S, expire)

    async def _side_lost(self, session: AssistSession, reason: str) -> None:
        if reason == "helper_lost" and session.state == CallState.ACTIVE:
            await session.kiosk.send(p.HelperLeft(reason=reason))
        await self.end(session, reason)

    async def _audit(self, actor: str, action: str, session_id: str, outcome: str) -> None:
        await run_in_threadpool(self._staff.audit, actor, action, SUBJECT, session_id, outcome)

    async def _refuse(self, link: Link, msg: p.Message, reason: str, session_id: str) -> None:
        """Drop ``msg`` and tell the side that sent it why (a control frame: not replayed)."""
        log.warning("assist %s: %s refused (%s)", session_id, msg.TYPE, reason)
        await link.send_control(p.FrameRefused(refused=msg.TYPE, reason=reason))

    # --- kiosk side -----------------------------------------------------------------------------

    async def from_kiosk(self, session: AssistSession, seq: int, msg: p.Message) -> None:
        if seq > 0:
            if seq <= session.kiosk.in_last:
                return  # already have it (replayed after a resume)
            session.kiosk.in_last = seq
        helper = session.helper_link
        match msg:
            case p.Ping():
                await session.kiosk.send_control(p.Ping())
            case p.ConsentGranted():
                session.consent = True
                log.info("assist %s: consent granted", session.id)
                await helper.send(msg)
            case p.ConsentRevoked():
                session.consent = False
                log.info("assist %s: consent revoked", session.id)
                for row in session.fields.values():
                    row["value"] = ""
                # Frames already buffered for the helper must not replay values after revoke.
                kept = [(s, m) for s, m in helper.out if not _carries_values(m)]
                helper.out.clear()
                helper.out.extend(kept)
                await run_in_threadpool(
                    self.calls.replace_frames,
                    session.row(),
                    Side.HELPER,
                    [(s, p.dump(m, s)) for s, m in kept],
                )
                await helper.send(msg)
                await helper.send(session.snapshot())
            case p.FormSnapshot():
                session.service_id = msg.service_id
                session.service_name = msg.service_name
                session.materials = [{**m} for m in msg.materials]
                session.choices = {k: [list(x) for x in v] for k, v in msg.choices.items()}
                session.fields = {
                    f["name"]: {**f, "value": f["value"] if session.consent else ""}
                    for f in msg.fields
                }
                await helper.send(session.snapshot())
            case p.FieldChanged():
                value = msg.value if session.consent else ""
                row = session.fields.setdefault(
                    msg.name, {"name": msg.name, "label": msg.name, "value": "", "by": ""}
                )
                row["value"], row["by"] = value, msg.by
                masked = not session.consent
                await helper.send(
                    p.FieldChanged(name=msg.name, value=value, by=msg.by, masked=masked)
                )
            case p.Chat(sender=sender) if sender != "walk_in":
                await self._refuse(session.kiosk, msg, "WRONG_SENDER", session.id)
            case p.CaptureAttached():
                data = await run_in_threadpool(self._store.get_blob, msg.sha256)
                if data is None:
                    await self._refuse(session.kiosk, msg, "CAPTURE_MISSING", session.id)
                    return
                if image_type(data) != msg.media_type:
                    await self._refuse(session.kiosk, msg, "CAPTURE_NOT_IMAGE", session.id)
                    return
                session.captures[msg.material_id] = (msg.sha256, msg.media_type)
                await helper.send(msg)
            case p.RtcOffer() | p.RtcAnswer() | p.IceCandidate() if not session.consent:
                log.warning("assist %s: video signalling before consent dropped", session.id)
            case p.End(reason=reason):
                # The kiosk's code: the walk-in hung up, or the session was wiped.
                await self.end(session, reason if reason in KIOSK_END_REASONS else "walk_in_ended")
            case _:
                await helper.send(msg)

    # --- helper side ----------------------------------------------------------------------------

    async def from_helper(
        self, session: AssistSession, who: Staff, seq: int, msg: p.Message
    ) -> None:
        if seq > 0:
            if seq <= session.helper_link.in_last:
                return
            session.helper_link.in_last = seq
        action = f"assist.{msg.TYPE}"
        if msg.TYPE in p.NEEDS_CONSENT and not session.consent:
            # The walk-in has not agreed (or took it back): nothing may touch their form.
            await self._audit(who.name, action, session.id, "refused:no_consent")
            await self._refuse(session.helper_link, msg, "NO_CONSENT", session.id)
            return
        match msg:
            case p.Ping():
                await session.helper_link.send_control(p.Ping())
                return
            case p.Chat(sender=sender) if sender != "helper":
                await self._audit(who.name, action, session.id, "refused:wrong_sender")
                await self._refuse(session.helper_link, msg, "WRONG_SENDER", session.id)
                return
            case p.End():
                await self._audit(who.name, action, session.id, "ok")
                await self.end(session, "helper_ended")
                return
            case p.FieldProposed() | p.HighlightField():
                if msg.name not in session.fields:
                    await self._audit(who.name, action, session.id, f"refused:{msg.name}")
                    return
                await self._audit(who.name, action, session.id, f"field={msg.name}")
            case p.CaptureRequested():
                await self._audit(who.name, action, session.id, f"material={msg.material_id}")
            case p.RtcOffer() | p.RtcAnswer() | p.IceCandidate():
                # Video shows the walk-in: signalling only flows once they consented.
                if not session.consent:
                    await self._audit(who.name, action, session.id, "refused:no_consent")
                    return
            case _:
                await self._audit(who.name, action, session.id, "ok")
        await session.kiosk.send(msg)

    def capture(self, session_id: str, material_id: str, who: Staff) -> tuple[bytes, str]:
        session = self._helper_session(session_id, who)
        if not session.consent:
            raise HTTPException(status.HTTP_403_FORBIDDEN, detail="the walk-in has not consented")
        found = session.captures.get(material_id)
        data = self._store.get_blob(found[0]) if found else None
        if found is None or data is None:
            raise HTTPException(status.HTTP_404_NOT_FOUND, detail="no such capture")
        # Checked again on the way out: the type served is the one the bytes show, never the
        # kiosk's word (calls restored from an older database were never checked at intake).
        kind = image_type(data)
        if kind is None:
            raise HTTPException(
                status.HTTP_415_UNSUPPORTED_MEDIA_TYPE, detail="the capture is not a JPEG or PNG"
            )
        return data, kind

    def _helper_session(self, session_id: str, who: Staff) -> AssistSession:
        session = self.sessions.get(session_id)
        if session is None and self.cluster is not None:
            # Run by another instance: what the helper may see is in the stored call.
            stored = self.calls.load_one(session_id)
            session = self._revive(stored, self._clock.now()) if stored else None
        # One answer for "unknown" and "someone else's": a helper learns nothing of the others.
        if session is None or session.state != CallState.ACTIVE or session.helper != who.name:
            raise HTTPException(status.HTTP_404_NOT_FOUND, detail="no such assist session")
        return session
