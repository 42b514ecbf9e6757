"""SessionBridge: the QML view of the walk-in session (properties, intents as slots).

It holds no personal data of its own: every property is computed from the core's SessionFlow and
SessionContext on read, so when the context is wiped, the screen forgets too. One ``changed``
signal refreshes every binding; the session is small enough that this is cheap and it keeps
stale copies impossible.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Property, QCoreApplication, QObject, QTimer, Signal, Slot

from kiosk.masking import mask_id_number, mask_name
from kiosk.session.context import SessionContext
from kiosk.session.inactivity import InactivityStatus, Phase
from ui.bridge.failures import failure_text, field_error_text
from ui.bridge.settings_bridge import SettingsBridge
from ui.screens import STATE_SCREENS, screen_for

if TYPE_CHECKING:
    from kiosk.services.forms import FieldSpec
    from kiosk.session.flow import SessionFlow

log = logging.getLogger(__name__)

# Consultations (no ID card) listed with the services of a catalog category, where a walk-in
# browsing that category looks for them; the service home also has a row of them on top.
_CATEGORY_CONSULTS: dict[str, list[str]] = {
    "progress": ["progress"],
    "policy_services": ["policies", "qa"],
}
_KEYBOARD_HINTS = {"pinyin": "pinyin", "digits": "digits", "phone": "phone", "latin": "latin"}


class _NoCatalog:
    version = ""
    categories: tuple[Any, ...] = ()

    def services_in(self, category_id: str) -> tuple[Any, ...]:
        return ()


class _NotStarted:
    """Stands in for the SessionFlow until it is attached, just after the first frame: the
    attract screen needs nothing from the session, so the state chart and the catalog load
    after the screen is up. Reads give an idle, empty session; intents are kept for later."""

    state = "idle"
    card_status = ""
    notice = ""
    service = None
    catalog = _NoCatalog()

    def __init__(self) -> None:
        self.context = SessionContext()
        self.pending: list[tuple[str, tuple[Any, ...]]] = []

    def subscribe(self, listener: Callable[[], None]) -> Callable[[], None]:
        return lambda: None

    def tick(self) -> InactivityStatus:
        return InactivityStatus(Phase.ACTIVE, 0.0)

    def touch(self) -> None:
        pass

    def __getattr__(self, intent: str) -> Callable[..., None]:
        return lambda *args: self.pending.append((intent, args))


class SessionBridge(QObject):
    changed = Signal()
    screenChanged = Signal()

    def __init__(
        self,
        flow: SessionFlow | None,
        settings: SettingsBridge,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._flow: Any = _NotStarted()
        self._settings = settings
        self._category = ""
        self._warning = False
        self._seconds_left = 0
        self._screen = STATE_SCREENS["idle"]
        self._unsubscribe: Callable[[], None] = lambda: None
        if flow is not None:
            self.attach(flow)
        settings.changed.connect(self.changed)
        self._ticker = QTimer(self)
        self._ticker.setInterval(250)
        self._ticker.timeout.connect(self._tick)
        self._ticker.start()

    def attach(self, flow: SessionFlow) -> None:
        """Connect the session; intents tapped before it existed are replayed in order."""
        waiting = self._flow.pending if isinstance(self._flow, _NotStarted) else []
        self._flow = flow
        self._unsubscribe = flow.subscribe(self._on_flow_changed)
        for intent, args in waiting:
            self._intent(intent, *args)
        self._on_flow_changed()

    # -- flow -> QML ---------------------------------------------------------------------------
    def _on_flow_changed(self) -> None:
        screen = screen_for(self._flow.state, self._flow.context.consult.kind)
        if self._flow.state == "idle":
            self._category = ""
            self._warning = False
        if screen != self._screen:
            self._screen = screen
            self.screenChanged.emit()
        self.changed.emit()

    @Slot()
    def _tick(self) -> None:
        status = self._flow.tick()
        warning = status.phase is Phase.WARNING
        seconds = int(status.seconds_left + 0.999)
        if warning != self._warning or (warning and seconds != self._seconds_left):
            self._warning, self._seconds_left = warning, seconds
            self.changed.emit()

    def _zh(self) -> bool:
        return self._settings.language != "en_US"

    def _pick(self, zh: str, en: str) -> str:
        return zh if self._zh() or not en else en

    def _get_screen(self) -> str:
        return self._screen

    def _get_state(self) -> str:
        return self._flow.state

    def _get_card_status(self) -> str:
        return str(self._flow.card_status)

    def _get_card_message(self) -> str:
        code = self._flow.card_status
        return failure_text(code)[0] if code and code != "reading" else ""

    def _get_card_next_step(self) -> str:
        code = self._flow.card_status
        return failure_text(code)[1] if code and code != "reading" else ""

    def _get_mrz_errors(self) -> dict[str, str]:
        errors = self._flow.context.errors
        return {
            k.removeprefix("mrz."): field_error_text(v)
            for k, v in errors.items()
            if k.startswith("mrz.")
        }

    def _get_notice(self) -> str:
        return failure_text(self._flow.notice)[0] if self._flow.notice else ""

    def _get_notice_next_step(self) -> str:
        return failure_text(self._flow.notice)[1] if self._flow.notice else ""

    def _get_greeting_name(self) -> str:
        identity = self._flow.context.identity
        return mask_name(identity.name) if identity else ""

    def _get_categories(self) -> list[dict[str, Any]]:
        return [
            {"id": c.id, "name": self._pick(c.name_zh, c.name_en), "icon": c.icon}
            for c in self._flow.catalog.categories
        ]

    def _get_category(self) -> str:
        return self._category or (
            self._flow.catalog.categories[0].id if self._flow.catalog.categories else ""
        )

    def _get_services(self) -> list[dict[str, Any]]:
        return [
            {
                "id": s.id,
                "name": self._pick(s.name_zh, s.name_en),
                "summary": self._pick(s.summary_zh, s.summary_en),
                "department": self._pick(s.department_zh, s.department_en),
                "needsCard": s.requires_identity,
                "bundle": len(s.parts) > 1,
            }
            for s in self._flow.catalog.services_in(self._get_category())
        ]

    def _get_category_consults(self) -> list[str]:
        return _CATEGORY_CONSULTS.get(self._get_category(), [])

    def _get_service_name(self) -> str:
        s = self._flow.service
        return self._pick(s.name_zh, s.name_en) if s else ""

    def _field_row(self, f: FieldSpec) -> dict[str, Any]:
        ctx = self._flow.context
        error_key = ctx.errors.get(f.name, "")
        return {
            "name": f.name,
            "kind": f.kind,
            "label": self._pick(f.label_zh, f.label_en),
            "help": self._pick(f.help_zh, f.help_en),
            "required": f.required,
            "maxLength": f.max_length or 0,
            "keyboard": _KEYBOARD_HINTS.get(f.keyboard, "pinyin"),
            "value": ctx.values.get(f.name, ""),
            "error": field_error_text(error_key) if error_key else "",
            "helperFilled": f.name in ctx.helper_filled,
            "choices": [
                {"value": c.value, "label": self._pick(c.label_zh, c.label_en)} for c in f.choices
            ],
            "suggestions": self._suggestions_for(f.name),
        }

    def _suggestions_for(self, field_name: str) -> list[dict[str, Any]]:
        """Category suggestions shown under the demand's description, for the walk-in to confirm."""
        ctx = self._flow.context
        if not ctx.demand_suggestions:
            return []
        from kiosk.session.consult import DEMAND_CATEGORY_FIELD, DEMAND_TEXT_FIELD

        if field_name != DEMAND_TEXT_FIELD:
            return []
        chosen = ctx.values.get(DEMAND_CATEGORY_FIELD, "")
        separator = ", " if self._settings.language == "en_US" else "、"
        return [
            {
                "category": s.category,
                "name": self._pick(s.name_zh, s.name_en),
                "because": separator.join(s.hits),
                "chosen": s.category == chosen,
            }
            for s in ctx.demand_suggestions
        ]

    def _get_fields(self) -> list[dict[str, Any]]:
        s = self._flow.service
        return [self._field_row(f) for f in s.form.fields] if s else []

    def _get_materials(self) -> list[dict[str, Any]]:
        s = self._flow.service
        if not s:
            return []
        ctx = self._flow.context
        rows = []
        for m in s.captured_materials:
            error_key = ctx.errors.get(f"material:{m.id}", "")
            rows.append(
                {
                    "id": m.id,
                    "name": self._pick(m.name_zh, m.name_en),
                    "required": m.required,
                    "captured": m.id in ctx.attachments,
                    "error": field_error_text(error_key) if error_key else "",
                }
            )
        return rows

    def _get_field_names(self) -> list[str]:
        s = self._flow.service
        return [f.name for f in s.form.fields] if s else []

    def _get_review_items(self) -> list[dict[str, Any]]:
        s = self._flow.service
        if not s:
            return []
        ctx = self._flow.context
        rows = []
        for f in s.form.fields:
            value = ctx.values.get(f.name, "")
            for c in f.choices:
                if c.value == value:
                    value = self._pick(c.label_zh, c.label_en)
            if f.kind == "id_number":
                value = mask_id_number(value)  # a public screen: others may be looking on
            rows.append({"label": self._pick(f.label_zh, f.label_en), "value": value})
        for m in s.captured_materials:
            if m.id in ctx.attachments:
                photographed = QCoreApplication.translate("Review", "Photographed ✓")
                rows.append({"label": self._pick(m.name_zh, m.name_en), "value": photographed})
        return rows

    def _get_parts(self) -> list[str]:
        s = self._flow.service
        return [self._pick(p.name_zh, p.name_en) for p in s.parts] if s else []

    def _get_error_count(self) -> int:
        return len(self._flow.context.errors)

    def _get_tracking_number(self) -> str:
        return self._flow.context.tracking_number

    def _get_progress_url(self) -> str:
        return self._flow.context.progress_url

    def _get_print_status(self) -> str:
        return self._flow.context.print_status

    def _get_print_message(self) -> str:
        code = self._flow.context.print_status
        return "" if code in ("", "printing", "printed") else failure_text(code)[0]

    def _get_print_next_step(self) -> str:
        code = self._flow.context.print_status
        return "" if code in ("", "printing", "printed") else failure_text(code)[1]

    def _get_time_limit_days(self) -> int:
        s = self._flow.service
        return s.time_limit_days if s else 0

    def _get_failure_code(self) -> str:
        return self._flow.context.failure

    def _get_failure_title(self) -> str:
        return failure_text(self._flow.context.failure)[0] if self._flow.context.failure else ""

    def _get_failure_next_step(self) -> str:
        return failure_text(self._flow.context.failure)[1] if self._flow.context.failure else ""

    def _get_warning(self) -> bool:
        return self._warning

    def _get_seconds_left(self) -> int:
        return self._seconds_left

    screen = Property(str, _get_screen, notify=screenChanged)
    state = Property(str, _get_state, notify=changed)
    cardStatus = Property(str, _get_card_status, notify=changed)
    cardMessage = Property(str, _get_card_message, notify=changed)
    cardNextStep = Property(str, _get_card_next_step, notify=changed)
    notice = Property(str, _get_notice, notify=changed)
    mrzErrors = Property("QVariantMap", _get_mrz_errors, notify=changed)
    noticeNextStep = Property(str, _get_notice_next_step, notify=changed)
    greetingName = Property(str, _get_greeting_name, notify=changed)
    categories = Property("QVariantList", _get_categories, notify=changed)
    category = Property(str, _get_category, notify=changed)
    services = Property("QVariantList", _get_services, notify=changed)
    categoryConsults = Property("QStringList", _get_category_consults, notify=changed)
    serviceName = Property(str, _get_service_name, notify=changed)
    fields = Property("QVariantList", _get_fields, notify=changed)
    # A stable model for the form's Repeater: it changes only with the screen, so typing never
    # rebuilds the delegates (which would drop focus and the keyboard).
    fieldNames = Property("QStringList", _get_field_names, notify=screenChanged)
    reviewItems = Property("QVariantList", _get_review_items, notify=changed)
    materials = Property("QVariantList", _get_materials, notify=changed)
    parts = Property("QStringList", _get_parts, notify=changed)
    errorCount = Property(int, _get_error_count, notify=changed)
    trackingNumber = Property(str, _get_tracking_number, notify=changed)
    progressUrl = Property(str, _get_progress_url, notify=changed)
    printStatus = Property(str, _get_print_status, notify=changed)
    printMessage = Property(str, _get_print_message, notify=changed)
    printNextStep = Property(str, _get_print_next_step, notify=changed)
    timeLimitDays = Property(int, _get_time_limit_days, notify=changed)
    failureCode = Property(str, _get_failure_code, notify=changed)
    failureTitle = Property(str, _get_failure_title, notify=changed)
    failureNextStep = Property(str, _get_failure_next_step, notify=changed)
    warning = Property(bool, _get_warning, notify=changed)
    secondsLeft = Property(int, _get_seconds_left, notify=changed)

    # -- QML -> flow (intents) -----------------------------------------------------------------
    def _intent(self, name: str, *args: Any) -> None:
        self._flow.touch()
        try:
            getattr(self._flow, name)(*args)
        except Exception:
            # A stray intent (double tap during a transition) must not crash the kiosk.
            log.exception("intent %s rejected in state %s", name, self._flow.state)

    @Slot()
    def start(self) -> None:
        self._intent("start", self._settings.language, self._settings.careMode)

    @Slot()
    def skipIdentity(self) -> None:
        self._intent("skip_identity")

    @Slot()
    def retryCard(self) -> None:
        self._intent("retry_card")

    @Slot(str, str, str)
    def submitMrz(self, document_number: str, birth_date: str, expiry_date: str) -> None:
        self._intent("submit_mrz", document_number, birth_date, expiry_date)

    @Slot(str)
    def chooseCategory(self, category_id: str) -> None:
        self._flow.touch()
        self._category = category_id
        self.changed.emit()

    @Slot(str)
    def chooseService(self, service_id: str) -> None:
        self._intent("choose_service", service_id)

    @Slot(str, str)
    def setField(self, name: str, value: str) -> None:
        if self._flow.context.values.get(name) != value:
            self._intent("set_field", name, value)

    @Slot(str)
    def confirmDemandCategory(self, category: str) -> None:
        self._intent("confirm_demand_category", category)

    @Slot(str)
    def openCapture(self, material_id: str) -> None:
        self._intent("open_capture", material_id)

    @Slot()
    def submitForm(self) -> None:
        self._intent("complete_form")

    @Slot()
    def back(self) -> None:
        self._intent("back")

    @Slot()
    def cancel(self) -> None:
        self._intent("cancel")

    @Slot()
    def confirm(self) -> None:
        self._intent("confirm")

    @Slot()
    def finish(self) -> None:
        self._intent("finish")

    @Slot()
    def acknowledge(self) -> None:
        self._intent("acknowledge")

    @Slot()
    def touch(self) -> None:
        self._flow.touch()
        if self._warning:
            self._warning = False
            self.changed.emit()

    def close(self) -> None:
        self._ticker.stop()
        self._unsubscribe()
