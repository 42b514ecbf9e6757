"""What the technician screens show, in words: technician failure codes, device rows, the health
history and the outbox counts (context "Technician" in the translations). Nothing personal passes
through here: codes, levels, times and counts only."""

from __future__ import annotations

import contextlib
import datetime as dt
from typing import Any

from PySide6.QtCore import QCoreApplication

from ui.bridge.failures import failure_text
from ui.i18n.marks import QT_TRANSLATE_NOOP

_CTX = "Technician"

_CODES: dict[str, str] = {
    "SPEECH_UNAVAILABLE": QT_TRANSLATE_NOOP(
        "Technician", "The speech engine (espeak-ng) is not installed: care mode is silent."
    ),
    "SPEECH_MUTED": QT_TRANSLATE_NOOP(
        "Technician",
        "The volume is 0: care mode is silent. Turn it up under Device tests.",
    ),
    "TECH_PIN_NOT_SET": QT_TRANSLATE_NOOP(
        "Technician", "Technician mode is not set up on this station."
    ),
    "TECH_EXPORT_NO_DIR": QT_TRANSLATE_NOOP(
        "Technician", "No USB stick found at the export folder. Insert it and try again."
    ),
    "TECH_EXPORT_FAILED": QT_TRANSLATE_NOOP(
        "Technician", "The bundle could not be written to the USB stick."
    ),
    "NETWORK_DNS_FAILED": QT_TRANSLATE_NOOP(
        "Technician", "The hall's name cannot be resolved (DNS)."
    ),
    "NETWORK_UNREACHABLE": QT_TRANSLATE_NOOP("Technician", "The hall cannot be reached."),
    "NETWORK_TIMEOUT": QT_TRANSLATE_NOOP("Technician", "The hall did not answer in time."),
    "HALL_UNHEALTHY": QT_TRANSLATE_NOOP("Technician", "The hall answers but reports a problem."),
}
_DEVICES = {
    "card_reader": QT_TRANSLATE_NOOP("Technician", "Card reader"),
    "printer": QT_TRANSLATE_NOOP("Technician", "Receipt printer"),
    "camera": QT_TRANSLATE_NOOP("Technician", "Camera"),
    "speaker": QT_TRANSLATE_NOOP("Technician", "Speaker (care mode voice)"),
}
_LEVELS = {
    "ok": QT_TRANSLATE_NOOP("Technician", "Working"),
    "degraded": QT_TRANSLATE_NOOP("Technician", "Needs attention"),
    "down": QT_TRANSLATE_NOOP("Technician", "Not working"),
}
# How the device key is kept (health "device_key", kiosk.device_key_store): a key in a file is
# the documented remaining risk of a kiosk without a TPM, so it shows as needing attention.
_DEVICE_KEY = QT_TRANSLATE_NOOP("Technician", "Device key")
_KEY_KEPT = {
    "tpm-sealed": ("ok", QT_TRANSLATE_NOOP("Technician", "TPM-sealed")),
    "file": ("degraded", QT_TRANSLATE_NOOP("Technician", "File (no TPM)")),
}


def tr(text: str) -> str:
    return QCoreApplication.translate(_CTX, text)


def code_text(code: str) -> str:
    """Words for a code: the technician table, the hall's HTTP refusals, else the walk-in's."""
    if code in _CODES:
        return tr(_CODES[code])
    if code.startswith("HTTP_"):
        return tr(QT_TRANSLATE_NOOP("Technician", "The hall refused it (%1).")).replace(
            "%1", code.removeprefix("HTTP_")
        )
    return failure_text(code)[0]


def device_rows(health: dict[str, Any]) -> list[dict[str, str]]:
    """One row per device: its name, level and, when it is not working, the code in words; then
    how the device key is kept (TPM-sealed, or a file on a kiosk without a TPM)."""
    out = []
    for name, h in health.get("devices", {}).items():
        level, code = h["level"], h["code"]
        out.append(
            {
                "name": name,
                "label": tr(_DEVICES.get(name, name)),
                "level": level,
                "levelText": tr(_LEVELS.get(level, level)),
                "code": code,
                "text": code_text(code) if code and level != "ok" else "",
            }
        )
    kept = _KEY_KEPT.get(str(health.get("device_key", "")))
    if kept is not None:  # none before enrolment: the first-boot screen says so
        level, words = kept
        out.append(
            {
                "name": "device_key",
                "label": tr(_DEVICE_KEY),
                "level": level,
                "levelText": tr(words),
                "code": "",
                "text": "",
            }
        )
    return out


def _local(at: str, fmt: str) -> str:
    with contextlib.suppress(ValueError):
        at = dt.datetime.fromisoformat(at).astimezone().strftime(fmt)
    return at


def last_sync_text(health: dict[str, Any]) -> str:
    return _local(str(health.get("last_sync") or ""), "%m-%d %H:%M")


def history_rows(health: dict[str, Any], limit: int = 8) -> list[dict[str, str]]:
    """The newest health changes first: when, which device (or a walk-in's screen), level, code."""
    rows = []
    for e in reversed(health.get("history", [])[-limit:]):
        what = (
            tr(_DEVICES.get(e.get("name", ""), ""))
            if e.get("name")
            else tr(QT_TRANSLATE_NOOP("Technician", "Shown to a walk-in"))
        )
        level = tr(_LEVELS[e["level"]]) if e.get("level") in _LEVELS else ""
        at = _local(str(e.get("at", "")), "%m-%d %H:%M:%S")
        rows.append({"at": at, "what": what, "level": level, "code": str(e.get("code", ""))})
    return rows


def outbox_count_rows(outbox: dict[str, Any]) -> list[dict[str, Any]]:
    labels = {
        "pending": tr(QT_TRANSLATE_NOOP("Technician", "Waiting to send")),
        "delivered": tr(QT_TRANSLATE_NOOP("Technician", "Delivered")),
        "quarantined": tr(QT_TRANSLATE_NOOP("Technician", "Quarantined")),
    }
    return [
        {"status": k, "label": labels.get(k, k), "count": int(v)}
        for k, v in outbox.get("counts", {}).items()
    ]


def quarantined_rows(outbox: dict[str, Any]) -> list[dict[str, Any]]:
    """Filings the hall refused: tracking number, reason code, attempts — never the payload."""
    return [
        {
            "id": q["id"],
            "trackingNumber": q["tracking_number"],
            "reason": q["reason"],
            "attempts": q["attempts"],
        }
        for q in outbox.get("quarantined", [])
    ]


def locked_text(minutes: int) -> str:
    return tr(QT_TRANSLATE_NOOP("Technician", "Too many wrong PINs. Try again in %1 min.")).replace(
        "%1", str(minutes)
    )


def pin_message(code: str, attempts_left: int, minutes: int) -> str:
    """What the PIN pad says after a refused PIN (never the PIN itself)."""
    if code == "TECH_PIN_LOCKED":
        return locked_text(minutes)
    if code == "TECH_PIN_NOT_SET":
        return code_text(code)
    return tr(
        QT_TRANSLATE_NOOP("Technician", "Wrong PIN. Attempts left before the lock: %1")
    ).replace("%1", str(attempts_left))
