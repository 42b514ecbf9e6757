"""Qt UI fixtures: the real kiosk UI (QML offscreen) over the simulators and a real hall."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

# Qt reads these once, when the application object is created (pytest-qt's qapp).
os.environ["QT_QPA_PLATFORM"] = "offscreen"
os.environ["QT_QUICK_BACKEND"] = "software"
os.environ["QT_IM_MODULE"] = "qtvirtualkeyboard"
os.environ["QT_QUICK_CONTROLS_STYLE"] = "Basic"

from hall.server import HallServer
from kiosk.runtime import KioskRuntime
from tests.hall.helpers import enrolled_runtime
from tests.support.clock import FakeClock
from tests.support.robot import Robot
from tests.support.screenshots import demo_config
from ui.app import KioskUi


@dataclass
class Kiosk:
    ui: KioskUi
    runtime: KioskRuntime
    robot: Robot
    clock: FakeClock
    hall: HallServer


def make_kiosk(
    tmp_path: Path,
    hall: HallServer,
    language: str = "zh_CN",
    care: bool = False,
    card_delay_s: float = 0.0,
    a4_queue: str = "",
) -> tuple[KioskUi, KioskRuntime, FakeClock]:
    config = demo_config(tmp_path / "kiosk", hall.url, language, care)
    devices = config.devices
    config = config.model_copy(
        update={
            "devices": devices.model_copy(
                update={
                    "card_reader": devices.card_reader.model_copy(
                        update={"options": {"read_delay_s": card_delay_s}}
                    ),
                    "a4_printer": devices.a4_printer.model_copy(update={"queue": a4_queue}),
                }
            )
        }
    )
    runtime = enrolled_runtime(config, hall, start_sender=True)  # every station enrols
    clock = FakeClock()
    ui = KioskUi(runtime, clock=clock)
    return ui, runtime, clock


@pytest.fixture
def kiosk(qapp: object, tmp_path: Path, hall_server: HallServer) -> Iterator[Kiosk]:
    ui, runtime, clock = make_kiosk(tmp_path, hall_server)
    try:
        yield Kiosk(ui, runtime, Robot(ui.window), clock, hall_server)
    finally:
        ui.close()
        runtime.close()
