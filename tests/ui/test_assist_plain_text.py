"""Issue 14, finding 9 on the kiosk: what the helper sends is shown as text, never as markup.

Qt's Text defaults to ``AutoText``, which renders anything that looks like HTML: an
``<img src=...>`` in a chat line would make the kiosk fetch a URL the helper chose. The real QML,
fed the helper's name, chat, guidance and a photo request full of tags (as the hall would relay
them), shows every such string in an item whose ``textFormat`` is ``Text.PlainText``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtQml import QQmlEngine, QQmlExpression
from PySide6.QtQuick import QQuickItem

from remote_assist import protocol as p
from remote_assist.client import Status
from remote_assist.phases import LIVE, WAITING
from tests.ui.conftest import Kiosk

MARKUP = "<img src=http://127.0.0.1:9/x onerror=alert(1)><b>"


class SilentClient:
    """Stands in for the assist client: the hall's frames are fed to the bridge by the test."""

    session_id = "plain-text"

    def __getattr__(self, name: str) -> Callable[..., None]:
        return lambda *args, **kwargs: None


def items_showing(k: Kiosk, needle: str) -> list[QQuickItem]:
    found: list[QQuickItem] = []
    stack = [k.ui.window.contentItem()]
    while stack:
        item = stack.pop()
        if item.isVisible():
            text: Any = item.property("text")
            if isinstance(text, str) and needle in text:
                found.append(item)
            stack.extend(item.childItems())
    return found


def plain(item: QQuickItem) -> bool:
    """The item's ``textFormat`` is ``Text.PlainText``, asked in QML (PySide has no converter
    for the enum)."""
    context = QQmlEngine.contextForObject(item)
    value, failed = QQmlExpression(context, item, "textFormat === Text.PlainText").evaluate()
    assert not failed
    return bool(value)


def assert_plain(k: Kiosk, needle: str, at_least: int) -> None:
    k.robot.wait_until(lambda: len(items_showing(k, needle)) >= at_least, 10)
    shown = {item.objectName() or item.metaObject().className(): plain(item)
             for item in items_showing(k, needle)}  # fmt: skip
    assert all(shown.values()), shown


def test_the_helpers_words_are_plain_text_on_the_kiosk(kiosk: Kiosk) -> None:
    k = kiosk
    assist = k.ui.assist
    assist.replace_client(SilentClient())  # type: ignore[arg-type]
    k.robot.click("startButton")
    k.robot.wait_until(lambda: k.ui.session.property("screen") == "ServiceHome", 10)
    k.robot.click("service_company_startup_power")
    k.robot.wait_until(lambda: k.ui.session.property("screen") == "Form", 10)
    k.robot.click("getHelpButton")
    assist._on_status(Status(WAITING, position=0))
    assist._on_status(Status(LIVE, helper_name=f"林{MARKUP}"))
    assert_plain(k, MARKUP, 1)  # the consent card names the helper

    k.robot.click("assistConsentButton")
    assist._on_message(p.Chat(sender="helper", text=f"chat{MARKUP}"))
    assist._on_message(p.Guidance(text=f"guidance{MARKUP}"))
    k.robot.wait_for("assistGuidance")
    # The bar names the helper, shows the guidance and the chat line.
    assert_plain(k, MARKUP, 3)
    assert any(f"chat{MARKUP}" in i.property("text") for i in items_showing(k, MARKUP))

    # A photo request for a material the kiosk does not know shows the helper's own id.
    assist._on_message(p.CaptureRequested(material_id=f"id{MARKUP}"))
    assert_plain(k, f"id{MARKUP}", 1)
    k.robot.click("assistDismissCaptureButton") if k.robot.visible_items(
        "assistDismissCaptureButton"
    ) else assist.dismissCapture()
    assist.hangUp()
