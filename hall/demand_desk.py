"""The demand desk (诉求闭环): demands from intake, staff actions, overdue flags, figures.

A submission of service :data:`DEMAND_SERVICE` becomes a demand in the intake transaction
(:meth:`DemandDesk.on_intake`): the category is the one the walk-in confirmed at the kiosk (form
field ``demand_category``, ``other`` when missing or unknown), and the due date counts the
category's working days (:mod:`contracts.demands` taxonomy, :mod:`hall.demand_content`
calendar) from the filing time — the enterprise's clock starts when it files at the station,
not when a kiosk that was offline gets through (capped at the hall's own time, so a kiosk clock
running ahead cannot shorten it).

Staff act through :func:`hall.demand_loop.apply` — the one definition of the loop — and every
action, and every look at a demand's detail (which shows the enterprise's description), goes to
the audit log without the values. Concurrent edits (two consoles, two hall instances) are
caught with a version column: the second writer gets 409 and reloads. The demand's single part
follows the loop, so the public progress page shows it moving too.

Staff do not enter the enterprise's rating (an action with ``rating`` is refused, 422): the
enterprise rates a replied demand itself (:mod:`hall.ratings`), and the figures and the detail
read those ratings.

Overdue flags and figures read the hall's injected clock.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from dataclasses import dataclass
from typing import Annotated, Any, Final

from fastapi import APIRouter, HTTPException, Query, Request, status
from pydantic import BaseModel, ConfigDict, Field, StrictStr
from sqlalchemy import Column, Engine, Index, Integer, String, Table, Text, insert, select, update
from sqlalchemy.engine import Connection

from contracts.clock import Clock
from contracts.demands import STATE_LABELS, DemandState, Taxonomy
from contracts.wire import Submission
from hall.applicant_schema import ratings
from hall.auth import StaffDep, audit
from hall.catalog_publish import CatalogStore
from hall.clock import iso
from hall.demand_content import WorkCalendar
from hall.demand_loop import (
    Action,
    Demand,
    DemandEvent,
    TransitionNotAllowed,
    allowed_actions,
    apply,
    demand_stats,
    is_overdue,
    new_demand,
    replied_late,
)
from hall.store import metadata, submissions
from hall.tracking import TrackingStore

log = logging.getLogger(__name__)

DEMAND_SERVICE: Final = "enterprise_demand"
FALLBACK_CATEGORY: Final = "other"

# Demand state -> the public part status the receipt's progress page shows, with a note when
# the plain status would mislead (an answer is waiting for the enterprise).
_PART_STATUS: Final[dict[DemandState, str]] = {
    DemandState.RECEIVED: "received",
    DemandState.CLASSIFIED: "received",
    DemandState.DISPATCHED: "handling",
    DemandState.HANDLING: "handling",
    DemandState.REOPENED: "handling",
    DemandState.REPLIED: "handling",
    DemandState.CONFIRMED: "completed",
}

demands = Table(
    "demands",
    metadata,
    Column("id", String(36), primary_key=True),  # the submission id
    Column("tracking_number", String(64), nullable=False),
    Column("category", String(64), nullable=False),
    Column("state", String(16), nullable=False),
    Column("department", String(64), nullable=True),
    Column("received_at", String(40), nullable=False),
    Column("due_date", String(10), nullable=False),
    Column("version", Integer, nullable=False),
    Column("doc", Text, nullable=False),  # Demand.to_json(): tracking data, no personal data
)
Index("demands_state", demands.c.state)


class DemandNotFound(LookupError):
    pass


class DemandChanged(Exception):
    """Someone else changed the demand between read and write; reload and try again."""


def _time(value: str | None) -> dt.datetime | None:
    return None if value is None else dt.datetime.fromisoformat(value)


def demand_from_json(doc: dict[str, Any]) -> Demand:
    """Rebuild a :class:`Demand` from :meth:`Demand.to_json` (the stored form)."""
    return Demand(
        id=doc["id"],
        category=doc["category"],
        subcategory=doc["subcategory"],
        received_at=dt.datetime.fromisoformat(doc["received_at"]),
        due_date=dt.date.fromisoformat(doc["due_date"]),
        state=DemandState(doc["state"]),
        department=doc["department"],
        first_replied_at=_time(doc["first_replied_at"]),
        replied_at=_time(doc["replied_at"]),
        confirmed_at=_time(doc["confirmed_at"]),
        reopen_count=doc["reopen_count"],
        history=tuple(
            DemandEvent(
                action=Action(e["action"]),
                at=dt.datetime.fromisoformat(e["at"]),
                from_state=DemandState(e["from"]),
                to_state=DemandState(e["to"]),
                actor=e["actor"],
                note=e["note"],
                detail=e["detail"],
            )
            for e in doc["history"]
        ),
    )


@dataclass(frozen=True, slots=True)
class StoredDemand:
    demand: Demand
    tracking_number: str
    version: int


class DemandDesk:
    """Demands in the hall's database, acted on through :func:`hall.demand_loop.apply`."""

    def __init__(
        self,
        engine: Engine,
        clock: Clock,
        *,
        taxonomy: Taxonomy,
        calendar: WorkCalendar,
        catalogs: CatalogStore,
        tracking: TrackingStore,
    ) -> None:
        self.engine = engine
        self.clock = clock
        self.taxonomy = taxonomy
        self.calendar = calendar
        self.catalogs = catalogs
        self.tracking = tracking
        tracking.managed_services[DEMAND_SERVICE] = "demand"
        metadata.create_all(engine, tables=[demands])

    # --- intake ---------------------------------------------------------------------------------

    def on_intake(self, conn: Connection, sub: Submission) -> None:
        """Open a demand for a new ``enterprise_demand`` submission (same transaction)."""
        if sub.service_id != DEMAND_SERVICE:
            return
        form = sub.payload.get("form")
        form = form if isinstance(form, dict) else {}
        category = form.get("demand_category")
        try:
            self.taxonomy.category(category if isinstance(category, str) else "")
        except KeyError:
            log.info("demand %s: category missing or unknown, filed as %s", sub.id, "other")
            category = FALLBACK_CATEGORY
        subcategory = form.get("demand_subcategory")
        try:
            if not isinstance(subcategory, str) or self.taxonomy.parent_of(subcategory).id != (
                category
            ):
                subcategory = None
        except KeyError:
            subcategory = None
        now = self.clock.now()
        filed = dt.datetime.fromisoformat(sub.created_at)
        demand = new_demand(
            sub.id,
            str(category),
            min(filed, now),
            taxonomy=self.taxonomy,
            calendar=self.calendar,
            subcategory=subcategory,
        )
        conn.execute(insert(demands).values(**self._row(demand, sub.tracking_number), version=1))
        log.info("demand %s opened (%s, due %s)", sub.id, demand.category, demand.due_date)

    @staticmethod
    def _row(demand: Demand, tracking_number: str) -> dict[str, Any]:
        return {
            "id": demand.id,
            "tracking_number": tracking_number,
            "category": demand.category,
            "state": demand.state.value,
            "department": demand.department,
            "received_at": iso(demand.received_at),
            "due_date": demand.due_date.isoformat(),
            "doc": json.dumps(demand.to_json(), ensure_ascii=False),
        }

    # --- reading --------------------------------------------------------------------------------

    def get(self, demand_id: str) -> StoredDemand:
        with self.engine.connect() as conn:
            row = conn.execute(select(demands).where(demands.c.id == demand_id)).one_or_none()
        if row is None:
            raise DemandNotFound(demand_id)
        return StoredDemand(demand_from_json(json.loads(row.doc)), row.tracking_number, row.version)

    def all(self, *, state: str | None = None, category: str | None = None) -> list[StoredDemand]:
        """Demands, oldest first, optionally of one state and/or category."""
        query = select(demands).order_by(demands.c.received_at, demands.c.id)
        if state:
            query = query.where(demands.c.state == state)
        if category:
            query = query.where(demands.c.category == category)
        with self.engine.connect() as conn:
            rows = conn.execute(query).all()
        return [
            StoredDemand(demand_from_json(json.loads(r.doc)), r.tracking_number, r.version)
            for r in rows
        ]

    def filing(self, demand_id: str) -> dict[str, Any]:
        """The enterprise's form answers (personal data: for the detail view only, never logs)."""
        with self.engine.connect() as conn:
            payload = conn.execute(
                select(submissions.c.payload).where(submissions.c.id == demand_id)
            ).scalar_one_or_none()
        if payload is None:
            return {}
        form = json.loads(payload).get("form")
        return form if isinstance(form, dict) else {}

    # --- acting ---------------------------------------------------------------------------------

    def act(
        self,
        demand_id: str,
        action: str,
        *,
        actor: str,
        note: str = "",
        category: str | None = None,
        subcategory: str | None = None,
        department: str | None = None,
    ) -> StoredDemand:
        """Perform one action; raises :class:`DemandNotFound`, :class:`TransitionNotAllowed`,
        ``ValueError`` (bad arguments) or :class:`DemandChanged` (lost a race)."""
        try:
            action_value = Action(action)
        except ValueError:
            raise ValueError(f"unknown action {action!r}") from None
        if action_value is Action.DISPATCH and department is not None:
            latest = self.catalogs.latest()
            known = {d.id for d in latest.catalog.departments} if latest else set()
            if department not in known:
                raise ValueError(f"unknown department {department!r}")
        current = self.get(demand_id)
        # Never earlier than the last event: a hall clock stepped back by NTP must not make the
        # loop refuse every action.
        last = current.demand.history[-1].at if current.demand.history else None
        now = self.clock.now()
        at = max(now, last) if last else max(now, current.demand.received_at)
        changed = apply(
            current.demand,
            action_value,
            at=at,
            taxonomy=self.taxonomy,
            calendar=self.calendar,
            actor=actor,
            note=note,
            category=category,
            subcategory=subcategory,
            department=department,
        )
        with self.engine.begin() as conn:
            done = conn.execute(
                update(demands)
                .where(demands.c.id == demand_id, demands.c.version == current.version)
                .values(**self._row(changed, current.tracking_number), version=current.version + 1)
            ).rowcount
            if not done:
                raise DemandChanged(demand_id)
            zh, en = ("", "")
            if changed.state is DemandState.REPLIED:
                zh, en = STATE_LABELS[DemandState.REPLIED]
            self.tracking.set_status_in(
                conn, demand_id, _PART_STATUS[changed.state], note_zh=zh, note_en=en
            )
        log.info("demand %s: %s by %s -> %s", demand_id, action, actor, changed.state.value)
        return StoredDemand(changed, current.tracking_number, current.version + 1)

    def ratings_of(self, demand_ids: list[str]) -> dict[str, int]:
        """The level each demand's enterprise gave it (好差评), for those rated."""
        if not demand_ids:
            return {}
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(ratings.c.submission_id, ratings.c.level).where(
                    ratings.c.submission_id.in_(demand_ids)
                )
            ).all()
        return {r.submission_id: r.level for r in rows}

    def view(self, stored: StoredDemand) -> dict[str, Any]:
        """A demand as the console lists it: tracking data and flags, no personal data."""
        d = stored.demand
        now = self.clock.now()
        return {
            "id": d.id,
            "tracking_number": stored.tracking_number,
            "category": d.category,
            "subcategory": d.subcategory,
            "state": d.state.value,
            "department": d.department,
            "received_at": d.received_at.isoformat(),
            "due_date": d.due_date.isoformat(),
            "overdue": is_overdue(d, now),
            "replied_late": replied_late(d),
            "reopen_count": d.reopen_count,
            "allowed_actions": [a.value for a in allowed_actions(d.state)],
            "version": stored.version,
        }


# --- the console API ---------------------------------------------------------------------------


class ActionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    action: Annotated[StrictStr, Field(min_length=1, max_length=16)]
    note: Annotated[StrictStr, Field(max_length=4000)] = ""
    category: Annotated[StrictStr, Field(max_length=64)] | None = None
    subcategory: Annotated[StrictStr, Field(max_length=64)] | None = None
    department: Annotated[StrictStr, Field(max_length=64)] | None = None


def router() -> APIRouter:
    """``/api/v1/demands``: list, detail, actions, figures and reference data (staff only)."""
    api = APIRouter(prefix="/api/v1/demands", tags=["demands"])

    def desk(request: Request) -> DemandDesk:
        found: DemandDesk = request.app.state.demand_desk
        return found

    @api.get("")
    def list_demands(
        request: Request,
        who: StaffDep,
        state: Annotated[str | None, Query(max_length=16)] = None,
        category: Annotated[str | None, Query(max_length=64)] = None,
        overdue: bool | None = None,
        limit: Annotated[int, Query(ge=1, le=1000)] = 200,
    ) -> dict[str, Any]:
        d = desk(request)
        items = [d.view(s) for s in d.all(state=state or None, category=category or None)]
        if overdue is not None:
            items = [i for i in items if i["overdue"] is overdue]
        # Overdue first, then the nearest due date: what needs doing comes first.
        items.sort(key=lambda i: (not i["overdue"], i["due_date"], i["received_at"]))
        return {"as_of": d.clock.now().isoformat(), "total": len(items), "items": items[:limit]}

    @api.get("/meta")
    def meta(request: Request, who: StaffDep) -> dict[str, Any]:
        d = desk(request)
        latest = d.catalogs.latest()
        return {
            "categories": [
                {
                    "id": c.id,
                    "name_zh": c.name_zh,
                    "name_en": c.name_en,
                    "deadline_working_days": c.deadline_working_days,
                    "handler_zh": c.handler_zh,
                    "handler_en": c.handler_en,
                    "children": [
                        {"id": s.id, "name_zh": s.name_zh, "name_en": s.name_en} for s in c.children
                    ],
                }
                for c in d.taxonomy.categories
            ],
            "departments": [
                {"id": dep.id, "name_zh": dep.name_zh, "name_en": dep.name_en}
                for dep in (latest.catalog.departments if latest else ())
            ],
            "states": {s.value: {"zh": zh, "en": en} for s, (zh, en) in STATE_LABELS.items()},
            "me": {"name": who.name, "role": who.role},
        }

    @api.get("/stats")
    def stats(
        request: Request,
        who: StaffDep,
        category: Annotated[str | None, Query(max_length=64)] = None,
    ) -> dict[str, Any]:
        d = desk(request)
        now = d.clock.now()
        chosen = d.all(category=category)
        figures = demand_stats((s.demand for s in chosen), now, d.calendar)
        levels = d.ratings_of([s.demand.id for s in chosen])
        # The enterprise's own ratings (好差评, hall.ratings), never staff's entries.
        return {
            "as_of": now.isoformat(),
            **figures.to_json(),
            "average_rating": round(sum(levels.values()) / len(levels), 2) if levels else None,
            "rating_counts": {str(r): list(levels.values()).count(r) for r in range(1, 6)},
        }

    @api.get("/{demand_id}")
    def detail(demand_id: str, request: Request, who: StaffDep) -> dict[str, Any]:
        d = desk(request)
        try:
            stored = d.get(demand_id)
        except DemandNotFound:
            raise HTTPException(status.HTTP_404_NOT_FOUND, detail="no such demand") from None
        # Opening a demand shows the enterprise's own words: that look is itself audited.
        audit(request, who, "demand.view", "demand", demand_id, "ok")
        latest = d.catalogs.latest()
        labels: dict[str, tuple[str, str]] = {}
        if latest is not None:
            try:
                form = latest.catalog.service(DEMAND_SERVICE).form
                labels = {f.name: (f.label_zh, f.label_en) for f in form.fields}
            except KeyError:
                pass
        filing = d.filing(demand_id)
        # In the form's order (the stored payload's keys are sorted), unknown names last.
        order = {name: i for i, name in enumerate(labels)}
        names = sorted(filing, key=lambda n: (order.get(n, len(order)), n))
        return {
            **d.view(stored),
            "rating": d.ratings_of([demand_id]).get(demand_id),
            "demand": stored.demand.to_json(),
            "filing": [
                {
                    "name": name,
                    "label_zh": labels.get(name, (name, name))[0],
                    "label_en": labels.get(name, (name, name))[1],
                    "value": value,
                }
                for name, value in ((n, filing[n]) for n in names)
                if name != "demand_category" and isinstance(value, str)
            ],
        }

    @api.post("/{demand_id}/actions")
    def act(demand_id: str, body: ActionIn, request: Request, who: StaffDep) -> dict[str, Any]:
        d = desk(request)
        kind = f"demand.{body.action}" if body.action in {a.value for a in Action} else "demand.?"
        try:
            stored = d.act(
                demand_id,
                body.action,
                actor=who.name,
                note=body.note,
                category=body.category,
                subcategory=body.subcategory,
                department=body.department,
            )
        except DemandNotFound:
            audit(request, who, kind, "demand", demand_id, "not_found")
            raise HTTPException(status.HTTP_404_NOT_FOUND, detail="no such demand") from None
        except TransitionNotAllowed as exc:
            audit(request, who, kind, "demand", demand_id, "not_allowed")
            raise HTTPException(status.HTTP_409_CONFLICT, detail=str(exc)) from None
        except DemandChanged:
            audit(request, who, kind, "demand", demand_id, "changed_meanwhile")
            raise HTTPException(
                status.HTTP_409_CONFLICT,
                detail="the demand was changed by someone else; reload it",
            ) from None
        except ValueError as exc:
            audit(request, who, kind, "demand", demand_id, "invalid")
            raise HTTPException(422, detail=str(exc)) from None
        audit(request, who, kind, "demand", demand_id, "ok")
        return {**d.view(stored), "demand": stored.demand.to_json()}

    return api
