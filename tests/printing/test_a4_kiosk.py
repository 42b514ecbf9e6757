"""The A4 summary from the kiosk's receipt screen: offered only when a queue is configured,
printed through CUPS on a worker thread, the walk-in told the outcome."""

from __future__ import annotations

from pathlib import Path

from hall.server import HallServer
from tests.printing.conftest import Cups
from tests.support.robot import Robot
from tests.ui.conftest import make_kiosk
from ui.app import KioskUi


def reach_receipt(ui: KioskUi, robot: Robot) -> None:
    robot.click("startButton")
    robot.wait_until(lambda: ui.session.property("screen") == "ServiceHome")
    flow = ui.flow
    assert flow is not None
    flow.choose_service("policy_consultation")
    service = flow.service
    assert service is not None
    for spec in service.form.fields:  # any valid answer will do
        if spec.required and not flow.context.values.get(spec.name):
            answer = spec.choices[0].value if spec.choices else "人才公寓申请条件"
            flow.set_field(spec.name, "13912345678" if spec.kind == "mobile" else answer)
    assert flow.complete_form(), flow.context.errors
    flow.confirm()
    robot.wait_until(lambda: ui.session.property("screen") == "Receipt", 10)


def test_no_a4_printer_no_button(qapp: object, tmp_path: Path, hall_server: HallServer) -> None:
    ui, runtime, _ = make_kiosk(tmp_path, hall_server)
    try:
        robot = Robot(ui.window)
        reach_receipt(ui, robot)
        assert robot.visible_items("a4SummaryButton") == []
    finally:
        ui.close()
        runtime.close()


def test_a4_summary_prints_through_cups(
    qapp: object, tmp_path: Path, hall_server: HallServer, cupsd: Cups
) -> None:
    ui, runtime, _ = make_kiosk(tmp_path, hall_server, a4_queue=cupsd.queue)
    try:
        robot = Robot(ui.window)
        reach_receipt(ui, robot)
        robot.click("a4SummaryButton")
        robot.wait_until(lambda: ui.summary.property("status") == "printed", 30)
        assert cupsd.sink.wait_for_job().startswith(b"%PDF-")
        assert "A4办事摘要已打印 ✓" in robot.texts()
    finally:
        ui.close()
        runtime.close()
