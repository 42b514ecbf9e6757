"""KioskRuntime: the kiosk's parts built from config, with no Qt — drivers, outbox, sender, hall.

``main.py`` builds one of these and hands it to the UI. Everything here is started and stopped in
one place so tests, the demo and the screenshot tool run the same composition.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from drivers import registry
from drivers.health import Health
from kiosk.config import KioskConfig
from kiosk.hall_client import HallClient
from kiosk.services.catalog import Catalog, load_catalog
from kiosk.session.flow import Timeouts
from offline_queue.outbox import Outbox, QueuedSubmission
from offline_queue.sender import Sender

log = logging.getLogger(__name__)


class ThreadLocalOutbox:
    """Enqueues through a per-thread Outbox connection (SQLite connections are thread-confined)."""

    def __init__(self, path: Path, station_id: str) -> None:
        self._path, self._station_id = path, station_id
        self._local = threading.local()
        self._all: list[Outbox] = []
        self._lock = threading.Lock()

    def _outbox(self) -> Outbox:
        box: Outbox | None = getattr(self._local, "outbox", None)
        if box is None:
            box = Outbox(self._path, self._station_id)
            self._local.outbox = box
            with self._lock:
                self._all.append(box)
        return box

    def enqueue(self, service_id: str, payload: dict[str, Any]) -> QueuedSubmission:
        return self._outbox().enqueue(service_id, payload)

    def close(self) -> None:
        # Connections opened on worker threads are closed at shutdown, after the workers stop.
        with self._lock:
            boxes, self._all = self._all, []
        for box in boxes:
            try:
                box.close()
            except Exception:  # a connection owned by another thread; the process is ending
                log.debug("outbox connection close skipped", exc_info=True)


class HallMonitor:
    """Pings the hall's /healthz in the background so the status bar can say online/offline."""

    def __init__(self, client: HallClient, interval_s: float = 15.0) -> None:
        self._client, self._interval = client, interval_s
        self.online = False
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="hall-monitor", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            self.online = self._client.healthy()
            self._stop.wait(self._interval)

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=5)


@dataclass
class Status:
    online: bool
    outbox_depth: int
    last_sync: dt.datetime | None
    devices: dict[str, Health]


class KioskRuntime:
    def __init__(self, config: KioskConfig, *, start_sender: bool = True) -> None:
        self.config = config
        state_dir = Path(config.paths.state_dir)
        state_dir.mkdir(parents=True, exist_ok=True)
        self.catalog: Catalog = load_catalog()
        devices = config.devices
        self.reader: Any = registry.build_card_reader(
            devices.card_reader.backend, devices.card_reader.options
        )
        self.printer: Any = registry.build_printer(devices.printer.backend, devices.printer.options)
        self.camera: Any = registry.build_camera(devices.camera.backend, devices.camera.options)
        self.outbox_path = state_dir / "outbox.sqlite3"
        self.queue = ThreadLocalOutbox(self.outbox_path, config.station.id)
        self.hall = HallClient(config.hall.url, config.hall.timeout_s, config.hall.token)
        self.sender = Sender(self.outbox_path, config.station.id, self.hall.post_submission)
        self.monitor = HallMonitor(self.hall)
        if start_sender:
            self.sender.start()
            self.monitor.start()

    @property
    def timeouts(self) -> Timeouts:
        t = self.config.timeouts
        return Timeouts(t.idle_s, t.warning_s, t.receipt_s, t.card_read_s)

    def status(self) -> Status:
        s = self.sender.status()
        return Status(
            online=self.monitor.online or s.online,
            outbox_depth=s.depth,
            last_sync=s.last_success_at,
            devices={
                "card_reader": self.reader.health(),
                "printer": self.printer.health(),
                "camera": self.camera.health(),
            },
        )

    def close(self) -> None:
        self.sender.stop()
        self.monitor.stop()
        for device in (self.reader, self.printer, self.camera):
            try:
                device.close()
            except Exception:
                log.exception("closing %s failed", type(device).__name__)
        self.queue.close()
        self.hall.close()
