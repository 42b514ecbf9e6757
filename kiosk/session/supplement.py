"""补正 at the kiosk: hand in the material an officer asked for, at any station.

The session enters ``supplementing`` from the service home (``supplement_opened``). The walk-in
scans the receipt's QR code (its access token proves the filing) or types the tracking number
with the ID card that filed it already read (the hall compares an HMAC of the number,
:func:`contracts.supplement.id_proof`; the number itself never leaves the kiosk). The hall
answers the parts waiting for material, each material with the officer's reason; the walk-in
photographs each one with the document camera and confirms. The hand-in is queued in the outbox
like any filing (its own id and tracking number, service
:data:`~contracts.supplement.SUPPLEMENT_SERVICE`, the photographs as sealed blobs), so it is
sent exactly once, also after a power cut or while the hall is away. Then the session ends
(``supplement_done`` → wiping).

Only the hall knows what is missing: if it cannot be asked, the walk-in is told so and offered a
helper — the kiosk never guesses the list. The hall counts look-ups that find nothing and, after
too many, answers 429 for a while: that is not an outage, and the walk-in is told to wait (the
hall's ``Retry-After``, in seconds) and try again (``rate_limited``). A filing with nothing
waiting is refused here with its own message (``not_waiting``). Everything personal lives in
``SessionContext.supplement``, which the session's wipe forgets (photographs zeroed).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import parse_qs, urlsplit

from contracts.ids import is_valid_tracking_number
from kiosk.errors import HallRateLimited
from kiosk.progress import parse_progress_qr
from kiosk.session.context import SessionContext, Supplement

if TYPE_CHECKING:
    from offline_queue.outbox import Attachment

log = logging.getLogger(__name__)

# ask(body) -> the hall's answer (LookupAnswer as JSON) or None for 404; raises ConnectionError
# or TimeoutError when the hall cannot be asked. Blocks: run in the background.
Lookup = Callable[[dict[str, Any]], Mapping[str, Any] | None]


class _Queued(Protocol):
    @property
    def id(self) -> Any: ...
    @property
    def tracking_number(self) -> str: ...


class SupplementQueue(Protocol):
    def enqueue(
        self, service_id: str, payload: dict[str, Any], *, attachments: Any = ()
    ) -> _Queued: ...


def no_hall(body: dict[str, Any]) -> Mapping[str, Any] | None:
    """The look-up while the runtime has no hall: it cannot be asked."""
    raise ConnectionError("no hall configured")


def receipt_token(payload: str) -> str:
    """The access token (``t``) of a receipt QR URL, "" when it carries none."""
    try:
        query = urlsplit(payload.strip()).query
    except ValueError:
        return ""
    found = parse_qs(query).get("t", [""])[0]
    return found if 0 < len(found) <= 128 else ""


class SupplementFlow:
    """The 补正 intents; results arrive through the session's guarded background runner."""

    def __init__(
        self,
        *,
        context: SessionContext,
        lookup: Lookup,
        queue: SupplementQueue,
        send: Callable[[str], Any],
        state: Callable[[], str],
        run: Callable[
            [Callable[[], Any], Callable[[Any], None], Callable[[Exception], None]], None
        ],
        changed: Callable[[], None],
        hall_url: str,
        on_queued: Callable[[], None] = lambda: None,
    ) -> None:
        self._context = context
        self._on_queued_hook = on_queued  # wakes the sender: the hand-in goes out at once
        self._lookup = lookup
        self._queue = queue
        self._send, self._state, self._run, self._changed = send, state, run, changed
        self._hall_url = hall_url
        # The hall's Retry-After of the last look-up it refused as too frequent (not personal).
        self.retry_after_s: float | None = None

    @property
    def data(self) -> Supplement:
        return self._context.supplement

    # -- entering and leaving ------------------------------------------------------------------
    def open(self) -> None:
        self.data.wipe()
        self.retry_after_s = None
        self._send("supplement_opened")

    def close(self) -> None:
        """Back to the service home; nothing was queued, so the photographs are forgotten."""
        self.data.wipe()
        self._send("supplement_closed")

    def finish(self) -> None:
        """The hand-in is queued: the session ends (and is wiped)."""
        self._send("supplement_done")

    # -- finding the filing --------------------------------------------------------------------
    def start_scan(self) -> None:
        self._require()
        self.data.scanning = True
        self._changed()

    def stop_scan(self) -> None:
        self.data.scanning = False
        self._changed()

    def qr_scanned(self, payload: str) -> None:
        """A code the camera decoded: one of our receipts is looked up with its token."""
        data = self._require()
        if not data.scanning:
            return
        data.scanning = False
        number = parse_progress_qr(payload, self._hall_url)
        token = receipt_token(payload)
        if number is None or not token:
            # Not ours, or an older receipt without a token: type the number and read the card.
            data.status = "qr_foreign"
            self._changed()
            return
        self._look_up(number, {"tracking_number": number, "token": token})

    def look_up_number(self, text: str) -> None:
        """The tracking number typed, proven by the ID card read at the start of the session."""
        from contracts.supplement import id_proof  # hashlib only; kept beside its use

        data = self._require()
        number = text.strip().upper()
        if not is_valid_tracking_number(number):
            data.status, data.query = "invalid", number
            self._changed()
            return
        identity = self._context.identity
        if identity is None:
            data.status, data.query = "card_required", number
            self._changed()
            return
        proof = id_proof(number, identity.id_number)
        self._look_up(number, {"tracking_number": number, "id_proof": proof})

    def _look_up(self, number: str, body: dict[str, Any]) -> None:
        data = self.data
        data.query, data.status, data.token = number, "busy", str(body.get("token", ""))
        data.waiting.clear()
        self.retry_after_s = None
        self._changed()
        log.info("supplement look-up by %s", "token" if "token" in body else "ID card")
        self._run(lambda: self._lookup(body), self._on_answer, self._on_lookup_error)

    def _on_answer(self, answer: Mapping[str, Any] | None) -> None:
        data = self.data
        if answer is None:
            data.status = "not_found"
        else:
            waiting = answer.get("waiting")
            data.waiting[:] = [p for p in waiting if isinstance(p, dict)] if waiting else []
            data.status = "list" if data.waiting else "not_waiting"
            data.part_id = str(data.waiting[0]["part_id"]) if data.waiting else ""
        log.info("supplement look-up: %s", data.status)
        self._changed()

    def _on_lookup_error(self, exc: Exception) -> None:
        if isinstance(exc, HallRateLimited):
            # Too many look-ups that found nothing (at this station or for this number): wait.
            self.data.status, self.retry_after_s = "rate_limited", exc.retry_after_s
            log.warning("supplement look-up: the hall asks to wait (%s)", exc)
            self._changed()
            return
        if not isinstance(exc, OSError):  # ConnectionError, TimeoutError
            log.error("supplement look-up crashed", exc_info=exc)
        self.data.status = "unavailable"
        log.warning("supplement look-up: the hall cannot be asked (%s)", type(exc).__name__)
        self._changed()

    def again(self) -> None:
        """Ask for another filing (after not found, not waiting, or a foreign code)."""
        data = self._require()
        for image in data.photos.values():
            image[:] = bytes(len(image))
        data.photos.clear()
        data.waiting.clear()
        data.status = data.query = data.token = data.part_id = data.photo_slot = ""
        self.retry_after_s = None
        self._changed()

    # -- the materials -------------------------------------------------------------------------
    def choose_part(self, part_id: str) -> None:
        data = self._require()
        if part_id not in {str(p["part_id"]) for p in data.waiting}:
            raise KeyError(part_id)
        if part_id != data.part_id:
            for image in data.photos.values():
                image[:] = bytes(len(image))
            data.photos.clear()
            data.part_id = part_id
        self._changed()

    def items(self) -> list[dict[str, Any]]:
        """The chosen part's missing materials (material, names, reason)."""
        data = self.data
        part = next((p for p in data.waiting if p.get("part_id") == data.part_id), None)
        listed = part.get("items") if part else None
        return [i for i in listed if isinstance(i, dict)] if isinstance(listed, list) else []

    def open_photo(self, material: str) -> None:
        data = self._require()
        if material not in {str(i["material"]) for i in self.items()}:
            raise KeyError(material)
        data.photo_slot = material
        self._changed()

    def accept_photo(self, jpeg: bytearray) -> None:
        """Keep the document camera's photo for the open material."""
        data = self._require()
        slot = data.photo_slot
        if not slot:
            raise RuntimeError("no material is being photographed")
        old = data.photos.pop(slot, None)
        if old is not None:
            old[:] = bytes(len(old))
        data.photos[slot] = jpeg
        data.photo_slot = ""
        if data.status == "incomplete":
            data.status = "list"
        log.info("supplement material %s photographed (%d bytes)", slot, len(jpeg))
        self._changed()

    def close_photo(self) -> None:
        self.data.photo_slot = ""
        self._changed()

    def confirm(self) -> None:
        """Queue the hand-in once every listed material is photographed."""
        from contracts.supplement import SUPPLEMENT_SERVICE, supplement_payload
        from offline_queue.outbox import Attachment  # sqlite-utils pulls NumPy: not at import

        data = self._require()
        if data.status not in ("list", "incomplete"):
            return
        wanted = [str(i["material"]) for i in self.items()]
        if not wanted or any(m not in data.photos for m in wanted):
            data.status = "incomplete"
            self._changed()
            return
        payload = supplement_payload(
            data.query, data.part_id, wanted, self._context.language or "zh_CN"
        )
        attachments: list[Attachment] = [
            Attachment(bytes(data.photos[m]), "image/jpeg", m) for m in wanted
        ]
        data.status = "submitting"
        self._changed()
        self._run(
            lambda: self._queue.enqueue(SUPPLEMENT_SERVICE, payload, attachments=attachments),
            self._on_queued,
            self._on_queue_error,
        )

    def _on_queued(self, queued: _Queued) -> None:
        data = self.data
        data.tracking_number = queued.tracking_number
        data.status = "queued"
        for image in data.photos.values():  # sealed in the outbox now: no copy in memory
            image[:] = bytes(len(image))
        data.photos.clear()
        log.info("supplement %s queued as %s", queued.id, queued.tracking_number)
        self._on_queued_hook()
        self._changed()

    def _on_queue_error(self, exc: Exception) -> None:
        # Nothing was committed: the walk-in is told, and may try again.
        log.error("could not queue the supplement", exc_info=exc)
        self.data.status = "failed"
        self._changed()

    def _require(self) -> Supplement:
        if self._state() != "supplementing":
            raise RuntimeError(f"not handing in material (state {self._state()})")
        return self.data
