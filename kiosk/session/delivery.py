"""How the walk-in gets a document result: pick-up here (the default) or EMS 政务专递.

Offered at review for services whose result is a document (``result_document``). Choosing EMS
opens the address screen (state ``addressing``); confirming checks the address with the shared
contract's :func:`contracts.delivery.parse_delivery` and returns to review with EMS chosen; going
back returns with the earlier choice unchanged. What is being edited lives in
``SessionContext.delivery`` (a :class:`DeliveryDraft`), so the session's wipe forgets the address
with everything else. No Qt here: ``ui/bridge/delivery_bridge.py`` shows it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from typing import TYPE_CHECKING, Any, Final

from contracts.delivery import PROVINCE, Delivery, DeliveryError, districts, parse_delivery

if TYPE_CHECKING:
    from contracts.catalog import ServiceItem
    from kiosk.session.context import SessionContext

log = logging.getLogger(__name__)

# What the walk-in picks or types on the address screen (the province is fixed: Jiangsu).
ADDRESS_FIELDS: Final = ("city", "district", "street", "recipient", "mobile")
# The form field whose answer prefills the delivery's mobile number.
MOBILE_FIELD: Final = "mobile"


@dataclass
class DeliveryDraft:
    """The choice shown at review and the address being edited. Personal: street, recipient and
    mobile; zeroed with the session (``SessionContext.wipe``)."""

    method: str = "pickup"  # what the filing carries: "pickup" or "ems" (only once confirmed)
    city: str = ""
    district: str = ""
    street: str = ""
    recipient: str = ""
    mobile: str = ""
    errors: dict[str, str] = field(default_factory=dict)  # field -> DeliveryError code
    confirmed: Delivery | None = None  # the EMS address last confirmed

    def wipe(self) -> None:
        self.errors.clear()
        for f in fields(self):
            if f.name != "errors":  # the same dict, emptied in place: no alias keeps a code
                setattr(self, f.name, f.default)

    def chosen(self) -> Delivery:
        """What the filing carries: the confirmed EMS address, else pick-up."""
        if self.method == "ems" and self.confirmed is not None:
            return self.confirmed
        return Delivery("pickup")

    def entered(self) -> dict[str, str]:
        """The address as entered, in the contract's shape (for :func:`parse_delivery`)."""
        return {
            "method": "ems",
            "province": PROVINCE[0],
            **{name: getattr(self, name) for name in ADDRESS_FIELDS},
        }

    def __repr__(self) -> str:  # personal data: the method only
        return f"DeliveryDraft(method={self.method!r}, <redacted>)"


def offered(service: ServiceItem | None) -> bool:
    """Whether the walk-in chooses how to get the result (the hall refuses it otherwise)."""
    return service is not None and service.result_document


class DeliveryFlow:
    """The intents of the delivery choice; the session's state chart moves between screens."""

    def __init__(
        self,
        *,
        context: SessionContext,
        service: Callable[[], ServiceItem | None],
        send: Callable[[str], Any],
        state: Callable[[], str],
        changed: Callable[[], None],
    ) -> None:
        self._context = context
        self._service = service
        self._send = send
        self._state = state
        self._changed = changed

    @property
    def data(self) -> DeliveryDraft:
        return self._context.delivery

    def _require(self, *states: str) -> None:
        if self._state() not in states or not offered(self._service()):
            raise RuntimeError(f"no delivery choice in state {self._state()}")

    def choose_pickup(self) -> None:
        """Pick-up at this station (the EMS address typed so far is kept, unused)."""
        self._require("reviewing")
        self.data.method = "pickup"
        self._changed()

    def open_address(self) -> None:
        """EMS: the address screen, the mobile prefilled from the form's mobile field."""
        self._require("reviewing")
        draft = self.data
        if not draft.mobile:
            draft.mobile = self._context.values.get(MOBILE_FIELD, "")
        draft.errors.clear()
        self._send("address_opened")

    def set_field(self, name: str, value: str) -> None:
        self._require("addressing")
        if name not in ADDRESS_FIELDS:
            raise KeyError(name)
        draft = self.data
        setattr(draft, name, value)
        draft.errors.pop(name, None)
        if name == "city" and draft.district not in {d.zh for d in districts(value)}:
            draft.district = ""  # the districts are the chosen city's
        self._changed()

    def confirm(self) -> bool:
        """Check the address; valid: EMS is chosen and review shows it again."""
        self._require("addressing")
        draft = self.data
        try:
            delivery = parse_delivery(draft.entered())
        except DeliveryError as exc:
            draft.errors = dict(exc.reasons)
            log.info("delivery address refused: %s", sorted(exc.reasons.items()))  # codes only
            self._changed()
            return False
        draft.errors.clear()
        draft.confirmed = delivery
        draft.method = "ems"
        # What was checked is what is shown (the texts trimmed).
        for name in ADDRESS_FIELDS:
            setattr(draft, name, getattr(delivery, name))
        self._send("address_closed")
        return True

    def close(self) -> None:
        """Back to review, the choice as it was: edits since the last confirmed address are
        undone (review shows that one); a first address stays typed for the next visit."""
        self._require("addressing")
        draft = self.data
        draft.errors.clear()
        if draft.confirmed is not None:
            for name in ADDRESS_FIELDS:
                setattr(draft, name, getattr(draft.confirmed, name))
        self._send("address_closed")
