"""Help calls across several hall instances on one PostgreSQL (see docs/deploy.md).

Behind a round-robin proxy the kiosk's socket and the helper's socket of one call may land on
different instances. Each call has one **owner**: the instance that runs :mod:`hall.assist`'s
broker logic for it (sequencing, consent, persistence), holding the exclusive advisory lock
``lock_key(session_id)`` (:mod:`hall.pg_notify`). A socket that lands elsewhere is **held**
there: the holder takes the shared lock ``lock_key(session_id, side)``, forwards every frame it
receives to the owner over the bus (``in``), and writes to its socket what the owner addresses to
it (``out``). The owner's :class:`hall.assist.Link` for that side then writes to the bus instead
of a socket. Accepting a call and ending a station's old call are forwarded the same way.

**An instance dies.** Its connections drop and PostgreSQL frees its locks. A watch task on every
instance reads who holds what (one ``pg_locks`` query, every :data:`WATCH_S`):

- an owner whose remote holder's lock is gone treats that side as dropped (the resume window
  starts, as for a local socket);
- a holder whose call's owner lock is gone takes the call over: it takes the lock, loads the
  call from the database (:mod:`hall.assist_store` wrote every frame before it went out), and
  closes its local sockets of that call, which reconnect and resume (``resume`` with the last seq
  each side holds, replay of what it lacks) — on this instance or, through the proxy, another.

A side that reconnects to an instance that is not the owner and finds no owner alive takes the
call over the same way. Nothing here runs on SQLite: one process keeps the in-memory path.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, cast

from fastapi import HTTPException, WebSocket, status
from fastapi.concurrency import run_in_threadpool
from starlette.websockets import WebSocketDisconnect, WebSocketState

from hall.assist_frames import receive_frame
from hall.assist_store import OPEN_STATES, CallState, Side
from hall.auth import Role, Staff
from hall.pg_notify import Bus, lock_key
from remote_assist import protocol as p

if TYPE_CHECKING:
    from hall.assist import AssistBroker, AssistSession

log = logging.getLogger(__name__)

WATCH_S = 0.5  # how often liveness is checked; a dead instance's calls move within ~1 s
REPLY_S = 3.0  # an owner that does not answer a forwarded accept in this long is presumed gone
CLOSE_MOVED = 1012  # "service restart": the socket's call moved; reconnect and resume
OWNER_OPS = frozenset({"in", "attach", "detach", "accept", "end"})


@dataclass
class Holder:
    """A socket of a call owned by another instance."""

    token: str
    session_id: str
    side: Side
    ws: WebSocket
    outbox: asyncio.Queue[tuple[str, Any]] = field(default_factory=asyncio.Queue)
    ended: bool = False


class AssistCluster:
    """The bus between instances for :class:`hall.assist.AssistBroker` (PostgreSQL only)."""

    def __init__(self, broker: AssistBroker, bus_factory: Any) -> None:
        self._broker = broker
        self.bus: Bus = bus_factory(self._on_message)
        self.holders: dict[str, Holder] = {}
        self._inbox: dict[str, asyncio.Queue[dict[str, Any]]] = {}
        self._workers: dict[str, asyncio.Task[None]] = {}
        self._replies: dict[str, asyncio.Future[dict[str, Any]]] = {}
        self._watch: asyncio.Task[None] | None = None
        self._moving: set[str] = set()

    async def start(self) -> None:
        await self.bus.start()
        self._watch = asyncio.get_running_loop().create_task(self._watch_loop())

    async def close(self) -> None:
        tasks = [t for t in (self._watch, *self._workers.values()) if t is not None]
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        await self.bus.close()

    # --- ownership ------------------------------------------------------------------------------

    async def own_new(self, session_id: str) -> None:
        """Take the owner lock of a call this instance is opening."""
        if not await self.bus.try_lock(lock_key(session_id)):  # a random id: never contended
            raise RuntimeError("a new call's id is already owned")

    async def disown(self, session_id: str) -> None:
        await self.bus.unlock(lock_key(session_id))
        worker = self._workers.pop(session_id, None)
        self._inbox.pop(session_id, None)
        if worker is not None and worker is not asyncio.current_task():
            worker.cancel()

    async def claim(self, session_id: str) -> AssistSession | dict[str, Any] | None:
        """The call as this instance may serve it: the broker's session if owned here (taken
        over if its owner is gone), its stored row if another instance owns it, None if it is
        not waiting or live."""
        found = self._broker.sessions.get(session_id)
        if found is not None:
            return found
        stored = await run_in_threadpool(self._broker.calls.load_one, session_id)
        if stored is None:
            return None
        if await self.bus.try_lock(lock_key(session_id)):
            return await self._take_over(session_id)
        return stored.row

    async def _take_over(self, session_id: str) -> AssistSession | None:
        """Just after taking the owner lock (once more): load the call and run it here. Advisory
        locks count per connection, so a lock taken for a call already run here, or for a call
        that ended meanwhile, is given back at once."""
        running = self._broker.sessions.get(session_id)
        stored = None if running else await run_in_threadpool(self.calls_load, session_id)
        if running is not None or stored is None or session_id in self._broker.sessions:
            await self.bus.unlock(lock_key(session_id))
            return self._broker.sessions.get(session_id)
        session = self._broker.adopt(stored)
        log.info("assist %s: taken over from an instance that is gone", session_id)
        self._close_holders(session_id)  # they resume against this instance as the owner
        return session

    def _close_holders(self, session_id: str) -> None:
        """Close this instance's held sockets of a call (1012): they reconnect and resume with
        whichever instance runs the call now."""
        for holder in [h for h in self.holders.values() if h.session_id == session_id]:
            holder.outbox.put_nowait(("close", CLOSE_MOVED))

    def calls_load(self, session_id: str) -> Any:
        return self._broker.calls.load_one(session_id)

    async def open_calls(self) -> list[dict[str, Any]]:
        rows = await run_in_threadpool(self._broker.calls.open_calls)
        return [r for r in rows if r["state"] in OPEN_STATES]

    async def end_elsewhere(self, session_id: str, reason: str) -> None:
        """End a call this instance does not own (a station's call replaced by its new one)."""
        claimed = await self.claim(session_id)
        if claimed is None:
            return
        if isinstance(claimed, dict):
            await self.bus.publish({"t": "end", "sid": session_id, "reason": reason})
        else:
            await self._broker.end(claimed, reason)

    async def accept_elsewhere(self, session_id: str, who: Staff) -> dict[str, str]:
        """Accept a call another instance owns: ask it and wait for its answer."""
        rid = secrets.token_hex(8)
        future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._replies[rid] = future
        try:
            await self.bus.publish(
                {
                    "t": "accept",
                    "sid": session_id,
                    "who": who.name,
                    "role": who.role,
                    "rid": rid,
                    "to": self.bus.instance,
                }
            )
            answer = await asyncio.wait_for(future, REPLY_S)
        except TimeoutError:
            raise HTTPException(
                status.HTTP_503_SERVICE_UNAVAILABLE, detail="the call's hall instance is busy"
            ) from None
        finally:
            self._replies.pop(rid, None)
        if answer["status"] != 200:
            raise HTTPException(answer["status"], detail=answer["detail"])
        return {"session_id": session_id, "station_id": str(answer["station_id"])}

    # --- holding a socket of a call owned elsewhere --------------------------------------------

    async def hold(
        self, ws: WebSocket, session_id: str, side: Side, last_seq: int, who: Staff | None
    ) -> None:
        """Serve ``ws`` for a call another instance owns, until either end goes."""
        holder = Holder(secrets.token_hex(8), session_id, side, ws)
        self.holders[holder.token] = holder
        key = lock_key(session_id, side)
        await self.bus.lock_shared(key)
        writer = asyncio.get_running_loop().create_task(self._write_loop(holder))
        person = {"who": who.name, "role": who.role} if who is not None else {}
        try:
            await self.bus.publish(
                {"t": "attach", "sid": session_id, "side": side, "token": holder.token,
                 "last": last_seq, **person}
            )  # fmt: skip
            allowed = p.FROM_KIOSK if side == Side.KIOSK else p.FROM_HELPER
            while (envelope := await receive_frame(ws)) is not None and not holder.ended:
                msg = envelope.message
                if msg.TYPE not in allowed or isinstance(msg, p.HelpRequested | p.Resume):
                    log.warning("assist %s: %s from the %s refused", session_id, msg.TYPE, side)
                    continue
                await self.bus.publish(
                    {"t": "in", "sid": session_id, "side": side, "token": holder.token,
                     "frame": p.dump(msg, envelope.seq), **person}
                )  # fmt: skip
        finally:
            self.holders.pop(holder.token, None)
            writer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await writer
            with contextlib.suppress(Exception):
                await self.bus.publish(
                    {"t": "detach", "sid": session_id, "side": side, "token": holder.token}
                )
            await self.bus.unlock_shared(key)
            await _close(ws)

    async def _write_loop(self, holder: Holder) -> None:
        while True:
            kind, value = await holder.outbox.get()
            if kind == "close":
                holder.ended = True
                await _close(holder.ws, int(value))
                return
            with contextlib.suppress(RuntimeError, OSError, WebSocketDisconnect):
                await holder.ws.send_text(str(value))
            if str(value).startswith('{"type":"end"'):  # p.dump's layout
                holder.ended = True  # the call is over; the loop ends at the next frame

    def remote_writer(self, session_id: str, side: Side, token: str) -> Any:
        async def write(frame: str) -> None:
            await self.bus.publish({"t": "out", "sid": session_id, "side": side,
                                    "token": token, "frame": frame})  # fmt: skip

        return write

    # --- the bus --------------------------------------------------------------------------------

    def _on_message(self, message: dict[str, Any]) -> None:
        kind = message.get("t")
        if kind in OWNER_OPS:
            sid = str(message.get("sid", ""))
            if sid not in self._broker.sessions:
                return  # another instance owns it (or nobody: its sides will resume)
            inbox = self._inbox.get(sid)
            if inbox is None:
                inbox = self._inbox[sid] = asyncio.Queue()
                task = asyncio.get_running_loop().create_task(self._work(sid, inbox))
                self._workers[sid] = task
            inbox.put_nowait(message)
        elif kind in ("out", "close"):
            holder = self.holders.get(str(message.get("token", "")))
            if holder is not None:
                value = message.get("frame") if kind == "out" else message.get("code", 1000)
                holder.outbox.put_nowait((kind, value))
        elif kind == "reply" and message.get("to") == self.bus.instance:
            future = self._replies.get(str(message.get("rid", "")))
            if future is not None and not future.done():
                future.set_result(message)

    async def _work(self, sid: str, inbox: asyncio.Queue[dict[str, Any]]) -> None:
        """The owner's work on one call's forwarded messages, in the order they were sent."""
        while True:
            message = await inbox.get()
            session = self._broker.sessions.get(sid)
            if session is None:
                continue
            try:
                await self._as_owner(session, message)
            except Exception:  # one bad message must not stop the call
                log.exception("assist %s: forwarded %s failed", sid, message.get("t"))

    async def _as_owner(self, session: AssistSession, message: dict[str, Any]) -> None:
        broker = self._broker
        kind = message["t"]
        who = (
            Staff(str(message["who"]), cast(Role, message.get("role", "helper")))
            if "who" in message
            else None
        )
        if kind == "accept":
            assert who is not None
            answer: dict[str, Any] = {"t": "reply", "to": message["to"], "rid": message["rid"]}
            try:
                await broker.accept(session.id, who)
                answer |= {"status": 200, "detail": "", "station_id": session.station_id}
            except HTTPException as exc:
                answer |= {"status": exc.status_code, "detail": exc.detail}
            await self.bus.publish(answer)
            return
        if kind == "end":
            await broker.end(session, str(message["reason"]))
            return
        side = Side(message["side"])
        link = session.kiosk if side == Side.KIOSK else session.helper_link
        token = str(message["token"])
        if kind == "attach":
            if side == Side.HELPER and (
                who is None or session.state != CallState.ACTIVE or session.helper != who.name
            ):
                await self.bus.publish({"t": "close", "token": token, "code": 4404})
                return
            if link.ws is not None:
                old, link.ws = link.ws, None
                await _close(old)
            if link.remote_token and link.remote_token != token:
                await self.bus.publish({"t": "close", "token": link.remote_token, "code": 1000})
            link.remote, link.remote_token = self.remote_writer(session.id, side, token), token
            if link.gone_timer is not None:
                link.gone_timer.cancel()
            log.info("assist %s: %s resumed on another instance", session.id, side)
            await link.send_control(p.Resumed(session_id=session.id, last_seq=link.in_last))
            await link.replay_after(int(message["last"]))
        elif kind == "detach":
            if link.remote_token == token:
                self._drop_remote(session, side)
        elif kind == "in" and link.remote_token == token and not session.ended:
            envelope = p.parse_envelope(str(message["frame"]))
            if side == Side.KIOSK:
                await broker.from_kiosk(session, envelope.seq, envelope.message)
            elif who is not None:
                await broker.from_helper(session, who, envelope.seq, envelope.message)

    def _drop_remote(self, session: AssistSession, side: Side) -> None:
        link = session.kiosk if side == Side.KIOSK else session.helper_link
        link.remote, link.remote_token = None, ""
        if not session.ended and not link.attached:
            self._broker.arm_gone(session, side)

    # --- liveness -------------------------------------------------------------------------------

    async def _watch_loop(self) -> None:
        while True:
            await asyncio.sleep(WATCH_S)
            try:
                await self._check()
            except asyncio.CancelledError:
                raise
            except Exception:  # a failed look must not stop the next one
                log.exception("assist: liveness check failed")

    async def _check(self) -> None:
        if not self.holders and not any(
            s.kiosk.remote or s.helper_link.remote for s in self._broker.sessions.values()
        ):
            return
        held = await self.bus.held()
        for session in list(self._broker.sessions.values()):
            for side in Side:
                link = session.kiosk if side == Side.KIOSK else session.helper_link
                if link.remote is not None and lock_key(session.id, side) not in held:
                    log.info("assist %s: the %s's instance is gone", session.id, side)
                    self._drop_remote(session, side)
        orphaned = {
            h.session_id
            for h in self.holders.values()
            if not h.ended
            and h.session_id not in self._broker.sessions
            and lock_key(h.session_id) not in held
        }
        for sid in orphaned - self._moving:
            self._moving.add(sid)
            try:
                if await self.bus.try_lock(lock_key(sid)):
                    await self._take_over(sid)
                # Whoever owns it now, this instance's sockets of it resume there afresh.
                self._close_holders(sid)
            finally:
                self._moving.discard(sid)


async def _close(ws: WebSocket, code: int = 1000) -> None:
    if ws.application_state == WebSocketState.CONNECTED:
        with contextlib.suppress(RuntimeError, OSError, WebSocketDisconnect):
            await ws.close(code)
