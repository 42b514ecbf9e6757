"""PreviewMixin: what the capture and QR-scan bridges share — a `LivePreview` (drivers/camera) in
one mode, open only while the session wants it, its frames crossing from the preview's worker
thread to the GUI thread through a queued signal, the newest one kept as a QImage for an image
provider, and the camera's failure as words and a code. Frames stay in memory and are dropped
on close.

Subclasses say when the camera is wanted (`_wanted`), what else an update carries for them
(`_take`), and what they drop on close (`_closed`). A mixin rather than a QObject base: each bridge
declares its own signals and Qt properties (a property's notify signal must be the class's own),
using the getters here.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Slot
from PySide6.QtGui import QImage

from ui.bridge.camera_frames import frame_image
from ui.bridge.failures import failure_text

if TYPE_CHECKING:
    from drivers.camera.preview import LivePreview, Mode, PreviewUpdate
    from kiosk.session.flow import SessionFlow

log = logging.getLogger(__name__)

PREVIEW_FPS = 15.0  # what the screen shows; analysis keeps up with the camera regardless


class PreviewMixin:
    # Declared by each bridge: changed, frameChanged (Signal()), _update (Signal(object)).
    changed: Any
    frameChanged: Any
    _update: Any

    MODE: Mode = "document"
    NAME = "camera preview"  # for the log

    def _init_preview(self, camera: Any) -> None:
        self._camera = camera
        self._flow: SessionFlow | None = None
        self._preview: LivePreview | None = None
        self._frame = QImage()
        self._frame_no = 0
        self._outline: list[dict[str, float]] = []
        self._error = ""
        self._unsubscribe: Callable[[], None] = lambda: None
        # Queued: the preview emits from its worker thread, the work happens on the GUI thread.
        self._update.connect(self._on_update)

    def attach(self, flow: SessionFlow) -> None:
        self._flow = flow
        self._unsubscribe = flow.subscribe(self._on_flow_changed)

    # -- for subclasses --------------------------------------------------------------------------
    def _wanted(self) -> bool:
        raise NotImplementedError

    def _take(self, update: PreviewUpdate) -> None:
        """What else this screen reads from an update (GUI thread, before `changed`)."""

    def _closed(self) -> None:
        """What this screen drops when the camera closes."""

    # -- session -> camera -----------------------------------------------------------------------
    def _on_flow_changed(self) -> None:
        wanted = self._wanted()
        if wanted and self._preview is None:
            self._open()
        elif not wanted and self._preview is not None:
            self._close()

    def _open(self) -> None:
        from drivers.camera.preview import LivePreview

        self._error = ""
        self._preview = LivePreview(
            self._camera, self._update.emit, mode=self.MODE, max_fps=PREVIEW_FPS
        )
        self._preview.start()
        log.info("%s started", self.NAME)
        self.changed.emit()

    def _close(self) -> None:
        preview, self._preview = self._preview, None
        if preview is not None:
            preview.stop()
            preview.wipe()
        self._frame = QImage()
        self._outline, self._error = [], ""
        self._closed()
        log.info("%s stopped", self.NAME)
        self.changed.emit()

    @Slot(object)  # declared: see session_bridge._on_settings_changed
    def _on_update(self, update: PreviewUpdate) -> None:
        if self._preview is None:
            return  # a late frame after the screen closed
        self._error = update.error or ""
        picture = frame_image(update)
        if picture is not None:
            self._frame, self._outline = picture
            self._frame_no += 1
            self.frameChanged.emit()
        self._take(update)
        self.changed.emit()

    # -- properties ------------------------------------------------------------------------------
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

    def close(self) -> None:
        self._unsubscribe()
        if self._preview is not None:
            self._close()
