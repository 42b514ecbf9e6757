"""MaskingBridge: the one masking rule (kiosk.masking.mask_personal) as QML sees it.

Set once on the root context as ``masking``; a field showing a personal number binds its text to
``activeFocus ? value : masking.mask(kind, value)``, so the clear number is on the screen only
while the walk-in is typing it. Stateless: it keeps nothing of what it masks.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Slot

from kiosk.masking import mask_personal


class MaskingBridge(QObject):
    @Slot(str, str, result=str)
    def mask(self, kind: str, value: str) -> str:
        """``value`` as shown when its field has no focus (ID, mobile and passport kinds)."""
        return mask_personal(kind, value)
