"""A message bus and liveness locks between hall instances, on the PostgreSQL they share.

Several hall processes behind a reverse proxy share one database and nothing else. What one
instance must tell another right now (a help call's frame for a socket held elsewhere) goes
through PostgreSQL ``LISTEN``/``NOTIFY`` on one channel, :data:`CHANNEL`: every instance listens,
each message is a JSON object, and each instance keeps the ones addressed to what it holds.
PostgreSQL delivers the notifications of one sending connection in commit order, so messages one
instance publishes arrive everywhere in the order it sent them. A payload is at most 8000
bytes: longer messages go as numbered chunks in one transaction (delivered together, in order)
and are put back together here.

Who is alive is told by session-level **advisory locks**, which PostgreSQL releases the moment
the holding connection goes — also when its process is killed. An instance holds its locks on a
connection of its own: :meth:`Bus.try_lock` (exclusive, e.g. "I own this call"),
:meth:`Bus.lock_shared` ("I hold a socket of this call"), and :meth:`Bus.held` lists every
advisory key held by anyone (``pg_locks``), one query for all.

The bus is three connections (listen, publish, locks); each is used by one task at a time.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import logging
import secrets
from collections.abc import Callable
from typing import Any, Final

import psycopg
from sqlalchemy import Engine

log = logging.getLogger(__name__)

CHANNEL: Final = "qihang_hall"
PAYLOAD_MAX: Final = 7000  # PostgreSQL's limit is 8000 bytes; room for the chunk envelope
Handler = Callable[[dict[str, Any]], None]


def lock_key(*parts: str) -> int:
    """A signed 64-bit advisory lock key for ``parts`` (stable across processes)."""
    digest = hashlib.sha256("\x1f".join(parts).encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


def conninfo(engine: Engine) -> str:
    """The engine's URL as a libpq connection string (the password included, never logged)."""
    url = engine.url.set(drivername="postgresql")
    return url.render_as_string(hide_password=False)


class Bus:
    """One instance's end of the bus: publish, a handler for what arrives, advisory locks."""

    def __init__(self, engine: Engine, handler: Handler) -> None:
        self._dsn = conninfo(engine)
        self._handler = handler
        self.instance = secrets.token_hex(6)  # names this process in replies
        self._listen: psycopg.AsyncConnection[Any] | None = None
        self._send: psycopg.AsyncConnection[Any] | None = None
        self._locks: psycopg.AsyncConnection[Any] | None = None
        self._send_lock = asyncio.Lock()
        self._locks_lock = asyncio.Lock()
        self._reader: asyncio.Task[None] | None = None
        self._chunks: dict[str, list[str]] = {}

    async def start(self) -> None:
        self._listen = await psycopg.AsyncConnection.connect(self._dsn, autocommit=True)
        self._send = await psycopg.AsyncConnection.connect(self._dsn, autocommit=True)
        self._locks = await psycopg.AsyncConnection.connect(self._dsn, autocommit=True)
        await self._listen.execute(f"LISTEN {CHANNEL}")
        self._reader = asyncio.get_running_loop().create_task(self._read())

    async def close(self) -> None:
        if self._reader is not None:
            self._reader.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._reader
        for conn in (self._listen, self._send, self._locks):
            if conn is not None:
                with contextlib.suppress(Exception):
                    await conn.close()

    async def _read(self) -> None:
        assert self._listen is not None
        try:
            async for note in self._listen.notifies():
                try:
                    message = self._assemble(note.payload)
                    if message is not None:
                        self._handler(message)
                except Exception:  # one bad message must not stop the bus
                    log.exception("bus: a message could not be handled")
        except psycopg.Error as exc:
            # Without its listening connection this instance hears no other: say so loudly.
            log.error("bus: the listening connection to PostgreSQL is lost (%s)", exc)

    def _assemble(self, payload: str) -> dict[str, Any] | None:
        if not payload.startswith("#"):
            found: dict[str, Any] = json.loads(payload)
            return found
        # "#<id>:<index>:<count>:<text>" — a long message in pieces
        head, _, body = payload[1:].partition("|")
        chunk_id, index, count = head.split(":")
        parts = self._chunks.setdefault(chunk_id, [])
        parts.append(body)
        if int(index) + 1 < int(count):
            return None
        del self._chunks[chunk_id]
        whole: dict[str, Any] = json.loads("".join(parts))
        return whole

    async def publish(self, message: dict[str, Any]) -> None:
        """Send ``message`` to every instance (this one included)."""
        text = json.dumps(message, ensure_ascii=False, separators=(",", ":"))
        if len(text.encode()) <= PAYLOAD_MAX:
            payloads = [text]
        else:
            # Split on characters; 2000 characters are at most 8000 bytes of UTF-8 ... minus the
            # head, so 1500 leaves room.
            step = 1500
            pieces = [text[i : i + step] for i in range(0, len(text), step)]
            chunk_id = secrets.token_hex(6)
            payloads = [f"#{chunk_id}:{i}:{len(pieces)}|{p}" for i, p in enumerate(pieces)]
        assert self._send is not None
        sql = "SELECT pg_notify(%s, %s)"
        async with self._send_lock:
            if len(payloads) == 1:  # autocommit: one round trip
                await self._send.execute(sql, (CHANNEL, payloads[0]))
                return
            async with self._send.transaction():  # the pieces arrive together, in order
                for payload in payloads:
                    await self._send.execute(sql, (CHANNEL, payload))

    async def _lock_query(self, sql: str, key: int) -> bool:
        assert self._locks is not None
        async with self._locks_lock:
            cur = await self._locks.execute(sql, (key,))
            row = await cur.fetchone()
        return bool(row[0]) if row is not None else False

    async def try_lock(self, key: int) -> bool:
        """Take ``key`` exclusively unless someone holds it (shared or not); True if taken."""
        return await self._lock_query("SELECT pg_try_advisory_lock(%s)", key)

    async def unlock(self, key: int) -> None:
        await self._lock_query("SELECT pg_advisory_unlock(%s)", key)

    async def lock_shared(self, key: int) -> None:
        """Hold ``key`` shared (waits only while someone holds it exclusively)."""
        await self._lock_query("SELECT pg_advisory_lock_shared(%s) IS NULL", key)

    async def unlock_shared(self, key: int) -> None:
        await self._lock_query("SELECT pg_advisory_unlock_shared(%s)", key)

    async def held(self) -> set[int]:
        """Every advisory key someone holds now (any instance, shared or exclusive)."""
        assert self._locks is not None
        async with self._locks_lock:
            cur = await self._locks.execute(
                "SELECT ((classid::bigint << 32) | objid::bigint) FROM pg_locks "
                "WHERE locktype = 'advisory' AND objsubid = 1 AND granted"
            )
            rows = await cur.fetchall()
        # pg_locks shows the key's halves as unsigned 32-bit numbers: back to a signed 64-bit.
        return {int(r[0]) - (1 << 64) if int(r[0]) >= 1 << 63 else int(r[0]) for r in rows}
