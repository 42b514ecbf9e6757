"""CaptureBridge: the document camera's live preview and capture review for the capture screen.

It runs a `LivePreview` (drivers/camera) only while the session is in `capturing`: frames arrive
on the preview's worker thread and cross to the GUI thread through a queued signal, where the
newest one becomes a QImage for the `image://preview/…` provider. A captured page waits here
for the walk-in to accept or retake it; accepting hands the JPEG to the session, whose wipe
zeroes it. Nothing is written to disk. OpenCV is imported only when the camera first opens.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Property, QObject, Signal, Slot
from PySide6.QtGui import QImage

from ui.bridge.failures import guidance_text
from ui.bridge.preview_bridge import PreviewMixin

if TYPE_CHECKING:
    from drivers.camera.preview import PreviewUpdate
    from drivers.camera.vision import CapturedImage

log = logging.getLogger(__name__)


class CaptureBridge(PreviewMixin, QObject):
    changed = Signal()
    frameChanged = Signal()
    _update = Signal(object)  # PreviewUpdate, from the preview's worker thread

    MODE = "document"
    NAME = "document camera"

    def __init__(self, camera: Any, parent: QObject | None = None) -> None:
        QObject.__init__(self, parent)
        self._init_preview(camera)
        self._reasons: list[str] = []
        self._steady = 0.0
        self._captured: CapturedImage | None = None
        self._captured_image = QImage()

    def _wanted(self) -> bool:
        flow = self._flow
        if flow is None:
            return False
        # A 补正 material is photographed in `supplementing`, on SupplementCaptureScreen.
        return flow.state == "capturing" or (
            flow.state == "supplementing" and bool(flow.context.supplement.photo_slot)
        )

    def _take(self, update: PreviewUpdate) -> None:
        self._reasons = [str(r) for r in update.reasons]
        self._steady = update.steady
        if update.captured is not None and self._captured is None:
            self._captured = update.captured
            # The format (JPEG) is read from the header.
            self._captured_image = QImage.fromData(bytes(update.captured.jpeg))
            log.info("page captured (%s)", "manual" if update.captured.manual else "auto")

    def _closed(self) -> None:
        self._drop_capture()
        self._reasons, self._steady = [], 0.0

    def _drop_capture(self) -> None:
        if self._captured is not None:
            self._captured.wipe()
        self._captured = None
        self._captured_image = QImage()

    def image_for(self, kind: str) -> QImage:
        return self._captured_image if kind == "captured" else self._frame

    # -- properties ----------------------------------------------------------------------------
    def _get_hint(self) -> str:
        return guidance_text(self._reasons[0]) if self._reasons else ""

    def _get_ready(self) -> bool:
        return self._preview is not None and not self._reasons and not self._error

    def _get_steady(self) -> float:
        return self._steady

    def _get_has_capture(self) -> bool:
        return self._captured is not None

    def _get_material(self) -> str:
        flow = self._flow
        if flow is not None and flow.state == "supplementing":
            slot = flow.context.supplement.photo_slot
            item = next((i for i in flow.supplement.items() if i.get("material") == slot), {})
            return str(item.get("name_zh" if flow.context.language != "en_US" else "name_en", ""))
        if flow is None or flow.service is None:
            return ""
        slot = flow.context.capture_slot
        zh = flow.context.language != "en_US"
        for m in flow.service.materials:
            if m.id == slot:
                return m.name_zh if zh else m.name_en
        return ""

    frameNo = Property(int, PreviewMixin._get_frame_no, notify=frameChanged)
    outline = Property(list, PreviewMixin._get_outline, notify=frameChanged)
    hint = Property(str, _get_hint, notify=changed)
    ready = Property(bool, _get_ready, notify=changed)
    steady = Property(float, _get_steady, notify=changed)
    hasCapture = Property(bool, _get_has_capture, notify=changed)
    errorTitle = Property(str, PreviewMixin._get_error_title, notify=changed)
    errorStep = Property(str, PreviewMixin._get_error_step, notify=changed)
    errorCode = Property(str, PreviewMixin._get_error_code, notify=changed)
    material = Property(str, _get_material, notify=changed)

    # -- intents -------------------------------------------------------------------------------
    @Slot()
    def shutter(self) -> None:
        if self._preview is not None:
            self._preview.shutter()

    @Slot()
    def retake(self) -> None:
        self._drop_capture()
        if self._preview is not None:
            self._preview.retake()
        self.changed.emit()

    @Slot()
    def use(self) -> None:
        if self._captured is None or self._flow is None:
            return
        # The session gets its own copy; the preview's is zeroed with it on close.
        if self._flow.state == "supplementing":
            self._flow.supplement.accept_photo(bytearray(self._captured.jpeg))
            return
        self._flow.accept_capture(bytearray(self._captured.jpeg))

    @Slot()
    def cancel(self) -> None:
        if self._flow is not None and self._flow.state == "supplementing":
            self._flow.supplement.close_photo()
        elif self._flow is not None:
            self._flow.close_capture()
