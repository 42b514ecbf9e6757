"""Builds the Qt side: the application, the QML engine, the bridges, and the activity filter.

``KioskUi`` shows ``Main.qml`` over a ``KioskRuntime`` (the Qt-free parts). Given a built runtime
(the journey tests, the screenshot tool) every bridge exists before the QML loads. ``main.py
kiosk`` gives it the display settings and a way to load the runtime instead: the attract screen
is drawn first, with no pydantic, config models, drivers or outbox imported, and the runtime and
the bridges that need it come right after the first frame.
"""

from __future__ import annotations

import gc
import logging
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

# Not `Qt`: touching the Qt namespace builds ~100 Python enums (~15 ms) on the start path.
from PySide6.QtCore import QCoreApplication, QEvent, QObject, QTimer
from PySide6.QtGui import QClipboard, QGuiApplication
from PySide6.QtQml import QQmlApplicationEngine
from PySide6.QtQuick import QQuickWindow

from contracts.clock import SYSTEM_CLOCK, Clock
from kiosk.display_settings import DisplaySettings, from_config
from kiosk.memory import release_free_memory
from kiosk.session.inactivity import CARE_TIMEOUT_FACTOR
from ui.bridge.background import QtBackground
from ui.bridge.camera_frames import CameraImageProvider
from ui.bridge.consult_bridge import ConsultBridge
from ui.bridge.delivery_bridge import DeliveryBridge
from ui.bridge.enterprise_bridge import EnterpriseBridge
from ui.bridge.masking_bridge import MaskingBridge
from ui.bridge.rating_bridge import RatingBridge
from ui.bridge.service_home_bridge import ServiceHomeBridge
from ui.bridge.session_bridge import SessionBridge
from ui.bridge.settings_bridge import SettingsBridge
from ui.bridge.speech_bridge import SpeechBridge
from ui.bridge.status_bridge import StatusBridge
from ui.bridge.supplement_bridge import SupplementBridge
from ui.bridge.technician_bridge import TechnicianBridge
from ui.config_home import claim as claim_config_home
from ui.config_home import wipe as wipe_config_home
from ui.i18n.build import ensure_compiled
from ui.qr_provider import QrImageProvider

if TYPE_CHECKING:
    from contracts.sealing import HallPublicKey
    from drivers.speech.base import Speaker
    from kiosk.register import Register
    from kiosk.runtime import KioskRuntime
    from kiosk.session.consult import ConsultServices
    from kiosk.session.flow import Background, SessionFlow
    from kiosk.session.rating import RatingCall
    from kiosk.session.supplement import Lookup
    from remote_assist.client import RequestSigner
    from ui.bridge.assist_bridge import AssistBridge
    from ui.bridge.capture_bridge import CaptureBridge
    from ui.bridge.qr_scan_bridge import QrScanBridge
    from ui.bridge.summary_bridge import SummaryBridge

log = logging.getLogger(__name__)
QML_DIR = Path(__file__).resolve().parent / "qml"


def prepare_environment() -> None:
    """Settings Qt reads once, before the application object exists."""
    os.environ.setdefault("QT_IM_MODULE", "qtvirtualkeyboard")
    os.environ.setdefault("QT_QUICK_CONTROLS_STYLE", "Basic")
    if os.environ.get("QT_QPA_PLATFORM") == "offscreen":
        os.environ.setdefault("QT_QUICK_BACKEND", "software")
    # What Qt learns (the keyboard's user dictionary) goes to a wiped folder in memory, never
    # to ~/.config: see ui/config_home.py.
    claim_config_home()


def forget_input_traces() -> None:
    """Session end: empty the clipboard (and X11's selection) and the private config home, so
    nothing copied or learned in one session reaches the next."""
    clipboard = QGuiApplication.clipboard()
    clipboard.clear(QClipboard.Mode.Clipboard)
    if clipboard.supportsSelection():
        clipboard.clear(QClipboard.Mode.Selection)
    wipe_config_home()


def has_display() -> bool:
    return bool(
        os.environ.get("DISPLAY")
        or os.environ.get("WAYLAND_DISPLAY")
        or os.environ.get("QT_QPA_PLATFORM") in ("offscreen", "eglfs", "linuxfb", "vnc")
    )


def create_application(argv: list[str] | None = None) -> QGuiApplication:
    prepare_environment()
    app = QGuiApplication.instance() or QGuiApplication(argv or sys.argv[:1])
    assert isinstance(app, QGuiApplication)
    app.setApplicationName("qihang-kiosk")
    return app


class _ActivityFilter(QObject):
    """Any touch, click or key press counts as the walk-in still being there."""

    _EVENTS = frozenset(
        {QEvent.Type.MouseButtonPress, QEvent.Type.TouchBegin, QEvent.Type.KeyPress}
    )

    def __init__(self, on_activity: Callable[[], None]) -> None:
        super().__init__()
        self._on_activity = on_activity

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in self._EVENTS:
            self._on_activity()
        return False


def consult_services(runtime: KioskRuntime) -> ConsultServices:
    """What the consultations need from the runtime: the hall's progress endpoint, this
    station's outbox stubs, and a cache file for the last known status.

    Until KioskRuntime offers ``fetch_progress`` and ``outbox_stub``, the look-up is offline:
    the cache, else "not found".
    """
    from kiosk.progress import ProgressCache
    from kiosk.session.consult import ConsultServices, hall_unavailable

    stub = getattr(runtime, "outbox_stub", None)
    knowledge = getattr(runtime, "knowledge_cache", None)
    taxonomy = getattr(runtime, "taxonomy_cache", None)
    policies = getattr(runtime, "policy_cache", None)
    return ConsultServices(
        progress_cache=ProgressCache(runtime.state_dir / "progress.cache.json"),
        fetch_progress=getattr(runtime, "fetch_progress", None) or hall_unavailable,
        **({"outbox_stub": stub} if stub is not None else {}),
        # The hall's published Q&A once the runtime has fetched it, else the shipped sample.
        **({"load_knowledge": knowledge().knowledge_base} if knowledge is not None else {}),
        # The hall's published demand taxonomy once fetched, else the shipped sample.
        **({"load_taxonomy": taxonomy().taxonomy} if taxonomy is not None else {}),
        # The hall's published policies once fetched, else the shipped 2,147-policy set.
        **({"load_policies": policies().policy_set} if policies is not None else {}),
    )


def supplement_lookup(runtime: KioskRuntime) -> Lookup:
    """The 补正 look-up through the runtime's hall client (kiosk/session/supplement.py); a
    runtime without one cannot ask, and the walk-in is told so."""
    from kiosk.session.supplement import no_hall

    part = getattr(runtime, "part", None)
    if part is None:
        return no_hall

    def ask(body: dict[str, Any]) -> Any:
        return part("hall").post_supplement_lookup(body)

    return ask


def rating_call(runtime: KioskRuntime) -> RatingCall:
    """好差评 requests through the runtime's hall client (kiosk/session/rating.py); a runtime
    without one offers no ratings."""
    from kiosk.session.rating import no_hall

    part = getattr(runtime, "part", None)
    if part is None:
        return no_hall

    def call(path: str, body: dict[str, Any]) -> Any:
        return part("hall").post_rating(path, body)

    return call


def enterprise_register(runtime: KioskRuntime) -> Register | None:
    """The enterprise register's look-ups through the runtime's hall client, the card holder
    sealed to the hall's pinned key (kiosk/register.py); None without a hall or enrolment: the
    walk-in then types and photographs as before."""
    from kiosk.register import Register, sealer

    part = getattr(runtime, "part", None)
    key = _pinned_hall_key(runtime)
    if part is None or key is None:
        return None

    def call(path: str, body: dict[str, Any]) -> Any:
        return part("hall").post_register(path, body)

    def document(path: str, body: dict[str, Any]) -> Any:
        return part("hall").post_register_document(path, body)

    return Register(call, sealer(key, runtime.config.station.id), document)


def _device_headers(runtime: KioskRuntime) -> RequestSigner | None:
    """The enrolled device's request signer for the assist handshake and capture uploads; None:
    not enrolled (the kiosk then offers no remote help)."""
    identity = getattr(runtime, "identity", None)
    return None if identity is None else identity.headers


def _pinned_hall_key(runtime: KioskRuntime) -> HallPublicKey | None:
    """The hall's sealing key pinned at enrolment: assist captures are sealed to it, as filings
    are; None when not enrolled (then there is no remote help either)."""
    from offline_queue.hall_key import HallKeyMissing, load_pinned

    try:
        return load_pinned(runtime.state_dir)
    except HallKeyMissing:
        return None


def _speaker(runtime: KioskRuntime) -> Callable[[], Speaker | None]:
    """The runtime's speaker once its devices are built; None before (or if they failed)."""

    def source() -> Speaker | None:
        if not runtime.ready.is_set() or runtime.start_error is not None:
            return None
        speaker: Speaker = runtime.part("speaker")
        return speaker

    return source


def _assist_camera(camera: Any) -> Callable[[], Any]:
    """The camera as remote-assist video frames; remote_assist.media (asyncio, ~25 ms to
    import) is loaded on the first frame of the first video call, not at start-up."""
    grab: Callable[[], Any] | None = None

    def source() -> Any:
        nonlocal grab
        if grab is None:
            from remote_assist.media import camera_frame_source

            grab = camera_frame_source(camera)
        return grab()

    return source


class KioskUi:
    """The kiosk window and its bridges: ``KioskUi(runtime)``, or ``KioskUi(display=...,
    load_runtime=...)`` to load the runtime after the first frame (see the module docstring)."""

    # Built with the runtime: before Main.qml loads, or right after the first frame.
    capture: CaptureBridge
    summary: SummaryBridge
    qr_scan: QrScanBridge
    assist: AssistBridge

    def __init__(
        self,
        runtime: KioskRuntime | None = None,
        *,
        display: DisplaySettings | None = None,
        load_runtime: Callable[[], KioskRuntime] | None = None,
        background: Background | None = None,
        clock: Clock = SYSTEM_CLOCK,
    ) -> None:
        if (runtime is None) == (load_runtime is None):
            raise TypeError("KioskUi takes a runtime or a load_runtime, not both or neither")
        if runtime is not None:
            display = from_config(runtime.config)
        elif display is None:
            raise TypeError("KioskUi(load_runtime=...) needs the display settings")
        ensure_compiled()
        self.runtime: KioskRuntime | None = None
        self._load_runtime = load_runtime
        self._qt_background = QtBackground() if background is None else None
        self.background: Background = background or self._qt_background  # type: ignore[assignment]
        self._clock = clock
        self.settings = SettingsBridge(display.language, display.care_mode)
        self.flow: SessionFlow | None = None
        self._unsubscribe: Callable[[], None] = lambda: None
        self.session = SessionBridge(None, self.settings)
        self.service_home = ServiceHomeBridge(self.settings, self.session)
        self.status = StatusBridge()  # "starting" until the runtime is there
        self.consult = ConsultBridge(self.settings)
        self.supplement = SupplementBridge(self.settings)
        self.rating = RatingBridge(self.settings)
        self.delivery = DeliveryBridge(self.settings)
        # Which words and picture the identify screen shows: an ID-card reader (GA/T 467) or a
        # contactless PC/SC reader (social security cards, passports).
        contactless = display.card_reader.startswith("pcsc")
        # Care mode's voice: silent until the runtime's speaker exists.
        self.speech = SpeechBridge(
            self.settings, self.session, "contactless" if contactless else "id_card"
        )
        self.speech.watch(self.rating, self.rating.changed, "failureCode", "code")
        self.speech.watch(self.delivery, self.delivery.changed, "errorCount", "count")
        self.speech.watch(self.consult, self.consult.changed, "profileErrorCount", "count")
        self.enterprise = EnterpriseBridge(self.settings)
        self.masking = MaskingBridge()  # the one rule for personal numbers on screen
        self.technician = TechnicianBridge(
            None,  # attached with the runtime; the gesture does nothing before
            self.background,
            clock=clock,
            can_enter=lambda: self.flow is None or self.flow.state == "idle",
            session_values=self._session_values,
        )

        self.engine = QQmlApplicationEngine()
        self.settings.attach_engine(self.engine)
        self.engine.addImageProvider("qr", QrImageProvider())
        self.engine.addImageProvider("techcam", CameraImageProvider(self.technician.frame))
        ctx = self.engine.rootContext()
        ctx.setContextProperty("session", self.session)
        ctx.setContextProperty("serviceHome", self.service_home)
        ctx.setContextProperty("settings", self.settings)
        ctx.setContextProperty("status", self.status)
        ctx.setContextProperty("consult", self.consult)
        ctx.setContextProperty("supplement", self.supplement)
        ctx.setContextProperty("rating", self.rating)
        ctx.setContextProperty("delivery", self.delivery)
        ctx.setContextProperty("enterprise", self.enterprise)
        ctx.setContextProperty("technician", self.technician)
        ctx.setContextProperty("speech", self.speech)
        ctx.setContextProperty("masking", self.masking)
        ctx.setContextProperty(
            "kioskInfo",
            {
                "stationName": display.station_name,
                "readerKind": "contactless" if contactless else "id_card",
            },
        )
        if runtime is not None:
            self._attach_runtime(runtime)
        else:
            # Declared now so that setting them later updates only what reads them (a new context
            # property would re-evaluate every binding). Only screens and loaders shown once the
            # runtime is attached read them, except the header's help button, which asks
            # whether help is available: not yet.
            for name in ("capture", "summary", "qrScan"):
                ctx.setContextProperty(name, None)
            ctx.setContextProperty("assist", {"available": False, "active": False})
        self.engine.load(QML_DIR / "Main.qml")
        roots = self.engine.rootObjects()
        if not roots:
            raise RuntimeError("Main.qml failed to load; see the QML errors above")
        window = roots[0]
        assert isinstance(window, QQuickWindow)
        self.window = window
        self._activity = _ActivityFilter(self._touch)
        self.window.installEventFilter(self._activity)
        if display.fullscreen and os.environ.get("QT_QPA_PLATFORM") != "offscreen":
            self.window.showFullScreen()
        # systemd (Type=notify, WatchdogSec): ready once the attract screen is on the glass, then
        # pings from a timer on this (GUI) thread, so a hung event loop stops them and systemd
        # restarts the kiosk. No-ops outside systemd.
        self._watchdog = QTimer(self.window)
        self.window.frameSwapped.connect(self._on_frame_shown)
        if runtime is not None and runtime.ready.is_set():
            self._attach_flow(runtime)
        # The runtime (if not given), the session, devices, outbox and sender start once the
        # attract screen is on the glass: nothing on it needs them, and the kiosk appears sooner
        # after a power cut.
        self.window.frameSwapped.connect(self._on_first_frame)

    def _attach_runtime(self, runtime: KioskRuntime) -> None:
        """The runtime and the bridges that need it; their context properties with them."""
        from ui.bridge.assist_bridge import AssistBridge
        from ui.bridge.capture_bridge import CaptureBridge
        from ui.bridge.qr_scan_bridge import QrScanBridge
        from ui.bridge.summary_bridge import SummaryBridge

        cfg = runtime.config
        self.runtime = runtime
        self.technician.attach_runtime(runtime)
        self.status.attach(runtime.status, speaker=self.speech.health)
        self.speech.attach(
            _speaker(runtime),
            enabled=cfg.speech.enabled,
            state_dir=runtime.state_dir,
            on_refused=runtime.health_history.record_failure,
        )
        self.capture = CaptureBridge(runtime.camera)
        self.summary = SummaryBridge(cfg.devices.a4_printer.queue, self.background)
        self.qr_scan = QrScanBridge(runtime.camera)
        self.assist = AssistBridge(
            self.settings,
            hall_url=cfg.hall.url,
            station_id=cfg.station.id,
            on_unavailable=self.consult.requestHelp,
            ice_servers=cfg.assist.ice_servers,
            frame_source=_assist_camera(runtime.camera),
            hold_timeout_s=cfg.assist.hold_timeout_s,
            microphone=cfg.assist.microphone,
            speaker=cfg.assist.speaker,
            auth_headers=_device_headers(runtime),
            hall_key=_pinned_hall_key(runtime),
        )
        self.engine.addImageProvider("camera", CameraImageProvider(self.capture.image_for))
        self.engine.addImageProvider("assist", CameraImageProvider(self.assist.image_for))
        self.engine.addImageProvider("qrscan", CameraImageProvider(self.qr_scan.frame))
        ctx = self.engine.rootContext()
        ctx.setContextProperty("capture", self.capture)
        ctx.setContextProperty("summary", self.summary)
        ctx.setContextProperty("qrScan", self.qr_scan)
        ctx.setContextProperty("assist", self.assist)

    def _load(self) -> KioskRuntime | None:
        """Validate the config and build the runtime (after the first frame); None: it cannot
        be, and the kiosk stops with exit code 2 and the reason on stderr."""
        from kiosk.config import ConfigError

        assert self._load_runtime is not None
        try:
            runtime = self._load_runtime()
        except ConfigError as exc:  # the key and the accepted values, for the installer
            print(exc, file=sys.stderr)
            QCoreApplication.exit(2)
            return None
        except Exception as exc:  # e.g. a state directory that cannot be made
            log.exception("kiosk runtime not built")
            print(f"cannot start the kiosk: {exc}", file=sys.stderr)
            QCoreApplication.exit(2)
            return None
        self._attach_runtime(runtime)
        return runtime

    def _attach_flow(self, runtime: KioskRuntime) -> None:
        from kiosk.services.service_usage import ServiceUsage
        from kiosk.session.flow import SessionFlow
        from kiosk.technician.service import RESTART_EXIT_CODE

        cfg = runtime.config
        self.flow = SessionFlow(
            catalog=runtime.catalog,
            reader=runtime.reader,
            printer=runtime.printer,
            queue=runtime.queue,
            background=self.background,
            timeouts=runtime.timeouts,
            station_name=cfg.station.name,
            hall_url=cfg.hall.url,
            clock=self._clock,
            on_queued=runtime.wake_sender,
            consult=consult_services(runtime),
            on_failure=runtime.health_history.record_failure,
            supplement_lookup=supplement_lookup(runtime),
            rating_call=rating_call(runtime),
            register=enterprise_register(runtime),
        )
        self._unsubscribe = self.flow.subscribe(self._on_flow_changed)
        # The hall's remote commands run only between walk-ins (kiosk.remote_commands); a
        # restart is answered first, then the app exits for systemd to start it again.
        runtime.in_session = lambda: self.flow is not None and self.flow.state != "idle"
        runtime.restart_hook = lambda: QCoreApplication.exit(RESTART_EXIT_CODE)  # thread-safe
        self.settings.careModeChanged.connect(self._on_care_mode_changed)
        self.session.attach(self.flow)
        # The home's 本站常用 order: the hall's counts for this station, as last cached.
        self.service_home.attach(self.flow, ServiceUsage(runtime.state_dir).load)
        self.capture.attach(self.flow)
        self.summary.attach(self.flow)
        self.consult.attach(self.flow)
        self.supplement.attach(self.flow)
        self.rating.attach(self.flow)
        self.delivery.attach(self.flow)
        self.enterprise.attach(self.flow, cfg.devices.a4_printer.queue)
        self.qr_scan.attach(self.flow)
        self.assist.attach(self.flow)

    def _on_care_mode_changed(self, on: bool) -> None:
        """Care mode switched mid-session: the running countdown, and the screens after it,
        get the doubled (or normal again) timeouts at once. Idle: nothing runs; the next
        session starts with the mode chosen."""
        if self.flow is not None:
            factor = CARE_TIMEOUT_FACTOR if on else 1 / CARE_TIMEOUT_FACTOR
            self.flow.inactivity.rescale(factor)

    def _on_first_frame(self) -> None:
        self.window.frameSwapped.disconnect(self._on_first_frame)
        QTimer.singleShot(0, self._start_after_first_frame)

    def _on_frame_shown(self) -> None:
        self.window.frameSwapped.disconnect(self._on_frame_shown)
        QTimer.singleShot(0, self._notify_systemd)

    def _notify_systemd(self) -> None:
        from kiosk import watchdog  # socket: not on the way to the first frame

        watchdog.notify_ready()
        self._watchdog.timeout.connect(watchdog.notify_watchdog)
        if (ping_s := watchdog.watchdog_interval_s()) is not None:
            self._watchdog.start(max(1, int(ping_s * 1000)))

    def _touch(self) -> None:
        if self.flow is not None:
            self.flow.touch()
        self.technician.touch()

    def _session_values(self) -> list[str]:
        from kiosk.technician.service import session_personal_values

        return session_personal_values(None if self.flow is None else self.flow.context)

    def _start_after_first_frame(self) -> None:
        runtime = self.runtime if self.runtime is not None else self._load()
        if runtime is None:
            return
        # The keyboard and the remote-help bar and overlay load now (Main.qml), with every
        # context property they read in place.
        self.window.setProperty("uiReady", True)
        # What is built by now (modules, QML types, the catalog, the runtime) lives as long as
        # the kiosk: out of the collector's sight, a full collection no longer walks its ~180,000
        # objects holding the GIL, 80-130 ms that stalled the GUI thread mid-form (bench ui).
        gc.freeze()
        if self.flow is not None:  # the runtime was started before the window
            return
        thread = runtime.start_in_background()
        self._attach_flow(runtime)
        self._start_watch = QTimer(self.window)
        self._start_watch.setInterval(100)

        def check() -> None:
            if thread.is_alive():
                return
            self._start_watch.stop()
            self.status.refresh()
            if runtime.start_error is not None:
                # A device option that cannot work is a configuration error: stop, say why.
                print(f"cannot start the kiosk: {runtime.start_error}", file=sys.stderr)
                QCoreApplication.exit(2)

        self._start_watch.timeout.connect(check)
        self._start_watch.start()

    def _on_flow_changed(self) -> None:
        if self.flow is not None and self.flow.state == "idle":
            # The next walk-in starts from the station's defaults, not the last person's choices.
            self.settings.resetToDefaults()
            # ... and without the last one's keyboard: the input method is the application's,
            # not the screen's, and stays up when the field that opened it goes away.
            QGuiApplication.inputMethod().hide()
            forget_input_traces()
            # A catalog the hall published meanwhile applies from the next session on, never
            # in the middle of someone's form.
            if self.runtime is not None:
                self.flow.catalog = self.runtime.catalog
                # ... and so do the remote commands that arrived during the session.
                self.runtime.between_sessions()
            # Freed memory back to the system (and the last walk-in's freed bytes with it),
            # once the attract screen is up: see kiosk/memory.py.
            QTimer.singleShot(0, release_free_memory)

    def close(self) -> None:
        self._watchdog.stop()
        self._unsubscribe()
        self.speech.close()
        self.session.close()
        self.service_home.close()
        self.status.close()
        if self.runtime is not None:
            self.capture.close()
            self.qr_scan.close()
            self.assist.close()
        self.technician.close()
        self.consult.detach()
        self.supplement.detach()
        self.rating.detach()
        self.delivery.detach()
        self.enterprise.detach()
        if self.flow is not None:
            self.flow.consult.close_resources()
        self.window.removeEventFilter(self._activity)
        QGuiApplication.inputMethod().hide()  # it would open over the next window (tests, tools)
        forget_input_traces()
        # Destroy the QML tree before the bridges it binds to, so no binding sees them vanish.
        self.window.close()
        self.engine.deleteLater()
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
        self.settings.close()
        if self._qt_background is not None:
            self._qt_background.shutdown()
