"""Remote commands at the hall: the console asks a station to restart, reload its configuration,
run its device self-tests, upload a diagnostics bundle or set one allowed configuration value
(:mod:`contracts.remote_commands`); technician codes and fallback-PIN rotations
(:mod:`hall.technicians`) travel the same way.

A command is one row of ``remote_commands`` (migration 0014): who asked, when, until when it may
run, and its status — ``queued`` (kept), ``delivered`` (in a heartbeat answer; sent again in each
answer until the station reports, since an answer can be lost), ``done`` / ``failed`` (the
station's result, with its detail) or ``expired`` (past ``expires_at`` before the station ran
it: dropped, at the hall before delivery or at the station). The hall signs each command as it
delivers it, with its content key (:mod:`hall.content_key`); a station refuses anything else.

Each issue is audited with who asked (``command.<kind>``, subject the station). Routes:
``POST /api/v1/stations/{id}/commands`` and ``GET`` (the history, newest first) for technicians
and supervisors; ``POST /api/v1/stations/{id}/commands/{cid}/result`` for the station's device.
A heartbeat with nothing to deliver still answers 204: one indexed read more per heartbeat.
"""

from __future__ import annotations

import json
import logging
import uuid
from datetime import datetime, timedelta
from typing import Annotated, Any, Final

from fastapi import APIRouter, Depends, HTTPException, Request
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import (
    Column,
    Engine,
    Index,
    String,
    Table,
    Text,
    and_,
    bindparam,
    insert,
    select,
    update,
)
from sqlalchemy.engine import Connection

from contracts.clock import Clock
from contracts.ids import is_valid_station_id
from contracts.remote_commands import (
    CONSOLE_KINDS,
    SIGNATURE_KIND,
    Command,
    CommandResult,
    SetProblem,
    set_problem,
    signed,
    signing_input,
)
from hall import auth
from hall.clock import iso
from hall.content_key import ContentKey
from hall.device_auth import CallerDep, admit_http
from hall.store import metadata

log = logging.getLogger(__name__)

DEFAULT_TTL: Final = timedelta(minutes=30)
OPEN: Final = ("queued", "delivered")
HISTORY_MAX: Final = 50
# Arguments never shown back: a technician code's verifier, a fallback PIN's hash.
SECRET_ARGS: Final = frozenset({"verifier", "pin_hash"})

remote_commands = Table(
    "remote_commands",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("station_id", String(32), nullable=False),
    Column("kind", String(24), nullable=False),
    Column("args", Text, nullable=False),
    Column("issued_by", String(64), nullable=False),
    Column("issued_at", String(40), nullable=False),
    Column("expires_at", String(40), nullable=False),
    Column("status", String(12), nullable=False),
    Column("delivered_at", String(40), nullable=True),
    Column("finished_at", String(40), nullable=True),
    Column("detail", Text, nullable=True),
    # The heartbeat's look-up (open commands of one station) and the console's history.
    Index("remote_commands_station", "station_id", "status"),
    Index("remote_commands_history", "station_id", "issued_at"),
)
# The heartbeat's question, built once: has this station any open command?
_ANY_OPEN: Final = (
    select(remote_commands.c.id)
    .where(remote_commands.c.station_id == bindparam("station_id"))
    .where(remote_commands.c.status.in_(OPEN))
    .limit(1)
)


class CommandRefused(ValueError):
    """A command the console may not issue; ``problem`` says why (in Chinese and English)."""

    def __init__(self, problem: SetProblem) -> None:
        super().__init__(problem.en)
        self.problem = problem

    def detail(self) -> dict[str, str]:
        """The 422's detail as the console shows refusals (hall/console/js/ui.js ``explain``)."""
        p = self.problem
        return {"code": p.code, "message_zh": p.zh, "message_en": p.en}


class CommandStore:
    def __init__(self, engine: Engine, clock: Clock, content_key: ContentKey) -> None:
        self._engine, self._clock, self._key = engine, clock, content_key

    def issue(
        self,
        station_id: str,
        kind: str,
        args: dict[str, Any],
        issued_by: str,
        ttl: timedelta = DEFAULT_TTL,
    ) -> dict[str, Any]:
        """Queue one command (checked: :class:`CommandRefused` with the reason)."""
        if kind == "set" and (problem := set_problem(args)) is not None:
            raise CommandRefused(problem)
        now = self._clock.now()
        command = Command.model_validate(
            {
                "id": uuid.uuid4().hex,
                "station_id": station_id,
                "kind": kind,
                "args": args,
                "issued_by": issued_by,
                "issued_at": iso(now),
                "expires_at": iso(now + ttl),
            }
        )
        with self._engine.begin() as conn:
            conn.execute(
                insert(remote_commands).values(
                    **command.model_dump(exclude={"args"}),
                    args=json.dumps(args, ensure_ascii=False),
                    status="queued",
                )
            )
        log.info("command %s (%s) queued for %s by %s", command.id, kind, station_id, issued_by)
        return view(self._row(command.id))

    def any_open(self, station_id: str, conn: Connection) -> bool:
        """Has the station a command to hear? (Read in the caller's open transaction.)"""
        return conn.execute(_ANY_OPEN, {"station_id": station_id}).first() is not None

    def for_delivery(self, station_id: str) -> list[dict[str, Any]]:
        """The station's open commands, signed, for its heartbeat answer (marked delivered);
        those past their expiry become ``expired`` instead."""
        # Nearly every heartbeat finds none: a read (one statement built once), not a write
        # transaction, answers that.
        with self._engine.connect() as conn:
            if not self.any_open(station_id, conn):
                return []
        c = remote_commands.c
        now = self._clock.now()
        query = (
            select(remote_commands)
            .where(and_(c.station_id == station_id, c.status.in_(OPEN)))
            .order_by(c.issued_at)
        )
        with self._engine.begin() as conn:
            rows = conn.execute(query).all()
            out: list[dict[str, Any]] = []
            for row in rows:
                if datetime.fromisoformat(row.expires_at) <= now:
                    self._finish(conn, row.id, "expired", "expired before the station heard it")
                    continue
                if row.status == "queued":
                    conn.execute(
                        update(remote_commands)
                        .where(c.id == row.id)
                        .values(status="delivered", delivered_at=iso(now))
                    )
                out.append(self._signed(row))
        return out

    def record_result(self, station_id: str, command_id: str, result: CommandResult) -> bool:
        """Keep a station's result; False when the command is not its own or already closed
        (a repeated result changes nothing)."""
        c = remote_commands.c
        with self._engine.begin() as conn:
            found = conn.execute(
                update(remote_commands)
                .where(and_(c.id == command_id, c.station_id == station_id, c.status.in_(OPEN)))
                .values(
                    status=result.status, detail=result.detail, finished_at=iso(self._clock.now())
                )
            )
        return bool(found.rowcount)

    def history(self, station_id: str, limit: int = HISTORY_MAX) -> list[dict[str, Any]]:
        c = remote_commands.c
        query = (
            select(remote_commands)
            .where(c.station_id == station_id)
            .order_by(c.issued_at.desc(), c.id)
            .limit(limit)
        )
        with self._engine.connect() as conn:
            return [view(row) for row in conn.execute(query)]

    def _finish(self, conn: Any, command_id: str, status: str, detail: str) -> None:
        conn.execute(
            update(remote_commands)
            .where(remote_commands.c.id == command_id)
            .values(status=status, detail=detail, finished_at=iso(self._clock.now()))
        )

    def _row(self, command_id: str) -> Any:
        with self._engine.connect() as conn:
            return conn.execute(
                select(remote_commands).where(remote_commands.c.id == command_id)
            ).one()

    def _signed(self, row: Any) -> dict[str, Any]:
        command = Command.model_validate(
            {
                "id": row.id,
                "station_id": row.station_id,
                "kind": row.kind,
                "args": json.loads(row.args),
                "issued_by": row.issued_by,
                "issued_at": row.issued_at,
                "expires_at": row.expires_at,
            }
        )
        signature = self._key.sign(signing_input(command), SIGNATURE_KIND)
        return signed(command, signature).model_dump(mode="json")


def view(row: Any) -> dict[str, Any]:
    """One command as the console shows it (secret arguments left out)."""
    args = {k: v for k, v in json.loads(row.args).items() if k not in SECRET_ARGS}
    return {
        "id": row.id,
        "kind": row.kind,
        "args": args,
        "issued_by": row.issued_by,
        "issued_at": row.issued_at,
        "expires_at": row.expires_at,
        "status": row.status,
        "delivered_at": row.delivered_at,
        "finished_at": row.finished_at,
        "detail": row.detail,
    }


class CommandIn(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    kind: str = Field(max_length=24)
    key: str | None = Field(default=None, max_length=64)
    value: Any = None
    expires_in_s: int = Field(default=int(DEFAULT_TTL.total_seconds()), ge=60, le=86400)


def store_of(request: Request) -> CommandStore:
    found: CommandStore = request.app.state.remote_commands
    return found


def check_station(station_id: str) -> None:
    if not is_valid_station_id(station_id):
        raise HTTPException(422, detail="bad station id: A-Z, 0-9 and '-', at most 32")


TechnicianDep = Annotated[auth.Staff, Depends(auth.require_role("technician"))]


def router() -> APIRouter:
    api = APIRouter(prefix="/api/v1/stations", tags=["remote commands"])

    @api.post("/{station_id}/commands", status_code=201)
    def issue(
        station_id: str, body: CommandIn, request: Request, who: TechnicianDep
    ) -> dict[str, Any]:
        check_station(station_id)
        if body.kind not in CONSOLE_KINDS:
            known = ", ".join(CONSOLE_KINDS)
            raise HTTPException(422, detail=f"unknown command; use one of: {known}")
        args = {"key": body.key, "value": body.value} if body.kind == "set" else {}
        if body.kind != "set" and (body.key is not None or body.value is not None):
            raise HTTPException(422, detail=f"a {body.kind} command takes no key or value")
        ttl = timedelta(seconds=body.expires_in_s)
        try:
            made = store_of(request).issue(station_id, body.kind, args, who.name, ttl)
        except CommandRefused as exc:
            auth.audit(request, who, f"command.{body.kind}", "station", station_id, "refused")
            raise HTTPException(422, detail=exc.detail()) from None
        auth.audit(request, who, f"command.{body.kind}", "station", station_id, "queued")
        return made

    @api.get("/{station_id}/commands")
    def history(station_id: str, request: Request, who: TechnicianDep) -> dict[str, Any]:
        check_station(station_id)
        return {"commands": store_of(request).history(station_id)}

    @api.post("/{station_id}/commands/{command_id}/result")
    def result(
        station_id: str, command_id: str, body: CommandResult, request: Request, who: CallerDep
    ) -> dict[str, bool]:
        check_station(station_id)
        admit_http(request, who, station_id)
        kept = store_of(request).record_result(station_id, command_id[:32], body)
        if kept:
            log.info("command %s on %s: %s", command_id[:32], station_id, body.status)
        return {"recorded": kept}

    return api
