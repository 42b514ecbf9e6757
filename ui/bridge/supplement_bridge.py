"""SupplementBridge: the QML view of a 补正 hand-in (state ``supplementing``).

It keeps no personal data: every property is computed on read from ``SessionContext.supplement``
(the filing asked about, the hall's list, which materials are photographed) in the language the
walk-in is reading. Intents go to the core's ``SupplementFlow`` (kiosk/session/supplement.py); a
stray one (a double tap during a transition) is logged and ignored. Photographs are taken by the
capture bridge on the capture screen, which the session shows while a material is open.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Property, QCoreApplication, QObject, Signal, Slot

from ui.bridge.failures import failure_text
from ui.bridge.settings_bridge import SettingsBridge
from ui.i18n.marks import QT_TRANSLATE_NOOP

if TYPE_CHECKING:
    from kiosk.session.context import Supplement
    from kiosk.session.flow import SessionFlow

log = logging.getLogger(__name__)

_CTX = "Supplement"

# status -> (title, next step); "", "list" and "queued" show no banner.
_STATUS_TEXTS: dict[str, tuple[str, str]] = {
    "busy": (QT_TRANSLATE_NOOP("Supplement", "Asking the service hall…"), ""),
    "submitting": (QT_TRANSLATE_NOOP("Supplement", "Saving your material…"), ""),
    "invalid": (
        QT_TRANSLATE_NOOP("Supplement", "This is not a tracking number"),
        QT_TRANSLATE_NOOP(
            "Supplement", "Check the number on your receipt, e.g. QH001-20261123-0001."
        ),
    ),
    "card_required": (
        QT_TRANSLATE_NOOP("Supplement", "Please read the ID card that filed it"),
        QT_TRANSLATE_NOOP(
            "Supplement", "Go back and read the card, or scan the receipt's QR code."
        ),
    ),
    "not_found": (
        QT_TRANSLATE_NOOP("Supplement", "No filing found for this number and card"),
        QT_TRANSLATE_NOOP("Supplement", "Check the number and the card, or scan the receipt."),
    ),
    "not_waiting": (
        QT_TRANSLATE_NOOP("Supplement", "This filing is not waiting for any material"),
        QT_TRANSLATE_NOOP("Supplement", "Nothing needs to be handed in. Check its progress."),
    ),
    "unavailable": (
        QT_TRANSLATE_NOOP("Supplement", "The service hall cannot be asked right now"),
        QT_TRANSLATE_NOOP("Supplement", "Only the hall knows what is missing. Get remote help."),
    ),
    "qr_foreign": (
        QT_TRANSLATE_NOOP("Supplement", "This QR code cannot be used here"),
        QT_TRANSLATE_NOOP("Supplement", "Hold up your receipt's QR code, or type the number."),
    ),
    "incomplete": (
        QT_TRANSLATE_NOOP("Supplement", "Some materials are not photographed yet"),
        QT_TRANSLATE_NOOP("Supplement", "Photograph every material in the list, then confirm."),
    ),
    "failed": (
        QT_TRANSLATE_NOOP("Supplement", "Your material could not be saved"),
        QT_TRANSLATE_NOOP("Supplement", "Please try again, or ask the station staff."),
    ),
}


# status -> the FailureReason code shown for technicians under the banner. Too many look-ups
# (429) is not an outage: its own code and words, with the hall's wait (failure_text).
_STATUS_CODES: dict[str, str] = {
    "unavailable": "HALL_UNREACHABLE",
    "rate_limited": "HALL_RATE_LIMITED",
}


def _tr(text: str) -> str:
    return QCoreApplication.translate(_CTX, text) if text else ""


class SupplementBridge(QObject):
    changed = Signal()

    def __init__(self, settings: SettingsBridge, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._flow: SessionFlow | None = None
        self._settings = settings
        self._unsubscribe: Callable[[], None] = lambda: None
        settings.changed.connect(self.changed)

    def attach(self, flow: SessionFlow) -> None:
        self._flow = flow
        self._unsubscribe = flow.subscribe(self.changed.emit)
        self.changed.emit()

    def detach(self) -> None:
        self._unsubscribe()
        self._flow = None

    # -- helpers -------------------------------------------------------------------------------
    def _data(self) -> Supplement | None:
        flow = self._flow
        if flow is None or flow.state != "supplementing":
            return None
        return flow.context.supplement

    def _zh(self) -> bool:
        return self._settings.current_language != "en_US"

    def _pick(self, item: dict[str, Any], key: str) -> str:
        zh, en = str(item.get(f"{key}_zh", "")), str(item.get(f"{key}_en", ""))
        return zh if self._zh() or not en else en

    # -- properties ----------------------------------------------------------------------------
    def _get_status(self) -> str:
        data = self._data()
        return "" if data is None else data.status

    def _texts(self) -> tuple[str, str]:
        status = self._get_status()
        if status == "rate_limited" and self._flow is not None:
            return failure_text(
                "HALL_RATE_LIMITED", retry_after_s=self._flow.supplement.retry_after_s
            )
        title, detail = _STATUS_TEXTS.get(status, ("", ""))
        return _tr(title), _tr(detail)

    def _get_status_title(self) -> str:
        return self._texts()[0]

    def _get_status_detail(self) -> str:
        return self._texts()[1]

    def _get_status_code(self) -> str:
        return _STATUS_CODES.get(self._get_status(), "")

    def _get_busy(self) -> bool:
        return self._get_status() in ("busy", "submitting")

    def _get_scanning(self) -> bool:
        data = self._data()
        return data is not None and data.scanning

    def _get_query(self) -> str:
        data = self._data()
        return "" if data is None else data.query

    def _get_tracking_number(self) -> str:
        data = self._data()
        return "" if data is None else data.tracking_number

    def _get_parts(self) -> list[dict[str, Any]]:
        data = self._data()
        if data is None:
            return []
        return [
            {
                "partId": str(p.get("part_id", "")),
                "name": self._pick(p, "name"),
                "chosen": p.get("part_id") == data.part_id,
            }
            for p in data.waiting
        ]

    def _get_items(self) -> list[dict[str, Any]]:
        data = self._data()
        if data is None or self._flow is None:
            return []
        return [
            {
                "material": str(i.get("material", "")),
                "name": self._pick(i, "name"),
                "reason": str(i.get("reason", "")),  # the officer's words, as written
                "photographed": str(i.get("material", "")) in data.photos,
            }
            for i in self._flow.supplement.items()
        ]

    def _get_can_confirm(self) -> bool:
        items = self._get_items()
        return bool(items) and all(i["photographed"] for i in items) and not self._get_busy()

    def _get_photo_material(self) -> str:
        data = self._data()
        if data is None or not data.photo_slot:
            return ""
        return next((i["name"] for i in self._get_items() if i["material"] == data.photo_slot), "")

    status = Property(str, _get_status, notify=changed)
    statusTitle = Property(str, _get_status_title, notify=changed)
    statusDetail = Property(str, _get_status_detail, notify=changed)
    statusCode = Property(str, _get_status_code, notify=changed)
    busy = Property(bool, _get_busy, notify=changed)
    scanning = Property(bool, _get_scanning, notify=changed)
    query = Property(str, _get_query, notify=changed)
    trackingNumber = Property(str, _get_tracking_number, notify=changed)
    parts = Property(list, _get_parts, notify=changed)
    items = Property(list, _get_items, notify=changed)
    canConfirm = Property(bool, _get_can_confirm, notify=changed)
    photoMaterial = Property(str, _get_photo_material, notify=changed)

    # -- intents -------------------------------------------------------------------------------
    def _send(self, name: str, intent: Callable[[SessionFlow], object]) -> None:
        flow = self._flow
        if flow is None:
            return
        flow.touch()
        try:
            intent(flow)
        except Exception:  # a stray tap during a transition: visible in the log, harmless
            log.exception("supplement intent %s refused in state %s", name, flow.state)

    @Slot()
    def open(self) -> None:
        self._send("open", lambda f: f.supplement.open())

    @Slot()
    def close(self) -> None:
        self._send("close", lambda f: f.supplement.close())

    @Slot()
    def finish(self) -> None:
        self._send("finish", lambda f: f.supplement.finish())

    @Slot(str)
    def lookUp(self, text: str) -> None:
        self._send("lookUp", lambda f: f.supplement.look_up_number(text))

    @Slot()
    def startScan(self) -> None:
        self._send("startScan", lambda f: f.supplement.start_scan())

    @Slot()
    def stopScan(self) -> None:
        self._send("stopScan", lambda f: f.supplement.stop_scan())

    @Slot()
    def again(self) -> None:
        self._send("again", lambda f: f.supplement.again())

    @Slot(str)
    def choosePart(self, part_id: str) -> None:
        self._send("choosePart", lambda f: f.supplement.choose_part(part_id))

    @Slot(str)
    def photograph(self, material: str) -> None:
        self._send("photograph", lambda f: f.supplement.open_photo(material))

    @Slot()
    def confirm(self) -> None:
        self._send("confirm", lambda f: f.supplement.confirm())
