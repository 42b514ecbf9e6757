"""What officers and supervisors read at the filings desk: the inbox, a filing's detail with its
photographed materials, the masked ID number revealed on request, the supervisors' board and the
audit trail of who looked at which filing.

Reading only; moves are :mod:`hall.desk_moves`'s. Who may see what is :mod:`hall.desk_access`'s:
an officer lists and opens only filings with a part routed to their department, and sees only the
form fields those parts receive (every part's status, though: a bundle is worked together); a
supervisor sees everything. Services another module drives (a demand follows the demand loop)
are left to their own desk and not listed here. Routes (under
:data:`hall.desk_access.DeskDep` unless said)::

    GET  /api/v1/desk/inbox?tab=&service=&station=&status=&from=&to=&q=&department=&after=&limit=
    GET  /api/v1/desk/filings/{submission_id}                         (audited "filing.view")
    POST /api/v1/desk/filings/{submission_id}/reveal {"field"}        (audited "filing.reveal")
    GET  /api/v1/desk/filings/{submission_id}/materials/{material_id} (audited "filing.material")
    GET  /api/v1/desk/board                                           (supervisor)
    GET  /api/v1/desk/audit?submission_id=                            (supervisor)

Masked until revealed (each reveal audited: who, when, which filing and field): the form's ID
numbers and mobile numbers, and of an EMS delivery the street, the recipient and their mobile
(fields ``delivery.street``, ``delivery.recipient``, ``delivery.mobile``); the delivery's method
and its region line (province, city, district) show in clear.

A filing's materials include the 补正 hand-ins for it (:mod:`hall.supplements`), each named
``<material>@<hand-in tracking number>`` and marked with its state (``applied``, or ``late`` when
it came after the part stopped waiting), served by the same materials route; and the documents
the filing took from the enterprise register instead of the camera (免提交,
:mod:`hall.register_filings`), each named ``<material>@register`` with an ``on_file`` note
(来自企业档案, issue and validity dates), its file served by the same route when the hall holds
one (else ``url`` is null: held on paper or elsewhere).

The inbox is paged on the server with a keyset cursor over its sort order (overdue first, then
the promised-by date, nulls last, then the time received, then the ids), so a page costs the
same on page 1 and page 500, and parts filed or moved meanwhile never push another part across a
page boundary (it is neither repeated nor skipped). Its
search looks in the tracking number, the enterprise name and the USCC — columns the part row
carries — and never in the form, so an ID number finds nothing.

A filing renders with the labels of the catalog version it was filed under (published versions
are kept, :mod:`hall.catalog_publish`), parsed once per version and held in memory: one
version string names one content forever.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
import logging
import re
import threading
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Annotated, Any, Final
from urllib.parse import quote

from fastapi import APIRouter, HTTPException, Query, Request, Response
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictInt,
    StrictStr,
    TypeAdapter,
    ValidationError,
)
from sqlalchemy import Engine, Select, and_, func, literal, or_, select, tuple_
from sqlalchemy.engine import Connection
from sqlalchemy.sql.elements import ColumnElement

from contracts.catalog import Catalog, ServiceItem, parse_catalog
from contracts.clock import Clock
from contracts.delivery import METHOD_NAMES, Delivery, DeliveryError, parse_delivery
from hall import part_model, register_filings, supplements
from hall.auth import Staff, SupervisorDep, audit, audit_log
from hall.catalog_publish import CatalogStore, catalogs
from hall.clock import iso
from hall.demand_content import WorkCalendar
from hall.departments import departments
from hall.desk_access import DeskDep, check_department, department_scope, may_work
from hall.desk_moves import PartDesk
from hall.store import SubmissionStore, submissions
from hall.tracking import parts

log = logging.getLogger(__name__)

DEFAULT_LIMIT: Final = 50
MAX_LIMIT: Final = 200
TAB_NAMES: Final = ("waiting", "in_progress", "needs_more", "overdue", "done")
# Catalog versions held parsed (each a few hundred KB of text); filings name few versions.
_VERSIONS_KEPT: Final = 16
# Media types served as they are; anything else (an SVG could carry script) is a download.
_IMAGE_TYPES: Final = frozenset({"image/jpeg", "image/png", "image/webp", "image/gif"})
_ID_KINDS: Final = frozenset({"id_number"})
_MOBILE_KINDS: Final = frozenset({"mobile"})
# An EMS delivery's personal fields, revealed like a form field under these names.
DELIVERY_FIELDS: Final = ("delivery.street", "delivery.recipient", "delivery.mobile")
# What a tracking number or a USCC (or the start of one) may look like.
_ID_QUERY: Final = re.compile(r"[A-Za-z0-9][A-Za-z0-9-]*", re.ASCII)
# Up to this many parts matching a name search are fetched by key (see DeskViews._search).
_NAMED_BY_KEY: Final = 500
# Closures counted on the board and averaged for "days to close".
BOARD_WINDOW: Final = timedelta(days=30)


class DeskRefused(Exception):
    """A read the desk refuses; :meth:`detail` is the HTTP body (both languages)."""

    def __init__(self, code: str, status: int, zh: str, en: str) -> None:
        super().__init__(f"{code}: {en}")
        self.code, self.status, self.message_zh, self.message_en = code, status, zh, en

    def detail(self) -> dict[str, str]:
        return {"code": self.code, "message_zh": self.message_zh, "message_en": self.message_en}


class OtherDepartment(Exception):
    """No part of the filing is the caller's department's (the route answers 403, recorded)."""

    def __init__(self, department: str) -> None:
        super().__init__(department)
        self.department = department


def _not_found() -> DeskRefused:
    return DeskRefused("not_found", 404, "没有这件申报", "No such filing")


def _bad(code: str, zh: str, en: str) -> DeskRefused:
    return DeskRefused(code, 422, zh, en)


def mask_id_number(value: str) -> str:
    """``110105199001011234`` → ``110***********1234``: the region and the check digits only."""
    if len(value) < 8:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def mask_mobile(value: str) -> str:
    """``13912345678`` → ``139****5678``: the carrier prefix and the last four digits only."""
    if len(value) < 8:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def mask_text(value: str, keep: int = 1) -> str:
    """``张三`` → ``张*``; a street keeps its first characters and hides the rest."""
    if len(value) <= keep:
        return "*" * len(value)
    return value[:keep] + "*" * min(len(value) - keep, 8)


def _mask(kind: str, value: str) -> str:
    return mask_mobile(value) if kind in _MOBILE_KINDS else mask_id_number(value)


def _stored_delivery(payload: Mapping[str, Any]) -> Delivery | None:
    """The delivery the filing carries (checked at intake), or None (none, or unreadable)."""
    raw = payload.get("delivery")
    if raw is None:
        return None
    try:
        return parse_delivery(raw)
    except DeliveryError:
        return None


def _delivery_view(payload: Mapping[str, Any], part_views: list[dict[str, Any]]) -> Any:
    """How the result goes: the method and, for EMS, the region in clear, the rest masked."""
    found = _stored_delivery(payload)
    method = (
        found.method
        if found
        else next((p["delivery"] for p in part_views if p.get("delivery")), None)
    )
    if method is None:
        return None
    zh, en = METHOD_NAMES.get(method, (method, method))
    view: dict[str, Any] = {"method": method, "name_zh": zh, "name_en": en}
    if found is not None and found.method == "ems":
        view.update(
            region=found.region_line(),
            street=mask_text(found.street, 2),
            recipient=mask_text(found.recipient),
            mobile=mask_mobile(found.mobile),
            masked=list(DELIVERY_FIELDS),
        )
    return view


# --- the inbox's cursor ------------------------------------------------------------------------

# (overdue 0/1, promised-by key, received at, submission id, part id) of the last row shown.
_Cursor = tuple[StrictInt, StrictStr, StrictStr, StrictStr, StrictStr]
_CURSOR: Final = TypeAdapter(_Cursor)


def encode_cursor(key: Sequence[Any]) -> str:
    raw = json.dumps(list(key), separators=(",", ":")).encode("utf-8")
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def decode_cursor(text: str) -> tuple[int, str, str, str, str]:
    """The sort key a cursor carries; :class:`DeskRefused` (422) for one the hall did not make."""
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        key = _CURSOR.validate_json(raw)
        if 0 <= key[0] < len(_SEGMENTS):
            return key
    except (binascii.Error, ValueError, ValidationError):
        pass
    raise _bad("bad_cursor", "翻页参数无效，请从第一页重新开始", "Invalid page cursor; start again")


@dataclass(frozen=True, slots=True)
class InboxQuery:
    """One inbox request as the route parsed it."""

    tab: str | None = None
    service: str | None = None
    station: str | None = None
    statuses: tuple[str, ...] = ()
    received_from: dt.date | None = None
    received_to: dt.date | None = None
    q: str = ""
    department: str | None = None
    after: str | None = None
    limit: int = DEFAULT_LIMIT


# The received-date filter's bounds: a day far outside them cannot be turned into a stored time
# (year 1 minus the district's offset underflows), and no filing was received there.
_FIRST_DAY: Final = dt.date(2000, 1, 1)
_LAST_DAY: Final = dt.date(2999, 12, 31)


def _local_midnight_utc(day: dt.date) -> str:
    """The stored (UTC) time at which ``day`` begins in the district."""
    return iso(dt.datetime.combine(day, dt.time(), part_model.DISTRICT_TIME))


def _prefix(column: Any, text: str) -> ColumnElement[bool]:
    # A range, not LIKE: it uses the column's index on SQLite and PostgreSQL alike, and the ids
    # it serves (tracking numbers, USCCs) are ASCII letters, digits and hyphens only.
    return and_(column >= text, column < text + "\x7f")


def _overdue(today: str) -> ColumnElement[bool]:
    """Open, not waiting for material, and past its promised-by date."""
    return and_(
        parts.c.status.in_(part_model.OPEN),
        parts.c.paused_since.is_(None),
        parts.c.due_on < today,
    )


# The inbox's order in three runs, each paged by its own keyset: overdue parts, then parts with a
# promised-by date, then parts without one. Within a run the order is plain columns, which the
# parts_queue indexes hold (migration 0006), so a page is read in order, never sorted whole.
_SEGMENTS: Final = ("overdue", "dated", "undated")
_COLUMNS: Final = (
    parts.c.submission_id,
    parts.c.part_id,
    parts.c.tracking_number,
    parts.c.service_id,
    parts.c.department,
    parts.c.status,
    parts.c.station_id,
    parts.c.received_at,
    parts.c.due_on,
    parts.c.paused_since,
    parts.c.enterprise_name,
    parts.c.uscc,
    parts.c.version,
    parts.c.updated_at,
)


def _segment_page(
    segment: int,
    where: list[ColumnElement[bool]],
    overdue: ColumnElement[bool],
    broad: bool,
    after: tuple[str, str, str, str] | None,
    limit: int,
) -> Select[Any]:
    """Up to ``limit`` rows of one run of the inbox's order, after the cursor's key if given."""
    due: ColumnElement[Any] = parts.c.due_on
    received: ColumnElement[Any] = parts.c.received_at
    sub, part = parts.c.submission_id, parts.c.part_id
    if not broad or segment == 0:
        # Sort what the status index finds; "|| ''" keeps the planner from walking the page-order
        # index through a year of closed parts to find a few open ones.
        due, received = due.concat(""), received.concat("")
    if segment == 0:
        run: ColumnElement[bool] = overdue
    elif segment == 1:
        run = and_(parts.c.due_on.is_not(None), ~overdue)
    else:
        run = parts.c.due_on.is_(None)
    order = (due, received, sub, part) if segment < 2 else (received, sub, part)
    page = [*where, run]
    if after is not None:
        key = after if segment < 2 else after[1:]
        page.append(tuple_(*order) > tuple_(*(literal(v) for v in key)))
    return (
        select(*_COLUMNS, literal(segment).label("segment"))
        .where(*page)
        .order_by(*order)
        .limit(limit)
    )


class VersionCache:
    """Published catalogs by version, parsed once (a version never changes its content)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._kept: OrderedDict[str, Catalog] = OrderedDict()

    def get(self, conn: Connection, version: str) -> Catalog | None:
        with self._lock:
            found = self._kept.get(version)
            if found is not None:
                self._kept.move_to_end(version)
                return found
        body = conn.execute(
            select(catalogs.c.body).where(catalogs.c.version == version)
        ).scalar_one_or_none()
        if body is None:
            return None
        catalog = parse_catalog(json.loads(body), source=f"published {version}")
        with self._lock:
            self._kept[version] = catalog
            while len(self._kept) > _VERSIONS_KEPT:
                self._kept.popitem(last=False)
        return catalog


def _kind_by_name(name: str) -> str:
    """A field of a service this catalog lacks: ID-like and mobile-like names still masked."""
    if name.endswith("id_number"):
        return "id_number"
    return "mobile" if name.endswith("mobile") else "text"


def _service(catalog: Catalog | None, service_id: str) -> ServiceItem | None:
    if catalog is None:
        return None
    try:
        return catalog.service(service_id)
    except KeyError:
        return None


class DeskViews:
    """The desk's reads over the hall's database; cheap to build, thread-safe."""

    def __init__(
        self,
        store: SubmissionStore,
        clock: Clock,
        catalogs: CatalogStore,
        calendar: WorkCalendar,
        managed_services: Mapping[str, str],
        desk: PartDesk,
        versions: VersionCache,
    ) -> None:
        self.store = store
        self.engine: Engine = store.engine
        self.clock = clock
        self.catalogs = catalogs
        self.calendar = calendar
        self.managed_services = managed_services
        self.desk = desk
        self.versions = versions

    def _today(self) -> dt.date:
        return part_model.local_date(self.clock.now())

    # --- inbox ----------------------------------------------------------------------------------

    def inbox(self, who: Staff, query: InboxQuery) -> dict[str, Any]:
        """One page of the caller's inbox, the counts of its scope's tabs, the next cursor."""
        unknown = [s for s in query.statuses if s not in part_model.STATUS_NAMES]
        if unknown:
            raise _bad(
                "unknown_status", f"未知的状态：{unknown[0]}", f"Unknown status: {unknown[0]}"
            )
        if query.tab is not None and query.tab not in TAB_NAMES:
            raise _bad("unknown_tab", f"未知的分页：{query.tab}", f"Unknown tab: {query.tab}")
        cursor = decode_cursor(query.after) if query.after else None
        today = self._today()
        overdue = _overdue(today.isoformat())

        scope = department_scope(who)
        if scope is None:
            scope = query.department  # department= is a supervisor's filter only
        where: list[ColumnElement[bool]] = []
        if scope is not None:
            where.append(parts.c.department == scope)
        if query.service:
            where.append(parts.c.service_id == query.service)
        if query.station:
            where.append(parts.c.station_id == query.station)
        if query.statuses:
            where.append(parts.c.status.in_(query.statuses))
        if query.received_from is not None:
            where.append(parts.c.received_at >= _local_midnight_utc(query.received_from))
        if query.received_to is not None:
            next_day = query.received_to + dt.timedelta(days=1)
            where.append(parts.c.received_at < _local_midnight_utc(next_day))
        q = query.q.strip()
        tab: list[ColumnElement[bool]] = []
        if query.tab == "overdue":
            tab.append(overdue)
        elif query.tab is not None:
            tab.append(parts.c.status.in_(part_model.TABS[query.tab]))
        # Few rows match an open tab, a search or an open status: find them by status, then sort.
        # Every part or the done ones (most of a year's filings): walk the index in page order.
        broad = (
            query.tab in (None, "done")
            and not q
            and (not query.statuses or bool(set(query.statuses) & part_model.DONE))
        )

        with self.engine.connect() as conn:
            scoped = [parts.c.department == scope] if scope is not None else []
            if q:
                where.append(self._search(conn, q, scoped))
            latest = self.catalogs.latest(conn)
            managed = self._managed()
            visible = [*where, *tab, *([~managed] if managed is not None else [])]
            rows: list[Any] = []
            first = cursor[0] if cursor is not None else 0
            # No part of a done tab or status is overdue: its run is not even asked for.
            wanted = part_model.TABS.get(query.tab or "", frozenset(part_model.STATUS_NAMES))
            if query.statuses:
                wanted = wanted & frozenset(query.statuses)
            if not wanted & part_model.OPEN:
                first = max(first, 1)
            for segment in range(first, len(_SEGMENTS)):
                key = cursor[1:] if cursor is not None and segment == first else None
                rows += conn.execute(
                    _segment_page(
                        segment, visible, overdue, broad, key, query.limit + 1 - len(rows)
                    )
                ).all()
                if len(rows) > query.limit:
                    break
            counts = self._counts(conn, scoped, overdue, managed)
        more = len(rows) > query.limit
        rows = rows[: query.limit]
        items = [self._item(r, today, latest.catalog if latest else None) for r in rows]
        last = rows[-1] if rows and more else None
        next_cursor = (
            encode_cursor(
                (
                    last.segment,
                    last.due_on or "",
                    last.received_at,
                    last.submission_id,
                    last.part_id,
                )
            )
            if last is not None
            else None
        )
        return {"items": items, "counts": counts, "next": next_cursor}

    def _managed(self) -> ColumnElement[bool] | None:
        """The parts of services another module drives (read through parts_service)."""
        if not self.managed_services:
            return None
        return parts.c.service_id.in_(list(self.managed_services))

    @staticmethod
    def _counts(
        conn: Connection,
        where: list[ColumnElement[bool]],
        overdue: ColumnElement[bool],
        managed: ColumnElement[bool] | None,
    ) -> dict[str, int]:
        """Parts per tab in the caller's scope (a department, or all): the workload the tabs
        name, whatever the list is filtered by. Read from indexes alone (parts_inbox within a
        department, parts_due across them, parts_service for the managed services' parts, which
        are subtracted), so counting a year of parts never reads their rows."""
        by_status: dict[str, int] = {}
        late = 0
        for sign, extra in ((1, []), (-1, [managed] if managed is not None else None)):
            if extra is None:
                continue
            for status, count in conn.execute(
                select(parts.c.status, func.count()).where(*where, *extra).group_by(parts.c.status)
            ):
                by_status[status] = by_status.get(status, 0) + sign * count
            late += (
                sign
                * conn.execute(
                    select(func.count()).select_from(parts).where(*where, *extra, overdue)
                ).scalar_one()
            )
        counts = {
            tab: sum(by_status.get(s, 0) for s in statuses)
            for tab, statuses in part_model.TABS.items()
        }
        counts["overdue"] = late
        return counts

    def _item(self, r: Any, today: dt.date, catalog: Catalog | None) -> dict[str, Any]:
        left = part_model.deadline(r.status, r.due_on, r.paused_since, today, self.calendar)
        item = _service(catalog, r.service_id)
        return {
            "submission_id": r.submission_id,
            "part_id": r.part_id,
            "tracking_number": r.tracking_number,
            "service_id": r.service_id,
            "service_name_zh": item.name_zh if item else r.service_id,
            "service_name_en": item.name_en if item else r.service_id,
            "department": r.department,
            "status": r.status,
            "station_id": r.station_id,
            "received_at": r.received_at,
            "due_on": left.due_on,
            "working_days_left": left.working_days_left,
            "overdue": left.overdue,
            "paused": left.paused,
            "enterprise_name": r.enterprise_name,
            "uscc": r.uscc,
            "version": r.version,
            "updated_at": r.updated_at,
        }

    @staticmethod
    def _search(conn: Connection, q: str, scoped: list[ColumnElement[bool]]) -> ColumnElement[bool]:
        """Tracking number (exact or prefix), enterprise name (contains), USCC (exact or prefix).

        Only these columns: the ID number lives in the form alone, which is never searched. A
        query shaped like a tracking number (letters and digits, then a hyphen) looks in the
        tracking numbers only, through their index. A name is looked for in parts_name
        (department, enterprise name) first, which SQLite reads without the rows: when few
        parts match, the page asks for those parts by key; when many do, a page of them is
        soon found among the rows anyway.
        """
        found: list[ColumnElement[bool]] = []
        if _ID_QUERY.fullmatch(q):
            upper = q.upper()
            found += [_prefix(parts.c.tracking_number, upper), _prefix(parts.c.uscc, upper)]
            if "-" in q:
                return or_(*found)
        pattern = "%" + q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        named = parts.c.enterprise_name.like(pattern, escape="\\")
        # Every department: a range over all of them still makes SQLite read the names from
        # parts_name (12 ms for 100,000 parts) instead of the table (24 ms).
        by_name = scoped or [parts.c.department >= ""]
        keys = conn.execute(
            select(parts.c.submission_id, parts.c.part_id)
            .where(*by_name, named)
            .limit(_NAMED_BY_KEY + 1)
        ).all()
        if len(keys) <= _NAMED_BY_KEY:
            pairs = [(k.submission_id, k.part_id) for k in keys]
            # The submission ids alone are what the primary key's index looks up.
            found.append(
                and_(
                    parts.c.submission_id.in_({k.submission_id for k in keys}),
                    tuple_(parts.c.submission_id, parts.c.part_id).in_(pairs),
                )
            )
        else:
            found.append(named)
        return or_(*found)

    # --- a filing -------------------------------------------------------------------------------

    def _open(self, conn: Connection, who: Staff, submission_id: str) -> tuple[Any, list[Any]]:
        """The submission row and its part rows; 404 or :class:`OtherDepartment`."""
        row = conn.execute(
            select(submissions).where(submissions.c.id == submission_id)
        ).one_or_none()
        if row is None:
            raise _not_found()
        part_rows = conn.execute(
            select(parts.c.part_id, parts.c.department, parts.c.fields, parts.c.status)
            .where(parts.c.submission_id == submission_id)
            .order_by(parts.c.position)
        ).all()
        if not part_rows:
            raise _not_found()
        if not any(may_work(who, p.department) for p in part_rows):
            raise OtherDepartment(part_rows[0].department)
        return row, list(part_rows)

    def _catalog_for(
        self, conn: Connection, payload: Mapping[str, Any]
    ) -> tuple[Catalog | None, str | None, bool]:
        """The catalog the filing was filed under (else the latest), its version, whether known."""
        named = payload.get("catalog_version")
        if isinstance(named, str) and named:
            catalog = self.versions.get(conn, named)
            if catalog is not None:
                return catalog, named, True
        latest = self.catalogs.latest(conn)
        if latest is None:
            return None, None, False
        return latest.catalog, latest.version, False

    def _form(
        self, who: Staff, payload: Mapping[str, Any], item: ServiceItem | None, part_rows: list[Any]
    ) -> list[dict[str, Any]]:
        """The form fields the caller may see, labelled, ID and mobile numbers masked."""
        raw = payload.get("form")
        values = (
            {k: v for k, v in raw.items() if isinstance(v, str)} if isinstance(raw, dict) else {}
        )
        listed = payload.get("helper_filled")
        helper_filled = (
            {n for n in listed if isinstance(n, str)} if isinstance(listed, list) else set()
        )
        if item is not None:
            specs = [(f.name, f.label_zh, f.label_en, str(f.kind)) for f in item.form.fields]
        else:  # a service this catalog lacks: the names as labels, ID-like names still masked
            specs = [(n, n, n, _kind_by_name(n)) for n in values]
        if department_scope(who) is not None:
            visible: set[str] = set()
            for p in part_rows:
                if may_work(who, p.department):
                    visible.update(json.loads(p.fields))
            specs = [s for s in specs if s[0] in visible]
        form = []
        for name, label_zh, label_en, kind in specs:
            value = values.get(name, "")
            masked = kind in _ID_KINDS | _MOBILE_KINDS and bool(value)
            form.append(
                {
                    "name": name,
                    "label_zh": label_zh,
                    "label_en": label_en,
                    "kind": kind,
                    "value": _mask(kind, value) if masked else value,
                    "masked": masked,
                    "helper_filled": name in helper_filled,
                }
            )
        return form

    @staticmethod
    def _attachments(row: Any) -> list[dict[str, Any]]:
        listed = json.loads(row.attachments) if row.attachments else []
        return [a for a in listed if isinstance(a, dict) and isinstance(a.get("sha256"), str)]

    @staticmethod
    def _material_id(attachment: Mapping[str, Any]) -> str:
        # The kiosk names each photograph by its material id; an unnamed one by its hash.
        name = attachment.get("name")
        return name if isinstance(name, str) and name else str(attachment["sha256"])

    def filing(self, who: Staff, submission_id: str) -> dict[str, Any]:
        """A filing as the desk shows it (the caller's view; see the module docstring)."""
        with self.engine.connect() as conn:
            row, part_rows = self._open(conn, who, submission_id)
            payload = json.loads(row.payload)
            catalog, version, known = self._catalog_for(conn, payload)
            item = _service(catalog, row.service_id)
            if item is None:  # an older catalog without this service: the latest may name it
                latest = self.catalogs.latest(conn)
                item = _service(latest.catalog if latest else None, row.service_id)
            form = self._form(who, payload, item, part_rows)
            materials_spec = {m.id: m for m in item.materials} if item else {}
            materials = []
            for a in self._attachments(row):
                material_id = self._material_id(a)
                spec = materials_spec.get(material_id)
                materials.append(
                    {
                        "id": material_id,
                        "name_zh": spec.name_zh if spec else material_id,
                        "name_en": spec.name_en if spec else material_id,
                        "content_type": a.get("media_type") or "application/octet-stream",
                        "size": a.get("size"),
                        "url": f"/api/v1/desk/filings/{submission_id}/materials/"
                        + quote(material_id, safe=""),
                    }
                )
            # 补正 hand-ins for this filing, applied or late (hall.supplements).
            for h in supplements.handed_in(conn, submission_id):
                material_id = f"{self._material_id(h['attachment'])}@{h['tracking_number']}"
                spec = materials_spec.get(self._material_id(h["attachment"]))
                # Named as handed in, so the console's list tells it from the original photo.
                number = h["tracking_number"]
                if h["state"] == "late":
                    tail_zh = f"（补正件 {number}，送达时已不在待补正）"
                    tail_en = f" (hand-in {number}, after the part stopped waiting)"
                else:
                    tail_zh, tail_en = f"（补正件 {number}）", f" (hand-in {number})"
                materials.append(
                    {
                        "id": material_id,
                        "name_zh": (spec.name_zh if spec else material_id) + tail_zh,
                        "name_en": (spec.name_en if spec else material_id) + tail_en,
                        "content_type": h["attachment"].get("media_type")
                        or "application/octet-stream",
                        "size": h["attachment"].get("size"),
                        "url": f"/api/v1/desk/filings/{submission_id}/materials/"
                        + quote(material_id, safe=""),
                        "supplement": {
                            k: h[k] for k in ("tracking_number", "part_id", "state", "received_at")
                        },
                    }
                )
            # Materials taken from the enterprise register instead of the camera (免提交).
            for on_file in register_filings.on_file_of(conn, submission_id):
                spec = materials_spec.get(on_file.material_id)
                materials.append(
                    register_filings.material_view(
                        on_file,
                        spec.name_zh if spec else on_file.material_id,
                        spec.name_en if spec else on_file.material_id,
                        f"/api/v1/desk/filings/{submission_id}/materials/"
                        + quote(on_file.name, safe=""),
                    )
                )
            part_views = [
                self.desk.part_view(conn, submission_id, p.part_id, who) for p in part_rows
            ]
        confirmed = payload.get("confirmed_at")
        assist = payload.get("assist")
        visible = {f["name"] for f in form}
        helped = [f["name"] for f in form if f["helper_filled"]]
        co_filled: dict[str, Any] | None = None
        if isinstance(assist, dict) or helped:
            helper = assist.get("helper") if isinstance(assist, dict) else None
            session = assist.get("session_id") if isinstance(assist, dict) else None
            co_filled = {
                "helper": helper if isinstance(helper, str) else None,
                "assist_session_id": session if isinstance(session, str) else None,
                "fields": [n for n in helped if n in visible],
            }
        return {
            "submission_id": row.id,
            "tracking_number": row.tracking_number,
            "service_id": row.service_id,
            "service_name_zh": item.name_zh if item else row.service_id,
            "service_name_en": item.name_en if item else row.service_id,
            "station_id": row.station_id,
            "received_at": row.received_at,
            "confirmed_at": confirmed if isinstance(confirmed, str) else None,
            "catalog_version": version,
            "catalog_version_known": known,
            "co_filled": co_filled,
            "form": form,
            "materials": materials,
            "parts": part_views,
            "delivery": _delivery_view(payload, part_views),
            "bundle_done": all(p.status in part_model.DONE for p in part_rows),
        }

    def reveal(self, who: Staff, submission_id: str, field: str) -> str:
        """The unmasked value of one masked field the caller may see."""
        with self.engine.connect() as conn:
            row, part_rows = self._open(conn, who, submission_id)
            payload = json.loads(row.payload)
            catalog, _, _ = self._catalog_for(conn, payload)
            item = _service(catalog, row.service_id)
        if field in DELIVERY_FIELDS:
            delivery = _stored_delivery(payload)
            if delivery is None or delivery.method != "ems":
                raise DeskRefused(
                    "not_found", 404, "这件申报没有邮寄地址", "This filing has no EMS address"
                )
            return str(getattr(delivery, field.removeprefix("delivery.")))
        shown = {f["name"]: f for f in self._form(who, payload, item, part_rows)}
        entry = shown.get(field)
        if entry is None:
            raise DeskRefused(
                "not_found", 404, "这件申报没有该栏目", "No such field on this filing"
            )
        if not entry["masked"]:
            raise _bad("not_masked", "该栏目未遮盖，无需查看原文", "This field is not masked")
        form = payload["form"]
        return str(form[field])

    def material(self, who: Staff, submission_id: str, material_id: str) -> tuple[bytes, str]:
        """The bytes of one photographed material (or one on file) and its media type."""
        with self.engine.connect() as conn:
            row, _ = self._open(conn, who, submission_id)
            handed_in = [
                (f"{self._material_id(h['attachment'])}@{h['tracking_number']}", h["attachment"])
                for h in supplements.handed_in(conn, submission_id)
            ]
            on_file = register_filings.file_of(self.store, conn, submission_id, material_id)
        if on_file is not None:  # a document on file at the register the filing references
            return on_file
        own = [(self._material_id(a), a) for a in self._attachments(row)]
        for name, a in own + handed_in:
            if name == material_id:
                data = self.store.get_blob(str(a["sha256"]))
                if data is None:
                    break
                return data, str(a.get("media_type") or "application/octet-stream")
        raise DeskRefused("not_found", 404, "没有这份材料", "No such material")

    # --- the board ------------------------------------------------------------------------------

    def board(self) -> dict[str, Any]:
        """Per department: waiting, in progress, needing more, overdue; closures in the window
        and their average calendar days from received to done."""
        now = self.clock.now()
        today = part_model.local_date(now).isoformat()
        since = iso(now - BOARD_WINDOW)
        managed = list(self.managed_services)
        not_managed = [parts.c.service_id.not_in(managed)] if managed else []
        with self.engine.connect() as conn:
            names = {
                r.id: (r.name_zh, r.name_en)
                for r in conn.execute(
                    select(departments.c.id, departments.c.name_zh, departments.c.name_en)
                    .where(departments.c.listed.is_(True))
                    .order_by(departments.c.id)
                )
            }
            open_rows = conn.execute(
                select(parts.c.department, parts.c.status, func.count())
                .where(parts.c.status.in_(part_model.OPEN), *not_managed)
                .group_by(parts.c.department, parts.c.status)
            ).all()
            overdue_rows = conn.execute(
                select(parts.c.department, func.count())
                .where(
                    parts.c.status.in_(part_model.OPEN),
                    parts.c.paused_since.is_(None),
                    parts.c.due_on < today,
                    *not_managed,
                )
                .group_by(parts.c.department)
            ).all()
            closed_rows = conn.execute(
                select(parts.c.department, parts.c.received_at, parts.c.closed_at).where(
                    parts.c.status.in_(part_model.DONE),
                    parts.c.closed_at >= since,
                    *not_managed,
                )
            ).all()
        empty = {"waiting": 0, "in_progress": 0, "needs_more": 0, "overdue": 0, "closed_30d": 0}
        figures: dict[str, dict[str, int]] = {d: dict(empty) for d in names}
        tab_of = {s: t for t, ss in part_model.TABS.items() for s in ss}
        for department, status, count in open_rows:
            figures.setdefault(department, dict(empty))[tab_of[status]] += count
        for department, count in overdue_rows:
            figures.setdefault(department, dict(empty))["overdue"] += count
        days: dict[str, list[float]] = {}
        for department, received_at, closed_at in closed_rows:
            figures.setdefault(department, dict(empty))["closed_30d"] += 1
            try:
                took = dt.datetime.fromisoformat(closed_at) - dt.datetime.fromisoformat(received_at)
            except ValueError:
                continue
            days.setdefault(department, []).append(took.total_seconds() / 86400)

        def average(values: list[float]) -> float | None:
            return round(sum(values) / len(values), 1) if values else None

        rows = []
        for department in sorted(figures, key=lambda d: (d not in names, d)):
            zh, en = names.get(department, (department or "未分配", department or "unassigned"))
            rows.append(
                {
                    "id": department,
                    "name_zh": zh,
                    "name_en": en,
                    **figures[department],
                    "avg_days_to_close": average(days.get(department, [])),
                }
            )
        total = {k: sum(r[k] for r in rows) for k in empty}
        all_days = [d for values in days.values() for d in values]
        return {"departments": rows, "total": {**total, "avg_days_to_close": average(all_days)}}

    # --- the audit trail ------------------------------------------------------------------------

    def audit_trail(self, submission_id: str | None, limit: int) -> list[dict[str, Any]]:
        """Views, reveals, material looks, moves and refusals, newest first (one filing, or all)."""
        kinds: list[ColumnElement[bool]] = [audit_log.c.subject_kind.in_(("filing", "part"))]
        if submission_id is not None:
            kinds.append(
                or_(
                    audit_log.c.subject_id == submission_id,
                    _prefix(audit_log.c.subject_id, submission_id + "/"),
                )
            )
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(audit_log).where(*kinds).order_by(audit_log.c.seq.desc()).limit(limit)
            ).all()
        return [
            {
                "at": r.at,
                "actor": r.actor,
                "action": r.action,
                "subject_kind": r.subject_kind,
                "subject_id": r.subject_id,
                "outcome": r.outcome,
                "client": r.client,
            }
            for r in rows
        ]


# --- routes --------------------------------------------------------------------------------------


class RevealIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    field: Annotated[StrictStr, Field(min_length=1, max_length=64)]


def router() -> APIRouter:
    """The desk's reads (see the module docstring)."""
    api = APIRouter(prefix="/api/v1/desk", tags=["filings desk"])
    versions = VersionCache()  # per app: this router is built once per hall

    def views(request: Request) -> DeskViews:
        state = request.app.state
        return DeskViews(
            state.store,
            state.clock,
            state.catalog_store,
            state.calendar,
            state.tracking_store.managed_services,
            state.desk,
            versions,
        )

    def refused(
        request: Request, who: Staff, action: str, subject: str, exc: Exception
    ) -> HTTPException:
        """Turn a refusal into its HTTP answer; a 403 is recorded by :func:`check_department`."""
        if isinstance(exc, OtherDepartment):
            check_department(request, who, exc.department, subject)
            return HTTPException(403, detail="this filing belongs to another department")
        assert isinstance(exc, DeskRefused)
        audit(request, who, action, "filing", subject, exc.code)
        return HTTPException(exc.status, detail=exc.detail())

    @api.get("/inbox")
    def get_inbox(
        request: Request,
        who: DeskDep,
        tab: Annotated[str | None, Query(max_length=16)] = None,
        service: Annotated[str | None, Query(max_length=64)] = None,
        station: Annotated[str | None, Query(max_length=32)] = None,
        status: Annotated[str | None, Query(max_length=200)] = None,
        received_from: Annotated[dt.date | None, Query(alias="from")] = None,
        received_to: Annotated[dt.date | None, Query(alias="to")] = None,
        q: Annotated[str, Query(max_length=100)] = "",
        department: Annotated[str | None, Query(max_length=64)] = None,
        after: Annotated[str | None, Query(max_length=1024)] = None,
        limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT,
    ) -> dict[str, Any]:
        for day in (received_from, received_to):
            if day is not None and not _FIRST_DAY <= day <= _LAST_DAY:
                raise HTTPException(
                    422,
                    detail={
                        "code": "date_out_of_range",
                        "message_zh": "日期须在 2000-01-01 至 2999-12-31 之间",
                        "message_en": "Dates must lie between 2000-01-01 and 2999-12-31",
                    },
                )
        query = InboxQuery(
            tab=tab or None,
            service=service or None,
            station=station or None,
            statuses=tuple(s for s in (status or "").split(",") if s),
            received_from=received_from,
            received_to=received_to,
            q=q,
            department=department or None,
            after=after or None,
            limit=limit,
        )
        try:
            return views(request).inbox(who, query)
        except DeskRefused as exc:
            raise HTTPException(exc.status, detail=exc.detail()) from None

    @api.get("/filings/{submission_id}")
    def get_filing(submission_id: str, request: Request, who: DeskDep) -> dict[str, Any]:
        subject = submission_id[:128]
        try:
            doc = views(request).filing(who, submission_id)
        except (DeskRefused, OtherDepartment) as exc:
            raise refused(request, who, "filing.view", subject, exc) from None
        # Opening a filing shows a person's data: the look itself is recorded.
        audit(request, who, "filing.view", "filing", subject, "ok")
        return doc

    @api.post("/filings/{submission_id}/reveal")
    def post_reveal(
        submission_id: str, body: RevealIn, request: Request, who: DeskDep
    ) -> dict[str, str]:
        subject = f"{submission_id}/{body.field}"[:128]
        try:
            value = views(request).reveal(who, submission_id, body.field)
        except (DeskRefused, OtherDepartment) as exc:
            raise refused(request, who, "filing.reveal", subject, exc) from None
        audit(request, who, "filing.reveal", "filing", subject, "ok")
        return {"value": value}

    @api.get("/filings/{submission_id}/materials/{material_id}")
    def get_material(
        submission_id: str, material_id: str, request: Request, who: DeskDep
    ) -> Response:
        subject = f"{submission_id}/{material_id}"[:128]
        try:
            data, media_type = views(request).material(who, submission_id, material_id)
        except (DeskRefused, OtherDepartment) as exc:
            raise refused(request, who, "filing.material", subject, exc) from None
        audit(request, who, "filing.material", "filing", subject, "ok")
        image = media_type in _IMAGE_TYPES
        disposition = "inline" if image else "attachment"
        return Response(
            data,
            media_type=media_type if image else "application/octet-stream",
            headers={
                "Content-Disposition": f"{disposition}; filename*=UTF-8''{quote(material_id)}",
                # A photographed document is personal data: no cache keeps a copy.
                "Cache-Control": "no-store",
            },
        )

    @api.get("/board")
    def get_board(request: Request, who: SupervisorDep) -> dict[str, Any]:
        return views(request).board()

    @api.get("/audit")
    def get_audit(
        request: Request,
        who: SupervisorDep,
        submission_id: Annotated[str | None, Query(max_length=64)] = None,
        limit: Annotated[int, Query(ge=1, le=1000)] = 500,
    ) -> dict[str, Any]:
        return {"entries": views(request).audit_trail(submission_id or None, limit)}

    return api
