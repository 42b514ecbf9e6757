"""QrScanBridge: the camera looking for a receipt's QR code on the progress screen.

It runs a `LivePreview` in "qr" mode (drivers/camera) only while the walk-in's progress
consultation is scanning: frames arrive on the preview's worker thread and cross to the GUI
thread through a queued signal; the newest one is served to QML by ``image://qrscan/…``. A
decoded code goes to the session (``ConsultFlow.qr_scanned``), which looks it up if it is one of
our receipts; that ends the scan, and the camera closes. Frames stay in memory and are dropped on
close. The capture screen's `CaptureBridge` owns the camera in `capturing`; the two states never
overlap, so the camera is never opened twice.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Property, QObject, Signal, Slot
from PySide6.QtGui import QImage

from ui.bridge.camera_frames import frame_image
from ui.bridge.failures import failure_text

if TYPE_CHECKING:
    from drivers.camera.preview import LivePreview, PreviewUpdate
    from kiosk.session.flow import SessionFlow

log = logging.getLogger(__name__)

PREVIEW_FPS = 15.0


class QrScanBridge(QObject):
    changed = Signal()
    frameChanged = Signal()
    _update = Signal(object)  # PreviewUpdate, from the preview's worker thread

    def __init__(self, camera: Any, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._camera = camera
        self._flow: SessionFlow | None = None
        self._preview: LivePreview | None = None
        self._frame = QImage()
        self._frame_no = 0
        self._outline: list[dict[str, float]] = []
        self._error = ""
        self._unsubscribe: Callable[[], None] = lambda: None
        self._update.connect(self._on_update)

    def attach(self, flow: SessionFlow) -> None:
        self._flow = flow
        self._unsubscribe = flow.subscribe(self._on_flow_changed)

    # -- session -> camera ---------------------------------------------------------------------
    def _wanted(self) -> bool:
        flow = self._flow
        if flow is None or flow.state != "consulting":
            return False
        data = flow.context.consult
        return data.kind == "progress" and data.scanning

    def _on_flow_changed(self) -> None:
        wanted = self._wanted()
        if wanted and self._preview is None:
            self._open()
        elif not wanted and self._preview is not None:
            self._close()

    def _open(self) -> None:
        from drivers.camera.preview import LivePreview

        self._error = ""
        self._preview = LivePreview(self._camera, self._update.emit, mode="qr", max_fps=PREVIEW_FPS)
        self._preview.start()
        log.info("QR scan started")
        self.changed.emit()

    def _close(self) -> None:
        preview, self._preview = self._preview, None
        if preview is not None:
            preview.stop()
            preview.wipe()
        self._frame = QImage()
        self._outline, self._error = [], ""
        log.info("QR scan stopped")
        self.changed.emit()

    @Slot(object)
    def _on_update(self, update: PreviewUpdate) -> None:
        if self._preview is None:
            return  # a late frame after the scan ended
        self._error = update.error or ""
        picture = frame_image(update)
        if picture is not None:
            self._frame, self._outline = picture
            self._frame_no += 1
            self.frameChanged.emit()
        self.changed.emit()
        if update.qr is not None and self._flow is not None:
            self._flow.touch()  # holding a receipt up to the camera is the walk-in being there
            try:
                self._flow.consult.qr_scanned(update.qr.text)
            except Exception:
                log.exception("QR code rejected in state %s", self._flow.state)

    def frame(self, kind: str = "frame") -> QImage:
        return self._frame

    # -- properties ----------------------------------------------------------------------------
    def _get_active(self) -> bool:
        return self._preview is not None

    def _get_frame_no(self) -> int:
        return self._frame_no

    def _get_outline(self) -> list[dict[str, float]]:
        return self._outline

    def _get_error_title(self) -> str:
        return failure_text(self._error)[0] if self._error else ""

    def _get_error_step(self) -> str:
        return failure_text(self._error)[1] if self._error else ""

    def _get_error_code(self) -> str:
        return self._error

    active = Property(bool, _get_active, notify=changed)
    frameNo = Property(int, _get_frame_no, notify=frameChanged)
    outline = Property("QVariantList", _get_outline, notify=frameChanged)
    errorTitle = Property(str, _get_error_title, notify=changed)
    errorStep = Property(str, _get_error_step, notify=changed)
    errorCode = Property(str, _get_error_code, notify=changed)

    def close(self) -> None:
        self._unsubscribe()
        if self._preview is not None:
            self._close()
