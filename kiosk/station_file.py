"""``station.json``: what enrolment provisioned for this station, read as config overrides.

:mod:`kiosk.provision` writes the file (0600, beside the device key); ``main.py`` applies
:func:`provisioned_overrides` to ``kiosk.toml``, so the packaged file needs no per-station values.
Standard library only: ``main.py kiosk`` reads it on the way to the first frame.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

log = logging.getLogger(__name__)

STATION_FILE = "station.json"


def provisioned_overrides(state_dir: Path) -> dict[str, object]:
    """Config overrides from ``station.json`` (dotted keys); empty when not provisioned."""
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
