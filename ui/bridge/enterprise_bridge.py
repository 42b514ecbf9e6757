"""EnterpriseBridge: the QML view of 办理企业 and the e-archive (kiosk/session/enterprise.py).

Every property is computed on read from the session context, so the screen forgets with the
session. The register's reasons (codes) become the kiosk's translated words here, with the next
step; a code the kiosk does not know shows the hall's own words. Legal representatives come
masked from the hall (王*明); nothing here logs a name. A document on file is printed on the
station's A4 queue (when one is configured) by :func:`print_document`, on a worker thread.
"""

from __future__ import annotations

import logging
import subprocess
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Property, QCoreApplication, QObject, Signal, Slot

from ui.bridge.failures import failure_text
from ui.bridge.settings_bridge import SettingsBridge
from ui.i18n.marks import QT_TRANSLATE_NOOP

if TYPE_CHECKING:
    from kiosk.session.enterprise import EnterpriseDraft
    from kiosk.session.flow import SessionFlow

log = logging.getLogger(__name__)
_CTX = "Enterprise"

_ROLES: dict[str, str] = {
    "legal_rep": QT_TRANSLATE_NOOP("Enterprise", "Legal representative"),
    "agent": QT_TRANSLATE_NOOP("Enterprise", "Authorised agent"),
}
_TYPE_A_USCC_AGAIN = QT_TRANSLATE_NOOP(
    "Enterprise", "Check the code on the business licence and type it again."
)
_ANOTHER_WAY = QT_TRANSLATE_NOOP(
    "Enterprise", "Scan the enterprise's code again, or type the unified social credit code."
)
_BY_HAND = QT_TRANSLATE_NOOP(
    "Enterprise", "You can file as an individual: fill in the form and photograph the documents."
)
# The register's reason codes (the hall's and the kiosk's own, kiosk/register.py): what
# happened and what to do next.
_REASONS: dict[str, tuple[str, str]] = {
    "not_authorised": (
        QT_TRANSLATE_NOOP(
            "Enterprise",
            "You are not registered as this enterprise's legal representative or agent",
        ),
        QT_TRANSLATE_NOOP("Enterprise", "File as an individual, or call a helper."),
    ),
    "no_authorised_people": (
        QT_TRANSLATE_NOOP(
            "Enterprise", "The register names no legal representative or agent for it"
        ),
        QT_TRANSLATE_NOOP(
            "Enterprise", "Ask at a counter to be authorised, or file as an individual."
        ),
    ),
    "code_forged": (
        QT_TRANSLATE_NOOP("Enterprise", "This is not an enterprise code issued by this hall"),
        _ANOTHER_WAY,
    ),
    "code_revoked": (
        QT_TRANSLATE_NOOP("Enterprise", "This enterprise code has been withdrawn"),
        QT_TRANSLATE_NOOP(
            "Enterprise",
            "Use the enterprise's new code, or type the unified social credit code.",
        ),
    ),
    "qr_foreign": (
        QT_TRANSLATE_NOOP(
            "Enterprise",
            "This QR code is neither an enterprise code nor an electronic business licence",
        ),
        _ANOTHER_WAY,
    ),
    "uscc_check": (
        QT_TRANSLATE_NOOP("Enterprise", "The check character (the last one) of this code is wrong"),
        _TYPE_A_USCC_AGAIN,
    ),
    "uscc_invalid": (
        QT_TRANSLATE_NOOP("Enterprise", "The check character (the last one) of this code is wrong"),
        _TYPE_A_USCC_AGAIN,
    ),
    "uscc_length": (
        QT_TRANSLATE_NOOP("Enterprise", "A unified social credit code has 18 characters"),
        _TYPE_A_USCC_AGAIN,
    ),
    "uscc_characters": (
        QT_TRANSLATE_NOOP(
            "Enterprise", "The code has letters a credit code never uses (I, O, S, V, Z)"
        ),
        _TYPE_A_USCC_AGAIN,
    ),
    "not_registered": (
        QT_TRANSLATE_NOOP("Enterprise", "This enterprise is not in the register"),
        _BY_HAND,
    ),
    "other_district": (
        QT_TRANSLATE_NOOP(
            "Enterprise",
            "This electronic business licence is of an enterprise registered in another district",
        ),
        QT_TRANSLATE_NOOP(
            "Enterprise",
            "File where it is registered, or fill in the form and photograph the documents.",
        ),
    ),
    "holder_invalid": (
        QT_TRANSLATE_NOOP("Enterprise", "The card holder could not be confirmed"),
        QT_TRANSLATE_NOOP("Enterprise", "Start again and read the ID card."),
    ),
}
_UNAVAILABLE = QT_TRANSLATE_NOOP(
    "Enterprise",
    "The enterprise register cannot be reached right now; you can fill in the form by hand "
    "and photograph the documents",
)
_KINDS: dict[str, str] = {
    "filing": QT_TRANSLATE_NOOP("Enterprise", "Filing"),
    "demand": QT_TRANSLATE_NOOP("Enterprise", "Demand"),
    "document": QT_TRANSLATE_NOOP("Enterprise", "Document"),
    "rating": QT_TRANSLATE_NOOP("Enterprise", "Rating"),
    "policy": QT_TRANSLATE_NOOP("Enterprise", "Policy for you"),
}


def _tr(text: str) -> str:
    return QCoreApplication.translate(_CTX, text)


def print_document(queue: str, media: str, data: bytes) -> None:
    """Send a document on file to the CUPS queue ``queue`` (PDF and images as they are: CUPS
    converts both); raises OSError when the queue does not take it."""
    if media not in ("application/pdf", "image/jpeg", "image/png"):
        raise OSError(f"cannot print a {media} document")
    done = subprocess.run(
        ["lp", "-d", queue, "-t", "document on file"],
        input=data,
        capture_output=True,
        timeout=60,
        check=False,
    )
    if done.returncode != 0:
        raise OSError(f"lp refused the job (exit {done.returncode})")


class EnterpriseBridge(QObject):
    changed = Signal()

    def __init__(self, settings: SettingsBridge, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._settings = settings
        self._flow: SessionFlow | None = None
        self._queue = ""
        self._unsubscribe: Callable[[], None] = lambda: None
        settings.changed.connect(self.changed)

    def attach(self, flow: SessionFlow, a4_queue: str = "") -> None:
        self._flow, self._queue = flow, a4_queue
        self._unsubscribe = flow.subscribe(self.changed.emit)
        self.changed.emit()

    def detach(self) -> None:
        self._unsubscribe()
        self._flow = None

    # -- helpers -------------------------------------------------------------------------------
    def _data(self) -> EnterpriseDraft | None:
        return None if self._flow is None else self._flow.context.enterprise

    def _zh(self) -> bool:
        return self._settings.current_language != "en_US"

    def _pick(self, zh: str, en: str) -> str:
        return zh if self._zh() or not en else en

    def _reason(self) -> tuple[str, str]:
        data = self._data()
        if data is None:
            return "", ""
        if data.status == "rate_limited":
            return failure_text("HALL_RATE_LIMITED", retry_after_s=data.retry_after_s)
        if data.status != "refused":
            return "", ""
        known = _REASONS.get(data.refusal)
        if known is not None:
            return _tr(known[0]), _tr(known[1])
        zh, en = data.refusal_words
        return self._pick(zh, en) or _tr(_REASONS["not_registered"][0]), _tr(_BY_HAND)

    # -- properties ----------------------------------------------------------------------------
    def _get_status(self) -> str:
        data = self._data()
        return "" if data is None else data.status

    def _get_refusal(self) -> str:
        data = self._data()
        return "" if data is None or data.status != "refused" else data.refusal

    def _get_reason_title(self) -> str:
        return self._reason()[0]

    def _get_reason_step(self) -> str:
        return self._reason()[1]

    def _get_unavailable_text(self) -> str:
        data = self._data()
        return _tr(_UNAVAILABLE) if data is not None and data.status == "unavailable" else ""

    def _get_scanning(self) -> bool:
        data = self._data()
        return data is not None and data.scanning

    def _get_available(self) -> bool:
        return self._flow is not None and self._flow.enterprise.available

    def _get_items(self) -> list[dict[str, Any]]:
        data = self._data()
        if data is None:
            return []
        return [
            {
                "id": e.id,
                "name": e.name,
                "uscc": e.uscc or "",
                "legalRep": e.legal_rep_masked,
                "role": _tr(_ROLES.get(e.role, e.role)),
                "policies": len(e.policies),  # pushed to it by the hall (免申即享)
            }
            for e in data.items
        ]

    def _get_chosen(self) -> dict[str, Any]:
        data = self._data()
        e = None if data is None else data.chosen
        if e is None:
            return {}
        return {"id": e.id, "name": e.name, "uscc": e.uscc or "", "role": _tr(_ROLES[e.role])}

    def _get_enterprise_code(self) -> str:
        """The chosen enterprise's 一企一码 (the hall's signed token) for the e-archive's QR."""
        data = self._data()
        e = None if data is None else data.chosen
        return "" if e is None or e.code is None else e.code

    def _get_code_withdrawn(self) -> bool:
        """An enterprise is chosen but its code was revoked and not reissued."""
        data = self._data()
        e = None if data is None else data.chosen
        return e is not None and e.code is None

    def _get_checking(self) -> bool:
        data = self._data()
        return data is not None and data.checking

    def _get_typed(self) -> str:
        data = self._data()
        return "" if data is None else data.typed

    def _get_archive(self) -> list[dict[str, Any]]:
        data = self._data()
        if data is None:
            return []
        return [
            {
                "kind": _tr(_KINDS.get(a.kind, a.kind)),
                "date": a.at[:10],
                "title": self._pick(a.title_zh, a.title_en),
                "status": self._pick(a.status_zh, a.status_en),
                "trackingNumber": a.tracking_number,
                "materialId": a.material_id,
                "printable": a.printable and bool(self._queue),
            }
            for a in data.archive
        ]

    def _get_archive_status(self) -> str:
        data = self._data()
        return "" if data is None else data.archive_status

    def _get_print_status(self) -> str:
        data = self._data()
        return "" if data is None else data.print_status

    def _get_can_print(self) -> bool:
        return bool(self._queue)

    status = Property(str, _get_status, notify=changed)
    refusal = Property(str, _get_refusal, notify=changed)
    reasonTitle = Property(str, _get_reason_title, notify=changed)
    reasonStep = Property(str, _get_reason_step, notify=changed)
    unavailableText = Property(str, _get_unavailable_text, notify=changed)
    scanning = Property(bool, _get_scanning, notify=changed)
    available = Property(bool, _get_available, notify=changed)
    items = Property(list, _get_items, notify=changed)
    chosen = Property(dict, _get_chosen, notify=changed)
    enterpriseCode = Property(str, _get_enterprise_code, notify=changed)
    codeWithdrawn = Property(bool, _get_code_withdrawn, notify=changed)
    checking = Property(bool, _get_checking, notify=changed)
    typed = Property(str, _get_typed, notify=changed)
    archive = Property(list, _get_archive, notify=changed)
    archiveStatus = Property(str, _get_archive_status, notify=changed)
    printStatus = Property(str, _get_print_status, notify=changed)
    canPrint = Property(bool, _get_can_print, notify=changed)

    # -- intents -------------------------------------------------------------------------------
    def _send(self, intent: Callable[[SessionFlow], object]) -> None:
        flow = self._flow
        if flow is None:
            return
        flow.touch()
        try:
            intent(flow)
        except Exception:
            log.exception("enterprise intent rejected in state %s", flow.state)

    @Slot()
    def open(self) -> None:
        self._send(lambda flow: flow.enterprise.open())

    @Slot(str)
    def choose(self, enterprise_id: str) -> None:
        self._send(lambda flow: flow.enterprise.choose(enterprise_id))

    @Slot(str)
    def showPolicies(self, enterprise_id: str) -> None:
        """Act for the enterprise and open the policies screen, its profile from the register."""

        def intent(flow: SessionFlow) -> None:
            flow.enterprise.choose(enterprise_id)
            flow.open_consult("policies")

        self._send(intent)

    @Slot()
    def asIndividual(self) -> None:
        self._send(lambda flow: flow.enterprise.as_individual())

    @Slot()
    def startScan(self) -> None:
        self._send(lambda flow: flow.enterprise.start_scan())

    @Slot()
    def stopScan(self) -> None:
        self._send(lambda flow: flow.enterprise.stop_scan())

    @Slot(str)
    def submitUscc(self, text: str) -> None:
        self._send(lambda flow: flow.enterprise.submit_uscc(text))

    @Slot()
    def openArchive(self) -> None:
        self._send(lambda flow: flow.enterprise.open_archive())

    @Slot()
    def closeArchive(self) -> None:
        self._send(lambda flow: flow.enterprise.close_archive())

    @Slot(str)
    def printDocument(self, material_id: str) -> None:
        queue = self._queue
        if not queue:
            return
        self._send(
            lambda flow: flow.enterprise.fetch_document(
                material_id, lambda media, data: print_document(queue, media, data)
            )
        )
