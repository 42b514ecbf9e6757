"""The one table mapping session states to screens (QML files under ui/qml/screens/)."""

from __future__ import annotations

STATE_SCREENS: dict[str, str] = {
    "idle": "Attract",
    "identifying": "Identify",
    "choosing_service": "ServiceHome",
    "filling_form": "Form",
    "reviewing": "Review",
    "submitting": "Submitting",
    "printing": "Receipt",
    "error": "Error",
    "wiping": "Attract",
}
