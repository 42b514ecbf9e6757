"""QML image provider drawing QR codes (``image://qr/<url-encoded text>``) for the receipt screen.

The tracking QR must be on screen too: if the printer fails, the walk-in photographs it instead.
"""

from __future__ import annotations

import io
from urllib.parse import unquote

from PySide6.QtCore import QSize
from PySide6.QtGui import QImage
from PySide6.QtQuick import QQuickImageProvider


class QrImageProvider(QQuickImageProvider):
    def __init__(self) -> None:
        super().__init__(QQuickImageProvider.ImageType.Image)

    def requestImage(self, id: str, size: QSize, requested: QSize) -> QImage:
        import qrcode  # deferred: only the receipt screen needs it, keep it off the start path

        qr = qrcode.QRCode(border=2, box_size=10, error_correction=qrcode.constants.ERROR_CORRECT_M)
        qr.add_data(unquote(id))
        qr.make(fit=True)
        buf = io.BytesIO()
        qr.make_image(fill_color="black", back_color="white").save(buf, format="PNG")
        image = QImage.fromData(buf.getvalue())  # format read from the PNG header
        if requested.isValid() and requested.width() > 0:
            image = image.scaled(requested.width(), requested.height())
        size.setWidth(image.width())
        size.setHeight(image.height())
        return image
