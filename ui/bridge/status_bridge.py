"""StatusBridge: the status bar's view of network, outbox depth and device health.

Polled from a timer on the GUI thread; every source it reads answers from memory (the sender's
last status, each driver's last known health), so polling never blocks the UI. Until a source
is attached (the runtime is built just after the first frame) it shows offline and no devices.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import Property, QObject, QTimer, Signal, Slot

if TYPE_CHECKING:  # kiosk.runtime brings the config models (pydantic): not before frame one
    from kiosk.runtime import Status


class StatusBridge(QObject):
    changed = Signal()

    def __init__(
        self,
        source: Callable[[], Status] | None = None,
        interval_ms: int = 1000,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._source = source
        self._snap = None if source is None else source()
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self.refresh)
        self._timer.start()

    def attach(self, source: Callable[[], Status]) -> None:
        self._source = source
        self.refresh()

    @Slot()
    def refresh(self) -> None:
        snap = None if self._source is None else self._source()
        if snap != self._snap:
            self._snap = snap
            self.changed.emit()

    def _online(self) -> bool:
        return self._snap is not None and self._snap.online

    def _depth(self) -> int:
        return 0 if self._snap is None else self._snap.outbox_depth

    def _last_sync(self) -> str:
        last = None if self._snap is None else self._snap.last_sync
        return last.strftime("%H:%M") if last else ""

    def _devices(self) -> list[dict[str, str]]:
        devices = {} if self._snap is None else self._snap.devices
        return [
            {"name": name, "level": h.level.value, "code": h.code} for name, h in devices.items()
        ]

    def _all_ok(self) -> bool:
        devices = {} if self._snap is None else self._snap.devices
        return all(h.level.value == "ok" for h in devices.values())

    online = Property(bool, _online, notify=changed)
    outboxDepth = Property(int, _depth, notify=changed)
    lastSync = Property(str, _last_sync, notify=changed)
    devices = Property(list, _devices, notify=changed)
    devicesOk = Property(bool, _all_ok, notify=changed)

    def close(self) -> None:
        self._timer.stop()
