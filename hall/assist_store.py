"""Help calls on disk, so a hall restart (a deploy, a crash) does not end them.

The broker writes a call's state and every sequenced frame it relays *before* sending it: the
session row (ids, state, helper, consent, the form as the helper may see it, the highest seq
received from each side) and the frame, in one transaction. After a restart the broker loads the
calls still waiting or live, and a kiosk or helper that comes back within the resume window
resumes exactly as after a network blip: the hall answers with the last seq it holds from that
side and replays what the side lacks, so nothing is lost or delivered twice.

What is stored is what the broker holds in memory anyway — field values only while the walk-in
consents, frames that carried values purged on a revoke — and a call's rows are deleted when it
ends (including a call whose sides never came back after the restart). Commits skip the fsync
(SQLite ``synchronous=NORMAL`` on a connection of its own, PostgreSQL ``synchronous_commit=off``
for these transactions): a process crash keeps every frame; a power cut may drop the last few
frames of a live call, which then resumes from slightly earlier — the walk-in's form is on the
kiosk, not here.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    Boolean,
    Column,
    Engine,
    Integer,
    String,
    Table,
    Text,
    delete,
    select,
)
from sqlalchemy.dialects import postgresql, sqlite

from hall.store import metadata, relax, relaxed_engine


class CallState(StrEnum):
    """A help call's life: queued until a helper accepts, live with that helper, over."""

    WAITING = "waiting"
    ACTIVE = "active"
    ENDED = "ended"


class Side(StrEnum):
    """The two ends of a call; a stored frame is for one of them."""

    KIOSK = "kiosk"
    HELPER = "helper"


# Calls a restart brings back; an ended call is never resumed.
OPEN_STATES = (CallState.WAITING.value, CallState.ACTIVE.value)

assist_sessions = Table(
    "assist_sessions",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("station_id", String(32), nullable=False),
    Column("service_id", String(64), nullable=False),
    Column("requested_at", String(40), nullable=False),
    Column("state", String(16), nullable=False),  # a CallState
    Column("helper", String(64), nullable=False),
    Column("consent", Boolean, nullable=False),
    Column("form", Text, nullable=False),  # service name, fields, materials, choices, captures
    Column("kiosk_in_last", Integer, nullable=False),
    Column("helper_in_last", Integer, nullable=False),
    Column("kiosk_out_seq", Integer, nullable=False),
    Column("helper_out_seq", Integer, nullable=False),
)

assist_frames = Table(
    "assist_frames",
    metadata,
    Column("session_id", String(40), primary_key=True),
    Column("side", String(8), primary_key=True),  # who the frame is for: a Side
    Column("seq", Integer, primary_key=True),
    Column("frame", Text, nullable=False),
)


# Calls waiting or live, oldest request first.
_OPEN_CALLS = (
    select(assist_sessions)
    .where(assist_sessions.c.state.in_(OPEN_STATES))
    .order_by(assist_sessions.c.requested_at)
)


@dataclass(frozen=True)
class StoredCall:
    row: dict[str, Any]
    form: dict[str, Any]
    frames: dict[Side, list[tuple[int, str]]]  # side -> [(seq, frame text)] in order


class AssistStore:
    def __init__(self, engine: Engine, buffer_frames: int) -> None:
        self._buffer = buffer_frames
        # On SQLite a connection pool of its own, so relaxing fsync never touches the intake's.
        self._engine = relaxed_engine(engine)
        self._own = self._engine is not engine

    def close(self) -> None:
        if self._own:
            self._engine.dispose()

    def _begin(self) -> Any:
        return self._engine.begin()

    def _relax(self, conn: Any) -> None:
        relax(conn)

    def _upsert(self, conn: Any, row: dict[str, Any]) -> None:
        dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
        stmt = dialect.insert(assist_sessions).values(**row)
        stmt = stmt.on_conflict_do_update(
            index_elements=[assist_sessions.c.id],
            set_={k: v for k, v in row.items() if k != "id"},
        )
        conn.execute(stmt)

    def save(self, row: dict[str, Any], frame: tuple[Side, int, str] | None = None) -> None:
        """Write the call's row and, if given, one frame ``(side, seq, text)`` for a side."""
        with self._begin() as conn:
            self._relax(conn)
            self._upsert(conn, row)
            if frame is not None:
                side, seq, body = frame
                conn.execute(
                    assist_frames.insert().values(
                        session_id=row["id"], side=side.value, seq=seq, frame=body
                    )
                )
                # Keep what the in-memory buffer keeps, no more.
                conn.execute(
                    delete(assist_frames).where(
                        assist_frames.c.session_id == row["id"],
                        assist_frames.c.side == side.value,
                        assist_frames.c.seq <= seq - self._buffer,
                    )
                )

    def replace_frames(
        self, row: dict[str, Any], side: Side, frames: list[tuple[int, str]]
    ) -> None:
        """After a consent revoke: the side's buffer without the frames that carried values."""
        with self._begin() as conn:
            self._relax(conn)
            self._upsert(conn, row)
            conn.execute(
                delete(assist_frames).where(
                    assist_frames.c.session_id == row["id"], assist_frames.c.side == side.value
                )
            )
            if frames:
                conn.execute(
                    assist_frames.insert(),
                    [
                        {"session_id": row["id"], "side": side.value, "seq": seq, "frame": body}
                        for seq, body in frames
                    ],
                )

    def forget(self, session_id: str) -> None:
        with self._begin() as conn:
            conn.execute(delete(assist_frames).where(assist_frames.c.session_id == session_id))
            conn.execute(delete(assist_sessions).where(assist_sessions.c.id == session_id))

    def load_one(self, session_id: str) -> StoredCall | None:
        """One call still waiting or live, with its buffered frames (None: ended or unknown)."""
        with self._engine.connect() as conn:
            row = conn.execute(
                select(assist_sessions).where(
                    assist_sessions.c.id == session_id, assist_sessions.c.state.in_(OPEN_STATES)
                )
            ).first()
            if row is None:
                return None
            return self._stored(conn, row)

    def open_calls(self) -> list[dict[str, Any]]:
        """Every call waiting or live (any instance's), oldest request first, without frames."""
        with self._engine.connect() as conn:
            rows = conn.execute(_OPEN_CALLS).all()
        found = []
        for row in rows:
            data = dict(row._mapping)
            data["form"] = json.loads(data["form"])
            found.append(data)
        return found

    def _stored(self, conn: Any, row: Any) -> StoredCall:
        frames: dict[Side, list[tuple[int, str]]] = {side: [] for side in Side}
        for f in conn.execute(
            select(assist_frames.c.side, assist_frames.c.seq, assist_frames.c.frame)
            .where(assist_frames.c.session_id == row.id)
            .order_by(assist_frames.c.side, assist_frames.c.seq)
        ):
            frames[Side(f.side)].append((f.seq, f.frame))
        data = dict(row._mapping)
        return StoredCall(data, json.loads(data.pop("form")), frames)

    def load(self) -> list[StoredCall]:
        """Calls still waiting or live, oldest request first, with their buffered frames."""
        with self._engine.connect() as conn:
            rows = conn.execute(_OPEN_CALLS).all()
            calls = [self._stored(conn, row) for row in rows]
            # Ended calls whose rows outlived a crash between "ended" and "forgotten".
            conn.commit()
        with self._begin() as conn:
            stale = select(assist_sessions.c.id).where(assist_sessions.c.state.not_in(OPEN_STATES))
            conn.execute(delete(assist_frames).where(assist_frames.c.session_id.in_(stale)))
            conn.execute(delete(assist_sessions).where(assist_sessions.c.state.not_in(OPEN_STATES)))
        return calls
