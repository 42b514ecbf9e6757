"""SummaryBridge: the optional A4 filing summary, printed on the station's CUPS queue.

Offered on the receipt screen only when `devices.a4_printer.queue` is configured. The summary is
built by the core (`SessionFlow.summary`, ID numbers masked) and laid out and printed by
`ui/a4_summary.py` on a worker thread; the screen shows "printing…", "printed" or what went wrong.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Property, QObject, Signal, Slot

from ui.bridge.failures import failure_text

if TYPE_CHECKING:
    from kiosk.session.flow import Background, SessionFlow

log = logging.getLogger(__name__)


class SummaryBridge(QObject):
    changed = Signal()

    def __init__(self, queue: str, background: Background, parent: QObject | None = None):
        super().__init__(parent)
        self._queue = queue
        self._bg = background
        self._flow: SessionFlow | None = None
        self._status = ""  # "", "printing", "printed", or a FailureReason code

    def attach(self, flow: SessionFlow) -> None:
        self._flow = flow
        flow.subscribe(self._on_flow_changed)

    def _on_flow_changed(self) -> None:
        if self._flow is not None and self._flow.state != "printing" and self._status:
            self._status = ""  # a new filing starts without the last one's summary state
            self.changed.emit()

    def _set(self, status: str) -> None:
        self._status = status
        self.changed.emit()

    @Slot()
    def printSummary(self) -> None:
        if not self._queue or self._flow is None or self._status == "printing":
            return
        from ui.a4_summary import print_summary

        try:
            summary = self._flow.summary()
        except RuntimeError:
            log.exception("no filing to summarise")
            return
        queue = self._queue
        self._set("printing")
        self._bg(lambda: print_summary(summary, queue), self._done, self._failed)

    def _done(self, _: Any) -> None:
        self._set("printed")

    def _failed(self, exc: Exception) -> None:
        log.warning("A4 summary not printed: %s", type(exc).__name__)
        self._set("SUMMARY_PRINT_FAILED")

    def _get_available(self) -> bool:
        return bool(self._queue)

    def _get_status(self) -> str:
        return self._status

    def _get_message(self) -> str:
        if self._status in ("", "printing", "printed"):
            return ""
        return failure_text(self._status)[0]

    available = Property(bool, _get_available, constant=True)
    status = Property(str, _get_status, notify=changed)
    message = Property(str, _get_message, notify=changed)
