"""Typing in one form field updates that field's delegate only.

Each FormField delegate is watched through the notify signals of the properties FormField itself
declares (whatever they are): a keystroke may change the typed field's delegate, never another.
With one ``changed`` signal for the whole session bound into every delegate, each keystroke
re-evaluated every field (the bug this guards against).
"""

from __future__ import annotations

from collections import Counter

from PySide6.QtCore import Qt
from PySide6.QtQuick import QQuickItem
from PySide6.QtTest import QTest

from tests.ui.conftest import Kiosk

DELEGATE_PREFIX = "formField_"


def watch_delegates(k: Kiosk) -> Counter[str]:
    """Per field name: notifications of the properties its delegate (FormField) declares."""
    updates: Counter[str] = Counter()
    delegates: list[QQuickItem] = []
    stack = [k.ui.window.contentItem()]
    while stack:  # the visual tree, where the Repeater puts its delegates
        item = stack.pop()
        if item.objectName().startswith(DELEGATE_PREFIX):
            delegates.append(item)
        stack.extend(item.childItems())
    assert len(delegates) >= 5  # the startup power bundle has many fields
    for delegate in delegates:
        field = delegate.objectName().removeprefix(DELEGATE_PREFIX)
        meta = delegate.metaObject()
        for i in range(meta.propertyOffset(), meta.propertyCount()):
            prop = meta.property(i)
            if not prop.hasNotifySignal():
                continue
            signal = getattr(delegate, bytes(prop.notifySignal().name().data()).decode())
            signal.connect(lambda *_, field=field: updates.update([field]))
        assert meta.propertyCount() > meta.propertyOffset()  # FormField declares its inputs
    return updates


def press(k: Kiosk, ch: str) -> None:
    # Printable ASCII key codes equal their upper-case character codes (Qt::Key_1 = '1').
    QTest.sendKeyEvent(
        QTest.KeyAction.Click, k.ui.window, Qt.Key(ord(ch)), ch, Qt.KeyboardModifier.NoModifier
    )
    k.robot.settle()


def test_a_keystroke_updates_only_the_field_typed_in(kiosk: Kiosk) -> None:
    k, s = kiosk, kiosk.ui.session
    k.robot.click("startButton")
    k.robot.wait_until(lambda: s.property("screen") == "ServiceHome")
    k.robot.click("service_company_startup_power")
    k.robot.wait_until(lambda: s.property("screen") == "Form")
    k.robot.click("field_mobile")
    updates = watch_delegates(k)
    for typed, ch in enumerate("1391", start=1):
        updates.clear()
        press(k, ch)
        values = {r["name"]: r["value"] for r in s.property("fields")}
        assert values["mobile"] == "1391"[:typed]  # the keystroke reached the session
        assert set(updates) == {"mobile"}, f"keystroke {typed} updated {sorted(updates)}"


def test_the_other_language_relabels_every_field(kiosk: Kiosk) -> None:
    """The per-row updates still reach every delegate when every row changes."""
    k, s = kiosk, kiosk.ui.session
    k.robot.click("startButton")
    k.robot.wait_until(lambda: s.property("screen") == "ServiceHome")
    k.robot.click("service_company_startup_power")
    k.robot.wait_until(lambda: s.property("screen") == "Form")
    chinese = {r["name"]: r["label"] for r in s.property("fields")}
    updates = watch_delegates(k)
    k.ui.settings.setLanguage("en_US")
    k.robot.settle()
    english = {r["name"]: r["label"] for r in s.property("fields")}
    assert set(updates) == set(english)
    assert english["mobile"] != chinese["mobile"]
    assert any(t.startswith(english["mobile"]) for t in k.robot.texts())
