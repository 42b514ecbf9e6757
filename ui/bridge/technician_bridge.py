"""TechnicianBridge: technician mode (维护模式) for QML — the hidden gesture, the PIN pad, and
the health, tests, outbox, diagnostics and restart screens.

Everything it does goes through ``kiosk.technician.service.TechnicianService`` (audited there),
in background jobs so a slow printer, card or network never blocks the GUI thread; after each
job the unsent audit entries are offered to the hall. The mode is entered only from the attract
screen (no walk-in session) and ends by itself after ``technician.idle_s`` without a touch. It
shows no personal data: card tests come back masked, the outbox view has codes and tracking
numbers only. The service (and argon2) are built on first use, not on the start path.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import (
    Property,
    QCoreApplication,
    QObject,
    QTimer,
    Signal,
    Slot,
)
from PySide6.QtGui import QImage

from contracts.clock import SYSTEM_CLOCK, Clock
from kiosk.technician.gesture import CornerTaps
from kiosk.technician.log_buffer import install_log_buffer
from ui.bridge.camera_frames import frame_image
from ui.bridge.technician_rows import (
    code_text,
    device_rows,
    history_rows,
    last_sync_text,
    locked_text,
    outbox_count_rows,
    pin_message,
    quarantined_rows,
    tr,
)
from ui.i18n.marks import QT_TRANSLATE_NOOP

if TYPE_CHECKING:
    from drivers.camera.preview import LivePreview, PreviewUpdate
    from kiosk.session.flow import Background
    from kiosk.technician.service import TechnicianService

log = logging.getLogger(__name__)

SCREENS = ("Pin", "Health", "Tests", "Outbox", "Diagnostics", "Restart")
PREVIEW_FPS = 10.0


def _idle_result() -> dict[str, Any]:
    return {"state": "idle", "text": "", "code": ""}


class TechnicianBridge(QObject):
    changed = Signal()
    frameChanged = Signal()
    _camera_update = Signal(object)  # PreviewUpdate, from the preview's worker thread

    def __init__(
        self,
        runtime: Any,
        background: Background,
        *,
        clock: Clock = SYSTEM_CLOCK,
        can_enter: Callable[[], bool] = lambda: True,
        session_values: Callable[[], Iterable[str]] = lambda: (),
        on_restart: Callable[[int], None] | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        # Collect log lines from the start, for the diagnostics bundle (stdlib only, cheap).
        self._logs = install_log_buffer()
        self._runtime, self._background, self._clock = runtime, background, clock
        self._can_enter, self._session_values = can_enter, session_values
        self._on_restart = on_restart or (lambda code: QCoreApplication.exit(code))
        self._taps = CornerTaps(clock=clock)
        self._service: TechnicianService | None = None
        self._active, self._screen, self._busy = False, "Pin", ""
        self._visit = 0  # counts the times the mode was left: late results are dropped
        self._leave_when_done = ""
        self._pin = ""
        self._pin_message = ""
        self._pin_status: tuple[bool, int, int] = (False, 5, 0)
        self._last_touch = clock.monotonic()
        self._health: dict[str, Any] = {}
        self._results: dict[str, dict[str, Any]] = {
            k: _idle_result() for k in ("print", "card", "network", "camera", "diagnostics")
        }
        self._outbox: dict[str, Any] = {"counts": {}, "quarantined": []}
        self._preview: LivePreview | None = None
        self._frame, self._frame_no = QImage(), 0
        self._camera_update.connect(self._on_camera_update)
        self._timer = QTimer(self)
        self._timer.setInterval(1000)
        self._timer.timeout.connect(self.tick)

    def attach_runtime(self, runtime: Any) -> None:
        """The runtime, when the UI builds it after the first frame; the gesture opens nothing
        before (a technician cannot tap that fast anyway)."""
        self._runtime = runtime

    # -- the service, built on first use --------------------------------------------------------
    def service(self) -> TechnicianService:
        if self._service is None:
            from kiosk.technician.service import TechnicianService

            self._service = TechnicianService(
                self._runtime,
                clock=self._clock,
                recent_logs=self._logs.lines,
                session_values=self._session_values,
            )
        return self._service

    def _run(self, what: str, job: Callable[[], Any], done: Callable[[Any], None]) -> None:
        """Run a service call in the background, then offer the audit to the hall."""
        if self._busy:
            return
        self._busy = what
        self.changed.emit()
        svc = self.service()
        visit = self._visit

        def work() -> Any:
            result = job()
            try:
                svc.ship_audit()
            except Exception:  # best effort: the entries stay unsent until the next try
                log.warning("technician audit not shipped", exc_info=True)
            return result

        def ok(result: Any) -> None:
            self._busy = ""
            if visit == self._visit:  # a result after the technician left is not shown later
                done(result)
            self._after_job()

        def failed(exc: Exception) -> None:
            self._busy = ""
            log.error("technician %s failed: %s", what, type(exc).__name__)
            if visit == self._visit:
                done(exc)
            self._after_job()

        self._background(work, ok, failed)

    def _after_job(self) -> None:
        if self._leave_when_done:
            self._leave(self._leave_when_done)
        self.changed.emit()

    # -- entry ---------------------------------------------------------------------------------
    @Slot()
    def cornerTapped(self) -> None:
        if self._active or self._runtime is None or not self._can_enter():
            return
        if self._taps.tap():
            log.info("technician gesture seen: PIN pad shown")
            self._active, self._screen, self._pin, self._pin_message = True, "Pin", "", ""
            self._last_touch = self._clock.monotonic()
            self._timer.start()
            self._refresh_pin_status()
            self.changed.emit()

    def _refresh_pin_status(self) -> None:
        status = self.service().pin_status()
        now = self._clock.now()
        minutes = int((status.locked_for_s(now) + 59) // 60)
        self._pin_status = (status.configured, status.attempts_left, minutes)
        if not status.configured:
            self._pin_message = code_text("TECH_PIN_NOT_SET")
        elif minutes:
            self._pin_message = locked_text(minutes)

    @Slot(str)
    def pinDigit(self, digit: str) -> None:
        self.touch()
        if digit.isdigit() and len(digit) == 1 and len(self._pin) < 12:
            self._pin += digit
            self.changed.emit()

    @Slot()
    def pinBackspace(self) -> None:
        self.touch()
        self._pin = self._pin[:-1]
        self.changed.emit()

    @Slot()
    def pinSubmit(self) -> None:
        self.touch()
        if not self._pin or self._busy:
            return
        pin, self._pin = self._pin, ""
        svc = self.service()
        self._run("pin", lambda: svc.enter(pin), self._on_pin_checked)

    def _on_pin_checked(self, result: Any) -> None:
        if isinstance(result, Exception):
            self._pin_message = code_text("INTERNAL_ERROR")
            return
        status = result.status
        now = self._clock.now()
        minutes = int((status.locked_for_s(now) + 59) // 60)
        self._pin_status = (status.configured, status.attempts_left, minutes)
        self._pin_message = (
            "" if result.ok else pin_message(result.code, status.attempts_left, minutes)
        )
        if result.ok:
            self.show("Health")

    @Slot()
    def leave(self) -> None:
        self._leave("exit")

    def _leave(self, why: str) -> None:
        if not self._active:
            return
        if self._busy:
            # A device test still runs (a card read waits up to 20 s): the attract screen comes
            # back when it ends, so a walk-in's session never shares a device with it.
            self._leave_when_done = why
            return
        self._leave_when_done = ""
        entered = self._screen != "Pin"
        self._stop_camera()
        self._active, self._screen, self._pin, self._pin_message = False, "Pin", "", ""
        self._visit += 1
        self._results = {k: _idle_result() for k in self._results}
        self._outbox, self._health = {"counts": {}, "quarantined": []}, {}
        self._timer.stop()
        if entered:
            svc = self.service()
            self._background(lambda: svc.leave(why), lambda _: None, lambda _: None)
        log.info("technician mode left (%s)", why)
        self.changed.emit()

    def touch(self) -> None:
        """Any touch while the mode is open (KioskUi's activity filter calls this)."""
        self._last_touch = self._clock.monotonic()

    @Slot()
    def tick(self) -> None:
        """Once a second: refresh the live health; back to attract after idle_s untouched."""
        if not self._active:
            return
        if self._clock.monotonic() - self._last_touch >= self._runtime.config.technician.idle_s:
            self._leave("timeout")
            return
        if self._screen == "Health":
            self._refresh_health()
        elif self._screen == "Pin" and self._pin_status[2] and not self._busy:
            before = (self._pin_status, self._pin_message)
            self._pin_message = ""
            self._refresh_pin_status()  # the lock runs out while the pad is shown
            if (self._pin_status, self._pin_message) != before:
                self.changed.emit()

    # -- navigation ----------------------------------------------------------------------------
    @Slot(str)
    def show(self, screen: str) -> None:
        self.touch()
        if not self._active or screen not in SCREENS or screen == "Pin":
            return
        if self._screen == "Pin" and screen != "Health":
            return  # nothing but the PIN opens the mode
        if self._screen == "Tests" and screen != "Tests":
            self._stop_camera()
        self._screen = screen
        if screen == "Health":
            self._refresh_health()
        elif screen == "Outbox":
            self.refreshOutbox()
        self.changed.emit()

    def _entered(self) -> bool:
        return self._active and self._screen != "Pin"

    # -- health --------------------------------------------------------------------------------
    def _refresh_health(self) -> None:
        health = self.service().health()
        if health != self._health:
            self._health = health
            self.changed.emit()

    # -- tests ---------------------------------------------------------------------------------
    def _set(self, key: str, ok: bool, text: str, code: str = "") -> None:
        self._results[key] = {"state": "ok" if ok else "failed", "text": text, "code": code}

    def _running(self, key: str) -> None:
        self._results[key] = {
            "state": "running",
            "text": tr(QT_TRANSLATE_NOOP("Technician", "Running…")),
            "code": "",
        }

    @Slot()
    def runPrintTest(self) -> None:
        self.touch()
        if not self._entered() or self._busy:
            return
        self._running("print")
        svc = self.service()
        self._run("print", svc.print_test, self._on_printed)

    def _on_printed(self, result: Any) -> None:
        if isinstance(result, Exception) or not result.ok:
            code = "INTERNAL_ERROR" if isinstance(result, Exception) else result.code
            self._set("print", False, code_text(code), code)
        else:
            self._set(
                "print",
                True,
                tr(
                    QT_TRANSLATE_NOOP("Technician", "Test page printed. Check that it is complete.")
                ),
            )

    @Slot()
    def runCardTest(self) -> None:
        self.touch()
        if not self._entered() or self._busy:
            return
        self._results["card"] = {
            "state": "running",
            "text": tr(QT_TRANSLATE_NOOP("Technician", "Place a card on the reader…")),
            "code": "",
        }
        svc = self.service()
        self._run("card", svc.card_test, self._on_card_read)

    def _on_card_read(self, result: Any) -> None:
        if isinstance(result, Exception) or not result.ok:
            code = "INTERNAL_ERROR" if isinstance(result, Exception) else result.code
            self._set("card", False, code_text(code), code)
            return
        text = tr(QT_TRANSLATE_NOOP("Technician", "Card read: %1 %2 (%3)"))
        for marker, value in (
            ("%1", result.masked_name),
            ("%2", result.masked_number),
            ("%3", result.card_type),
        ):
            text = text.replace(marker, value)
        self._set("card", True, text)

    @Slot()
    def runNetworkTest(self) -> None:
        self.touch()
        if not self._entered() or self._busy:
            return
        self._running("network")
        svc = self.service()
        self._run("network", svc.network_test, self._on_network)

    def _on_network(self, result: Any) -> None:
        if isinstance(result, Exception):
            self._set("network", False, code_text("INTERNAL_ERROR"), "INTERNAL_ERROR")
        elif result.ok:
            text = tr(
                QT_TRANSLATE_NOOP(
                    "Technician", "Hall reached: name %1 ms, connect %2 ms, health check %3 ms"
                )
            )
            for marker, value in (
                ("%1", result.resolve_ms),
                ("%2", result.connect_ms),
                ("%3", result.healthz_ms),
            ):
                text = text.replace(marker, f"{value:.0f}")
            self._set("network", True, text)
        else:
            self._set("network", False, code_text(result.code), result.code)

    @Slot()
    def toggleCamera(self) -> None:
        self.touch()
        if not self._entered():
            return
        if self._preview is None:
            self._start_camera()
        else:
            self._stop_camera()
        self.changed.emit()

    def _start_camera(self) -> None:
        from drivers.camera.preview import LivePreview

        self._preview = LivePreview(
            self._runtime.camera, self._camera_update.emit, mode="plain", max_fps=PREVIEW_FPS
        )
        self._preview.start()
        self._results["camera"] = {
            "state": "running",
            "text": tr(QT_TRANSLATE_NOOP("Technician", "Opening the camera…")),
            "code": "",
        }
        svc = self.service()
        self._background(svc.camera_opened, lambda _: None, lambda _: None)

    def _stop_camera(self) -> None:
        preview, self._preview = self._preview, None
        if preview is None:
            return
        preview.stop()
        preview.wipe()
        self._frame = QImage()
        code = str(self._results["camera"].get("code", ""))
        if self._results["camera"]["state"] == "running":
            self._results["camera"] = _idle_result()
        svc = self.service()
        self._background(lambda: svc.camera_closed(code), lambda _: None, lambda _: None)

    @Slot(object)
    def _on_camera_update(self, update: PreviewUpdate) -> None:
        if self._preview is None:
            return
        if update.error:
            self._set("camera", False, code_text(update.error), update.error)
            self.changed.emit()
            return
        picture = frame_image(update)
        if picture is not None:
            self._frame = picture[0]
            self._frame_no += 1
            if self._results["camera"]["state"] != "idle":
                self._results["camera"] = _idle_result()  # the picture says it all
                self.changed.emit()
            self.frameChanged.emit()

    def frame(self, kind: str) -> QImage:
        return self._frame

    # -- outbox --------------------------------------------------------------------------------
    @Slot()
    def refreshOutbox(self) -> None:
        self.touch()
        if not self._entered():
            return
        svc = self.service()
        self._run("outbox", svc.outbox, self._on_outbox)

    def _on_outbox(self, result: Any) -> None:
        if not isinstance(result, Exception):
            self._outbox = result

    @Slot(str)
    def retryRow(self, sub_id: str) -> None:
        self.touch()
        if not self._entered() or self._busy:
            return
        svc = self.service()

        def job() -> Any:
            svc.retry(sub_id)
            return svc.outbox()

        self._run("retry", job, self._on_outbox)

    # -- diagnostics ---------------------------------------------------------------------------
    @Slot()
    def exportBundle(self) -> None:
        self.touch()
        if not self._entered() or self._busy:
            return
        self._running("diagnostics")
        svc = self.service()
        self._run("export", svc.export, self._on_exported)

    def _on_exported(self, result: Any) -> None:
        if isinstance(result, Exception):
            code = str(getattr(result, "code", "INTERNAL_ERROR"))
            self._set("diagnostics", False, code_text(code), code)
        else:
            self._set(
                "diagnostics",
                True,
                tr(QT_TRANSLATE_NOOP("Technician", "Saved to the USB stick: %1")).replace(
                    "%1", result
                ),
            )

    @Slot()
    def uploadBundle(self) -> None:
        self.touch()
        if not self._entered() or self._busy:
            return
        self._running("diagnostics")
        svc = self.service()
        self._run("upload", svc.upload, self._on_uploaded)

    def _on_uploaded(self, result: Any) -> None:
        if isinstance(result, Exception):
            self._set("diagnostics", False, code_text("INTERNAL_ERROR"), "INTERNAL_ERROR")
        elif result:
            self._set("diagnostics", False, code_text(result), result)
        else:
            self._set("diagnostics", True, tr(QT_TRANSLATE_NOOP("Technician", "Sent to the hall.")))

    # -- restart -------------------------------------------------------------------------------
    @Slot()
    def restartApp(self) -> None:
        if not self._entered():
            return
        code = self.service().restart_requested()
        log.warning("technician asked for a restart: exiting with %d", code)
        self._stop_camera()
        self._on_restart(code)

    # -- properties ----------------------------------------------------------------------------
    def _get_active(self) -> bool:
        return self._active

    def _get_screen(self) -> str:
        return self._screen

    def _get_busy(self) -> bool:
        return bool(self._busy)

    def _get_pin_length(self) -> int:
        return len(self._pin)

    def _get_pin_message(self) -> str:
        return self._pin_message

    def _get_pin_configured(self) -> bool:
        return self._pin_status[0]

    def _get_attempts_left(self) -> int:
        return self._pin_status[1]

    def _get_locked_minutes(self) -> int:
        return self._pin_status[2]

    def _get_devices(self) -> list[dict[str, str]]:
        return device_rows(self._health)

    def _get_online(self) -> bool:
        return bool(self._health.get("online", False))

    def _get_outbox_depth(self) -> int:
        return int(self._health.get("outbox_depth", 0))

    def _get_last_sync(self) -> str:
        return last_sync_text(self._health)

    def _get_history(self) -> list[dict[str, str]]:
        return history_rows(self._health)

    def _get_results(self) -> dict[str, Any]:
        return dict(self._results)

    def _get_camera_on(self) -> bool:
        return self._preview is not None

    def _get_frame_no(self) -> int:
        return self._frame_no

    def _get_outbox_counts(self) -> list[dict[str, Any]]:
        return outbox_count_rows(self._outbox)

    def _get_quarantined(self) -> list[dict[str, Any]]:
        return quarantined_rows(self._outbox)

    # Read by the technician screens only, which open once the runtime is attached.
    def _get_export_dir(self) -> str:
        d = None if self._runtime is None else self._runtime.config.technician.export_dir
        return "" if d is None else str(d)

    def _get_lockout_minutes(self) -> int:
        if self._runtime is None:
            return 0
        return int(self._runtime.config.technician.lockout_minutes)

    active = Property(bool, _get_active, notify=changed)
    screen = Property(str, _get_screen, notify=changed)
    busy = Property(bool, _get_busy, notify=changed)
    pinLength = Property(int, _get_pin_length, notify=changed)
    pinMessage = Property(str, _get_pin_message, notify=changed)
    pinConfigured = Property(bool, _get_pin_configured, notify=changed)
    attemptsLeft = Property(int, _get_attempts_left, notify=changed)
    lockedMinutes = Property(int, _get_locked_minutes, notify=changed)
    devices = Property(list, _get_devices, notify=changed)
    online = Property(bool, _get_online, notify=changed)
    outboxDepth = Property(int, _get_outbox_depth, notify=changed)
    lastSync = Property(str, _get_last_sync, notify=changed)
    history = Property(list, _get_history, notify=changed)
    results = Property(dict, _get_results, notify=changed)
    cameraOn = Property(bool, _get_camera_on, notify=changed)
    frameNo = Property(int, _get_frame_no, notify=frameChanged)
    outboxCounts = Property(list, _get_outbox_counts, notify=changed)
    quarantined = Property(list, _get_quarantined, notify=changed)
    exportDir = Property(str, _get_export_dir, constant=True)
    lockoutMinutes = Property(int, _get_lockout_minutes, constant=True)

    def close(self) -> None:
        self._timer.stop()
        preview, self._preview = self._preview, None
        if preview is not None:
            preview.stop()
            preview.wipe()
