"""The hall's sealing key as this station pinned it at enrolment.

``<state_dir>/keys/hall_seal.json`` holds the hall's X25519 *public* key
(:class:`contracts.sealing.HallPublicKey`). The outbox seals every filing and attachment to it,
so nothing on this disk opens what the station queued. The file is written once per enrolment
(:mod:`kiosk.provision`) and never replaced by anything the hall says later: a hall answer cannot
redirect queued filings to another key.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Final

from contracts.sealing import HallPublicKey
from offline_queue.durable import atomic_write

PIN_FILE: Final = Path("keys") / "hall_seal.json"


class HallKeyMissing(Exception):
    """No usable pinned hall key: the station is not enrolled (or the file is damaged)."""


def pin_path(state_dir: Path) -> Path:
    return Path(state_dir) / PIN_FILE


def pin(state_dir: Path, key: HallPublicKey) -> None:
    """Pin ``key`` for this station (at enrolment)."""
    path = pin_path(state_dir)
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.chmod(path.parent, 0o700)
    atomic_write(path, json.dumps(key.to_json(), indent=1).encode(), mode=0o600)


def load_pinned(state_dir: Path) -> HallPublicKey:
    """The pinned key; :class:`HallKeyMissing` with the reason when there is none to use."""
    path = pin_path(state_dir)
    try:
        doc = json.loads(path.read_bytes())
    except FileNotFoundError:
        raise HallKeyMissing(f"{path} is missing: enrol this station") from None
    except (OSError, ValueError) as exc:
        raise HallKeyMissing(f"{path} cannot be read: {exc}") from None
    try:
        return HallPublicKey.from_json(doc)
    except ValueError as exc:
        raise HallKeyMissing(f"{path}: {exc}") from None
