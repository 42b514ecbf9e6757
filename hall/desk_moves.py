"""Officers move parts at the filings desk: status moves, catalog steps, reassignment.

:class:`PartDesk` (``app.state.desk``) writes each change as one optimistic update — ``UPDATE
parts ... WHERE version = :expected``, the version raised by one, who and when — plus its
``part_events`` row, in one transaction. Two officers moving the same part at once: the first
update wins, the second matches no row and is answered 409 ``changed`` naming the winner and the
time, so nothing is lost. The rules a move must satisfy are :mod:`hall.part_model`'s; the accept
move calls every ``accepted_hooks`` callable inside its transaction (forwarding to a
department's own system enqueues there), so an accepted part and its delivery are never apart;
every move calls the ``moved_hooks`` there too (:mod:`hall.notify_wiring` queues the applicant's
text), so a 补正 and its SMS commit together.

Who may act is :mod:`hall.desk_access`'s: an officer works the parts of their own department, a
supervisor every part; reassigning a part to another department is the supervisor's alone.
Parts of a service another module drives (a demand follows the demand loop) are refused with
409 ``managed``. Routes (under :data:`hall.desk_access.DeskDep`)::

    POST /api/v1/desk/parts/{submission_id}/{part_id}/moves          {"to", "version", ...}
    POST /api/v1/desk/parts/{submission_id}/{part_id}/steps/{step_id} {"status", "version"}
    POST /api/v1/desk/parts/{submission_id}/{part_id}/reassign       {"department", "version",
                                                                       "reason"}
    POST /api/v1/desk/parts/{submission_id}/{part_id}/waybill        {"waybill", "version"}

The result_ready move's delivery defaults to the one the walk-in chose at the kiosk (the part's
``delivery``, recorded at intake); the officer may still choose the other, which the part then
records. An EMS part that is ready takes its waybill number
(:func:`contracts.delivery.check_waybill`; 422 with the code for a bad one, 409
``waybill_not_allowed`` for a part that is not ready or goes by pick-up), written like a move
(version, who, when) with a ``part_events`` row (:data:`hall.tracking.WAYBILL_REASON`) and the
``waybill_hooks`` called in its transaction (the applicant's text with the number). The same
number posted again changes nothing and sends nothing; a corrected number is recorded and
texted once more.

Each answers the part as the filing detail lists it (:meth:`PartDesk.part_view`).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Request
from pydantic import BaseModel, ConfigDict, Field, StrictInt, StrictStr
from sqlalchemy import Engine, insert, select, update
from sqlalchemy.engine import Connection, Row

from contracts.clock import Clock
from contracts.delivery import check_waybill
from hall import part_model
from hall.auth import Staff, SupervisorDep, audit
from hall.catalog_publish import CatalogStore
from hall.clock import iso
from hall.demand_content import WorkCalendar
from hall.departments import departments
from hall.desk_access import DeskDep, check_department, may_work
from hall.desk_schema import part_events
from hall.part_model import MaterialRequest, Move, MoveRefused
from hall.tracking import WAYBILL_REASON, part_steps, parts

log = logging.getLogger(__name__)

# hook(conn, submission_id, part_id, department), called inside the accept move's transaction.
AcceptedHook = Callable[[Connection, str, str, str], None]


@dataclass(frozen=True, slots=True)
class PartMoved:
    """A move as written, for the hooks: ``event_seq`` is its ``part_events`` row."""

    submission_id: str
    part_id: str
    from_status: str
    move: Move
    event_seq: int


# hook(conn, moved), called inside every move's transaction, after its event row is written.
MovedHook = Callable[[Connection, PartMoved], None]
# hook(conn, submission_id, part_id, waybill), called inside the waybill's transaction.
WaybillHook = Callable[[Connection, str, str, str], None]

# check_waybill's codes -> (zh, en)
_WAYBILL_WORDS: dict[str, tuple[str, str]] = {
    "not_text": ("运单号须为文字", "The waybill number must be text"),
    "bad_waybill": (
        "运单号格式不对：应为13位数字，或如 EA123456789CN 的国际格式",
        "Not a waybill number: 13 digits, or the international form such as EA123456789CN",
    ),
    "bad_check_digit": (
        "运单号校验位不对，请核对后重新输入",
        "The waybill number's check digit is wrong; check it and enter it again",
    ),
}


class OtherDepartment(Exception):
    """The part belongs to a department the caller may not work (the route answers 403)."""

    def __init__(self, department: str) -> None:
        super().__init__(department)
        self.department = department


class PartDesk:
    """Moves, steps and reassignments of parts in the hall's database; thread-safe."""

    def __init__(
        self,
        engine: Engine,
        clock: Clock,
        catalogs: CatalogStore,
        calendar: WorkCalendar,
        managed_services: Mapping[str, str],
    ) -> None:
        self.engine = engine
        self.clock = clock
        self.catalogs = catalogs
        self.calendar = calendar
        # Service id -> the workflow that drives its parts (the tracking store's live dict).
        self.managed_services = managed_services
        self.accepted_hooks: list[AcceptedHook] = []
        self.moved_hooks: list[MovedHook] = []
        self.waybill_hooks: list[WaybillHook] = []

    # --- reading --------------------------------------------------------------------------------

    def _load(self, conn: Connection, submission_id: str, part_id: str, who: Staff) -> Row[Any]:
        row = conn.execute(
            select(parts).where(parts.c.submission_id == submission_id, parts.c.part_id == part_id)
        ).one_or_none()
        if row is None:
            raise part_model.not_found()
        if not may_work(who, row.department):
            raise OtherDepartment(row.department)
        if row.service_id in self.managed_services:
            raise part_model.managed(self.managed_services[row.service_id])
        return row

    def _changed(self, submission_id: str, part_id: str) -> MoveRefused:
        """409 naming who moved the part last and when (read after the losing transaction)."""
        with self.engine.connect() as conn:
            row = conn.execute(
                select(parts.c.updated_by, parts.c.updated_at).where(
                    parts.c.submission_id == submission_id, parts.c.part_id == part_id
                )
            ).one_or_none()
        if row is None:
            return part_model.not_found()
        return part_model.changed(row.updated_by, row.updated_at)

    def _materials(self, conn: Connection, service_id: str) -> frozenset[str] | None:
        # On the move's own connection: a second pooled one per move would double the pool use.
        latest = self.catalogs.latest(conn)
        try:
            item = latest.catalog.service(service_id) if latest else None
        except KeyError:
            return None
        return frozenset(m.id for m in item.materials) if item and item.materials else None

    def part_view(
        self, conn: Connection, submission_id: str, part_id: str, who: Staff
    ) -> dict[str, Any]:
        """A part as the filing detail lists it: names, holder, deadline, events and steps."""
        row = conn.execute(
            select(parts).where(parts.c.submission_id == submission_id, parts.c.part_id == part_id)
        ).one()
        latest = self.catalogs.latest(conn)
        name_zh = name_en = part_id
        if latest is not None:
            try:
                item = latest.catalog.service(row.service_id)
            except KeyError:
                item = None
            spec = next((p for p in item.parts if p.id == part_id), None) if item else None
            if spec is not None:
                name_zh, name_en = spec.name_zh, spec.name_en
        dep = conn.execute(
            select(departments.c.name_zh, departments.c.name_en).where(
                departments.c.id == row.department
            )
        ).one_or_none()
        today = part_model.local_date(self.clock.now())
        left = part_model.deadline(row.status, row.due_on, row.paused_since, today, self.calendar)
        events = conn.execute(
            select(part_events)
            .where(part_events.c.submission_id == submission_id, part_events.c.part_id == part_id)
            .order_by(part_events.c.seq)
        ).all()
        steps = conn.execute(
            select(part_steps)
            .where(part_steps.c.submission_id == submission_id, part_steps.c.part_id == part_id)
            .order_by(part_steps.c.position)
        ).all()
        return {
            "part_id": part_id,
            "name_zh": name_zh,
            "name_en": name_en,
            "department": row.department,
            "department_name_zh": dep.name_zh if dep else row.department,
            "department_name_en": dep.name_en if dep else row.department,
            "status": row.status,
            "version": row.version,
            "due_on": left.due_on,
            "working_days_left": left.working_days_left,
            "overdue": left.overdue,
            "paused": left.paused,
            "case_number": row.case_number,
            "delivery": row.delivery,
            "waybill": row.waybill,
            "mine": may_work(who, row.department),
            "events": [
                {
                    "at": e.at,
                    "actor": e.actor,
                    "from": e.from_status,
                    "to": e.to_status,
                    "reason": e.reason,
                    "items": json.loads(e.items) if e.items else None,
                    "note_zh": e.public_note_zh,
                    "note_en": e.public_note_en,
                }
                for e in events
            ],
            "steps": [
                {"id": s.step_id, "status": s.status, "updated_at": s.updated_at} for s in steps
            ],
        }

    # --- changes --------------------------------------------------------------------------------

    def move(
        self, who: Staff, submission_id: str, part_id: str, move: Move, version: int
    ) -> dict[str, Any]:
        """Move a part to ``move.to``; :class:`MoveRefused` or :class:`OtherDepartment`."""
        part_model.check_body(move)
        now = self.clock.now()
        at = iso(now)
        with self.engine.begin() as conn:
            row = self._load(conn, submission_id, part_id, who)
            if row.version != version:
                raise part_model.changed(row.updated_by, row.updated_at)
            if move.to == "result_ready" and move.delivery is None and row.delivery is not None:
                move = dataclasses.replace(move, delivery=row.delivery)  # the walk-in's choice
            checked = part_model.check_move(row.status, move, self._materials(conn, row.service_id))
            values: dict[str, Any] = {
                "status": checked.to,
                "version": version + 1,
                "updated_by": who.name,
                "updated_at": at,
                "note_zh": checked.note_zh,
                "note_en": checked.note_en,
            }
            if checked.to == "needs_more":
                values["paused_since"] = at
            elif row.status == "needs_more":
                values["paused_since"] = None
                if row.due_on is not None and row.paused_since is not None:
                    values["due_on"] = part_model.resumed_due_on(
                        dt.date.fromisoformat(row.due_on), row.paused_since, now, self.calendar
                    ).isoformat()
            if checked.to in part_model.DONE:
                values["closed_at"] = at
            if checked.to == "result_ready":
                values["delivery"] = checked.delivery
            self._update(conn, submission_id, part_id, version, values)
            written = conn.execute(
                insert(part_events).values(
                    submission_id=submission_id,
                    part_id=part_id,
                    at=at,
                    actor=who.name,
                    from_status=row.status,
                    to_status=checked.to,
                    reason=checked.reason,
                    items=(
                        json.dumps([i.to_json() for i in checked.items], ensure_ascii=False)
                        if checked.items
                        else None
                    ),
                    public_note_zh=checked.note_zh,
                    public_note_en=checked.note_en,
                )
            )
            if checked.to == "accepted":
                for hook in self.accepted_hooks:
                    hook(conn, submission_id, part_id, row.department)
            key = written.inserted_primary_key
            assert key is not None  # part_events.seq is autoincrement
            moved = PartMoved(submission_id, part_id, row.status, checked, int(key[0]))
            for moved_hook in self.moved_hooks:
                moved_hook(conn, moved)
            view = self.part_view(conn, submission_id, part_id, who)
        log.info(
            "part %s/%s: %s -> %s by %s", submission_id, part_id, row.status, checked.to, who.name
        )
        return view

    def move_step(
        self, who: Staff, submission_id: str, part_id: str, step_id: str, to: str, version: int
    ) -> dict[str, Any]:
        """Set one catalog step of a part; the part's version guards it like a move."""
        at = iso(self.clock.now())
        with self.engine.begin() as conn:
            row = self._load(conn, submission_id, part_id, who)
            step = conn.execute(
                select(part_steps.c.status).where(
                    part_steps.c.submission_id == submission_id,
                    part_steps.c.part_id == part_id,
                    part_steps.c.step_id == step_id,
                )
            ).one_or_none()
            if step is None:
                raise MoveRefused("not_found", 404, "没有这个步骤", "No such step")
            if row.version != version:
                raise part_model.changed(row.updated_by, row.updated_at)
            part_model.check_step(row.status, step.status, to)
            self._update(
                conn,
                submission_id,
                part_id,
                version,
                {"version": version + 1, "updated_by": who.name, "updated_at": at},
            )
            conn.execute(
                update(part_steps)
                .where(
                    part_steps.c.submission_id == submission_id,
                    part_steps.c.part_id == part_id,
                    part_steps.c.step_id == step_id,
                )
                .values(status=to, updated_at=at)
            )
            view = self.part_view(conn, submission_id, part_id, who)
        log.info("part %s/%s step %s -> %s by %s", submission_id, part_id, step_id, to, who.name)
        return view

    def reassign(
        self,
        who: Staff,
        submission_id: str,
        part_id: str,
        department: str,
        reason: str,
        version: int,
    ) -> dict[str, Any]:
        """Hand a part to another department (supervisors; the route checks the role)."""
        reason = reason.strip()
        if len(reason) > part_model.MAX_TEXT:
            raise MoveRefused(
                "note_too_long",
                422,
                f"理由超过 {part_model.MAX_TEXT} 字",
                f"The reason is longer than {part_model.MAX_TEXT} characters",
            )
        at = iso(self.clock.now())
        with self.engine.begin() as conn:
            row = self._load(conn, submission_id, part_id, who)
            if row.version != version:
                raise part_model.changed(row.updated_by, row.updated_at)
            known = conn.execute(
                select(departments.c.id).where(
                    departments.c.id == department, departments.c.listed.is_(True)
                )
            ).one_or_none()
            if known is None:
                raise part_model.unknown_department(department[:64])
            if not reason:
                raise MoveRefused(
                    "reason_required", 422, "转交须填写理由", "A reason is required to reassign"
                )
            if row.status not in part_model.OPEN or department == row.department:
                raise MoveRefused(
                    "move_not_allowed",
                    409,
                    "已办结或已在该部门的事项不能转交",
                    "A done part, or one already with that department, cannot be reassigned",
                    **{"from": row.department, "to": department},
                )
            self._update(
                conn,
                submission_id,
                part_id,
                version,
                {
                    "department": department,
                    "version": version + 1,
                    "updated_by": who.name,
                    "updated_at": at,
                },
            )
            conn.execute(
                insert(part_events).values(
                    submission_id=submission_id,
                    part_id=part_id,
                    at=at,
                    actor=who.name,
                    from_status=row.status,
                    to_status=row.status,
                    reason=f"{row.department} → {department}: {reason}",
                )
            )
            view = self.part_view(conn, submission_id, part_id, who)
        log.info(
            "part %s/%s reassigned %s -> %s by %s",
            submission_id,
            part_id,
            row.department,
            department,
            who.name,
        )
        return view

    def record_waybill(
        self, who: Staff, submission_id: str, part_id: str, waybill: object, version: int
    ) -> dict[str, Any]:
        """Record the EMS waybill of a ready part; :class:`MoveRefused` or
        :class:`OtherDepartment`. The number already recorded, posted again: the part as it is."""
        try:
            number = check_waybill(waybill)
        except ValueError as exc:
            code = str(exc)
            zh, en = _WAYBILL_WORDS.get(code, _WAYBILL_WORDS["bad_waybill"])
            raise MoveRefused(code, 422, zh, en) from None
        at = iso(self.clock.now())
        with self.engine.begin() as conn:
            row = self._load(conn, submission_id, part_id, who)
            if row.status != "result_ready" or row.delivery != "ems":
                raise MoveRefused(
                    "waybill_not_allowed",
                    409,
                    "只有结果待领取、选择 EMS 寄送的事项才能登记运单号",
                    "Only a ready result that goes by EMS takes a waybill number",
                )
            if row.waybill == number:  # a repeat (a lost answer, a double click): nothing new
                return self.part_view(conn, submission_id, part_id, who)
            if row.version != version:
                raise part_model.changed(row.updated_by, row.updated_at)
            self._update(
                conn,
                submission_id,
                part_id,
                version,
                {"waybill": number, "version": version + 1, "updated_by": who.name,
                 "updated_at": at},
            )  # fmt: skip
            conn.execute(
                insert(part_events).values(
                    submission_id=submission_id,
                    part_id=part_id,
                    at=at,
                    actor=who.name,
                    from_status=row.status,
                    to_status=row.status,
                    reason=WAYBILL_REASON + number,
                )
            )
            for hook in self.waybill_hooks:
                hook(conn, submission_id, part_id, number)
            view = self.part_view(conn, submission_id, part_id, who)
        log.info(
            "part %s/%s: waybill %s by %s",
            submission_id,
            part_id,
            "corrected" if row.waybill else "recorded",
            who.name,
        )
        return view

    def _update(
        self,
        conn: Connection,
        submission_id: str,
        part_id: str,
        version: int,
        values: dict[str, Any],
    ) -> None:
        """The optimistic write: a concurrent move since the read matches no row."""
        done = conn.execute(
            update(parts)
            .where(
                parts.c.submission_id == submission_id,
                parts.c.part_id == part_id,
                parts.c.version == version,
            )
            .values(**values)
        ).rowcount
        if done != 1:
            log.info("part %s/%s: another move committed first", submission_id, part_id)
            raise _Lost()


class _Lost(Exception):
    """The optimistic update matched no row: another move committed first."""


# --- routes --------------------------------------------------------------------------------------

_Text = StrictStr  # lengths are checked by the part model, which answers in both languages


class MaterialIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    material: _Text
    reason: _Text


class MoveIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    to: _Text
    version: StrictInt
    reason: _Text = ""
    note_zh: _Text = ""
    note_en: _Text = ""
    items: Annotated[list[MaterialIn], Field(max_length=100)] = []
    delivery: _Text | None = None


class StepIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    status: _Text
    version: StrictInt


class WaybillIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    waybill: _Text  # check_waybill answers a bad one (422 with its code)
    version: StrictInt


class ReassignIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    department: _Text
    version: StrictInt
    reason: _Text = ""


def router() -> APIRouter:
    api = APIRouter(tags=["filings desk"])
    base = "/api/v1/desk/parts/{submission_id}/{part_id}"

    def desk(request: Request) -> PartDesk:
        found: PartDesk = request.app.state.desk
        return found

    def run(
        request: Request,
        who: Staff,
        action: str,
        subject: str,
        change: Callable[[], dict[str, Any]],
        submission_id: str,
        part_id: str,
    ) -> dict[str, Any]:
        """Run a change; every outcome is audited, every refusal answered with its code."""
        subject = subject[:128]
        try:
            try:
                view = change()
            except _Lost:
                raise desk(request)._changed(submission_id, part_id) from None
        except OtherDepartment as exc:
            check_department(request, who, exc.department, subject)  # 403, recorded
            raise HTTPException(403, detail="this part belongs to another department") from None
        except MoveRefused as exc:
            audit(request, who, action, "part", subject, exc.code)
            raise HTTPException(exc.status, detail=exc.detail()) from None
        audit(request, who, action, "part", subject, view["status"])
        return view

    @api.post(base + "/moves")
    def post_move(
        submission_id: str, part_id: str, body: MoveIn, request: Request, who: DeskDep
    ) -> dict[str, Any]:
        move = Move(
            body.to,
            body.reason,
            body.note_zh,
            body.note_en,
            tuple(MaterialRequest(i.material, i.reason) for i in body.items),
            body.delivery,
        )
        return run(
            request,
            who,
            "part.move",
            f"{submission_id}/{part_id}",
            lambda: desk(request).move(who, submission_id, part_id, move, body.version),
            submission_id,
            part_id,
        )

    @api.post(base + "/steps/{step_id}")
    def post_step(
        submission_id: str, part_id: str, step_id: str, body: StepIn, request: Request,
        who: DeskDep,
    ) -> dict[str, Any]:  # fmt: skip
        return run(
            request,
            who,
            "part.step",
            f"{submission_id}/{part_id}/{step_id}",
            lambda: desk(request).move_step(
                who, submission_id, part_id, step_id, body.status, body.version
            ),
            submission_id,
            part_id,
        )

    @api.post(base + "/reassign")
    def post_reassign(
        submission_id: str, part_id: str, body: ReassignIn, request: Request, who: SupervisorDep
    ) -> dict[str, Any]:
        return run(
            request,
            who,
            "part.reassign",
            f"{submission_id}/{part_id}",
            lambda: desk(request).reassign(
                who, submission_id, part_id, body.department, body.reason, body.version
            ),
            submission_id,
            part_id,
        )

    @api.post(base + "/waybill")
    def post_waybill(
        submission_id: str, part_id: str, body: WaybillIn, request: Request, who: DeskDep
    ) -> dict[str, Any]:
        return run(
            request,
            who,
            "part.waybill",
            f"{submission_id}/{part_id}",
            lambda: desk(request).record_waybill(
                who, submission_id, part_id, body.waybill, body.version
            ),
            submission_id,
            part_id,
        )

    return api
