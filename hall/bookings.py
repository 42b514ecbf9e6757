"""帮办代办 bookings at the front desk: a booking filing becomes a slot the hall's helpers work.

A walk-in who files the service :data:`BOOKING_SERVICE` at a kiosk asks for an adviser on a
preferred date. :meth:`BookingDesk.on_intake` runs inside the intake transaction
(``SubmissionStore.intake_hooks``) and adds one :data:`hall.desk_schema.bookings` row: the
station, the enterprise's name, the slot (the form's ``preferred_date``, the morning by default;
the day it was filed when the date is missing or unreadable, since a kiosk's filing must always
be stored) and the state ``requested``.

Helpers and up (:data:`hall.auth.StaffDep`; officers work parts, not the front desk) list them
with ``GET /api/v1/desk/bookings?date=&state=`` and act with
``POST /api/v1/desk/bookings/{submission_id}`` ``{"action", "version", "slot_date"?,
"slot_period"?, "note"?}``:

- ``confirm``: requested → confirmed (the adviser will be there);
- ``move``: a new slot for a requested or confirmed booking (its state stays);
- ``cancel``: requested or confirmed → cancelled; nothing leaves cancelled.

Each action is one ``UPDATE … WHERE version = :expected`` (version + 1): two helpers acting on
the same booking at once cannot both win; the later one gets 409 ``changed`` with who changed it
and when, and is asked to reload. Refusals are detail objects with ``code``, ``message_zh`` and
``message_en`` (the console shows them as they are). Every action is audited (``booking.*``).
The list carries no contact details: the walk-in's mobile number stays in the filing.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Annotated, Any, Final, Literal

from fastapi import APIRouter, HTTPException, Path, Query, Request
from pydantic import BaseModel, ConfigDict, Field, StrictInt, StrictStr
from sqlalchemy import Engine, insert, select, update
from sqlalchemy.engine import Connection

from contracts.clock import Clock
from contracts.wire import Submission
from hall.auth import StaffDep, audit
from hall.clock import iso
from hall.desk_schema import bookings
from hall.part_model import local_date, local_time

log = logging.getLogger(__name__)

BOOKING_SERVICE: Final = "assisted_service_booking"
PERIODS: Final = ("am", "pm")
STATES: Final = ("requested", "confirmed", "cancelled")
MAX_NOTE: Final = 2000
LIST_LIMIT: Final = 500

Action = Literal["confirm", "move", "cancel"]
# Where each action may start, and where it leaves the booking (None: the state stays).
_ACTIONS: Final[dict[str, tuple[frozenset[str], str | None]]] = {
    "confirm": (frozenset({"requested"}), "confirmed"),
    "move": (frozenset({"requested", "confirmed"}), None),
    "cancel": (frozenset({"requested", "confirmed"}), "cancelled"),
}
_STATE_WORDS: Final = {
    "requested": ("待确认", "requested"),
    "confirmed": ("已确认", "confirmed"),
    "cancelled": ("已取消", "cancelled"),
}
_ACTION_WORDS: Final = {
    "confirm": ("确认", "confirm"),
    "move": ("改期", "move"),
    "cancel": ("取消", "cancel"),
}


class BookingRefused(Exception):
    """An action the desk will not take; ``detail`` is what the console shows."""

    def __init__(self, http_status: int, code: str, zh: str, en: str, **extra: str) -> None:
        super().__init__(en)
        self.http_status = http_status
        self.detail: dict[str, str] = {"code": code, "message_zh": zh, "message_en": en, **extra}

    def http(self) -> HTTPException:
        return HTTPException(self.http_status, detail=self.detail)


@dataclass(frozen=True, slots=True)
class Booking:
    submission_id: str
    tracking_number: str
    station_id: str
    enterprise_name: str
    slot_date: str
    slot_period: str
    state: str
    note: str
    version: int
    created_at: str
    updated_at: str
    updated_by: str


def _parse_date(text: object) -> dt.date | None:
    if not isinstance(text, str):
        return None
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        return None


def _row(found: Any) -> Booking:
    return Booking(**{name: found._mapping[name] for name in Booking.__slots__})


class BookingDesk:
    """The bookings table: filled at intake, worked by the front desk."""

    def __init__(self, engine: Engine, clock: Clock) -> None:
        self.engine = engine
        self.clock = clock

    def on_intake(self, conn: Connection, sub: Submission) -> None:
        """Add the booking row of a new booking filing (others are ignored). Never raises for
        odd content: a submission the kiosk could send must be stored."""
        if sub.service_id != BOOKING_SERVICE:
            return
        now = self.clock.now()
        form = sub.payload.get("form")
        values = form if isinstance(form, dict) else {}
        preferred = _parse_date(values.get("preferred_date"))
        # A slot is a date in Suzhou (local_date), whatever zone the hall's host runs in.
        enterprise = values.get("enterprise_name")
        conn.execute(
            insert(bookings).values(
                submission_id=sub.id,
                tracking_number=sub.tracking_number,
                station_id=sub.station_id,
                enterprise_name=enterprise[:200] if isinstance(enterprise, str) else "",
                slot_date=(preferred or local_date(now)).isoformat(),
                slot_period="am",
                state="requested",
                note="",
                version=1,
                created_at=iso(now),
                updated_at=iso(now),
                updated_by="",
            )
        )
        log.info("booking %s requested (preferred date given: %s)", sub.id, preferred is not None)

    def listing(self, *, date: dt.date | None = None, state: str | None = None) -> list[Booking]:
        """Bookings by slot (date, morning first), then the order they came in."""
        query = select(bookings)
        if date is not None:
            query = query.where(bookings.c.slot_date == date.isoformat())
        if state is not None:
            query = query.where(bookings.c.state == state)
        query = query.order_by(
            bookings.c.slot_date,
            bookings.c.slot_period,
            bookings.c.created_at,
            bookings.c.submission_id,
        ).limit(LIST_LIMIT)
        with self.engine.connect() as conn:
            return [_row(r) for r in conn.execute(query)]

    def act(
        self,
        submission_id: str,
        action: str,
        version: int,
        actor: str,
        *,
        slot_date: dt.date | None = None,
        slot_period: str | None = None,
        note: str | None = None,
    ) -> Booking:
        """Take ``action`` on the booking at ``version``; :class:`BookingRefused` otherwise."""
        if note is not None and len(note) > MAX_NOTE:
            raise BookingRefused(
                422,
                "note_too_long",
                f"备注不能超过 {MAX_NOTE} 字",
                f"The note may be at most {MAX_NOTE} characters",
            )
        if action == "move" and slot_date is None and slot_period is None:
            raise BookingRefused(
                422,
                "slot_required",
                "改期请选择新的日期或时段",
                "Moving needs a new date or period",
            )
        with self.engine.begin() as conn:
            found = conn.execute(
                select(bookings).where(bookings.c.submission_id == submission_id)
            ).first()
            if found is None:
                raise BookingRefused(404, "not_found", "没有这条预约", "No such booking")
            current = _row(found)
            if current.version != version:
                raise _changed(current)
            starts, to = _ACTIONS[action]
            if current.state not in starts:
                zh_state, en_state = _STATE_WORDS.get(current.state, (current.state,) * 2)
                zh_action, en_action = _ACTION_WORDS[action]
                raise BookingRefused(
                    409,
                    "not_allowed",
                    f"预约{zh_state}，不能{zh_action}",
                    f"The booking is {en_state}; it cannot {en_action}",
                    state=current.state,
                )
            now = iso(self.clock.now())
            values: dict[str, object] = {
                "version": current.version + 1,
                "updated_at": now,
                "updated_by": actor,
            }
            if to is not None:
                values["state"] = to
            if action == "move":
                if slot_date is not None:
                    values["slot_date"] = slot_date.isoformat()
                if slot_period is not None:
                    values["slot_period"] = slot_period
            if note is not None:
                values["note"] = note
            done = conn.execute(
                update(bookings)
                .where(bookings.c.submission_id == submission_id)
                .where(bookings.c.version == version)
                .values(**values)
            )
            if done.rowcount != 1:
                # Another helper's action committed between our read and our write.
                fresh = conn.execute(
                    select(bookings).where(bookings.c.submission_id == submission_id)
                ).first()
                raise _changed(_row(fresh) if fresh is not None else current)
            after = conn.execute(
                select(bookings).where(bookings.c.submission_id == submission_id)
            ).one()
        log.info("booking %s: %s by %s", submission_id, action, actor)
        return _row(after)


def _changed(current: Booking) -> BookingRefused:
    by = current.updated_by or "—"
    at = local_time(current.updated_at)
    return BookingRefused(
        409,
        "changed",
        f"该预约已被 {by} 于 {at} 修改，请刷新后重试",
        f"Changed by {by} at {at}; reload and try again",
        by=by,
        at=current.updated_at,
    )


# --- routes --------------------------------------------------------------------------------------


class BookingOut(BaseModel):
    submission_id: str
    tracking_number: str
    station_id: str
    enterprise_name: str
    slot_date: str
    slot_period: str
    state: str
    note: str
    version: int
    created_at: str
    updated_at: str
    updated_by: str


class BookingList(BaseModel):
    items: list[BookingOut]


class BookingAction(BaseModel):
    model_config = ConfigDict(extra="forbid")

    action: Action
    version: Annotated[StrictInt, Field(ge=1, le=2**31)]
    slot_date: dt.date | None = None
    slot_period: Literal["am", "pm"] | None = None
    note: StrictStr | None = None  # length checked by the desk, for a translated refusal


def _out(b: Booking) -> BookingOut:
    return BookingOut(**{name: getattr(b, name) for name in Booking.__slots__})


def _desk(request: Request) -> BookingDesk:
    desk: BookingDesk = request.app.state.bookings
    return desk


def router() -> APIRouter:
    api = APIRouter(prefix="/api/v1/desk/bookings", tags=["desk"])

    @api.get("")
    def list_bookings(
        request: Request,
        who: StaffDep,
        date: Annotated[dt.date | None, Query()] = None,
        state: Annotated[Literal["requested", "confirmed", "cancelled"] | None, Query()] = None,
    ) -> BookingList:
        return BookingList(items=[_out(b) for b in _desk(request).listing(date=date, state=state)])

    @api.post(
        "/{submission_id}",
        responses={
            404: {"description": "no such booking"},
            409: {"description": "changed meanwhile (reload), or not allowed from its state"},
            422: {"description": "bad body, note too long, or a move without a slot"},
        },
    )
    def act(
        submission_id: Annotated[str, Path(max_length=36)],
        body: BookingAction,
        request: Request,
        who: StaffDep,
    ) -> BookingOut:
        try:
            done = _desk(request).act(
                submission_id,
                body.action,
                body.version,
                who.name,
                slot_date=body.slot_date,
                slot_period=body.slot_period,
                note=body.note,
            )
        except BookingRefused as exc:
            audit(
                request, who, f"booking.{body.action}", "booking", submission_id, exc.detail["code"]
            )
            raise exc.http() from None
        audit(request, who, f"booking.{body.action}", "booking", submission_id, "ok")
        return _out(done)

    return api
