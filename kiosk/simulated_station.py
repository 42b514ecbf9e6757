"""A station configuration on the shipped device simulators (the GA/T 467 reader emulator with
no read delay, the receipt printer and camera simulators), for what runs a kiosk without
hardware: the hall's content preview (ui/preview.py), the screenshots and UI tests
(tests/support/screenshots.py) and the soak bench (bench/soak.py)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from kiosk.config import KioskConfig, parse_config

__all__ = ["simulated_station"]


def simulated_station(
    state_dir: Path,
    hall_url: str,
    *,
    language: str = "zh_CN",
    care: bool = False,
    station: tuple[str, str] = ("SND-SS-001", "狮山街道站"),
    timeout_s: float = 2,
    receipts: bool = True,
    extra: Mapping[str, Any] | None = None,
) -> KioskConfig:
    """The configuration of station ``station`` (id, name) keeping its state in ``state_dir``.

    ``receipts``: the printer simulator draws each receipt as a PNG under ``state_dir/receipts``
    (off where drawing them is not what runs); ``extra``: further top-level sections
    (``technician``, …)."""
    printer: dict[str, Any] = {"render_dir": str(state_dir / "receipts")} if receipts else {}
    return parse_config(
        {
            "station": {"id": station[0], "name": station[1]},
            "hall": {"url": hall_url, "timeout_s": timeout_s},
            "devices": {
                "card_reader": {"backend": "ga467_emulator", "options": {"read_delay_s": 0}},
                "printer": {"backend": "simulator", "options": printer},
                "camera": {"backend": "simulator"},
            },
            "ui": {"language": language, "care_mode": care, "fullscreen": False},
            "paths": {"state_dir": str(state_dir)},
            **(extra or {}),
        }
    )
