"""The one table mapping session states to screens (QML files under ui/qml/screens/)."""

from __future__ import annotations

from typing import Literal

# The QML files under ui/qml/screens/ a session state can show (``<Screen>Screen.qml``).
Screen = Literal[
    "Attract",
    "Identify",
    "ServiceHome",
    "Form",
    "Capture",
    "Review",
    "Delivery",
    "Submitting",
    "Receipt",
    "Error",
    "Progress",
    "Policies",
    "Qa",
    "Rating",
    "Supplement",
    "SupplementCapture",
    "Enterprise",
    "Archive",
]

STATE_SCREENS: dict[str, Screen] = {
    "idle": "Attract",
    "identifying": "Identify",
    "choosing_service": "ServiceHome",
    "filling_form": "Form",
    "capturing": "Capture",
    "consulting": "ServiceHome",  # in fact the consultation's own screen, see CONSULT_SCREENS
    "rating": "Rating",
    "choosing_enterprise": "Enterprise",  # 办理企业: the register's enterprises, QR, USCC
    "browsing_archive": "Archive",  # the chosen enterprise's 电子档案
    "supplementing": "Supplement",  # SupplementCapture while a material is photographed
    "reviewing": "Review",
    "addressing": "Delivery",  # the EMS address, chosen at review
    "submitting": "Submitting",
    "printing": "Receipt",
    "error": "Error",
    "wiping": "Attract",
}

# `consulting` shows the screen of the consultation the walk-in opened.
CONSULT_SCREENS: dict[str, Screen] = {
    "progress": "Progress",
    "policies": "Policies",
    "qa": "Qa",
}


def screen_for(state: str, consult_kind: str = "", photographing: bool = False) -> Screen:
    """The screen for a session state (and, in ``consulting``, the kind of consultation; in
    ``supplementing``, whether a material is being photographed)."""
    screen = STATE_SCREENS[state]
    if state == "supplementing" and photographing:
        return "SupplementCapture"
    # The flow sets the kind before it enters `consulting`; the fallback is only a safe default.
    return CONSULT_SCREENS.get(consult_kind, screen) if state == "consulting" else screen
