"""A robot user: finds QML items by objectName and clicks or types into them like a person would.

A test double, so it lives here and not in ``ui/``: used by the journey and UI tests, the
screenshot tool and the soak benchmark. Clicks are real mouse events at the item's centre in window
coordinates, so anything covering the item (an overlay, the keyboard) gets in the way exactly as
it would for a finger.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import QCoreApplication, QPoint, QPointF, Qt
from PySide6.QtQuick import QQuickItem, QQuickWindow
from PySide6.QtTest import QTest


class Robot:
    def __init__(self, window: QQuickWindow) -> None:
        self.window = window

    def settle(self, rounds: int = 3) -> None:
        for _ in range(rounds):
            QCoreApplication.processEvents()

    def items(self, name: str) -> list[QQuickItem]:
        """Every item with this objectName, walking the visual tree (what is on screen)."""
        found: list[QQuickItem] = []
        stack = [self.window.contentItem()]
        while stack:
            item = stack.pop()
            if item.objectName() == name:
                found.append(item)
            stack.extend(item.childItems())
        return found

    def find(self, name: str) -> QQuickItem:
        found = self.items(name)
        if not found:
            raise LookupError(f"no QML item named {name!r}")
        return found[0]

    def visible_items(self, name: str) -> list[QQuickItem]:
        return [i for i in self.items(name) if i.isVisible()]

    def texts(self) -> list[str]:
        """Every `text` shown by a visible item: what a person could read on the screen now."""
        out: list[str] = []
        stack = [self.window.contentItem()]
        while stack:
            item = stack.pop()
            if not item.isVisible():
                continue
            value = item.property("text")
            if isinstance(value, str) and value:
                out.append(value)
            stack.extend(item.childItems())
        return out

    def wait_until(self, condition: Callable[[], bool], timeout_s: float = 5.0) -> None:
        deadline = time.monotonic() + timeout_s
        while not condition():
            if time.monotonic() > deadline:
                raise TimeoutError("condition not met in time")
            QCoreApplication.processEvents()
            time.sleep(0.005)

    def wait_for(self, name: str, timeout_s: float = 5.0) -> QQuickItem:
        found: list[QQuickItem] = []

        def visible() -> bool:
            found[:] = self.visible_items(name)
            return bool(found)

        self.wait_until(visible, timeout_s)
        return found[0]

    def click(self, name: str) -> None:
        item = self.wait_for(name)
        self.click_item(item)

    def scroll_into_view(self, item: QQuickItem) -> None:
        """Swipe the nearest scrollable ancestor until the item is fully in its viewport."""
        parent = item.parentItem()
        while parent is not None and parent.property("contentHeight") is None:
            parent = parent.parentItem()
        if parent is None:
            return
        top = item.mapToItem(parent, QPointF(0, 0)).y()
        bottom = top + item.height()
        content_y = float(parent.property("contentY"))
        if top < 0:
            parent.setProperty("contentY", content_y + top)
        elif bottom > parent.height():
            limit = float(parent.property("contentHeight")) - parent.height()
            parent.setProperty("contentY", min(content_y + bottom - parent.height(), limit))
        self.settle()

    def click_item(self, item: QQuickItem) -> None:
        # A layout re-arranges on its next polish; a finger arrives after the frame shows it,
        # so polish the item's ancestors first or the click lands where the button used to be.
        ancestor: QQuickItem | None = item
        while ancestor is not None:
            ancestor.ensurePolished()
            ancestor = ancestor.parentItem()
        self.scroll_into_view(item)
        centre = item.mapToScene(QPointF(item.width() / 2, item.height() / 2))
        QTest.mouseClick(
            self.window,
            Qt.MouseButton.LeftButton,
            Qt.KeyboardModifier.NoModifier,
            QPoint(round(centre.x()), round(centre.y())),
        )
        self.settle()

    def type_into(self, name: str, text: str) -> None:
        """Tap the field (which opens the keyboard) and type key by key."""
        self.click(name)
        for ch in text:
            # Printable ASCII key codes equal their upper-case character codes (Qt::Key_A = 'A').
            key = Qt.Key(ord(ch.upper())) if ch.isascii() else Qt.Key.Key_unknown
            QTest.sendKeyEvent(
                QTest.KeyAction.Click, self.window, key, ch, Qt.KeyboardModifier.NoModifier
            )
        self.settle()

    def grab(self, path: str) -> None:
        self.settle(5)
        image = self.window.grabWindow()
        if not image.save(path):
            raise OSError(f"could not write {path}")
