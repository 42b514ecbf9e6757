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

from ui.bridge.camera_frames import frame_image
from ui.bridge.failures import failure_text, guidance_text

if TYPE_CHECKING:
    from drivers.camera.preview import LivePreview, PreviewUpdate
    from drivers.camera.vision import CapturedImage
    from kiosk.session.flow import SessionFlow

log = logging.getLogger(__name__)

PREVIEW_FPS = 15.0  # what the screen shows; analysis keeps up with the camera regardless


class CaptureBridge(QObject):
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
        self._reasons: list[str] = []
        self._steady = 0.0
        self._error = ""
        self._captured: CapturedImage | None = None
        self._captured_image = QImage()
        self._update.connect(self._on_update)

    def attach(self, flow: SessionFlow) -> None:
        self._flow = flow
        flow.subscribe(self._on_flow_changed)

    # -- session -> camera ---------------------------------------------------------------------
    def _on_flow_changed(self) -> None:
        capturing = self._flow is not None and self._flow.state == "capturing"
        if capturing and self._preview is None:
            self._open()
        elif not capturing and self._preview is not None:
            self._close()

    def _open(self) -> None:
        from drivers.camera.preview import LivePreview

        self._error = ""
        self._preview = LivePreview(
            self._camera, self._update.emit, mode="document", max_fps=PREVIEW_FPS
        )
        self._preview.start()
        self.changed.emit()

    def _close(self) -> None:
        preview, self._preview = self._preview, None
        if preview is not None:
            preview.stop()
            preview.wipe()
        self._drop_capture()
        self._frame = QImage()
        self._outline, self._reasons, self._steady, self._error = [], [], 0.0, ""
        self.changed.emit()

    def _drop_capture(self) -> None:
        if self._captured is not None:
            self._captured.wipe()
        self._captured = None
        self._captured_image = QImage()

    @Slot(object)
    def _on_update(self, update: PreviewUpdate) -> None:
        if self._preview is None:
            return  # a late frame after the screen closed
        self._error = update.error or ""
        picture = frame_image(update)
        if picture is not None:
            self._frame, self._outline = picture
            self._frame_no += 1
            self.frameChanged.emit()
        self._reasons = [str(r) for r in update.reasons]
        self._steady = update.steady
        if update.captured is not None and self._captured is None:
            self._captured = update.captured
            self._captured_image = QImage.fromData(bytes(update.captured.jpeg), "JPEG")
            log.info("page captured (%s)", "manual" if update.captured.manual else "auto")
        self.changed.emit()

    def image_for(self, kind: str) -> QImage:
        return self._captured_image if kind == "captured" else self._frame

    # -- properties ----------------------------------------------------------------------------
    def _get_frame_no(self) -> int:
        return self._frame_no

    def _get_outline(self) -> list[dict[str, float]]:
        return self._outline

    def _get_hint(self) -> str:
        return guidance_text(self._reasons[0]) if self._reasons else ""

    def _get_ready(self) -> bool:
        return self._preview is not None and not self._reasons and not self._error

    def _get_steady(self) -> float:
        return self._steady

    def _get_has_capture(self) -> bool:
        return self._captured is not None

    def _get_error_title(self) -> str:
        return failure_text(self._error)[0] if self._error else ""

    def _get_error_step(self) -> str:
        return failure_text(self._error)[1] if self._error else ""

    def _get_error_code(self) -> str:
        return self._error

    def _get_material(self) -> str:
        flow = self._flow
        if flow is None or flow.service is None:
            return ""
        slot = flow.context.capture_slot
        zh = flow.context.language != "en_US"
        for m in flow.service.materials:
            if m.id == slot:
                return m.name_zh if zh else m.name_en
        return ""

    frameNo = Property(int, _get_frame_no, notify=frameChanged)
    outline = Property("QVariantList", _get_outline, notify=frameChanged)
    hint = Property(str, _get_hint, notify=changed)
    ready = Property(bool, _get_ready, notify=changed)
    steady = Property(float, _get_steady, notify=changed)
    hasCapture = Property(bool, _get_has_capture, notify=changed)
    errorTitle = Property(str, _get_error_title, notify=changed)
    errorStep = Property(str, _get_error_step, notify=changed)
    errorCode = Property(str, _get_error_code, notify=changed)
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
        self._flow.accept_capture(bytearray(self._captured.jpeg))

    @Slot()
    def cancel(self) -> None:
        if self._flow is not None:
            self._flow.close_capture()

    def close(self) -> None:
        if self._preview is not None:
            self._close()
