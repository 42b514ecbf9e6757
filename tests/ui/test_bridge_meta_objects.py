"""Every bridge QML reads shares its class's meta-object.

Connecting a signal to a method that is not a declared slot gives that one object a meta-object
of its own (PySide adds a dynamic slot), freed with the object. QML caches property lookups by
meta-object address, so a later bridge whose meta-object lands at that address read as the old
one's class: its properties undefined and its slots missing (a start button that did nothing,
``undefinedScreen.qml``), now and then, a few tests later.
"""

from __future__ import annotations

import shiboken6
from PySide6.QtCore import QObject

from tests.ui.conftest import Kiosk

BRIDGES = (
    "session",
    "settings",
    "status",
    "capture",
    "summary",
    "consult",
    "rating",
    "qr_scan",
    "assist",
    "technician",
)


def address(meta: object) -> int:
    return int(shiboken6.getCppPointer(meta)[0])


def test_every_bridge_uses_its_class_meta_object(kiosk: Kiosk) -> None:
    own = {}
    for name in BRIDGES:
        bridge: QObject = getattr(kiosk.ui, name)
        if address(bridge.metaObject()) != address(type(bridge).staticMetaObject):
            own[name] = type(bridge).__name__
    assert own == {}
