"""The first-boot enrolment screen's view-model: the hall URL and code in, the outcome out.

The work is :func:`kiosk.provision.provision` (the same as ``python main.py provision``), run on
the background runner, never on the GUI thread. Phases: ``entry`` (the form), ``working``,
``done`` (the station this terminal now is) and ``failed`` (a FailureReason code, worded through
``ui/bridge/failures.py``). The code typed is handed straight to the job and kept nowhere here.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import Property, QObject, Signal, Slot

from kiosk.errors import FailureReason
from ui.bridge.failures import failure_text
from ui.bridge.settings_bridge import SettingsBridge

log = logging.getLogger(__name__)

Runner = Callable[[Callable[[], Any], Callable[[Any], None], Callable[[Exception], None]], None]


class EnrolmentBridge(QObject):
    changed = Signal()
    finished = Signal()

    def __init__(
        self,
        settings: SettingsBridge,
        state_dir: Path,
        hall_url: str,
        background: Runner,
        provision: Callable[..., Any] | None = None,
    ) -> None:
        super().__init__()
        self._settings = settings
        self._state_dir = Path(state_dir)
        self._hall_url = hall_url
        self._background = background
        self._provision = provision
        self._phase = "entry"
        self._failure = ""
        self._station_id = ""
        self._station_name = ""
        self.succeeded = False
        settings.changed.connect(self.changed)

    # --- properties ------------------------------------------------------------------------------

    def _get_phase(self) -> str:
        return self._phase

    def _get_hall_url(self) -> str:
        return self._hall_url

    def _get_failure_code(self) -> str:
        return self._failure

    def _get_failure_title(self) -> str:
        return failure_text(self._failure)[0] if self._failure else ""

    def _get_failure_next(self) -> str:
        return failure_text(self._failure)[1] if self._failure else ""

    def _get_station_id(self) -> str:
        return self._station_id

    def _get_station_name(self) -> str:
        return self._station_name

    phase = Property(str, _get_phase, notify=changed)
    hallUrl = Property(str, _get_hall_url, notify=changed)
    failureCode = Property(str, _get_failure_code, notify=changed)
    failureTitle = Property(str, _get_failure_title, notify=changed)
    failureNext = Property(str, _get_failure_next, notify=changed)
    stationId = Property(str, _get_station_id, notify=changed)
    stationName = Property(str, _get_station_name, notify=changed)

    # --- intents ---------------------------------------------------------------------------------

    @Slot(str, str)
    def enrol(self, hall_url: str, code: str) -> None:
        if self._phase == "working":
            return  # a double tap
        self._hall_url = hall_url.strip()
        self._set_phase("working")
        log.info("enrolment: started")
        provision: Callable[..., Any]
        if self._provision is not None:
            provision = self._provision
        else:
            from kiosk.provision import provision as provision_station

            provision = provision_station

        state_dir, url = self._state_dir, self._hall_url
        self._background(lambda: provision(state_dir, url, code), self._done, self._failed)

    @Slot()
    def retry(self) -> None:
        self._failure = ""
        self._set_phase("entry")

    @Slot()
    def finish(self) -> None:
        if self._phase == "done":
            self.finished.emit()

    # --- results ---------------------------------------------------------------------------------

    def _done(self, station: Any) -> None:
        self._station_id, self._station_name = station.station_id, station.station_name
        self.succeeded = True
        log.info("enrolment: done (station %s)", station.station_id)
        self._set_phase("done")

    def _failed(self, exc: Exception) -> None:
        from kiosk.provision import ProvisionError

        reason = exc.reason if isinstance(exc, ProvisionError) else FailureReason.ENROL_REFUSED
        log.warning("enrolment: failed %s (%s)", reason, type(exc).__name__)
        self._failure = str(reason)
        self._set_phase("failed")

    def _set_phase(self, phase: str) -> None:
        log.info("enrolment screen: %s -> %s", self._phase, phase)
        self._phase = phase
        self.changed.emit()
