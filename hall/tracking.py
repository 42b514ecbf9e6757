"""Per-part tracking of filings: fan-out at intake, the part rows, the public progress.

When a new submission is stored, :meth:`TrackingStore.on_intake` runs inside the same database
transaction and splits it with :func:`contracts.catalog.fan_out` (over the latest published
catalog) into one row per part — the department that handles it and the form fields it receives —
plus one row per step for parts where several parties act in turn (the EV charging pile). So a
"一件事" bundle (企业开办 + 用电报装) is tracked as two parts from the moment it arrives, and a
submission is never stored without its parts. Parts start ``received`` (version 1) with what the
desk's inbox sorts and searches on: the station, the time received, the promised-by date (the
service's 承诺时限 in working days of the hall's calendar), the enterprise name and USCC; steps
start ``pending``.

The part rows hold field *names*, not values: the walk-in's answers stay in one place (the
submission), and a department's view projects them from there.

Officers move parts at the filings desk (:mod:`hall.desk_moves`, the rules in
:mod:`hall.part_model`); a module that drives its own parts (the demand loop) sets them with
:meth:`TrackingStore.set_status_in` inside its transaction, which calls every ``status_hooks``
callable there (the demand's reply text goes out that way: :mod:`hall.notify_wiring`).

``GET /api/v1/progress/{tracking_number}`` is public — anyone holding the receipt may look — so
it returns the status only: statuses, part and step ids, department ids, each move's status and
time (:func:`status_only`, in the document :mod:`contracts.progress` defines) — never the
materials a 补正 asks for, their reasons or an officer's note, no personal data, never who
moved it. With the receipt's access token (``?t=`` or the ``X-Access-Token`` header) it answers
the applicant's story instead (:mod:`hall.applicant_view`): the applicant-facing part of each
move (:func:`hall.part_model.public_event`) and more; a wrong token gets the status document,
never an error.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Any, Final

from fastapi import APIRouter, Header, HTTPException, Query, Request, status
from sqlalchemy import Column, Engine, Index, Integer, String, Table, Text, insert, select, update
from sqlalchemy.engine import Connection

from contracts.catalog import ServiceItem, fan_out
from contracts.clock import Clock
from contracts.delivery import DeliveryError, parse_delivery
from contracts.ids import is_valid_tracking_number
from contracts.wire import Submission
from hall import part_model
from hall.catalog_publish import CatalogStore
from hall.clock import iso
from hall.demand_content import WorkCalendar
from hall.desk_schema import part_events
from hall.store import IntakeRefused, metadata, submissions

if TYPE_CHECKING:
    from hall.applicant_view import ApplicantView

log = logging.getLogger(__name__)

# hook(conn, submission_id, new_status), inside the transaction of a set_status_in.
StatusHook = Callable[[Connection, str, str], None]

parts = Table(
    "parts",
    metadata,
    Column("submission_id", String(36), primary_key=True),
    Column("part_id", String(64), primary_key=True),
    Column("position", Integer, nullable=False),
    Column("tracking_number", String(64), nullable=False),
    Column("service_id", String(64), nullable=False),
    Column("department", String(64), nullable=False),
    Column("fields", Text, nullable=False),  # JSON list of form field names, never values
    Column("status", String(16), nullable=False),
    Column("note_zh", Text, nullable=False, default=""),
    Column("note_en", Text, nullable=False, default=""),
    Column("updated_at", String(40), nullable=False),
    # The filings desk (migration 0004): what an inbox sorts, filters and searches on without
    # opening the submission — never the ID number — and what a move checks and records.
    Column("version", Integer, nullable=False, server_default="1"),  # optimistic, per move
    Column("station_id", String(32), nullable=False, server_default=""),
    Column("received_at", String(40), nullable=False, server_default=""),
    Column("due_on", String(10), nullable=True),  # promised-by date (working days), ISO
    Column("paused_since", String(40), nullable=True),  # waiting for more material since
    Column("enterprise_name", Text, nullable=False, server_default=""),
    Column("uscc", String(18), nullable=False, server_default=""),
    Column("updated_by", String(64), nullable=False, server_default=""),
    Column("closed_at", String(40), nullable=True),
    Column("case_number", String(64), nullable=True),  # the department system's own number
    # The applicant loop (migration 0007): pick-up or EMS, and the EMS waybill once sent.
    Column("delivery", String(8), nullable=True),
    Column("waybill", String(32), nullable=True),
)
Index("parts_tracking", parts.c.tracking_number)
Index("parts_inbox", parts.c.department, parts.c.status, parts.c.due_on)
Index("parts_received", parts.c.department, parts.c.received_at)
Index("parts_uscc", parts.c.uscc)
Index("parts_station", parts.c.station_id)
# The inbox's page order, per department and overall, and its counts (migration 0006,
# hall.desk_views).
_INBOX_ORDER = (parts.c.due_on, parts.c.received_at, parts.c.submission_id, parts.c.part_id)
Index("parts_queue", parts.c.department, *_INBOX_ORDER)
Index("parts_queue_all", *_INBOX_ORDER)
Index("parts_due", parts.c.status, parts.c.due_on, parts.c.paused_since)
Index("parts_service", parts.c.service_id, parts.c.status)
Index(
    "parts_name",
    parts.c.department,
    parts.c.enterprise_name,
    parts.c.submission_id,
    parts.c.part_id,
)

part_steps = Table(
    "part_steps",
    metadata,
    Column("submission_id", String(36), primary_key=True),
    Column("part_id", String(64), primary_key=True),
    Column("step_id", String(64), primary_key=True),
    Column("position", Integer, nullable=False),
    Column("status", String(16), nullable=False),
    Column("updated_at", String(40), nullable=False),
)


# The part_events row of a recorded EMS waybill (hall.desk_moves): no move (from = to), the
# reason "waybill:<number>" (staff see it; the public progress only that the result was sent).
WAYBILL_REASON = "waybill:"


def is_waybill_event(from_status: str, to_status: str, reason: str) -> bool:
    return from_status == to_status == "result_ready" and reason.startswith(WAYBILL_REASON)


@dataclass(frozen=True, slots=True)
class PartRow:
    """One tracked part as staff see it (no values)."""

    submission_id: str
    part_id: str
    service_id: str
    department: str
    fields: tuple[str, ...]
    status: str


class TrackingStore:
    """Parts and steps in the hall's database."""

    def __init__(
        self, engine: Engine, clock: Clock, catalogs: CatalogStore, calendar: WorkCalendar
    ) -> None:
        self.engine = engine
        self.clock = clock
        self.catalogs = catalogs
        self.calendar = calendar
        # Services whose parts another module drives (service id -> who, for the 409's words).
        self.managed_services: dict[str, str] = {}
        self.status_hooks: list[StatusHook] = []
        metadata.create_all(engine, tables=[parts, part_steps])

    # --- intake ---------------------------------------------------------------------------------

    def on_intake(self, conn: Connection, sub: Submission) -> None:
        """Create the part (and step) rows of a new submission, in the intake transaction.

        Never raises for odd content (a submission the kiosk could send must be stored) but for
        a delivery choice the service does not take or that fails its check: that is refused
        (:func:`_delivery`), as the kiosk runs the same check before it sends. A service the
        published catalog does not know gets the parts the kiosk listed, else one part named
        after the service. Every part of the filing records the delivery choice.
        """
        received = self.clock.now()
        now = iso(received)
        form = sub.payload.get("form")
        values = (
            {k: v for k, v in form.items() if isinstance(v, str)} if isinstance(form, dict) else {}
        )
        # What the inbox searches on, read as migration 0004 fills older rows; never an ID number.
        enterprise = values.get("enterprise_name") or values.get("company_name") or ""
        latest = self.catalogs.latest(conn)
        rows: list[tuple[str, str, tuple[str, ...], tuple[str, ...]]] = []
        try:
            item = latest.catalog.service(sub.service_id) if latest else None
        except KeyError:
            item = None
        due_on = (
            part_model.due_on(received, item.time_limit_days, self.calendar).isoformat()
            if item is not None
            else None
        )
        delivery = _delivery(sub.payload, item)
        if item is not None:
            for filing in fan_out(item, values):
                rows.append((filing.part_id, filing.department, tuple(filing.values), filing.steps))
        else:
            listed = sub.payload.get("parts")
            ids = (
                [p for p in listed if isinstance(p, str) and p] if isinstance(listed, list) else []
            )
            rows = [(pid[:64], "", (), ()) for pid in dict.fromkeys(ids or [sub.service_id])]
        for position, (part_id, department, fields, steps) in enumerate(rows):
            conn.execute(
                insert(parts).values(
                    submission_id=sub.id,
                    part_id=part_id,
                    position=position,
                    tracking_number=sub.tracking_number,
                    service_id=sub.service_id,
                    department=department,
                    fields=json.dumps(list(fields)),
                    status="received",
                    note_zh="",
                    note_en="",
                    updated_at=now,
                    version=1,
                    station_id=sub.station_id,
                    received_at=now,
                    due_on=due_on,
                    enterprise_name=enterprise,
                    uscc=values.get("uscc", "")[:18],
                    delivery=delivery,
                )
            )
            for step_pos, step_id in enumerate(steps):
                conn.execute(
                    insert(part_steps).values(
                        submission_id=sub.id,
                        part_id=part_id,
                        step_id=step_id,
                        position=step_pos,
                        status="pending",
                        updated_at=now,
                    )
                )
        log.info("submission %s: %d part(s) tracked", sub.id, len(rows))

    # (The address itself stays in the stored payload only, with the form's other answers.)

    def set_status_in(
        self,
        conn: Connection,
        submission_id: str,
        new_status: str,
        *,
        note_zh: str = "",
        note_en: str = "",
    ) -> None:
        """Set every part of a submission (for modules that drive parts, in their transaction)."""
        conn.execute(
            update(parts)
            .where(parts.c.submission_id == submission_id)
            .values(
                status=new_status,
                note_zh=note_zh,
                note_en=note_en,
                updated_at=iso(self.clock.now()),
            )
        )
        for hook in self.status_hooks:
            hook(conn, submission_id, new_status)

    # --- reading --------------------------------------------------------------------------------

    def _submission_for(self, conn: Connection, tracking_number: str) -> tuple[str, str] | None:
        """(submission id, service id) for a tracking number; the first one received wins."""
        row = conn.execute(
            select(submissions.c.id, submissions.c.service_id)
            .where(submissions.c.tracking_number == tracking_number)
            .order_by(submissions.c.received_at, submissions.c.id)
            .limit(1)
        ).one_or_none()
        return None if row is None else (row.id, row.service_id)

    def progress(self, tracking_number: str, *, full: bool = False) -> dict[str, Any] | None:
        """The status document for a tracking number, or None if unknown; ``full`` keeps each
        move's applicant-facing details (for the token holder's story only)."""
        if not is_valid_tracking_number(tracking_number):
            return None
        with self.engine.connect() as conn:
            found = self._submission_for(conn, tracking_number)
            if found is None:
                return None
            sub_id, service_id = found
            part_rows = conn.execute(
                select(parts).where(parts.c.submission_id == sub_id).order_by(parts.c.position)
            ).all()
            step_rows = conn.execute(
                select(part_steps)
                .where(part_steps.c.submission_id == sub_id)
                .order_by(part_steps.c.part_id, part_steps.c.position)
            ).all()
            received_at = conn.execute(
                select(submissions.c.received_at).where(submissions.c.id == sub_id)
            ).scalar_one()
            event_rows = conn.execute(
                select(part_events)
                .where(part_events.c.submission_id == sub_id)
                .order_by(part_events.c.seq)
            ).all()
        events: dict[str, list[dict[str, Any]]] = {}
        shipped: dict[str, str] = {}
        for e in event_rows:
            shown = part_model.public_event(
                e.from_status,
                e.to_status,
                e.at,
                e.items,
                e.public_note_zh,
                e.public_note_en,
                e.reason,
            )
            if shown is not None:
                events.setdefault(e.part_id, []).append(shown)
            elif is_waybill_event(e.from_status, e.to_status, e.reason):
                shipped.setdefault(e.part_id, e.at)  # sent: the first recording's time
        steps: dict[str, list[dict[str, Any]]] = {}
        for s in step_rows:
            steps.setdefault(s.part_id, []).append(
                {"id": s.step_id, "status": s.status, "updated_at": s.updated_at}
            )
        doc_parts: list[dict[str, Any]] = []
        for p in part_rows:
            entry: dict[str, Any] = {
                "id": p.part_id,
                "department": p.department,
                "status": p.status,
                "updated_at": p.updated_at,
                "steps": steps.get(p.part_id, []),
            }
            if p.note_zh or p.note_en:
                entry["note_zh"], entry["note_en"] = p.note_zh, p.note_en
            if p.part_id in events:
                entry["events"] = events[p.part_id]
            if p.delivery == "ems" and p.waybill:
                # 已由EMS寄出: that it went, never the number (the token's view adds it).
                entry["shipped_by"] = "ems"
                entry["shipped_at"] = shipped.get(p.part_id, p.updated_at)
            doc_parts.append(entry)
        if not doc_parts:
            # Stored before parts were tracked: one part, received, is still the truth.
            doc_parts = [
                {"id": service_id, "status": "received", "updated_at": received_at, "steps": []}
            ]
        doc = {"tracking_number": tracking_number, "service_id": service_id, "parts": doc_parts}
        return doc if full else status_only(doc)

    def parts_of(self, submission_id: str) -> list[PartRow]:
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(parts)
                .where(parts.c.submission_id == submission_id)
                .order_by(parts.c.position)
            ).all()
        return [
            PartRow(
                r.submission_id,
                r.part_id,
                r.service_id,
                r.department,
                tuple(json.loads(r.fields)),
                r.status,
            )
            for r in rows
        ]


# What a move shows the number alone: where it went and when (the token holder sees the rest).
_STATUS_KEYS: Final = frozenset({"status", "at", "delivery"})


# The demand loop's part notes are its state words (已答复，待企业确认: hall.demand_desk), a status;
# a desk part's note is what an officer wrote to the applicant.
_STATE_WORD_NOTES: Final = frozenset({"enterprise_demand"})


def status_only(doc: dict[str, Any]) -> dict[str, Any]:
    """``doc`` without the materials a 补正 lists, their reasons and the officers' notes."""
    keep_notes = doc.get("service_id") in _STATE_WORD_NOTES
    out_parts = []
    for part in doc["parts"]:
        entry = {k: v for k, v in part.items() if keep_notes or k not in ("note_zh", "note_en")}
        if "events" in part:
            entry["events"] = [
                {k: v for k, v in e.items() if k in _STATUS_KEYS} for e in part["events"]
            ]
        out_parts.append(entry)
    return {**doc, "parts": out_parts}


def _delivery(payload: dict[str, Any], item: ServiceItem | None) -> str | None:
    """How a filing's result reaches the walk-in: ``pickup``, ``ems``, or None (no document).

    A service whose result is a document defaults to pick-up (a kiosk older than the choice
    sends none). A delivery that fails the check both sides run
    (:func:`contracts.delivery.parse_delivery`) is refused: :class:`IntakeRefused` with the
    field codes, never the address. A valid choice for a service the latest catalog no longer
    marks as giving a document is kept, not refused: the walk-in chose it under the catalog the
    station had, possibly while offline, and a refused filing would be lost.
    """
    offered = item is not None and item.result_document
    raw = payload.get("delivery")
    if raw is None:
        return "pickup" if offered else None
    try:
        method = parse_delivery(raw).method
    except DeliveryError as exc:
        raise IntakeRefused(
            "delivery_invalid", {f"delivery.{k}": v for k, v in exc.reasons.items()}
        ) from None
    if not offered:
        log.info("delivery_not_offered: the walk-in's %s kept", method)
    return method


def router() -> APIRouter:
    """The public progress (JSON)."""
    api = APIRouter(tags=["tracking"])

    def store(request: Request) -> TrackingStore:
        found: TrackingStore = request.app.state.tracking_store
        return found

    @api.get("/api/v1/progress/{tracking_number}")
    def get_progress(
        tracking_number: str,
        request: Request,
        t: Annotated[str | None, Query()] = None,
        x_access_token: Annotated[str | None, Header()] = None,
    ) -> dict[str, Any]:
        token = t or x_access_token
        if token:
            view: ApplicantView = request.app.state.applicant_view
            story = view.story(tracking_number, token)
            if story is None:
                raise HTTPException(status.HTTP_404_NOT_FOUND, detail="no such tracking number")
            return story
        doc = store(request).progress(tracking_number)
        if doc is None:
            raise HTTPException(status.HTTP_404_NOT_FOUND, detail="no such tracking number")
        return doc

    return api
