"""The part model of the filings desk: the statuses a department's part moves through, which
moves are legal, what each move must carry, the deadline it keeps, and the words a refusal is
given in (Chinese and English, for the console to show as they are).

One model for every service (a demand keeps the demand loop, :mod:`hall.demand_loop`)::

    received ─受理→ accepted ─→ in_review ─→ approved ─→ result_ready ─→ closed
        └─不予受理→ not_accepted     │  ↑  └─→ refused
                                     ↓  │
                                  needs_more (补正: the deadline pauses)

Pure: no database and no web framework. :mod:`hall.desk_moves` loads a part, asks
:func:`check_body` and :func:`check_move` here, and writes the move; every refusal is a
:class:`MoveRefused` carrying the code, the HTTP status and both languages' messages.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any, Final

from contracts.progress import DELIVERIES, STEP_STATUSES
from hall.demand_content import WorkCalendar

# The district's time: deadlines count the dates a walk-in in Suzhou sees.
DISTRICT_TIME: Final = dt.timezone(dt.timedelta(hours=8), "Asia/Shanghai")

# status -> (zh, en), the words staff see in messages.
STATUS_NAMES: Final[Mapping[str, tuple[str, str]]] = {
    "received": ("待受理", "received"),
    "accepted": ("已受理", "accepted"),
    "not_accepted": ("不予受理", "not accepted"),
    "in_review": ("审查中", "in review"),
    "needs_more": ("待补正", "needs more material"),
    "approved": ("准予许可", "approved"),
    "refused": ("不予许可", "refused"),
    "result_ready": ("结果待领取", "result ready"),
    "closed": ("已办结", "closed"),
}
PART_STATUSES: Final = tuple(STATUS_NAMES)

# Where a part may go from each status; nothing leaves a done status.
MOVES: Final[Mapping[str, frozenset[str]]] = {
    "received": frozenset({"accepted", "not_accepted"}),
    "accepted": frozenset({"in_review"}),
    "in_review": frozenset({"needs_more", "approved", "refused"}),
    "needs_more": frozenset({"in_review"}),
    "approved": frozenset({"result_ready"}),
    "result_ready": frozenset({"closed"}),
    "not_accepted": frozenset(),
    "refused": frozenset(),
    "closed": frozenset(),
}
OPEN: Final = frozenset(
    {"received", "accepted", "in_review", "needs_more", "approved", "result_ready"}
)
DONE: Final = frozenset({"not_accepted", "refused", "closed"})
# The inbox's tabs (overdue is computed: open, not paused, due before today).
TABS: Final[Mapping[str, frozenset[str]]] = {
    "waiting": frozenset({"received"}),
    "in_progress": frozenset({"accepted", "in_review", "approved", "result_ready"}),
    "needs_more": frozenset({"needs_more"}),
    "done": DONE,
}
REASON_REQUIRED: Final = frozenset({"not_accepted", "refused"})
# Longest reason or note a move takes (each text field on its own).
MAX_TEXT: Final = 2000
_ID_MAX: Final = 64


class MoveRefused(Exception):
    """A move (or step, or reassignment) the desk refuses; :meth:`detail` is the HTTP body."""

    def __init__(self, code: str, status: int, zh: str, en: str, **extra: str) -> None:
        super().__init__(f"{code}: {en}")
        self.code, self.status, self.message_zh, self.message_en = code, status, zh, en
        self.extra = extra

    def detail(self) -> dict[str, str]:
        return {
            "code": self.code,
            **self.extra,
            "message_zh": self.message_zh,
            "message_en": self.message_en,
        }


def not_found() -> MoveRefused:
    return MoveRefused("not_found", 404, "没有这个事项", "No such part")


def managed(workflow: str) -> MoveRefused:
    return MoveRefused(
        "managed",
        409,
        "此事项按企业诉求流程办理，请在诉求页面处理",
        f"This part follows the {workflow} workflow; work it there",
    )


def changed(by: str, at: str) -> MoveRefused:
    """Someone moved the part since the caller loaded it (optimistic version check)."""
    when = local_time(at)
    who = by or "系统"
    return MoveRefused(
        "changed",
        409,
        f"此事项已被 {who} 于 {when} 修改，请刷新后重试",
        f"Changed by {by or 'the hall'} at {when}; reload and try again",
        by=by,
        at=at,
    )


def unknown_department(department: str) -> MoveRefused:
    zh, en = f"没有这个部门：{department}", f"No such department: {department}"
    return MoveRefused("unknown_department", 422, zh, en)


def reason_required(to: str) -> MoveRefused:
    zh, en = STATUS_NAMES.get(to, (to, to))
    return MoveRefused("reason_required", 422, f"“{zh}”须填写理由", f"A reason is required to {en}")


def _unknown_status(to: str) -> MoveRefused:
    return MoveRefused("unknown_status", 422, f"未知的状态：{to}", f"Unknown status: {to}")


def _not_allowed(current: str, to: str, names: Mapping[str, tuple[str, str]]) -> MoveRefused:
    fz, fe = names.get(current, (current, current))
    tz, te = names.get(to, (to, to))
    return MoveRefused(
        "move_not_allowed",
        409,
        f"不能从“{fz}”改为“{tz}”",
        f"A part cannot move from {fe} to {te}",
        **{"from": current, "to": to},
    )


# --- a move ---------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class MaterialRequest:
    """One material a 补正 asks for, and why (both shown to the applicant)."""

    material: str
    reason: str

    def to_json(self) -> dict[str, str]:
        return {"material": self.material, "reason": self.reason}


@dataclass(frozen=True, slots=True)
class Move:
    """What an officer asks for: the target status and what it carries."""

    to: str
    reason: str = ""
    note_zh: str = ""
    note_en: str = ""
    items: tuple[MaterialRequest, ...] = ()
    delivery: str | None = None


def _check_length(field_zh: str, field_en: str, text: str) -> None:
    if len(text) > MAX_TEXT:
        raise MoveRefused(
            "note_too_long",
            422,
            f"{field_zh}超过 {MAX_TEXT} 字",
            f"The {field_en} is longer than {MAX_TEXT} characters",
        )


def check_body(move: Move) -> None:
    """Refusals that depend on the request alone: an unknown status, an over-long text."""
    if move.to not in STATUS_NAMES:
        raise _unknown_status(move.to)
    _check_length("理由", "reason", move.reason)
    _check_length("中文说明", "Chinese note", move.note_zh)
    _check_length("英文说明", "English note", move.note_en)
    for item in move.items:
        _check_length("补正原因", "reason of a material", item.reason)


def check_move(current: str, move: Move, materials: Collection[str] | None = None) -> Move:
    """The move as it will be written, or :class:`MoveRefused`.

    ``materials`` are the material ids the service lists (None: not known, any id is taken).
    Texts are trimmed; the reason of a ``result_ready`` move is its delivery.
    """
    check_body(move)
    if move.to not in MOVES.get(current, frozenset()):
        raise _not_allowed(current, move.to, STATUS_NAMES)
    reason = move.reason.strip()
    if move.to in REASON_REQUIRED and not reason:
        raise reason_required(move.to)
    items: tuple[MaterialRequest, ...] = ()
    if move.to == "needs_more":
        items = tuple(MaterialRequest(i.material.strip(), i.reason.strip()) for i in move.items)
        if not items or any(not i.material or not i.reason for i in items):
            raise MoveRefused(
                "items_required",
                422,
                "补正须列出至少一项材料，并写明每项的原因",
                "List at least one material, each with the reason it is needed",
            )
        for item in items:
            if len(item.material) > _ID_MAX or (
                materials is not None and item.material not in materials
            ):
                raise MoveRefused(
                    "unknown_material",
                    422,
                    f"材料“{item.material[:_ID_MAX]}”不在本事项的材料清单中",
                    f"Material {item.material[:_ID_MAX]!r} is not on this service's list",
                )
    if move.to == "result_ready":
        if move.delivery is None or move.delivery not in DELIVERIES:
            raise MoveRefused(
                "delivery_required",
                422,
                "请选择结果送达方式：站点领取（pickup）或邮寄（ems）",
                "Choose how the result reaches the applicant: pickup or ems",
            )
        reason = move.delivery
    return Move(
        move.to,
        reason,
        move.note_zh.strip(),
        move.note_en.strip(),
        items,
        move.delivery if move.to == "result_ready" else None,
    )


def check_step(part_status: str, current: str, to: str) -> None:
    """A catalog step of a part may move while the part is open, to another known status."""
    if to not in STEP_STATUSES:
        raise _unknown_status(to)
    if part_status not in OPEN:
        zh, en = STATUS_NAMES.get(part_status, (part_status, part_status))
        raise MoveRefused(
            "move_not_allowed",
            409,
            f"事项已“{zh}”，其步骤不能再改",
            f"The part is {en}; its steps can no longer change",
            **{"from": current, "to": to},
        )
    if current == to:
        names = {k: (v[0], k) for k, v in STEP_STATUSES.items()}
        raise _not_allowed(current, to, names)


# --- deadlines -----------------------------------------------------------------------------------


def local_date(at: dt.datetime | str) -> dt.date:
    """The district's date of a time (stored times are UTC ISO text)."""
    t = dt.datetime.fromisoformat(at) if isinstance(at, str) else at
    return t.astimezone(DISTRICT_TIME).date()


def local_time(at: str) -> str:
    """``2026-11-23 09:05`` in the district's time, for messages; the text itself if unreadable."""
    try:
        return dt.datetime.fromisoformat(at).astimezone(DISTRICT_TIME).strftime("%Y-%m-%d %H:%M")
    except ValueError:
        return at


def due_on(received: dt.datetime, time_limit_days: int, calendar: WorkCalendar) -> dt.date:
    """The promised-by date: ``time_limit_days`` working days after the day it was received."""
    return calendar.add_working_days(local_date(received), time_limit_days)


def resumed_due_on(
    due: dt.date, paused_since: str, now: dt.datetime, calendar: WorkCalendar
) -> dt.date:
    """The deadline after a pause: later by the working days the part waited for material."""
    paused = max(0, calendar.working_days_between(local_date(paused_since), local_date(now)))
    return calendar.add_working_days(due, paused)


@dataclass(frozen=True, slots=True)
class Deadline:
    due_on: str | None
    working_days_left: int | None
    overdue: bool
    paused: bool


def deadline(
    status: str,
    due: str | None,
    paused_since: str | None,
    today: dt.date,
    calendar: WorkCalendar,
) -> Deadline:
    """Time left on a part: a paused or done part is never overdue."""
    paused = paused_since is not None and status in OPEN
    if due is None:
        return Deadline(None, None, False, paused)
    due_date = dt.date.fromisoformat(due)
    left = calendar.working_days_between(today, due_date)
    return Deadline(due, left, status in OPEN and not paused and due_date < today, paused)


# --- what the applicant sees ----------------------------------------------------------------------


def public_event(
    from_status: str,
    to_status: str,
    at: str,
    items: str | None,
    note_zh: str,
    note_en: str,
    reason: str,
) -> dict[str, Any] | None:
    """The applicant-facing part of a recorded move, or None for one they need not see.

    Never the actor, never an officer's internal reason; the public note, the materials a 补正
    asks for (ids and reasons) and how a result is delivered are the applicant's to know.
    """
    if from_status == to_status:  # a reassignment between departments, not a move
        return None
    event: dict[str, Any] = {"status": to_status, "at": at}
    if note_zh or note_en:
        event["note_zh"], event["note_en"] = note_zh, note_en
    if to_status == "needs_more" and items:
        listed = json.loads(items)
        event["items"] = [
            {"material": str(i.get("material", "")), "reason": str(i.get("reason", ""))}
            for i in listed
            if isinstance(i, dict)
        ]
    if to_status == "result_ready" and reason in DELIVERIES:
        event["delivery"] = reason
    return event
