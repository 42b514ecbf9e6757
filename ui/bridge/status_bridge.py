"""StatusBridge: the status bar's view of network, outbox depth and device health.

Polled from a timer on the GUI thread; every source it reads answers from memory (the sender's
last status, each driver's last known health), so polling never blocks the UI.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Property, QObject, QTimer, Signal, Slot

from kiosk.runtime import Status


class StatusBridge(QObject):
    changed = Signal()

    def __init__(
        self,
        source: Callable[[], Status],
        interval_ms: int = 1000,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._source = source
        self._snap = source()
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self.refresh)
        self._timer.start()

    @Slot()
    def refresh(self) -> None:
        snap = self._source()
        if snap != self._snap:
            self._snap = snap
            self.changed.emit()

    def _online(self) -> bool:
        return self._snap.online

    def _depth(self) -> int:
        return self._snap.outbox_depth

    def _last_sync(self) -> str:
        return self._snap.last_sync.strftime("%H:%M") if self._snap.last_sync else ""

    def _devices(self) -> list[dict[str, str]]:
        return [
            {"name": name, "level": h.level.value, "code": h.code}
            for name, h in self._snap.devices.items()
        ]

    def _all_ok(self) -> bool:
        return all(h.level.value == "ok" for h in self._snap.devices.values())

    online = Property(bool, _online, notify=changed)
    outboxDepth = Property(int, _depth, notify=changed)
    lastSync = Property(str, _last_sync, notify=changed)
    devices = Property(list, _devices, notify=changed)
    devicesOk = Property(bool, _all_ok, notify=changed)

    def close(self) -> None:
        self._timer.stop()
