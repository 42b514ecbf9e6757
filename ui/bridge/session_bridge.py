"""SessionBridge: the QML view of the walk-in session (properties, intents as slots).

Its properties are computed from the core's SessionFlow and SessionContext on read, so when the
context is wiped, the screen forgets too; one ``changed`` signal refreshes those bindings. The
form's fields are the exception: a list model (``fieldModel``) updated row by row, so a keystroke
re-evaluates one field's delegate, not every field's. Its copy of the answers is replaced on every
change of the session and emptied with it. Each intent is one slot calling one SessionFlow method.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Property, QCoreApplication, QObject, QTimer, Signal, Slot

from kiosk.masking import mask_name, mask_personal
from kiosk.session.context import SessionContext
from kiosk.session.inactivity import Phase
from ui.bridge.failures import failure_text, field_error_text
from ui.bridge.field_model import FieldListModel
from ui.bridge.settings_bridge import SettingsBridge
from ui.screens import STATE_SCREENS, Screen, screen_for

if TYPE_CHECKING:
    from contracts.catalog import Category, ServiceItem
    from contracts.forms import FieldSpec
    from kiosk.session.flow import SessionFlow

log = logging.getLogger(__name__)

# Consultations (no ID card) listed with the services of a catalog category, where a walk-in
# browsing that category looks for them; the service home also has a row of them on top.
_CATEGORY_CONSULTS: dict[str, list[str]] = {
    "progress": ["progress"],
    "policy_services": ["policies", "qa"],
}
_KEYBOARD_HINTS = {"pinyin": "pinyin", "digits": "digits", "phone": "phone", "latin": "latin"}


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
        # None until the session attaches, just after the first frame: the attract screen needs
        # nothing from it, so the state chart and the catalog load after the screen is up. Reads
        # until then give an idle, empty session.
        self._flow: SessionFlow | None = None
        self._no_context = SessionContext()
        self._start_when_attached = False
        self._settings = settings
        self._category = ""
        self._warning = False
        self._seconds_left = 0
        self._screen: Screen = STATE_SCREENS["idle"]
        self._fields = FieldListModel(self)
        self._unsubscribe: Callable[[], None] = lambda: None
        if flow is not None:
            self.attach(flow)
        settings.changed.connect(self._on_settings_changed)
        self._ticker = QTimer(self)
        self._ticker.setInterval(250)
        self._ticker.timeout.connect(self._tick)
        self._ticker.start()

    def attach(self, flow: SessionFlow) -> None:
        """Connect the session; a tap on "start" before it existed starts it now."""
        self._flow = flow
        self._unsubscribe = flow.subscribe(self._on_flow_changed)
        if self._start_when_attached:
            self._start_when_attached = False
            self.start()
        self._on_flow_changed()

    def _context(self) -> SessionContext:
        return self._no_context if self._flow is None else self._flow.context

    def _service(self) -> ServiceItem | None:
        return None if self._flow is None else self._flow.service

    # -- flow -> QML ---------------------------------------------------------------------------
    def _on_flow_changed(self) -> None:
        state = self._get_state()
        context = self._context()
        screen = screen_for(state, context.consult.kind, bool(context.supplement.photo_slot))
        if state == "idle":
            self._category = ""
            self._warning = False
        if screen != self._screen:
            self._screen = screen
            self.screenChanged.emit()
        self._fields.update(self._field_rows())
        self.changed.emit()

    # A declared slot: connecting a plain method gives this one object a meta-object of its own,
    # freed with it; QML caches property lookups by meta-object address, so the next bridge
    # allocated there read as the old one's class (its properties undefined, its slots missing).
    @Slot()
    def _on_settings_changed(self) -> None:
        self._fields.update(self._field_rows())  # labels and help in the other language
        self.changed.emit()

    @Slot()
    def _tick(self) -> None:
        if self._flow is None:
            return
        status = self._flow.tick()
        warning = status.phase is Phase.WARNING
        seconds = int(status.seconds_left + 0.999)
        if warning != self._warning or (warning and seconds != self._seconds_left):
            self._warning, self._seconds_left = warning, seconds
            self.changed.emit()

    def _zh(self) -> bool:
        return self._settings.current_language != "en_US"

    def _pick(self, zh: str, en: str) -> str:
        return zh if self._zh() or not en else en

    def _get_screen(self) -> str:
        return self._screen

    def _get_state(self) -> str:
        return "idle" if self._flow is None else self._flow.state

    def _card_status(self) -> str:
        return "" if self._flow is None else str(self._flow.card_status)

    def _notice(self) -> str:
        return "" if self._flow is None else str(self._flow.notice)

    def _categories(self) -> tuple[Category, ...]:
        return () if self._flow is None else tuple(self._flow.catalog.categories)

    def _services_in(self, category_id: str) -> tuple[ServiceItem, ...]:
        return () if self._flow is None else tuple(self._flow.catalog.services_in(category_id))

    def _get_card_status(self) -> str:
        return self._card_status()

    def _get_card_message(self) -> str:
        code = self._card_status()
        return failure_text(code)[0] if code and code != "reading" else ""

    def _get_card_next_step(self) -> str:
        code = self._card_status()
        return failure_text(code)[1] if code and code != "reading" else ""

    def _get_mrz_errors(self) -> dict[str, str]:
        errors = self._context().errors
        return {
            k.removeprefix("mrz."): field_error_text(v)
            for k, v in errors.items()
            if k.startswith("mrz.")
        }

    def _get_notice(self) -> str:
        return failure_text(self._notice())[0] if self._notice() else ""

    def _get_notice_next_step(self) -> str:
        return failure_text(self._notice())[1] if self._notice() else ""

    def _get_greeting_name(self) -> str:
        identity = self._context().identity
        return mask_name(identity.name) if identity else ""

    def _get_categories(self) -> list[dict[str, Any]]:
        return [
            {"id": c.id, "name": self._pick(c.name_zh, c.name_en), "icon": c.icon}
            for c in self._categories()
        ]

    def _get_category(self) -> str:
        return self._category or (self._categories()[0].id if self._categories() else "")

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
            for s in self._services_in(self._get_category())
        ]

    def _get_category_consults(self) -> list[str]:
        return _CATEGORY_CONSULTS.get(self._get_category(), [])

    def _get_service_name(self) -> str:
        s = self._service()
        return self._pick(s.name_zh, s.name_en) if s else ""

    def _field_row(self, f: FieldSpec) -> dict[str, Any]:
        ctx = self._context()
        error_key = ctx.errors.get(f.name, "")
        return {
            "name": f.name,
            "kind": f.kind,
            "label": self._pick(f.label_zh, f.label_en),
            "help": self._pick(f.help_zh, f.help_en),
            "mandatory": f.required,
            "maxLength": f.max_length or 0,
            "keyboard": _KEYBOARD_HINTS.get(f.keyboard, "pinyin"),
            "value": ctx.values.get(f.name, ""),
            "error": field_error_text(error_key) if error_key else "",
            "helperFilled": f.name in ctx.helper_filled,
            "fromRegister": f.name in ctx.enterprise.prefilled,  # "来自企业档案"
            "choices": [
                {"value": c.value, "label": self._pick(c.label_zh, c.label_en)} for c in f.choices
            ],
            "suggestions": self._suggestions_for(f.name),
        }

    def _suggestions_for(self, field_name: str) -> list[dict[str, Any]]:
        """Category suggestions shown under the demand's description, for the walk-in to confirm."""
        ctx = self._context()
        if not ctx.demand_suggestions:
            return []
        from kiosk.session.consult import DEMAND_CATEGORY_FIELD, DEMAND_TEXT_FIELD

        if field_name != DEMAND_TEXT_FIELD:
            return []
        chosen = ctx.values.get(DEMAND_CATEGORY_FIELD, "")
        separator = "、" if self._zh() else ", "
        return [
            {
                "category": s.category,
                "name": self._pick(s.name_zh, s.name_en),
                "because": separator.join(s.hits),
                "chosen": s.category == chosen,
            }
            for s in ctx.demand_suggestions
        ]

    def _field_rows(self) -> list[dict[str, Any]]:
        s = self._service()
        return [self._field_row(f) for f in s.form.fields] if s else []

    def _get_fields(self) -> list[dict[str, Any]]:
        return self._fields.rows()

    def _get_field_model(self) -> FieldListModel:
        return self._fields

    def _get_materials(self) -> list[dict[str, Any]]:
        s = self._service()
        if not s:
            return []
        ctx = self._context()
        rows = []
        for m in s.captured_materials:
            error_key = ctx.errors.get(f"material:{m.id}", "")
            expired = m.id in ctx.enterprise.expired and m.id not in ctx.attachments
            rows.append(
                {
                    "id": m.id,
                    "name": self._pick(m.name_zh, m.name_en),
                    "required": m.required,
                    "captured": m.id in ctx.attachments,
                    "error": field_error_text(error_key) if error_key else "",
                    # 免提交: the register holds it (its issue date), no camera step.
                    "onFile": self._on_file_text(m.id),
                    "expiredOnFile": expired,
                }
            )
        return rows

    def _on_file_text(self, material_id: str) -> str:
        if self._flow is None:
            return ""
        found = self._flow.enterprise.material_on_file(material_id)
        if found is None:
            return ""
        if found.issued_on:
            return QCoreApplication.translate(
                "Enterprise", "On file, no need to hand in (issued %1)"
            ).replace("%1", found.issued_on)
        return QCoreApplication.translate("Enterprise", "On file, no need to hand in")

    def _get_review_items(self) -> list[dict[str, Any]]:
        s = self._service()
        if not s:
            return []
        ctx = self._context()
        rows = []
        for f in s.form.fields:
            value = ctx.values.get(f.name, "")
            for c in f.choices:
                if c.value == value:
                    value = self._pick(c.label_zh, c.label_en)
            value = mask_personal(f.kind, value)  # a public screen: others may be looking on
            rows.append({"label": self._pick(f.label_zh, f.label_en), "value": value})
        for m in s.captured_materials:
            if m.id in ctx.attachments:
                photographed = QCoreApplication.translate("Review", "Photographed ✓")
                rows.append({"label": self._pick(m.name_zh, m.name_en), "value": photographed})
            elif on_file := self._on_file_text(m.id):
                rows.append({"label": self._pick(m.name_zh, m.name_en), "value": on_file})
        return rows

    def _get_parts(self) -> list[str]:
        s = self._service()
        return [self._pick(p.name_zh, p.name_en) for p in s.parts] if s else []

    def _get_error_count(self) -> int:
        return len(self._context().errors)

    def _get_tracking_number(self) -> str:
        return self._context().tracking_number

    def _get_progress_url(self) -> str:
        return self._context().progress_url

    def _get_print_status(self) -> str:
        return self._context().print_status

    def _get_print_message(self) -> str:
        code = self._context().print_status
        return "" if code in ("", "printing", "printed") else failure_text(code)[0]

    def _get_print_next_step(self) -> str:
        code = self._context().print_status
        return "" if code in ("", "printing", "printed") else failure_text(code)[1]

    def _get_time_limit_days(self) -> int:
        s = self._service()
        return s.time_limit_days if s else 0

    def _get_failure_code(self) -> str:
        return self._context().failure

    def _get_failure_title(self) -> str:
        return failure_text(self._context().failure)[0] if self._context().failure else ""

    def _get_failure_next_step(self) -> str:
        return failure_text(self._context().failure)[1] if self._context().failure else ""

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
    mrzErrors = Property(dict, _get_mrz_errors, notify=changed)
    noticeNextStep = Property(str, _get_notice_next_step, notify=changed)
    greetingName = Property(str, _get_greeting_name, notify=changed)
    categories = Property(list, _get_categories, notify=changed)
    category = Property(str, _get_category, notify=changed)
    services = Property(list, _get_services, notify=changed)
    categoryConsults = Property(list, _get_category_consults, notify=changed)
    serviceName = Property(str, _get_service_name, notify=changed)
    # The form's fields for Python readers (tests, tools); QML binds the model below.
    fields = Property(list, _get_fields, notify=changed)
    # One row per field, updated row by row and role by role (see field_model.py): typing in one
    # field touches only that delegate, and the delegates live as long as the form is shown.
    fieldModel = Property(QObject, _get_field_model, constant=True)
    reviewItems = Property(list, _get_review_items, notify=changed)
    materials = Property(list, _get_materials, notify=changed)
    parts = Property(list, _get_parts, notify=changed)
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
    def _send(self, intent: Callable[[SessionFlow], object]) -> None:
        flow = self._flow
        if flow is None:
            # Before the session attaches only the attract screen is up, and its one intent,
            # start, is kept by start() itself: anything else has no session to act on.
            log.warning("intent before the session attached: ignored")
            return
        flow.touch()
        try:
            intent(flow)
        except Exception:
            # A stray intent (double tap during a transition) must not crash the kiosk.
            log.exception("intent rejected in state %s", flow.state)

    @Slot()
    def start(self) -> None:
        if self._flow is None:
            self._start_when_attached = True  # a tap in the first moments after power-on
            return
        language, care = self._settings.current_language, self._settings.care_mode
        self._send(lambda flow: flow.start(language, care))

    @Slot()
    def skipIdentity(self) -> None:
        self._send(lambda flow: flow.skip_identity())

    @Slot()
    def retryCard(self) -> None:
        self._send(lambda flow: flow.retry_card())

    @Slot(str, str, str)
    def submitMrz(self, document_number: str, birth_date: str, expiry_date: str) -> None:
        self._send(lambda flow: flow.submit_mrz(document_number, birth_date, expiry_date))

    @Slot(str)
    def chooseCategory(self, category_id: str) -> None:
        if self._flow is not None:
            self._flow.touch()
        self._category = category_id
        self.changed.emit()

    @Slot(str)
    def chooseService(self, service_id: str) -> None:
        self._send(lambda flow: flow.choose_service(service_id))

    @Slot(str, str)
    def setField(self, name: str, value: str) -> None:
        if self._context().values.get(name) != value:
            self._send(lambda flow: flow.set_field(name, value))

    @Slot(str)
    def confirmDemandCategory(self, category: str) -> None:
        self._send(lambda flow: flow.confirm_demand_category(category))

    @Slot(str)
    def openCapture(self, material_id: str) -> None:
        self._send(lambda flow: flow.open_capture(material_id))

    @Slot()
    def submitForm(self) -> None:
        self._send(lambda flow: flow.complete_form())

    @Slot()
    def back(self) -> None:
        self._send(lambda flow: flow.back())

    @Slot()
    def cancel(self) -> None:
        self._send(lambda flow: flow.cancel())

    @Slot()
    def confirm(self) -> None:
        self._send(lambda flow: flow.confirm())

    @Slot()
    def finish(self) -> None:
        self._send(lambda flow: flow.finish())

    @Slot()
    def acknowledge(self) -> None:
        self._send(lambda flow: flow.acknowledge())

    @Slot()
    def touch(self) -> None:
        if self._flow is not None:
            self._flow.touch()
        if self._warning:
            self._warning = False
            self.changed.emit()

    def close(self) -> None:
        self._ticker.stop()
        self._unsubscribe()
