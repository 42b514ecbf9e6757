"""Renders every screen to PNG offscreen, in Chinese, English and care mode.

A robot user walks real sessions over the simulators (a hall on 127.0.0.1, the card and printer
simulators); jobs are held in a manual queue so in-between screens (reading, submitting) can be
captured before they finish.
"""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from drivers.errors import CardReadFailed
from hall.server import HallServer
from kiosk.config import parse_config
from kiosk.runtime import KioskRuntime
from kiosk.session.flow import HeldBackground
from kiosk.session.inactivity import ManualClock
from ui.app import KioskUi, create_application
from ui.robot import Robot

log = logging.getLogger(__name__)

MODES = {"zh": ("zh_CN", False), "en": ("en_US", False), "care": ("zh_CN", True)}

# Valid answers for the bundle form (the sample walk-in 张三丰 from the card simulator).
BUNDLE_ANSWERS = {
    "mobile": "13912345678",
    "company_name": "苏州企航科技有限公司",
    "registered_capital": "100",
    "business_address": "苏州高新区狮山路88号",
    "business_scope": "软件开发；信息技术咨询服务",
    "power_capacity_kw": "80",
    "power_start_date": "2026-12-15",
}


def demo_config(state_dir: Path, hall_url: str, language: str, care: bool) -> Any:
    return parse_config(
        {
            "station": {"id": "SND-SS-001", "name": "狮山街道站"},
            "hall": {"url": hall_url, "timeout_s": 2},
            "devices": {
                "card_reader": {"backend": "simulator", "options": {"delay_s": 0}},
                "printer": {
                    "backend": "simulator",
                    "options": {"render_dir": str(state_dir / "receipts")},
                },
                "camera": {"backend": "simulator"},
            },
            "ui": {"language": language, "care_mode": care, "fullscreen": False},
            "paths": {"state_dir": str(state_dir)},
        }
    )


def render_all(out_dir: Path) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    app = create_application()
    written: list[Path] = []
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        with HallServer(Path(tmp) / "hall.sqlite3") as hall:
            for mode, (language, care) in MODES.items():
                written += _render_mode(app, out_dir, root / mode, hall.url, mode, language, care)
    return written


def _render_mode(
    app: Any, out_dir: Path, state_dir: Path, hall_url: str, mode: str, language: str, care: bool
) -> list[Path]:
    runtime = KioskRuntime(demo_config(state_dir, hall_url, language, care))
    bg, clock = HeldBackground(), ManualClock()
    ui = KioskUi(runtime, background=bg, clock=clock)
    robot = Robot(ui.window)
    flow = ui.flow
    shots: list[Path] = []

    def shot(name: str) -> None:
        robot.settle(5)
        ui.status.refresh()
        path = out_dir / f"{mode}_{len(shots) + 1:02d}_{name}.png"
        robot.grab(str(path))
        shots.append(path)

    try:
        robot.wait_until(lambda: runtime.status().online, 5)
        shot("attract")
        robot.click("startButton")
        shot("identify_waiting")
        runtime.reader.inject_fault(CardReadFailed)
        bg.release()
        shot("identify_card_unreadable")
        robot.click("retryCardButton")
        bg.release()
        shot("service_home")
        robot.click("service_company_startup_power")
        shot("form_prefilled")
        robot.click("nextButton")
        shot("form_errors")
        robot.click("field_company_name")
        shot("form_keyboard")
        for name, value in BUNDLE_ANSWERS.items():
            flow.set_field(name, value)
        flow.set_field("enterprise_type", "llc")
        robot.click("nextButton")
        shot("review")
        robot.click("confirmButton")
        shot("submitting")
        bg.release()  # queue the submission -> printing
        shot("receipt_printing")
        bg.release()
        shot("receipt_printed")
        robot.click("finishButton")
        # A second walk-in: printer out of paper, then the timeout warning, then the error screen.
        robot.click("startButton")
        bg.release()
        flow.choose_service("enterprise_demand")
        for name, value in {
            "enterprise_name": "苏州企航科技有限公司",
            "uscc": "91320505MA1XXXXX1Y",
            "mobile": "13912345678",
            "demand_category": "human_resources",
            "description": "希望了解高新区人才公寓申请条件。",
        }.items():
            if name in flow.context.values:
                flow.set_field(name, value)
        clock.now += runtime.config.timeouts.idle_s * (2 if care else 1) + 3
        ui.session._tick()
        shot("timeout_warning")
        robot.click("continueButton")
        _render_failures(ui, robot, bg, runtime, shot)
    finally:
        ui.close()
        runtime.close()
        robot.settle()
    return shots


def _render_failures(
    ui: KioskUi,
    robot: Robot,
    bg: HeldBackground,
    runtime: KioskRuntime,
    shot: Callable[[str], None],
) -> None:
    flow = ui.flow
    if flow.state == "filling_form" and not flow.complete_form():
        flow.cancel()
        robot.settle()
    if flow.state == "idle":
        robot.click("startButton")
        bg.release()
        flow.choose_service("company_startup_power")
    if flow.state == "choosing_service":
        flow.choose_service("company_startup_power")
    for name, value in BUNDLE_ANSWERS.items():
        flow.set_field(name, value)
    flow.set_field("enterprise_type", "llc")
    flow.complete_form()
    runtime.printer.state.paper_out = True
    flow.confirm()
    bg.release()
    bg.release()
    shot("receipt_paper_out")
    runtime.printer.state.paper_out = False
    flow.finish()
    # The error screen: the outbox could not store the filing (shown without faking storage: the
    # flow reports what a failed commit reports).
    robot.click("startButton")
    bg.release()
    flow.choose_service("company_startup_power")
    for name, value in BUNDLE_ANSWERS.items():
        flow.set_field(name, value)
    flow.set_field("enterprise_type", "llc")
    flow.complete_form()
    flow.confirm()
    _job, _, on_error = bg.jobs.pop(0)
    on_error(OSError(28, "No space left on device"))
    shot("error_storage")
    flow.acknowledge()
    robot.settle()
