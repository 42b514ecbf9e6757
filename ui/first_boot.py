"""The first-boot window: shown instead of the kiosk while this terminal has no station.

``main.py kiosk`` opens it when the config (with ``station.json`` from an earlier enrolment)
names no station; once :class:`ui.bridge.enrolment_bridge.EnrolmentBridge` has provisioned the
terminal and the technician taps "Start", the window closes and the kiosk starts as usual.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication, QEvent
from PySide6.QtQml import QQmlApplicationEngine
from PySide6.QtQuick import QQuickWindow

from ui.bridge.background import QtBackground
from ui.bridge.enrolment_bridge import EnrolmentBridge, Runner
from ui.bridge.settings_bridge import SettingsBridge
from ui.i18n.build import ensure_compiled

QML = Path(__file__).resolve().parent / "qml" / "FirstBoot.qml"


class FirstBootUi:
    """The enrolment window and its bridges (also used by tests and the screenshot tool)."""

    def __init__(
        self,
        state_dir: Path,
        *,
        hall_url: str = "",
        language: str = "zh_CN",
        care_mode: bool = False,
        background: Runner | None = None,
    ) -> None:
        ensure_compiled()
        self._qt_background = QtBackground(workers=1) if background is None else None
        runner: Runner = background or self._qt_background  # type: ignore[assignment]
        self.settings = SettingsBridge(language, care_mode)
        self.enrolment = EnrolmentBridge(self.settings, state_dir, hall_url, runner)
        self.engine = QQmlApplicationEngine()
        self.settings.attach_engine(self.engine)
        ctx = self.engine.rootContext()
        ctx.setContextProperty("settings", self.settings)
        ctx.setContextProperty("enrolment", self.enrolment)
        self.engine.load(str(QML))
        roots = self.engine.rootObjects()
        if not roots or not isinstance(roots[0], QQuickWindow):
            raise RuntimeError(f"cannot load {QML.name}")
        self.window: QQuickWindow = roots[0]

    def close(self) -> None:
        # Destroy the QML tree before the bridges it binds to, so no binding sees them vanish.
        self.window.close()
        self.engine.deleteLater()
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
        self.settings.close()
        if self._qt_background is not None:
            self._qt_background.shutdown()


def run_first_boot(state_dir: Path, *, hall_url: str = "", language: str = "zh_CN") -> bool:
    """Show the enrolment window until the terminal is enrolled and the technician starts the
    kiosk (True), or the window is closed (False). Needs the QGuiApplication to exist."""
    app: Any = QCoreApplication.instance()
    ui = FirstBootUi(state_dir, hall_url=hall_url, language=language)
    ui.enrolment.finished.connect(app.quit)
    # Closing this window must not end the application: the kiosk's window comes next.
    quit_on_close = app.quitOnLastWindowClosed()
    app.setQuitOnLastWindowClosed(False)
    ui.window.closing.connect(app.quit)
    try:
        app.exec()
        return ui.enrolment.succeeded
    finally:
        ui.close()
        app.setQuitOnLastWindowClosed(quit_on_close)
