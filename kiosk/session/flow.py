"""SessionFlow: the walk-in's session as intents and results, with no Qt.

The UI forwards intents (``start``, ``set_field``, ``confirm`` ...) and renders state; devices and
storage are called through an injected background runner, whose callbacks the UI delivers on its
own thread (Anki's pattern). Results that arrive after the session moved on are dropped, so a slow
card read can never land in the next walk-in's session.
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol, TypeVar, runtime_checkable

from contracts.catalog import Catalog, ServiceItem
from contracts.clock import Clock
from drivers.card_reader.base import CardReader, Identity, MrzCardReader
from drivers.card_reader.mrz import MrzKey, validate_entry
from drivers.errors import CardReaderError, CardUnsupported, NoCard
from drivers.printer.base import ReceiptPrinter, RecoverableReceiptPrinter
from kiosk.errors import FailureReason, reason_for
from kiosk.receipts import build_receipt, progress_url
from kiosk.services.forms import normalize, validate
from kiosk.session.consult import ConsultFlow, ConsultServices
from kiosk.session.context import AssistRef, SessionContext
from kiosk.session.delivery import DeliveryFlow, offered
from kiosk.session.enterprise import EnterpriseFlow
from kiosk.session.inactivity import Inactivity, InactivityStatus, Phase
from kiosk.session.machine import WARNED_STATES, SessionMachine
from kiosk.session.rating import RatingCall, RatingFlow
from kiosk.session.rating import no_hall as no_rating_hall
from kiosk.session.supplement import Lookup, SupplementFlow, no_hall

if TYPE_CHECKING:
    from kiosk.register import Register
    from kiosk.summary import FilingSummary
    from offline_queue.outbox import Attachment

log = logging.getLogger(__name__)
T = TypeVar("T")


@runtime_checkable
class StartingPart(Protocol):
    """A device that the runtime builds after the first frame (kiosk.runtime's stand-in):
    ``ready`` is set once it exists; until then any other attribute would block the caller."""

    ready: threading.Event


class Background(Protocol):
    def __call__(
        self,
        job: Callable[[], Any],
        on_done: Callable[[Any], None],
        on_error: Callable[[Exception], None],
    ) -> None: ...


class Queued(Protocol):
    @property
    def id(self) -> str | Any: ...
    @property
    def tracking_number(self) -> str: ...


class SubmissionQueue(Protocol):
    def enqueue(
        self, service_id: str, payload: dict[str, Any], *, attachments: Sequence[Attachment] = ()
    ) -> Queued: ...


REPRINT_EVERY_S = 3.0  # how often a kept receipt is retried while the walk-in waits


@dataclass(frozen=True, slots=True)
class Timeouts:
    idle_s: float
    warning_s: float
    receipt_s: float
    card_read_s: float

    def scaled(self, factor: float) -> Timeouts:
        return Timeouts(
            *(v * factor for v in (self.idle_s, self.warning_s, self.receipt_s, self.card_read_s))
        )


class SessionFlow:
    def __init__(
        self,
        *,
        catalog: Catalog,
        reader: CardReader,
        printer: ReceiptPrinter,
        queue: SubmissionQueue,
        background: Background,
        timeouts: Timeouts,
        station_name: str,
        hall_url: str,
        clock: Clock,
        on_queued: Callable[[], None] = lambda: None,
        consult: ConsultServices | None = None,
        on_failure: Callable[[str], None] = lambda code: None,
        supplement_lookup: Lookup = no_hall,
        rating_call: RatingCall = no_rating_hall,
        register: Register | None = None,
    ) -> None:
        self.catalog = catalog
        self.context = SessionContext()
        self.machine = SessionMachine(self.context)
        self._reader, self._printer, self._queue = reader, printer, queue
        self._bg = background
        self._base_timeouts = timeouts
        self._timeouts = timeouts
        self._station_name, self._hall_url = station_name, hall_url
        self._on_queued = on_queued
        # Told the code of every failure shown (card, storage, printer) for the station's health
        # history; codes only, never what the walk-in entered.
        self._on_failure = on_failure
        self.inactivity = Inactivity(clock)
        self._clock = clock
        self._reprint_at = 0.0  # when to try the pending receipt again (monotonic seconds)
        self._reprinting = False
        self.card_status = ""  # "", "reading", or a FailureReason code; not personal
        self.notice = ""  # a FailureReason code to show on the current screen
        self._generation = 0
        self._listeners: list[Callable[[], None]] = []
        self.machine.add_listener(self)  # type: ignore[no-untyped-call]
        # 好差评 right after the card is read (kiosk/session/rating.py).
        self.rating = RatingFlow(
            call=rating_call,
            send=self.machine.send,
            state=lambda: self.state,
            run=self._run_guarded,
            changed=self._changed,
        )
        self.consult = ConsultFlow(
            context=self.context,
            catalog=catalog,
            services=consult or ConsultServices(),
            send=self.machine.send,
            state=lambda: self.state,
            run=self._run_guarded,
            changed=self._changed,
            set_field=self.set_field,
            clock=clock,
            hall_url=hall_url,
        )
        # 办理企业 from the hall's register right after the card (kiosk/session/enterprise.py);
        # the 好差评 offer follows the choice.
        self.enterprise = EnterpriseFlow(
            context=self.context,
            register=register,
            send=self.machine.send,
            state=lambda: self.state,
            run=self._run_guarded,
            changed=self._changed,
            then=self._offer_rating,
        )
        # Pick-up or EMS at review, for a document result (kiosk/session/delivery.py).
        self.delivery = DeliveryFlow(
            context=self.context,
            service=lambda: self.service,
            send=self.machine.send,
            state=lambda: self.state,
            changed=self._changed,
        )
        # 补正 at any station (kiosk/session/supplement.py): its look-up and its outbox filing.
        self.supplement = SupplementFlow(
            context=self.context,
            lookup=supplement_lookup,
            queue=queue,
            send=self.machine.send,
            state=lambda: self.state,
            run=self._run_guarded,
            changed=self._changed,
            hall_url=hall_url,
            on_queued=on_queued,
        )

    # -- observation ---------------------------------------------------------------------------
    def subscribe(self, listener: Callable[[], None]) -> Callable[[], None]:
        """Call `listener` after every change; returns the function that unsubscribes it."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener)

    def _changed(self) -> None:
        for listener in list(self._listeners):
            listener()

    def _local_now(self) -> dt.datetime:
        # Receipts and card expiry read the station's local time, what the walk-in's watch says.
        return self._clock.now().astimezone()

    @property
    def state(self) -> str:
        return self.machine.state_id

    @property
    def service(self) -> ServiceItem | None:
        sid = self.context.service_id
        return self.catalog.service(sid) if sid else None

    # python-statemachine listener hook: runs after every transition
    def after_transition(self, target: Any) -> None:
        self._generation += 1
        self.notice = ""
        state = target.id
        if state in WARNED_STATES:
            self.inactivity.arm(self._timeouts.idle_s, self._timeouts.warning_s)
        elif state == "printing":
            self.inactivity.arm(self._timeouts.receipt_s, 0)
        else:
            self.inactivity.disarm()
        if state == "idle":
            self.card_status = ""
            self.rating.wipe()
            self._timeouts = self._base_timeouts
            # A receipt that never printed must not come out for the next walk-in.
            if self._printer_ready() and isinstance(self._printer, RecoverableReceiptPrinter):
                self._printer.discard_pending()
        self._changed()

    # -- intents -------------------------------------------------------------------------------
    def start(self, language: str, care_mode: bool = False) -> None:
        self._timeouts = self._base_timeouts.scaled(2.0 if care_mode else 1.0)
        self.machine.send("started")
        self.context.language = language
        self._read_card()

    def retry_card(self) -> None:
        if self.state == "identifying" and self.card_status != "reading":
            self._read_card()

    def skip_identity(self) -> None:
        self.machine.send("identity_skipped")

    def choose_service(self, service_id: str) -> None:
        item = self.catalog.service(service_id)
        if item.requires_identity and self.context.identity is None:
            self.notice = FailureReason.IDENTITY_REQUIRED
            self._changed()
            return
        self.context.service_id = item.id
        self.context.delivery.wipe()  # another service: pick-up again, no address
        self.context.values = {f.name: self._prefill(f.prefill) for f in item.form.fields}
        self.enterprise.form_opened(item, self.context.values)  # "来自企业档案", "已有，免提交"
        self.machine.send("service_chosen")
        self.consult.form_opened(item.id)

    def set_field(self, name: str, value: str, *, by_helper: AssistRef | None = None) -> None:
        """The walk-in's entry, or (``by_helper``) a helper's during that live help call."""
        if self.state != "filling_form" or name not in self.context.values:
            raise KeyError(name)
        self.context.values[name] = value
        self.context.errors.pop(name, None)
        self.enterprise.field_edited(name)
        if by_helper is None:
            self.context.helper_filled.discard(name)
        else:
            self.context.helper_filled.add(name)
            self.context.assisted_by = by_helper
        self.consult.field_changed(self.context.service_id, name)
        self.inactivity.touch()
        self._changed()

    def open_capture(self, material_id: str) -> None:
        """Open the camera for one of the service's documents to photograph."""
        item = self._require_service()
        if material_id not in {m.id for m in item.captured_materials}:
            raise KeyError(material_id)
        self.context.capture_slot = material_id
        self.machine.send("capture_opened")

    def accept_capture(self, jpeg: bytearray) -> None:
        """Keep the photo taken on the capture screen and go back to the form."""
        slot = self.context.capture_slot
        old = self.context.attachments.pop(slot, None)
        if old is not None:
            old[:] = bytes(len(old))
        self.context.attachments[slot] = jpeg
        self.context.errors.pop(f"material:{slot}", None)
        self.context.capture_slot = ""
        log.info("document %s captured (%d bytes)", slot, len(jpeg))
        self.machine.send("capture_closed")

    def close_capture(self) -> None:
        """Back to the form without a (new) photo."""
        self.context.capture_slot = ""
        self.machine.send("capture_closed")

    def remove_attachment(self, material_id: str) -> None:
        image = self.context.attachments.pop(material_id, None)
        if image is not None:
            image[:] = bytes(len(image))
        self._changed()

    def complete_form(self) -> bool:
        item = self._require_service()
        values = normalize(item.form, self.context.values)
        errors: dict[str, str] = dict(validate(item.form, values))
        errors.update(self._missing_materials(item))
        self.context.values = values
        self.context.errors = errors
        if errors:
            log.info("form %s has %d invalid fields: %s", item.id, len(errors), sorted(errors))
            self._changed()
            return False
        # Materials spared as on file: the register is asked again first (a fresh look-up).
        if not self.enterprise.recheck(item, self._rechecked):
            self.machine.send("form_completed")
        return True

    def _missing_materials(self, item: ServiceItem) -> dict[str, str]:
        on_file, expired = self.enterprise.data.on_file, self.enterprise.data.expired
        return {
            f"material:{m.id}": "material_on_file_expired" if m.id in expired
            else "material_required"
            for m in item.captured_materials
            if m.required and m.id not in self.context.attachments and m.id not in on_file
        }  # fmt: skip

    def _rechecked(self) -> None:
        """The register answered again: what it no longer holds is photographed now."""
        item = self._require_service()
        if self.state != "filling_form":
            return
        missing = self._missing_materials(item)
        if missing:
            self.context.errors.update(missing)
            self._changed()
            return
        self.machine.send("form_completed")

    def back(self) -> None:
        self.machine.send("back")

    def cancel(self) -> None:
        self.machine.send("cancelled")

    def confirm(self) -> None:
        self.machine.send("confirmed")
        self._submit()

    def summary(self) -> FilingSummary:
        """The A4 summary of the filing just queued (printing it is the UI's job: Qt)."""
        from kiosk.summary import build_summary

        if self.state != "printing":
            raise RuntimeError(f"no queued filing to summarise in state {self.state}")
        return build_summary(
            language=self.context.language or "zh_CN",
            station_name=self._station_name,
            service=self._require_service(),
            values=self.context.values,
            tracking_number=self.context.tracking_number,
            progress_url=self.context.progress_url,
            issued_at=self._local_now(),
        )

    def finish(self) -> None:
        self.machine.send("finished")

    def acknowledge(self) -> None:
        self.machine.send("acknowledged")

    def touch(self) -> None:
        self.inactivity.touch()

    def hold_timeout(self, max_s: float) -> None:
        """A help call is waiting or live: hold the inactivity countdown (at most ``max_s``)."""
        self.inactivity.hold(max_s)

    def release_timeout(self) -> None:
        """The call is over: the walk-in gets the full idle time from now."""
        self.inactivity.release()

    # -- consulting: progress, policies, Q&A (the work is in kiosk/session/consult.py) -------------
    def open_consult(self, kind: str) -> None:
        """From the service home, without an ID card: "progress", "policies" or "qa"."""
        self.consult.open(kind)

    def close_consult(self) -> None:
        self.consult.close()

    def confirm_demand_category(self, category: str) -> None:
        """The walk-in confirmed a suggested category for their demand."""
        self.consult.confirm_demand_category(category)

    def _run_guarded(
        self,
        job: Callable[[], Any],
        on_done: Callable[[Any], None],
        on_error: Callable[[Exception], None],
    ) -> None:
        """A background job whose answer is dropped if the session moves on meanwhile."""
        self._bg(job, self._guarded(on_done), self._guarded(on_error))

    def tick(self) -> InactivityStatus:
        """Called by a UI timer; times the session out when the walk-in has gone."""
        status = self.inactivity.poll()
        if status.phase is Phase.EXPIRED:
            log.info("session timed out in %s", self.state)
            self.machine.send("timed_out")
        elif self._reprint_due():
            self._reprint()
        return status

    # -- background steps ----------------------------------------------------------------------
    def _guarded(self, fn: Callable[[T], None]) -> Callable[[T], None]:
        """Wrap a callback so it is dropped when the session has moved on since the job began."""
        generation = self._generation

        def call(arg: T) -> None:
            if generation == self._generation:
                fn(arg)
            else:
                log.debug("dropped a late result from an earlier state")

        return call

    def submit_mrz(self, document_number: str, birth_date: str, expiry_date: str) -> bool:
        """Passport/permit chips open only with the MRZ key: check it, then read again with it.

        Format and date errors are caught here, before any APDU (chips may lock after failed
        authentications); errors go to context.errors as ``mrz.<field>`` -> error key.
        """
        errors = validate_entry(document_number, birth_date, expiry_date)
        for stale in [k for k in self.context.errors if k.startswith("mrz.")]:
            del self.context.errors[stale]
        if errors:
            self.context.errors.update({f"mrz.{k}": v for k, v in errors.items()})
            self._changed()
            return False
        key = MrzKey.from_entry(document_number, birth_date, expiry_date)
        self._read_card(mrz=key)
        return True

    def _read_card(self, mrz: MrzKey | None = None) -> None:
        self.card_status = "reading"
        self._changed()
        timeout = self._timeouts.card_read_s
        reader = self._reader

        def read() -> Identity:
            if mrz is None:
                return reader.read_identity(timeout)
            if not isinstance(reader, MrzCardReader):
                # Only a contactless reader opens a passport chip; the MRZ screen is not shown
                # for the others, so this is a configuration mistake, said as a card failure.
                raise CardUnsupported("this reader cannot open a chip with an MRZ key")
            return reader.read_identity(timeout, mrz=mrz)

        self._bg(
            read,
            self._guarded(self._on_identity),
            self._guarded(self._on_card_error),
        )

    def _on_identity(self, identity: Identity) -> None:
        if identity.is_expired(self._local_now().date()):
            self.card_status = FailureReason.CARD_EXPIRED
            self._report_failure(self.card_status)
            self._changed()
            return
        self.card_status = ""
        self.context.identity = identity
        self.machine.send("card_read")
        self.enterprise.after_card()  # then the 好差评 offer (_offer_rating)

    def _offer_rating(self) -> None:
        identity = self.context.identity
        if identity is not None and self.state == "choosing_service":
            self.rating.offer(identity.id_number)

    def _on_card_error(self, exc: Exception) -> None:
        if isinstance(exc, NoCard):
            self._read_card()  # nobody has placed a card yet: keep waiting
            return
        if not isinstance(exc, CardReaderError):
            log.error("card read crashed", exc_info=exc)
        self.card_status = reason_for(exc)
        log.warning("card read failed: %s", self.card_status)
        self._report_failure(self.card_status)
        self._changed()

    def _submit(self) -> None:
        item = self._require_service()
        # 128 bits: the receipt QR's key to the filing's whole story at the hall (sealed here).
        self.context.access_token = secrets.token_urlsafe(16)
        payload = {
            "service_id": item.id,
            "parts": [p.id for p in item.parts],
            "form": dict(self.context.values),
            "helper_filled": sorted(self.context.helper_filled),
            "language": self.context.language,
            "catalog_version": self.catalog.version,
            # The walk-in's own press of submit (a helper can only propose it): UTC, ISO 8601.
            "confirmed_at": self._clock.now().astimezone(dt.UTC).isoformat(timespec="milliseconds"),
            "access_token": self.context.access_token,
        }
        assist = self.context.assisted_by
        if assist is not None and self.context.helper_filled:
            # Co-filled: which helper, in which assist session (the hall keeps the call's audit).
            payload["assist"] = {"helper": assist.helper, "session_id": assist.session_id}
        if offered(item):  # the hall refuses a delivery for a service without a document result
            payload["delivery"] = self.context.delivery.chosen().to_json()
        # Filed for an enterprise from the register: its id and the materials spared as on file
        # (the hall checks each at intake; a refusal there is quarantined in the outbox).
        payload.update(self.enterprise.payload())
        # Each photographed document travels as an encrypted, content-addressed blob named by its
        # material id; the hall accepts the filing only once every blob has arrived.
        from offline_queue.outbox import Attachment  # sqlite-utils pulls NumPy: not at import

        attachments = [
            Attachment(bytes(image), "image/jpeg", material_id)
            for material_id, image in self.context.attachments.items()
        ]
        self._bg(
            lambda: self._queue.enqueue(item.id, payload, attachments=attachments),
            self._guarded(self._on_queued_ok),
            self._guarded(self._on_queue_error),
        )

    def _on_queued_ok(self, queued: Queued) -> None:
        self.context.submission_id = str(queued.id)
        self.context.tracking_number = queued.tracking_number
        self.context.progress_url = progress_url(
            self._hall_url, queued.tracking_number, self.context.access_token
        )
        self.context.print_status = "printing"
        log.info("submission %s queued as %s", queued.id, queued.tracking_number)
        self._on_queued()
        self.machine.send("queued")
        self._print()

    def _on_queue_error(self, exc: Exception) -> None:
        # Nothing was committed, so no receipt may claim success.
        log.error("could not queue the submission", exc_info=exc)
        self.context.failure = FailureReason.SUBMIT_STORAGE_FAILED
        self._report_failure(self.context.failure)
        self.machine.send("failed")

    def _print(self) -> None:
        item = self._require_service()
        # Filed for an enterprise (its reference is in the payload): its 一企一码, if it stands.
        enterprise = self.enterprise.data.chosen
        receipt = build_receipt(
            language=self.context.language or "zh_CN",
            station_name=self._station_name,
            service_name=item.name_zh if self.context.language != "en_US" else item.name_en,
            tracking_number=self.context.tracking_number,
            time_limit_days=item.time_limit_days,
            progress_url=self.context.progress_url,
            issued_at=self._local_now(),
            delivery=self.context.delivery.chosen() if offered(item) else None,
            enterprise_name="" if enterprise is None else enterprise.name,
            enterprise_code=None if enterprise is None else enterprise.code,
        )
        self._bg(
            lambda: self._printer.print_receipt(receipt),
            self._guarded(self._on_printed),
            self._guarded(self._on_print_error),
        )

    def _on_printed(self, _: object) -> None:
        self.context.print_status = "printed"
        self._changed()

    def _on_print_error(self, exc: Exception) -> None:
        # The submission is safely queued; the walk-in keeps the number shown on screen instead,
        # and the printer keeps the receipt to print it in full once it is ready again.
        self._reprinting = False
        previous, self.context.print_status = self.context.print_status, reason_for(exc)
        log.warning("receipt not printed: %s", self.context.print_status)
        if self.context.print_status != previous:  # not again for each 3-s reprint attempt
            self._report_failure(self.context.print_status)
        # Time to photograph the number or wait for the paper: the usual warning, not 20 s.
        self.inactivity.arm(self._timeouts.idle_s, self._timeouts.warning_s)
        self._reprint_at = self._clock.monotonic() + REPRINT_EVERY_S
        self._changed()

    def _printer_ready(self) -> bool:
        # A part still being built (kiosk.runtime): asking it anything would wait for it.
        printer = self._printer
        return not isinstance(printer, StartingPart) or printer.ready.is_set()

    def _reprint_due(self) -> bool:
        return (
            self.state == "printing"
            and self.context.print_status not in ("", "printing", "printed")
            and not self._reprinting
            and self._clock.monotonic() >= self._reprint_at
            and isinstance(self._printer, RecoverableReceiptPrinter)
        )

    def _reprint(self) -> None:
        """Try the kept receipt again (paper reloaded, cover closed): printed once, in full."""
        printer = self._printer
        assert isinstance(printer, RecoverableReceiptPrinter)  # checked by _reprint_due
        self._reprinting = True
        self._bg(
            printer.reprint_if_pending,
            self._guarded(self._on_reprinted),
            self._guarded(self._on_print_error),
        )

    def _on_reprinted(self, printed: bool) -> None:
        self._reprinting = False
        if printed:
            log.info("receipt reprinted after the printer recovered")
            self.context.print_status = "printed"
            self.inactivity.arm(self._timeouts.receipt_s, 0)
            self._changed()

    # -- helpers -------------------------------------------------------------------------------
    def _report_failure(self, code: str) -> None:
        try:
            self._on_failure(code)
        except Exception:  # the history is diagnostics: it must never break a session
            log.exception("failure code %s not recorded", code)

    def _prefill(self, key: str) -> str:
        identity = self.context.identity
        if identity is None or not key:
            return ""
        return {"identity.name": identity.name, "identity.id_number": identity.id_number}.get(
            key, ""
        )

    def _require_service(self) -> ServiceItem:
        item = self.service
        if item is None:
            raise RuntimeError(f"no service chosen in state {self.state}")
        return item
