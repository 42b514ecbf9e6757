"""The demand loop (诉求闭环) at the hall: actions, transitions, deadlines and figures, as data.

``received → classified → dispatched → handling → replied → confirmed``, or
``replied → reopened → handling/dispatched``; a department may return a demand it does
not own (``dispatched → classified``). :func:`apply` performs one action and returns a new
:class:`Demand` with the event appended; a stray action raises :class:`TransitionNotAllowed`.
Deadlines run from the day the demand was received (reopening starts a new period), counted in
working days (:class:`hall.demand_content.WorkCalendar`) from the shared taxonomy
(:mod:`contracts.demands`); :func:`is_overdue` flags open demands past their due date and
:func:`demand_stats` gives the figures for the console. Times are passed in, never read from the
clock, so tests use a fake one. The desk (:mod:`hall.demand_desk`) stores demands and calls this.
Staff never record the enterprise's rating here: a replied demand is rated by the enterprise
itself, like any part (好差评, :mod:`hall.ratings`).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any, Final

from contracts.demands import OPEN_STATES, DemandState, Taxonomy
from hall.demand_content import WorkCalendar

__all__ = [
    "TRANSITIONS",
    "Action",
    "CategoryStats",
    "Demand",
    "DemandEvent",
    "DemandStats",
    "TransitionNotAllowed",
    "allowed_actions",
    "apply",
    "demand_stats",
    "is_overdue",
    "new_demand",
    "replied_late",
]

# --- the closed loop -----------------------------------------------------------------------------


class Action(StrEnum):
    CLASSIFY = "classify"  # hall staff set (or correct) the category
    DISPATCH = "dispatch"  # hand it to a department
    RETURN = "return"  # the department says it is not theirs: back to the hall to re-dispatch
    ACCEPT = "accept"  # the department starts handling it
    REPLY = "reply"  # the department answers the enterprise
    CONFIRM = "confirm"  # the enterprise accepts the answer (it rates it itself: hall.ratings)
    REOPEN = "reopen"  # the enterprise is not satisfied


S, A = DemandState, Action
TRANSITIONS: Final[Mapping[tuple[DemandState, Action], DemandState]] = {
    (S.RECEIVED, A.CLASSIFY): S.CLASSIFIED,
    (S.CLASSIFIED, A.CLASSIFY): S.CLASSIFIED,
    (S.CLASSIFIED, A.DISPATCH): S.DISPATCHED,
    (S.DISPATCHED, A.ACCEPT): S.HANDLING,
    (S.DISPATCHED, A.RETURN): S.CLASSIFIED,
    (S.HANDLING, A.REPLY): S.REPLIED,
    (S.REPLIED, A.CONFIRM): S.CONFIRMED,
    (S.REPLIED, A.REOPEN): S.REOPENED,
    (S.REOPENED, A.ACCEPT): S.HANDLING,
    (S.REOPENED, A.DISPATCH): S.DISPATCHED,
}
del S, A


class TransitionNotAllowed(ValueError):
    """An action that the demand's state does not allow (a stale console, a double click)."""

    def __init__(self, state: DemandState, action: Action) -> None:
        self.state, self.action = state, action
        allowed = ", ".join(a.value for a in allowed_actions(state)) or "none (closed)"
        super().__init__(
            f"cannot {action.value} a demand that is {state.value}; allowed: {allowed}"
        )


def allowed_actions(state: DemandState) -> tuple[Action, ...]:
    """The actions the console may offer for a demand in ``state``."""
    return tuple(a for (s, a) in TRANSITIONS if s == state)


@dataclass(frozen=True, slots=True)
class DemandEvent:
    action: Action
    at: dt.datetime
    from_state: DemandState
    to_state: DemandState
    actor: str = ""
    note: str = ""
    detail: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Demand:
    """One demand's tracking state; no personal data (the filing itself lives at the hall)."""

    id: str
    category: str
    subcategory: str | None
    received_at: dt.datetime
    due_date: dt.date
    state: DemandState = DemandState.RECEIVED
    department: str | None = None
    first_replied_at: dt.datetime | None = None
    replied_at: dt.datetime | None = None
    confirmed_at: dt.datetime | None = None
    reopen_count: int = 0
    history: tuple[DemandEvent, ...] = ()

    def to_json(self) -> dict[str, Any]:
        def iso(t: dt.datetime | None) -> str | None:
            return t.isoformat() if t else None

        return {
            "id": self.id,
            "category": self.category,
            "subcategory": self.subcategory,
            "received_at": self.received_at.isoformat(),
            "due_date": self.due_date.isoformat(),
            "state": self.state.value,
            "department": self.department,
            "first_replied_at": iso(self.first_replied_at),
            "replied_at": iso(self.replied_at),
            "confirmed_at": iso(self.confirmed_at),
            "reopen_count": self.reopen_count,
            "history": [
                {
                    "action": e.action.value,
                    "at": e.at.isoformat(),
                    "from": e.from_state.value,
                    "to": e.to_state.value,
                    "actor": e.actor,
                    "note": e.note,
                    "detail": dict(e.detail),
                }
                for e in self.history
            ],
        }


def new_demand(
    demand_id: str,
    category: str,
    received_at: dt.datetime,
    *,
    taxonomy: Taxonomy,
    calendar: WorkCalendar,
    subcategory: str | None = None,
) -> Demand:
    """A demand as the hall receives it, with the category the walk-in confirmed at the kiosk."""
    days = taxonomy.deadline_days(category, subcategory)
    return Demand(
        id=demand_id,
        category=category,
        subcategory=subcategory,
        received_at=received_at,
        due_date=calendar.add_working_days(received_at.date(), days),
    )


def apply(
    demand: Demand,
    action: Action | str,
    *,
    at: dt.datetime,
    taxonomy: Taxonomy,
    calendar: WorkCalendar,
    actor: str = "",
    note: str = "",
    category: str | None = None,
    subcategory: str | None = None,
    department: str | None = None,
) -> Demand:
    """Perform one action and return the new demand (the old one is unchanged).

    Raises :class:`TransitionNotAllowed` for an action the state does not allow and
    ``ValueError`` for missing or bad arguments (no department to dispatch to, an unknown
    category, a time earlier than the last event).
    """
    action = Action(action)
    target = TRANSITIONS.get((demand.state, action))
    if target is None:
        raise TransitionNotAllowed(demand.state, action)
    last = demand.history[-1].at if demand.history else demand.received_at
    if at < last:
        raise ValueError(f"{action.value} at {at.isoformat()} is before the last event")
    changes: dict[str, Any] = {"state": target}
    detail: dict[str, Any] = {}
    if action is Action.CLASSIFY:
        if category is None:
            raise ValueError("classify needs a category")
        try:
            days = taxonomy.deadline_days(category, subcategory)
        except KeyError as exc:
            raise ValueError(f"unknown category: {exc.args[0]}") from exc
        # The enterprise's clock started when it filed, whoever corrects the category later.
        changes |= {
            "category": category,
            "subcategory": subcategory,
            "due_date": calendar.add_working_days(demand.received_at.date(), days),
        }
        detail = {"category": category, "subcategory": subcategory}
    elif action is Action.DISPATCH:
        if not department:
            raise ValueError("dispatch needs a department")
        changes["department"] = department
        detail = {"department": department}
    elif action is Action.RETURN:
        changes["department"] = None
    elif action is Action.REPLY:
        changes["replied_at"] = at
        if demand.first_replied_at is None:
            changes["first_replied_at"] = at
    elif action is Action.CONFIRM:
        changes["confirmed_at"] = at
    elif action is Action.REOPEN:
        days = taxonomy.deadline_days(demand.category, demand.subcategory)
        # A reopened demand gets a fresh handling period from the day it was reopened.
        changes |= {
            "reopen_count": demand.reopen_count + 1,
            "due_date": calendar.add_working_days(at.date(), days),
        }
    event = DemandEvent(action, at, demand.state, target, actor, note, detail)
    changes["history"] = (*demand.history, event)
    return replace(demand, **changes)


def is_overdue(demand: Demand, now: dt.datetime) -> bool:
    """True while the enterprise still waits for an answer after the due date has passed."""
    return demand.state in OPEN_STATES and now.date() > demand.due_date


def replied_late(demand: Demand) -> bool:
    """True when the latest answer came after the due date (overdue, but already answered)."""
    return demand.replied_at is not None and demand.replied_at.date() > demand.due_date


@dataclass(frozen=True, slots=True)
class CategoryStats:
    total: int
    confirmed: int
    overdue: int


@dataclass(frozen=True, slots=True)
class DemandStats:
    """Figures for the hall console. Rates are 0-1; averages are None when nothing to average.

    ``completion_rate`` counts confirmed (closed-loop) demands; ``reply_rate`` also counts those
    answered and waiting for the enterprise. Handling time runs from receipt to the first
    answer, in calendar days (fractional) and in working days.
    """

    total: int
    open: int
    replied: int
    confirmed: int
    completion_rate: float
    reply_rate: float
    avg_handling_days: float | None
    avg_handling_working_days: float | None
    overdue_count: int
    late_reply_count: int
    reopened_count: int
    by_category: Mapping[str, CategoryStats]

    def to_json(self) -> dict[str, Any]:
        return {
            "total": self.total,
            "open": self.open,
            "replied": self.replied,
            "confirmed": self.confirmed,
            "completion_rate": self.completion_rate,
            "reply_rate": self.reply_rate,
            "avg_handling_days": self.avg_handling_days,
            "avg_handling_working_days": self.avg_handling_working_days,
            "overdue_count": self.overdue_count,
            "late_reply_count": self.late_reply_count,
            "reopened_count": self.reopened_count,
            "by_category": {
                k: {"total": v.total, "confirmed": v.confirmed, "overdue": v.overdue}
                for k, v in self.by_category.items()
            },
        }


def demand_stats(
    demands: Iterable[Demand], now: dt.datetime, calendar: WorkCalendar
) -> DemandStats:
    """Statistics over any list of demands (filter by period or department before calling)."""
    items = list(demands)
    total = len(items)
    states = Counter(d.state for d in items)
    confirmed = states[DemandState.CONFIRMED]
    replied = states[DemandState.REPLIED]
    days: list[float] = []
    working: list[int] = []
    for d in items:
        if d.first_replied_at is not None:
            days.append((d.first_replied_at - d.received_at).total_seconds() / 86400)
            working.append(
                calendar.working_days_between(d.received_at.date(), d.first_replied_at.date())
            )
    by_category: dict[str, list[Demand]] = {}
    for d in items:
        by_category.setdefault(d.category, []).append(d)
    return DemandStats(
        total=total,
        open=sum(1 for d in items if d.state in OPEN_STATES),
        replied=replied,
        confirmed=confirmed,
        completion_rate=confirmed / total if total else 0.0,
        reply_rate=(confirmed + replied) / total if total else 0.0,
        avg_handling_days=round(sum(days) / len(days), 2) if days else None,
        avg_handling_working_days=round(sum(working) / len(working), 2) if working else None,
        overdue_count=sum(is_overdue(d, now) for d in items),
        late_reply_count=sum(replied_late(d) for d in items),
        reopened_count=sum(1 for d in items if d.reopen_count),
        by_category={
            k: CategoryStats(
                len(v),
                sum(d.state is DemandState.CONFIRMED for d in v),
                sum(is_overdue(d, now) for d in v),
            )
            for k, v in by_category.items()
        },
    )
