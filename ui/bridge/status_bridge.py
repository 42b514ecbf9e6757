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
    from drivers.health import Health
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
        # The voice (care mode's speaker), apart from the runtime's devices: its health says
        # whether the station speaks at all and whether it is muted (SpeechBridge.health).
        self._speaker: Callable[[], Health | None] = lambda: None
        self._voice: Health | None = None
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self.refresh)
        self._timer.start()

    def attach(
        self, source: Callable[[], Status], speaker: Callable[[], Health | None] | None = None
    ) -> None:
        self._source = source
        if speaker is not None:
            self._speaker = speaker
        self.refresh()

    @Slot()
    def refresh(self) -> None:
        snap = None if self._source is None else self._source()
        voice = self._speaker()
        if snap != self._snap or voice != self._voice:
            self._snap, self._voice = snap, voice
            self.changed.emit()

    def _online(self) -> bool:
        return self._snap is not None and self._snap.online

    def _depth(self) -> int:
        return 0 if self._snap is None else self._snap.outbox_depth

    def _last_sync(self) -> str:
        last = None if self._snap is None else self._snap.last_sync
        return last.strftime("%H:%M") if last else ""

    def _devices(self) -> list[dict[str, str]]:
        return [
            {"name": name, "level": h.level.value, "code": h.code}
            for name, h in self._all_devices().items()
        ]

    def _all_devices(self) -> dict[str, Health]:
        devices = {} if self._snap is None else dict(self._snap.devices)
        if self._voice is not None:
            devices["speaker"] = self._voice
        return devices

    def _all_ok(self) -> bool:
        return all(h.level.value == "ok" for h in self._all_devices().values())

    online = Property(bool, _online, notify=changed)
    outboxDepth = Property(int, _depth, notify=changed)
    lastSync = Property(str, _last_sync, notify=changed)
    devices = Property(list, _devices, notify=changed)
    devicesOk = Property(bool, _all_ok, notify=changed)

    def close(self) -> None:
        self._timer.stop()
