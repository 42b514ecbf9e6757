"""Notifications wired into the hall: which change texts the applicant, and the dispatcher's life.

:class:`NotifyWiring` is built from the hall's options (:class:`NotifySettings`: the public URL
the links point at and one SMS backend, SMPP or an HTTPS gateway) and hooks into the changes
that concern the applicant, each queueing its text inside the change's own transaction
(:func:`hall.notifications.enqueue_in`), with one dedupe key per event:

==================  =========================================  ===============================
event               when                                       dedupe key
==================  =========================================  ===============================
filing_received     a new filing (intake hook)                 ``<sub>:filing_received``
needs_more          an officer's 补正 move (with the list)      ``<sub>:<part>:needs_more:<ev>``
result_ready        result ready for pick-up (its station)     ``<sub>:<part>:result_ready:<ev>``
result_ready        EMS waybill recorded (the number)          ``<sub>:<part>:result_ready:ems:<w>``
rating_invited      a part done: closed, refused, not accepted ``<sub>:<part>:rating_invited:<ev>``
demand_replied      a demand's reply (the demand loop)         ``<sub>:demand_replied:<n>``
==================  =========================================  ===============================

(``<ev>`` is the move's ``part_events`` row, ``<w>`` the waybill number: the same number again
sends nothing, a corrected one is texted once; ``<n>`` the count of the demand's replies.) An
EMS result is texted when its waybill is recorded (:meth:`PartDesk.record_waybill
<hall.desk_moves.PartDesk.record_waybill>`), not at the move. The
text goes to the mobile number in the filing's form (the catalog's ``mobile`` field, normalised;
none, or not a mobile: nothing is queued), in the filing's language, with the link
``<public URL>/p/<tracking number>?t=<token>`` (:mod:`hall.applicant_view`). A text that cannot
be made (no number, a link too long for the template, an EMS result whose waybill is not
recorded yet) is skipped with a log line naming the submission and the event only: the change
itself must never fail for its SMS.

The dispatcher starts and stops with the app; each commit that queued a text wakes it, and it
looks at the queue every ``poll_interval_s`` besides (a wake may come just before the commit
lands).
``GET /api/v1/notifications?limit=50`` (supervisors) lists the newest texts, numbers masked and
the links' tokens blanked (``t=***``): the console's "sent messages" page.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import json
import logging
import time
from dataclasses import asdict, dataclass, field
from typing import Annotated, Any, Final
from urllib.parse import urlsplit

from fastapi import APIRouter, Query, Request
from sqlalchemy import Engine, event, select
from sqlalchemy.engine import Connection

from contracts.catalog import ServiceItem
from contracts.clock import Clock
from contracts.wire import Submission
from hall import part_model
from hall.applicant_view import link, redact, token_of
from hall.auth import SupervisorDep
from hall.catalog_publish import CatalogStore
from hall.demand_desk import DEMAND_SERVICE, demands
from hall.desk_moves import PartMoved
from hall.enrolment import devices
from hall.notifications import InvalidNumber, NotificationDispatcher, enqueue_in, recent
from hall.notify_templates import Event, TemplateParamsError
from hall.sms_backend import SmsBackend
from hall.sms_gateway import GatewayConfig, HttpsSmsBackend
from hall.sms_smpp import SmppConfig, SmppSmsBackend
from hall.store import submissions
from hall.tracking import parts

log = logging.getLogger(__name__)

_NAME_MAX: Final = 40  # the templates' service name and material names
_WAKE: Final = "notify_wake"  # Connection.info flag: this transaction queued a text


@dataclass(frozen=True)
class NotifySettings:
    """What the hall's options say: where links point and how texts go."""

    public_url: str  # https://…: what an applicant's phone opens (http:// on loopback: the demo)
    backend: SmppConfig | GatewayConfig
    dispatcher: dict[str, float] = field(default_factory=dict)  # NotificationDispatcher options

    def __post_init__(self) -> None:
        if not (self.public_url.startswith("https://") or _loopback_http(self.public_url)):
            raise ValueError(
                "the hall's public URL must be https:// (texts carry it); plain http:// only "
                "on loopback (127.0.0.1, ::1, localhost: the demo)"
            )


def _loopback_http(url: str) -> bool:
    """``http://`` to this machine: the demo's hall, whose texts' links open on the machine that
    runs it (the console's 短信记录); never a phone's, so nothing is sent in clear."""
    try:
        parts = urlsplit(url)
        host = parts.hostname
        _ = parts.port  # a malformed port raises ValueError
    except ValueError:
        return False
    if parts.scheme != "http" or not host:
        return False
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class _SendingClock:
    """The hall's wall time for what is stored, real elapsed time for pacing the sender: a hall
    on a test's fake clock still polls, backs off and comes back (a fake monotonic never moves,
    so a paused dispatcher would wait forever)."""

    def __init__(self, clock: Clock) -> None:
        self._clock = clock

    def now(self) -> dt.datetime:
        return self._clock.now()

    def monotonic(self) -> float:
        return time.monotonic()


def build_backend(config: SmppConfig | GatewayConfig) -> SmsBackend:
    if isinstance(config, SmppConfig):
        return SmppSmsBackend(config)
    return HttpsSmsBackend(config)


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= _NAME_MAX else text[: _NAME_MAX - 1] + "…"


class NotifyWiring:
    """The hooks that queue the applicant's texts, and the dispatcher that sends them."""

    def __init__(
        self,
        engine: Engine,
        clock: Clock,
        catalogs: CatalogStore,
        settings: NotifySettings,
        backend: SmsBackend | None = None,
    ) -> None:
        self.engine, self.clock, self.catalogs, self.settings = engine, clock, catalogs, settings
        self.dispatcher = NotificationDispatcher(
            engine,
            backend or build_backend(settings.backend),
            _SendingClock(clock),
            **settings.dispatcher,  # type: ignore[arg-type]
        )
        event.listen(engine, "commit", self._after_commit)

    def start(self) -> None:
        self.dispatcher.start()

    def dispatcher_backend(self) -> str:
        """``smpp`` or ``https``: what the console says texts go through."""
        return "smpp" if isinstance(self.settings.backend, SmppConfig) else "https"

    def stop(self) -> None:
        self.dispatcher.stop()
        event.remove(self.engine, "commit", self._after_commit)

    def _after_commit(self, conn: Connection) -> None:
        if conn.info.pop(_WAKE, False):
            self.dispatcher.wake()

    # --- hooks ----------------------------------------------------------------------------------

    def on_intake(self, conn: Connection, sub: Submission) -> None:
        """filing_received, in the intake transaction (after the token is kept)."""
        if "supplement_for" in sub.payload:  # a 补正 hand-in is no new filing (hall.supplements)
            return
        item = self._service(conn, sub.service_id)
        language = _language(sub.payload)
        name = _pick(language, item.name_zh, item.name_en) if item else sub.service_id
        self._queue(
            conn,
            "filing_received",
            sub.id,
            sub.tracking_number,
            _mobile(sub.payload, item),
            language,
            {"service_name": _short(name)},
            f"{sub.id}:filing_received",
        )

    def on_moved(self, conn: Connection, moved: PartMoved) -> None:
        """needs_more, result_ready and rating_invited, in the move's transaction."""
        to = moved.move.to
        if to not in ("needs_more", "result_ready", *part_model.DONE):
            return
        row = conn.execute(
            select(parts).where(
                parts.c.submission_id == moved.submission_id, parts.c.part_id == moved.part_id
            )
        ).one()
        payload = _payload(conn, moved.submission_id)
        item = self._service(conn, row.service_id)
        language = _language(payload)
        spec = next((p for p in item.parts if p.id == moved.part_id), None) if item else None
        name = _pick(language, spec.name_zh, spec.name_en) if spec else row.service_id
        params: dict[str, object] = {"service_name": _short(name)}
        ev: Event
        if to == "result_ready" and row.delivery == "ems":
            # Texted with its number when the waybill is recorded (on_waybill).
            log.info(
                "part %s/%s: EMS result, texted with its waybill",
                moved.submission_id,
                moved.part_id,
            )
            return
        if to == "needs_more":
            ev = "needs_more"
            materials = item.materials if item else ()
            names = {m.id: _pick(language, m.name_zh, m.name_en) for m in materials}
            params["materials"] = tuple(
                _short(names.get(i.material, i.material)) for i in moved.move.items[:10]
            )
        elif to == "result_ready":
            ev = "result_ready"
            params["pickup_at"] = _short(self._station_name(conn, row.station_id))
        else:
            ev = "rating_invited"
        self._queue(
            conn,
            ev,
            moved.submission_id,
            row.tracking_number,
            _mobile(payload, item),
            language,
            params,
            f"{moved.submission_id}:{moved.part_id}:{ev}:{moved.event_seq}",
        )

    def on_waybill(self, conn: Connection, submission_id: str, part_id: str, waybill: str) -> None:
        """result_ready with the EMS waybill, in the transaction that records it."""
        row = conn.execute(
            select(parts.c.service_id, parts.c.tracking_number).where(
                parts.c.submission_id == submission_id, parts.c.part_id == part_id
            )
        ).one()
        payload = _payload(conn, submission_id)
        item = self._service(conn, row.service_id)
        language = _language(payload)
        spec = next((p for p in item.parts if p.id == part_id), None) if item else None
        name = _pick(language, spec.name_zh, spec.name_en) if spec else row.service_id
        self._queue(
            conn,
            "result_ready",
            submission_id,
            row.tracking_number,
            _mobile(payload, item),
            language,
            {"service_name": _short(name), "waybill": waybill},
            f"{submission_id}:{part_id}:result_ready:ems:{waybill}",
        )

    def on_status(self, conn: Connection, submission_id: str, new_status: str) -> None:
        """demand_replied: the demand loop sets the part's status in the reply's transaction."""
        found = conn.execute(
            select(demands.c.doc, demands.c.state, demands.c.tracking_number).where(
                demands.c.id == submission_id
            )
        ).one_or_none()
        if found is None or found.state != "replied":
            return
        history = json.loads(found.doc).get("history", [])
        if not history or history[-1].get("action") != "reply":
            return
        replies = sum(1 for e in history if e.get("action") == "reply")
        payload = _payload(conn, submission_id)
        item = self._service(conn, DEMAND_SERVICE)
        language = _language(payload)
        name = _pick(language, item.name_zh, item.name_en) if item else DEMAND_SERVICE
        self._queue(
            conn,
            "demand_replied",
            submission_id,
            found.tracking_number,
            _mobile(payload, item),
            language,
            {"service_name": _short(name)},
            f"{submission_id}:demand_replied:{replies}",
        )

    def notify(
        self, conn: Connection, ev: Event, submission_id: str, params: dict[str, object], key: str
    ) -> bool:
        """Queue ``ev`` for a filing from another module (a rating's follow-up, a waybill)."""
        row = conn.execute(
            select(submissions.c.tracking_number, submissions.c.service_id).where(
                submissions.c.id == submission_id
            )
        ).one_or_none()
        if row is None:
            return False
        payload = _payload(conn, submission_id)
        item = self._service(conn, row.service_id)
        language = _language(payload)
        if "service_name" not in params:
            name = _pick(language, item.name_zh, item.name_en) if item else row.service_id
            params = {**params, "service_name": _short(name)}
        return self._queue(
            conn, ev, submission_id, row.tracking_number, _mobile(payload, item), language,
            params, key,
        )  # fmt: skip

    # --- helpers --------------------------------------------------------------------------------

    def _queue(
        self,
        conn: Connection,
        ev: Event,
        submission_id: str,
        tracking_number: str,
        mobile: str | None,
        language: str,
        params: dict[str, object],
        key: str,
    ) -> bool:
        if not mobile:
            log.info("submission %s: no mobile number, no %s text", submission_id, ev)
            return False
        url = link(self.settings.public_url, tracking_number, token_of(conn, submission_id))
        try:
            queued = enqueue_in(
                conn,
                ev,
                mobile,
                {**params, "tracking_number": tracking_number, "link": url},
                language,
                key[:128],
                clock=self.clock,
            )
        except (InvalidNumber, TemplateParamsError, ValueError) as exc:
            # The messages name fields and kinds, never the values (hall.notify_templates).
            log.warning("submission %s: no %s text: %s", submission_id, ev, exc)
            return False
        if queued:
            conn.info[_WAKE] = True
        return queued

    def _service(self, conn: Connection, service_id: str) -> ServiceItem | None:
        latest = self.catalogs.latest(conn)
        try:
            return latest.catalog.service(service_id) if latest else None
        except KeyError:
            return None

    @staticmethod
    def _station_name(conn: Connection, station_id: str) -> str:
        name = conn.execute(
            select(devices.c.station_name).where(devices.c.station_id == station_id).limit(1)
        ).scalar_one_or_none()
        return str(name or station_id)


def _payload(conn: Connection, submission_id: str) -> dict[str, Any]:
    raw = conn.execute(
        select(submissions.c.payload).where(submissions.c.id == submission_id)
    ).scalar_one_or_none()
    found = json.loads(raw) if raw else {}
    return found if isinstance(found, dict) else {}


def _language(payload: dict[str, Any]) -> str:
    value = payload.get("language")
    return "en" if isinstance(value, str) and value.lower().startswith("en") else "zh"


def _pick(language: str, zh: str, en: str) -> str:
    return en if language == "en" and en else zh


def _mobile(payload: dict[str, Any], item: ServiceItem | None) -> str | None:
    """The number in the form's mobile field (the catalog's ``mobile`` kind), or None."""
    form = payload.get("form")
    if not isinstance(form, dict):
        return None
    names = [f.name for f in item.form.fields if f.kind == "mobile"] if item else []
    for name in [*names, "mobile"]:
        value = form.get(name)
        if isinstance(value, str) and value.strip():
            return value
    return None


def router() -> APIRouter:
    api = APIRouter(tags=["notifications"])

    @api.get("/api/v1/notifications")
    def list_sent(
        request: Request,
        who: SupervisorDep,
        limit: Annotated[int, Query(ge=1, le=500)] = 50,
    ) -> dict[str, Any]:
        """The newest texts, newest first, numbers masked (hall.notifications.recent)."""
        wiring: NotifyWiring | None = request.app.state.notify
        return {
            "backend": wiring.dispatcher_backend() if wiring is not None else None,
            # The texts' links carry the applicant's token: a capability staff have no use for.
            "messages": [
                {**asdict(v), "body": redact(v.body)}
                for v in recent(request.app.state.store.engine, limit)
            ],
        }

    return api
