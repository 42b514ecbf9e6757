"""The applicant's access token and the applicant's view of a filing (the receipt QR's promise).

The kiosk makes an unguessable token per filing (``secrets.token_urlsafe(16)``: 128 bits), seals
it into the payload as ``access_token`` and prints it in the receipt QR
(``<hall>/p/<tracking number>?t=<token>``). At intake :func:`on_intake` keeps it in
``applicant_access`` (same transaction as the filing); the hall's texts carry the same link
(:func:`link`).

Two views of one tracking number:

- **number alone** (or a wrong or expired token): the public status document of
  :meth:`hall.tracking.TrackingStore.progress`, as before — never an error that says why;
- **number and its token**: the same document plus the applicant's story
  (:meth:`ApplicantView.story`): per part what is missing now and why (the officer's 补正
  items, by material name), the supplements handed in, how the result reaches them (pick-up at
  which station, or EMS: the waybill number once the officer recorded it — the status view says
  only that it was sent, ``shipped_by``), and for a demand the department's reply texts.

A token is compared in constant time (:func:`hmac.compare_digest`, also against a stand-in when
the number is unknown) and lives :data:`ACCESS_DAYS` days. It is never logged: the hall's log
names submissions by id, and :class:`RedactTokens` blanks ``t=`` in uvicorn's access log.
"""

from __future__ import annotations

import datetime as dt
import hmac
import json
import logging
import re
from collections.abc import Mapping
from typing import Any, Final

from sqlalchemy import Engine, insert, select
from sqlalchemy.engine import Connection

from contracts.catalog import Catalog
from contracts.clock import Clock
from contracts.ids import is_valid_tracking_number
from contracts.wire import Submission
from hall.applicant_schema import applicant_access, supplements
from hall.catalog_publish import CatalogStore
from hall.clock import iso
from hall.demand_desk import DEMAND_SERVICE, demands
from hall.desk_schema import part_events
from hall.enrolment import devices
from hall.tracking import TrackingStore, parts, status_only

log = logging.getLogger(__name__)

# token_urlsafe(16) gives 22 characters; longer ones are taken (the column holds 64).
TOKEN_PATTERN: Final = re.compile(r"^[A-Za-z0-9_-]{22,64}$")
# How long a receipt's token opens the full story: two years from the filing.
ACCESS_DAYS: Final = 730
# Compared against when the number has no token, so a miss costs what a hit costs.
_STAND_IN: Final = "x" * 22
_TOKEN_IN_QUERY: Final = re.compile(r"([?&]t=)[^&\s\"]*")


def is_token(value: object) -> bool:
    return isinstance(value, str) and TOKEN_PATTERN.fullmatch(value) is not None


def link(public_url: str, tracking_number: str, token: str | None) -> str:
    """The applicant's link: ``<hall>/p/<number>?t=<token>`` (the number alone without one)."""
    base = f"{public_url.rstrip('/')}/p/{tracking_number}"
    return f"{base}?t={token}" if token else base


def on_intake(conn: Connection, sub: Submission, clock: Clock) -> None:
    """Keep the filing's token (intake hook, same transaction); a filing without one keeps none.

    An old kiosk sends no token and a malformed one is ignored: the filing must be stored anyway
    (its number still shows the status).
    """
    token = sub.payload.get("access_token")
    if token is None:
        return
    if not is_token(token):
        log.warning("submission %s: access token malformed, not kept", sub.id)
        return
    conn.execute(
        insert(applicant_access).values(
            submission_id=sub.id,
            tracking_number=sub.tracking_number,
            token=token,
            created_at=iso(clock.now()),
        )
    )


def token_of(conn: Connection, submission_id: str) -> str | None:
    """The filing's token (for the links the hall's texts carry), or None."""
    found: str | None = conn.execute(
        select(applicant_access.c.token).where(applicant_access.c.submission_id == submission_id)
    ).scalar_one_or_none()
    return found


def check_token(
    conn: Connection, tracking_number: str, token: str | None, now: dt.datetime
) -> str | None:
    """The submission id when ``token`` opens ``tracking_number``'s story, else None.

    Wrong, malformed, expired, or a number without a token: all None, told apart by nobody.
    """
    row = (
        conn.execute(
            select(
                applicant_access.c.submission_id,
                applicant_access.c.token,
                applicant_access.c.created_at,
            ).where(applicant_access.c.tracking_number == tracking_number)
        ).one_or_none()
        if is_valid_tracking_number(tracking_number)
        else None
    )
    given = (token if isinstance(token, str) and is_token(token) else "").encode("ascii")
    held = (row.token if row is not None else _STAND_IN).encode("ascii")
    same = hmac.compare_digest(given, held)
    if row is None or not same:
        return None
    if now - dt.datetime.fromisoformat(row.created_at) > dt.timedelta(days=ACCESS_DAYS):
        return None
    submission_id: str = row.submission_id
    return submission_id


def redact(text: str) -> str:
    """``text`` with every ``t=<token>`` of a link blanked (``t=***``): for logs and staff lists."""
    return _TOKEN_IN_QUERY.sub(r"\1***", text)


class RedactTokens(logging.Filter):
    """Blanks ``t=<token>`` in uvicorn's access log lines (the phone page's query)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(redact(a) if isinstance(a, str) else a for a in record.args)
        elif isinstance(record.msg, str):
            record.msg = redact(record.msg)
        return True


def redact_access_log() -> None:
    """Install :class:`RedactTokens` on uvicorn's access logger (once per process)."""
    access = logging.getLogger("uvicorn.access")
    if not any(isinstance(f, RedactTokens) for f in access.filters):
        access.addFilter(RedactTokens())


class ApplicantView:
    """The two views of a tracking number (``app.state.applicant_view``)."""

    def __init__(
        self, engine: Engine, clock: Clock, catalogs: CatalogStore, tracking: TrackingStore
    ) -> None:
        self.engine, self.clock, self.catalogs, self.tracking = engine, clock, catalogs, tracking

    def submission_for(self, tracking_number: str, token: str | None) -> str | None:
        """The submission id ``token`` opens (E2's supplements, E3's ratings ask this), or None."""
        with self.engine.connect() as conn:
            return check_token(conn, tracking_number, token, self.clock.now())

    def story(self, tracking_number: str, token: str | None) -> dict[str, Any] | None:
        """The progress document; with the right token, the applicant's story added.

        None for an unknown number. ``access`` says which view it is: ``status`` or ``full``.
        """
        doc = self.tracking.progress(tracking_number, full=True)
        if doc is None:
            return None
        with self.engine.connect() as conn:
            sub_id = check_token(conn, tracking_number, token, self.clock.now())
            if sub_id is None:
                return {**status_only(doc), "access": "status"}
            latest = self.catalogs.latest(conn)
            rows = {
                r.part_id: r
                for r in conn.execute(select(parts).where(parts.c.submission_id == sub_id))
            }
            asked, delivered = _from_events(conn, sub_id)
            handed = _supplements(conn, sub_id)
            stations = _station_names(conn, {r.station_id for r in rows.values()})
            replies = _replies(conn, sub_id) if doc.get("service_id") == DEMAND_SERVICE else []
        names = _material_names(latest.catalog if latest else None, doc.get("service_id"))
        out_parts: list[dict[str, Any]] = []
        for part in doc["parts"]:
            row = rows.get(part["id"])
            entry = dict(part)
            if row is not None and row.status == "needs_more":
                entry["missing"] = [
                    {**item, **names.get(item["material"], _unnamed(item["material"]))}
                    for item in asked.get(part["id"], [])
                ]
            if part["id"] in handed:
                entry["supplements"] = handed[part["id"]]
            # How the result goes, once there is one (the choice is recorded from intake on).
            ready = row is not None and part["id"] in delivered
            delivery = (row.delivery or delivered.get(part["id"])) if ready and row else None
            if row is not None and delivery:
                entry["delivery"] = delivery
                if delivery == "pickup":
                    entry["pickup_at"] = stations.get(row.station_id, row.station_id)
                if row.waybill:
                    entry["waybill"] = row.waybill
            out_parts.append(entry)
        story: dict[str, Any] = {**doc, "parts": out_parts, "access": "full"}
        if replies:
            story["replies"] = replies
        return story


def _unnamed(material: str) -> dict[str, str]:
    return {"name_zh": material, "name_en": material}


def _material_names(catalog: Catalog | None, service_id: object) -> dict[str, dict[str, str]]:
    if catalog is None or not isinstance(service_id, str):
        return {}
    try:
        item = catalog.service(service_id)
    except KeyError:
        return {}
    return {m.id: {"name_zh": m.name_zh, "name_en": m.name_en} for m in item.materials}


def _from_events(
    conn: Connection, sub_id: str
) -> tuple[dict[str, list[dict[str, str]]], dict[str, str]]:
    """Per part, the items of its latest 补正 (what it waits for now) and how its result goes
    (the result_ready move's delivery, until the part row carries one)."""
    asked: dict[str, list[dict[str, str]]] = {}
    delivered: dict[str, str] = {}
    for e in conn.execute(
        select(part_events.c.part_id, part_events.c.from_status, part_events.c.to_status,
               part_events.c["items"], part_events.c.reason)
        .where(
            part_events.c.submission_id == sub_id,
            part_events.c.to_status.in_(("needs_more", "result_ready")),
        )
        .order_by(part_events.c.seq)
    ):  # fmt: skip
        if e.from_status == e.to_status:  # no move: a reassignment, a recorded waybill
            continue
        if e.to_status == "result_ready":
            delivered[e.part_id] = e.reason
            continue
        listed = json.loads(e.items) if e.items else []
        asked[e.part_id] = [
            {"material": str(i.get("material", "")), "reason": str(i.get("reason", ""))}
            for i in listed
            if isinstance(i, dict)
        ]
    return asked, delivered


def _supplements(conn: Connection, sub_id: str) -> dict[str, list[dict[str, Any]]]:
    handed: dict[str, list[dict[str, Any]]] = {}
    for s in conn.execute(
        select(supplements)
        .where(supplements.c.original_submission_id == sub_id)
        .order_by(supplements.c.received_at)
    ):
        materials = json.loads(s.materials) if s.materials else []
        handed.setdefault(s.part_id, []).append(
            {
                "tracking_number": s.tracking_number,
                "state": s.state,
                "materials": [m for m in materials if isinstance(m, str)],
                "received_at": s.received_at,
            }
        )
    return handed


def _station_names(conn: Connection, station_ids: set[str]) -> Mapping[str, str]:
    if not station_ids:
        return {}
    return {
        r.station_id: r.station_name
        for r in conn.execute(
            select(devices.c.station_id, devices.c.station_name).where(
                devices.c.station_id.in_(station_ids)
            )
        )
    }


def _replies(conn: Connection, sub_id: str) -> list[dict[str, str]]:
    """A demand's reply texts, oldest first (the department's answer to the enterprise)."""
    doc = conn.execute(select(demands.c.doc).where(demands.c.id == sub_id)).scalar_one_or_none()
    if doc is None:
        return []
    history = json.loads(doc).get("history", [])
    return [
        {"at": str(e.get("at", "")), "text": str(e.get("note", ""))}
        for e in history
        if isinstance(e, dict) and e.get("action") == "reply"
    ]
