"""DeliveryBridge: the QML view of the pick-up or EMS choice (review) and the EMS address
(state ``addressing``, DeliveryScreen.qml).

It keeps no personal data: every property is computed on read from ``SessionContext.delivery``
in the language the walk-in is reading; the review shows the recipient and mobile masked. The
city and district names are the shared contract's (:mod:`contracts.delivery`); a refused
address's per-field codes are worded here. Intents go to the core's ``DeliveryFlow``
(kiosk/session/delivery.py); a stray one (a double tap during a transition) is logged and ignored.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Property, QCoreApplication, QObject, Signal, Slot

from contracts.delivery import METHOD_NAMES, PROVINCE, Region, cities, districts
from kiosk.masking import mask_mobile, mask_name
from kiosk.session.delivery import offered
from ui.bridge.settings_bridge import SettingsBridge
from ui.i18n.marks import QT_TRANSLATE_NOOP

if TYPE_CHECKING:
    from kiosk.session.delivery import DeliveryDraft
    from kiosk.session.flow import SessionFlow

log = logging.getLogger(__name__)

_CTX = "Delivery"

# (field, code) -> words; a code alone (field "") for any field.
_ERRORS: dict[tuple[str, str], str] = {
    ("city", "required"): QT_TRANSLATE_NOOP("Delivery", "Choose the city."),
    ("district", "required"): QT_TRANSLATE_NOOP("Delivery", "Choose the district."),
    ("street", "required"): QT_TRANSLATE_NOOP(
        "Delivery", "Type the street, building and room number."
    ),
    ("street", "too_short"): QT_TRANSLATE_NOOP(
        "Delivery", "Too short for a courier to find: the street, building and room number."
    ),
    ("street", "too_long"): QT_TRANSLATE_NOOP("Delivery", "Too long: at most 80 characters."),
    ("recipient", "required"): QT_TRANSLATE_NOOP("Delivery", "Type who receives the mail."),
    ("recipient", "too_long"): QT_TRANSLATE_NOOP("Delivery", "Too long: at most 20 characters."),
    ("recipient", "bad_name"): QT_TRANSLATE_NOOP(
        "Delivery", "A name has Chinese or Latin letters only (and · for some names)."
    ),
    ("mobile", "required"): QT_TRANSLATE_NOOP(
        "Delivery", "Type a mobile number: the courier calls before delivering."
    ),
    ("mobile", "bad_mobile"): QT_TRANSLATE_NOOP(
        "Delivery", "A mobile number has 11 digits and starts with 1."
    ),
    ("", "control_character"): QT_TRANSLATE_NOOP(
        "Delivery", "This contains characters that cannot be printed on the mail."
    ),
    ("", "unknown_city"): QT_TRANSLATE_NOOP("Delivery", "Choose one of the cities shown."),
    ("", "unknown_district"): QT_TRANSLATE_NOOP("Delivery", "Choose one of the districts shown."),
    ("", "outside_jiangsu"): QT_TRANSLATE_NOOP(
        "Delivery", "EMS from this station delivers within Jiangsu only."
    ),
    ("", ""): QT_TRANSLATE_NOOP("Delivery", "Check this entry."),
}


def _tr(text: str) -> str:
    return QCoreApplication.translate(_CTX, text) if text else ""


def error_text(name: str, code: str) -> str:
    """The words for a refused address field (a code the contract gives, e.g. ``too_short``)."""
    text = _ERRORS.get((name, code)) or _ERRORS.get(("", code)) or _ERRORS[("", "")]
    return _tr(text)


class DeliveryBridge(QObject):
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
    def _data(self) -> DeliveryDraft | None:
        flow = self._flow
        if flow is None or flow.state not in ("reviewing", "addressing"):
            return None
        return flow.context.delivery if offered(flow.service) else None

    def _zh(self) -> bool:
        return self._settings.current_language != "en_US"

    def _name(self, region: Region) -> str:
        # English readers see the Chinese too: the mail is addressed in Chinese.
        return region.zh if self._zh() else f"{region.en} ({region.zh})"

    def _text(self, name: str) -> str:
        data = self._data()
        return "" if data is None else str(getattr(data, name))

    # -- properties ----------------------------------------------------------------------------
    def _get_available(self) -> bool:
        return self._data() is not None

    def _get_method(self) -> str:
        data = self._data()
        return "" if data is None else data.chosen().method

    def _get_pickup_name(self) -> str:
        return METHOD_NAMES["pickup"][0 if self._zh() else 1]

    def _get_ems_name(self) -> str:
        return METHOD_NAMES["ems"][0 if self._zh() else 1]

    def _get_province(self) -> str:
        return PROVINCE[0] if self._zh() else f"{PROVINCE[1]} ({PROVINCE[0]})"

    def _get_cities(self) -> list[dict[str, Any]]:
        chosen = self._text("city")
        return [{"value": c.zh, "name": self._name(c), "chosen": c.zh == chosen} for c in cities()]

    def _get_districts(self) -> list[dict[str, Any]]:
        city, chosen = self._text("city"), self._text("district")
        return [
            {"value": d.zh, "name": self._name(d), "chosen": d.zh == chosen}
            for d in districts(city)
        ]

    def _get_street(self) -> str:
        return self._text("street")

    def _get_recipient(self) -> str:
        return self._text("recipient")

    def _get_mobile(self) -> str:
        return self._text("mobile")

    def _get_errors(self) -> dict[str, str]:
        data = self._data()
        if data is None:
            return {}
        return {name: error_text(name, code) for name, code in data.errors.items()}

    def _get_error_count(self) -> int:
        data = self._data()
        return 0 if data is None else len(data.errors)

    def _get_region_line(self) -> str:
        """The confirmed EMS address's province, city and district (what review shows)."""
        data = self._data()
        chosen = None if data is None else data.chosen()
        if chosen is None or chosen.method != "ems":
            return ""
        if self._zh():
            return chosen.region_line()
        city = next((c for c in cities() if c.zh == chosen.city), None)
        district = next((d for d in districts(chosen.city) if d.zh == chosen.district), None)
        parts = [r.en for r in (district, city) if r is not None] + [PROVINCE[1]]
        return ", ".join(parts) + f" ({chosen.region_line()})"

    def _get_recipient_masked(self) -> str:
        data = self._data()
        chosen = None if data is None else data.chosen()
        return mask_name(chosen.recipient) if chosen and chosen.method == "ems" else ""

    def _get_mobile_masked(self) -> str:
        data = self._data()
        chosen = None if data is None else data.chosen()
        return mask_mobile(chosen.mobile) if chosen and chosen.method == "ems" else ""

    available = Property(bool, _get_available, notify=changed)
    method = Property(str, _get_method, notify=changed)
    pickupName = Property(str, _get_pickup_name, notify=changed)
    emsName = Property(str, _get_ems_name, notify=changed)
    province = Property(str, _get_province, notify=changed)
    cities = Property(list, _get_cities, notify=changed)
    districts = Property(list, _get_districts, notify=changed)
    street = Property(str, _get_street, notify=changed)
    recipient = Property(str, _get_recipient, notify=changed)
    mobile = Property(str, _get_mobile, notify=changed)
    errors = Property(dict, _get_errors, notify=changed)
    errorCount = Property(int, _get_error_count, notify=changed)
    regionLine = Property(str, _get_region_line, notify=changed)
    recipientMasked = Property(str, _get_recipient_masked, notify=changed)
    mobileMasked = Property(str, _get_mobile_masked, notify=changed)

    # -- intents -------------------------------------------------------------------------------
    def _send(self, name: str, intent: Callable[[SessionFlow], object]) -> None:
        flow = self._flow
        if flow is None:
            return
        flow.touch()
        try:
            intent(flow)
        except Exception:  # a stray tap during a transition: visible in the log, harmless
            log.exception("delivery intent %s refused in state %s", name, flow.state)

    @Slot()
    def choosePickup(self) -> None:
        self._send("choosePickup", lambda f: f.delivery.choose_pickup())

    @Slot()
    def chooseEms(self) -> None:
        """EMS (or a change of its address): the address screen."""
        self._send("chooseEms", lambda f: f.delivery.open_address())

    @Slot(str, str)
    def setField(self, name: str, value: str) -> None:
        data = self._data()
        if data is not None and getattr(data, name, None) != value:
            self._send("setField", lambda f: f.delivery.set_field(name, value))

    @Slot()
    def confirm(self) -> None:
        self._send("confirm", lambda f: f.delivery.confirm())

    @Slot()
    def back(self) -> None:
        self._send("back", lambda f: f.delivery.close())
