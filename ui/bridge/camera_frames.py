"""What the camera screens share: turning a preview frame into a QImage with its outline, and
serving pictures to QML through an image provider (``image://<name>/<kind>/<n>``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QSize
from PySide6.QtGui import QImage
from PySide6.QtQuick import QQuickImageProvider

if TYPE_CHECKING:
    from drivers.camera.preview import PreviewUpdate


def frame_image(update: PreviewUpdate) -> tuple[QImage, list[dict[str, float]]] | None:
    """The update's frame as a QImage and its outline in 0..1 coordinates; None without one."""
    f = update.frame
    if f is None:
        return None
    # QImage does not own a Python buffer: copy, or it points at freed memory.
    image = QImage(f.data, f.width, f.height, 3 * f.width, QImage.Format.Format_RGB888).copy()
    w, h = float(f.width), float(f.height)
    return image, [{"x": x / w, "y": y / h} for x, y in (update.outline or ())]


class CameraImageProvider(QQuickImageProvider):
    """Serves `picture(kind)` for ``image://<provider>/<kind>/<frame number>`` (the number only
    makes QML ask again for each new frame)."""

    def __init__(self, picture: Callable[[str], QImage]) -> None:
        super().__init__(QQuickImageProvider.ImageType.Image)
        self._picture = picture

    def requestImage(self, id: str, size: QSize, requested: QSize) -> QImage:
        image = self._picture(id.split("/", 1)[0])
        if image.isNull():  # the screen is closing: an empty picture, not a QML warning
            image = QImage(1, 1, QImage.Format.Format_RGB888)
            image.fill(0)
        size.setWidth(image.width())
        size.setHeight(image.height())
        return image
