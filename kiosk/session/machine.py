"""The walk-in session state chart.

States are waiting nouns, events are facts. Every path out of a session — done, cancelled, failed,
timed out — passes through ``wiping``, whose entry empties the SessionContext before ``idle``.
Stray events are rejected loudly (``TransitionNotAllowed``), which keeps UI bugs visible.

    idle ─started─▶ identifying ─card_read/identity_skipped─▶ choosing_service
    ─service_chosen─▶ filling_form (⇄ capturing) ─form_completed─▶ reviewing ─confirmed─▶ submitting
    ─queued─▶ printing ─finished─▶ wiping ─wiped─▶ idle
    reviewing ─address_opened─▶ addressing ─address_closed─▶ reviewing  (EMS 政务专递: the
    delivery address, for services whose result is a document; kiosk.session.delivery)
    choosing_service ─consult_opened─▶ consulting ─consult_closed─▶ choosing_service  (no ID card:
    progress look-up, policy matching, Q&A)
    choosing_service ─supplement_opened─▶ supplementing ─supplement_closed─▶ choosing_service
    supplementing ─supplement_done─▶ wiping  (补正: the hand-in is queued; kiosk.session.supplement)
    choosing_service ─enterprise_opened─▶ choosing_enterprise ─enterprise_closed─▶ choosing_service
    (办理企业 from the hall's register, right after the card is read: kiosk.session.enterprise)
    choosing_service ─archive_opened─▶ browsing_archive ─archive_closed─▶ choosing_service  (the
    chosen enterprise's 电子档案)
    choosing_service ─rating_offered─▶ rating ─rating_closed─▶ choosing_service  (好差评 right
    after the card is read: kiosk.session.rating)
    (every state but idle/wiping) ─cancelled/timed_out─▶ wiping
    (every state but idle/wiping/error) ─failed─▶ error ─acknowledged─▶ wiping
"""

from __future__ import annotations

import logging
from typing import Any

from statemachine import State, StateMachine

from kiosk.session.context import SessionContext

log = logging.getLogger(__name__)


class SessionMachine(StateMachine):
    idle = State(initial=True)
    identifying = State()
    choosing_service = State()
    filling_form = State()
    capturing = State()
    consulting = State()
    supplementing = State()
    rating = State()
    choosing_enterprise = State()
    browsing_archive = State()
    reviewing = State()
    addressing = State()
    submitting = State()
    printing = State()
    error = State()
    wiping = State()

    started = idle.to(identifying)
    card_read = identifying.to(choosing_service)
    identity_skipped = identifying.to(choosing_service)
    service_chosen = choosing_service.to(filling_form)
    form_completed = filling_form.to(reviewing)
    capture_opened = filling_form.to(capturing)
    capture_closed = capturing.to(filling_form)
    consult_opened = choosing_service.to(consulting)
    consult_closed = consulting.to(choosing_service)
    supplement_opened = choosing_service.to(supplementing)
    supplement_closed = supplementing.to(choosing_service)
    supplement_done = supplementing.to(wiping)
    rating_offered = choosing_service.to(rating)
    rating_closed = rating.to(choosing_service)
    enterprise_opened = choosing_service.to(choosing_enterprise)
    enterprise_closed = choosing_enterprise.to(choosing_service)
    archive_opened = choosing_service.to(browsing_archive)
    archive_closed = browsing_archive.to(choosing_service)
    back = (
        filling_form.to(choosing_service)
        | reviewing.to(filling_form)
        | choosing_service.to(identifying)
    )
    address_opened = reviewing.to(addressing)
    address_closed = addressing.to(reviewing)
    confirmed = reviewing.to(submitting)
    queued = submitting.to(printing)
    finished = printing.to(wiping)
    acknowledged = error.to(wiping)

    cancelled = (
        identifying.to(wiping)
        | choosing_service.to(wiping)
        | supplementing.to(wiping)
        | rating.to(wiping)
        | choosing_enterprise.to(wiping)
        | browsing_archive.to(wiping)
        | filling_form.to(wiping)
        | capturing.to(wiping)
        | consulting.to(wiping)
        | reviewing.to(wiping)
        | addressing.to(wiping)
        | submitting.to(wiping)
        | printing.to(wiping)
        | error.to(wiping)
    )
    timed_out = (
        identifying.to(wiping)
        | choosing_service.to(wiping)
        | supplementing.to(wiping)
        | rating.to(wiping)
        | choosing_enterprise.to(wiping)
        | browsing_archive.to(wiping)
        | filling_form.to(wiping)
        | capturing.to(wiping)
        | consulting.to(wiping)
        | reviewing.to(wiping)
        | addressing.to(wiping)
        | submitting.to(wiping)
        | printing.to(wiping)
        | error.to(wiping)
    )
    failed = (
        identifying.to(error)
        | choosing_service.to(error)
        | supplementing.to(error)
        | rating.to(error)
        | choosing_enterprise.to(error)
        | browsing_archive.to(error)
        | filling_form.to(error)
        | capturing.to(error)
        | consulting.to(error)
        | reviewing.to(error)
        | addressing.to(error)
        | submitting.to(error)
        | printing.to(error)
    )
    wiped = wiping.to(idle)

    def __init__(self, context: SessionContext, **kwargs: Any) -> None:
        self.context = context
        super().__init__(**kwargs)

    @property
    def state_id(self) -> str:
        return str(self.current_state_value)

    def on_enter_state(self, target: State, event: str) -> None:
        log.info("session state %s (event %s)", target.id, event)

    def on_enter_wiping(self) -> None:
        self.context.wipe()
        self.send("wiped")


# Session states in which the inactivity warning applies (idle has nothing to protect; wiping is
# momentary; printing uses the shorter receipt timeout without a warning).
WARNED_STATES = frozenset(
    {
        "identifying",
        "choosing_service",
        "filling_form",
        "capturing",
        "consulting",
        "supplementing",
        "rating",
        "choosing_enterprise",
        "browsing_archive",
        "reviewing",
        "addressing",
        "error",
    }
)
ACTIVE_STATES = frozenset(s.id for s in SessionMachine.states) - {"idle", "wiping"}
