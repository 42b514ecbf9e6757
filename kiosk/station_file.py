"""``station.json``: what enrolment provisioned for this station, read as config overrides.

:mod:`kiosk.provision` writes the file (0600, beside the device key); ``main.py`` applies
:func:`provisioned_overrides` to ``kiosk.toml``, so the packaged file needs no per-station values.
Values the hall's console set (remote ``set`` commands, :mod:`kiosk.remote_commands`) are kept
beside it in ``remote_settings.json`` and applied after it. Standard library only (but the
writer): ``main.py kiosk`` reads it on the way to the first frame.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

log = logging.getLogger(__name__)

STATION_FILE = "station.json"
REMOTE_SETTINGS_FILE = "remote_settings.json"


def provisioned_overrides(state_dir: Path) -> dict[str, object]:
    """Config overrides from ``station.json`` (dotted keys; empty when not provisioned), then
    the values the hall's console set (``remote_settings.json``, :func:`remote_settings`)."""
    return {**_station_overrides(state_dir), **remote_settings(state_dir)}


def remote_settings(state_dir: Path) -> dict[str, object]:
    """The configuration values set by remote ``set`` commands (dotted keys from the
    allow-list of :mod:`contracts.remote_commands`; the kiosk checked each before keeping it)."""
    try:
        doc = json.loads((Path(state_dir) / REMOTE_SETTINGS_FILE).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as exc:
        log.error("%s unreadable, ignored: %s", REMOTE_SETTINGS_FILE, type(exc).__name__)
        return {}
    return dict(doc) if isinstance(doc, dict) else {}


def save_remote_setting(state_dir: Path, key: str, value: object) -> None:
    """Keep one value a remote command set (atomically, 0600); it outlives restarts."""
    from offline_queue.durable import atomic_write

    settings = {**remote_settings(state_dir), key: value}
    text = json.dumps(settings, ensure_ascii=False, sort_keys=True, indent=1)
    atomic_write(Path(state_dir) / REMOTE_SETTINGS_FILE, text.encode("utf-8"), mode=0o600)


def _station_overrides(state_dir: Path) -> dict[str, object]:
    try:
        doc = json.loads((Path(state_dir) / STATION_FILE).read_text(encoding="utf-8"))
        return {
            "station.id": str(doc["station"]["id"]),
            "station.name": str(doc["station"]["name"]),
            "hall.url": str(doc["hall"]["url"]),
            "assist.ice_servers": [str(s) for s in doc.get("assist", {}).get("ice_servers", [])],
        }
    except FileNotFoundError:
        return {}
    except (OSError, ValueError, KeyError, TypeError) as exc:
        log.error("%s unreadable, ignored: %s", STATION_FILE, type(exc).__name__)
        return {}
