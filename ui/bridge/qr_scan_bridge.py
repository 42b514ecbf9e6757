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
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Property, QObject, Signal
from PySide6.QtGui import QImage

from ui.bridge.preview_bridge import PreviewMixin

if TYPE_CHECKING:
    from drivers.camera.preview import PreviewUpdate

log = logging.getLogger(__name__)


class QrScanBridge(PreviewMixin, QObject):
    changed = Signal()
    frameChanged = Signal()
    _update = Signal(object)  # PreviewUpdate, from the preview's worker thread

    MODE = "qr"
    NAME = "QR scan"

    def __init__(self, camera: Any, parent: QObject | None = None) -> None:
        QObject.__init__(self, parent)
        self._init_preview(camera)

    def _wanted(self) -> bool:
        flow = self._flow
        if flow is not None and flow.state == "supplementing":  # 补正: the receipt's QR code
            return flow.context.supplement.scanning
        if flow is not None and flow.state == "choosing_enterprise":  # 一企一码, e-licence
            return flow.context.enterprise.scanning
        if flow is None or flow.state != "consulting":
            return False
        data = flow.context.consult
        return data.kind == "progress" and data.scanning

    def _take(self, update: PreviewUpdate) -> None:
        if update.qr is not None and self._flow is not None:
            self._flow.touch()  # holding a receipt up to the camera is the walk-in being there
            try:
                if self._flow.state == "supplementing":
                    self._flow.supplement.qr_scanned(update.qr.text)
                    return
                if self._flow.state == "choosing_enterprise":
                    self._flow.enterprise.qr_scanned(update.qr.text)
                    return
                self._flow.consult.qr_scanned(update.qr.text)
            except Exception:
                log.exception("QR code rejected in state %s", self._flow.state)

    def frame(self, kind: str = "frame") -> QImage:
        return self._frame

    def _get_active(self) -> bool:
        return self._preview is not None

    active = Property(bool, _get_active, notify=changed)
    frameNo = Property(int, PreviewMixin._get_frame_no, notify=frameChanged)
    outline = Property(list, PreviewMixin._get_outline, notify=frameChanged)
    errorTitle = Property(str, PreviewMixin._get_error_title, notify=changed)
    errorStep = Property(str, PreviewMixin._get_error_step, notify=changed)
    errorCode = Property(str, PreviewMixin._get_error_code, notify=changed)
