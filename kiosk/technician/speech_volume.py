"""The speech volume a technician set on the station (维护模式 → 设备自检), kept across restarts.

`[speech] volume` in kiosk.toml is the installer's default; a technician who turns it up or down
at the station overrides it, in `<state_dir>/speech-volume.json`, until changed again.
"""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path

log = logging.getLogger(__name__)
FILE_NAME = "speech-volume.json"


def load_volume(state_dir: Path, default: int) -> int:
    """The technician's volume if one was set (and readable), else `default`."""
    try:
        value = json.loads((state_dir / FILE_NAME).read_text(encoding="utf-8"))["volume"]
    except FileNotFoundError:
        return default
    except (OSError, ValueError, KeyError, TypeError) as exc:
        log.warning("speech volume file ignored: %s", type(exc).__name__)
        return default
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 100:
        return default
    return value


def save_volume(state_dir: Path, volume: int) -> None:
    """Write atomically: a power cut leaves the old volume or the new one, never half a file."""
    path = state_dir / FILE_NAME
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps({"volume": volume}), encoding="utf-8")
    os.replace(tmp, path)
