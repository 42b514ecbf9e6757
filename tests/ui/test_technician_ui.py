"""Technician mode through the real QML, clicked by the robot: the hidden gesture, the PIN pad,
the screens, the inactivity timeout, the restart — and no personal data on any of them."""

from __future__ import annotations

import json
from pathlib import Path

from hall.server import HallServer
from kiosk.device_identity import keys_dir
from kiosk.device_key_store import KeyProtection, key_protection
from kiosk.runtime import KioskRuntime
from tests.support.background import HeldBackground
from tests.support.clock import FakeClock
from tests.support.screenshots import DEMO_TECHNICIAN_PIN, demo_config
from tests.ui.conftest import Kiosk
from ui.bridge.technician_bridge import TechnicianBridge


def tech(k: Kiosk, name: str) -> object:
    return k.ui.technician.property(name)


def audit(k: Kiosk) -> list[tuple[str, str]]:
    path = k.runtime.state_dir / "technician" / "audit.jsonl"
    if not path.exists():
        return []
    return [
        (e["action"], e["outcome"])
        for e in (json.loads(line) for line in path.read_text().splitlines())
    ]


def type_pin(k: Kiosk, pin: str) -> None:
    for digit in pin:
        k.robot.click("pinKey" + digit)
    k.robot.click("pinEnter")


def open_technician_mode(k: Kiosk) -> None:
    robot = k.robot
    for _ in range(5):
        robot.click("technicianCorner")
    robot.wait_for("technicianPinScreen")
    type_pin(k, DEMO_TECHNICIAN_PIN)
    robot.wait_for("technicianHealthScreen", 10)


def test_gesture_and_pin_open_technician_mode_and_it_shows_no_personal_data(
    kiosk: Kiosk, tmp_path: Path
) -> None:
    robot = kiosk.robot
    for _ in range(4):
        robot.click("technicianCorner")
    assert not tech(kiosk, "active")  # four taps are not the gesture
    robot.click("technicianCorner")
    robot.wait_for("technicianPinScreen")
    type_pin(kiosk, "1111")
    robot.wait_until(lambda: "4" in str(tech(kiosk, "pinMessage")), 10)
    assert any("4" in t for t in robot.texts())
    assert robot.visible_items("technicianHealthScreen") == []
    type_pin(kiosk, DEMO_TECHNICIAN_PIN)
    robot.wait_for("technicianHealthScreen", 10)
    # Three devices and the voice (the demo station speaks), then how the device key is kept
    # (a file on a test machine without a TPM).
    robot.wait_until(lambda: len(tech(kiosk, "devices")) == 5)  # type: ignore[arg-type]
    key_row = tech(kiosk, "devices")[-1]  # type: ignore[index]
    sealed = key_protection(keys_dir(kiosk.runtime.state_dir)) is KeyProtection.TPM_SEALED
    assert key_row["name"] == "device_key"
    assert key_row["level"] == ("ok" if sealed else "degraded")
    kept = "TPM 密封保存" if sealed else "文件保存（无 TPM）"
    assert f"设备密钥 — {kept}" in robot.texts()

    robot.click("techNavTests")
    # The camera first: the results the other tests add above it would move it down.
    robot.click("techCameraButton")
    robot.wait_until(lambda: tech(kiosk, "frameNo") > 0, 10)  # type: ignore[operator]
    robot.wait_for("techCameraPreview")
    robot.click("techPrintButton")
    robot.wait_until(lambda: tech(kiosk, "results")["print"]["state"] == "ok", 10)  # type: ignore[index]
    assert kiosk.runtime.printer.server.wait_for_jobs(1)
    robot.click("techCardButton")
    robot.wait_until(lambda: tech(kiosk, "results")["card"]["state"] == "ok", 15)  # type: ignore[index]
    robot.click("techNetworkButton")
    robot.wait_until(lambda: tech(kiosk, "results")["network"]["state"] == "ok", 10)  # type: ignore[index]
    shown = " ".join(robot.texts())
    assert "张*丰" in shown and "110105********002X" in shown
    assert "张三丰" not in shown and "11010519491231002X" not in shown

    robot.click("techNavOutbox")
    robot.wait_until(lambda: len(tech(kiosk, "outboxCounts")) == 3, 10)  # type: ignore[arg-type]
    robot.click("techNavDiagnostics")
    usb = Path(str(tech(kiosk, "exportDir")))
    usb.mkdir(parents=True)
    robot.click("techExportButton")
    robot.wait_until(lambda: tech(kiosk, "results")["diagnostics"]["state"] == "ok", 15)  # type: ignore[index]
    (bundle,) = usb.glob("qihang-diagnostics-*.zip")
    assert bundle.stat().st_size > 0
    robot.click("techExitButton")
    robot.wait_for("attractScreen")
    robot.wait_until(lambda: ("leave", "ok") in audit(kiosk), 10)
    assert audit(kiosk)[:2] == [("enter", "refused"), ("enter", "ok")]
    for action in ("test_print", "test_card", "test_network", "outbox_view", "diagnostics_export"):
        assert (action, "ok") in audit(kiosk), action


def test_technician_mode_times_out_back_to_the_attract_screen(kiosk: Kiosk) -> None:
    open_technician_mode(kiosk)
    kiosk.robot.click("techNavTests")
    idle_s = kiosk.runtime.config.technician.idle_s
    kiosk.clock.advance(idle_s - 1)
    kiosk.ui.technician.tick()
    assert tech(kiosk, "active")
    kiosk.clock.advance(2)
    kiosk.ui.technician.tick()
    kiosk.robot.wait_for("attractScreen")
    assert not tech(kiosk, "active")
    kiosk.robot.wait_until(lambda: ("leave", "ok") in audit(kiosk), 10)
    path = kiosk.runtime.state_dir / "technician" / "audit.jsonl"
    assert json.loads(path.read_text().splitlines()[-1])["detail"] == "timeout"


def test_the_gesture_does_nothing_during_a_walk_in_session(kiosk: Kiosk) -> None:
    kiosk.robot.click("startButton")
    kiosk.robot.wait_until(lambda: kiosk.ui.session.property("screen") == "ServiceHome")
    for _ in range(5):
        kiosk.ui.technician.cornerTapped()  # not on screen now; even a direct call is refused
    assert not tech(kiosk, "active")


def test_restart_exits_with_the_code_systemd_restarts_on(kiosk: Kiosk) -> None:
    codes: list[int] = []
    kiosk.ui.technician._on_restart = codes.append  # the process exit is the OS edge
    open_technician_mode(kiosk)
    kiosk.robot.click("techNavRestart")
    kiosk.robot.click("techRestartButton")
    assert codes == [75]
    assert ("restart", "ok") in audit(kiosk)


def test_the_pin_pad_shows_the_lockout_after_five_wrong_pins(kiosk: Kiosk) -> None:
    robot = kiosk.robot
    for _ in range(5):
        robot.click("technicianCorner")
    robot.wait_for("technicianPinScreen")
    for attempt in range(5):
        type_pin(kiosk, "1357")
        robot.wait_until(
            lambda n=attempt: len(audit(kiosk)) == n + 1 and not tech(kiosk, "busy"), 10
        )
    robot.wait_until(lambda: tech(kiosk, "lockedMinutes") == 15)
    assert "15" in str(tech(kiosk, "pinMessage"))
    assert not robot.find("pinEnter").isEnabled()
    assert [o for _, o in audit(kiosk)] == ["refused"] * 4 + ["locked_out"]
    robot.click("pinCancelButton")
    robot.wait_for("attractScreen")
    # Coming back does not reset it: the pad opens locked.
    for _ in range(5):
        robot.click("technicianCorner")
    robot.wait_for("technicianPinScreen")
    assert tech(kiosk, "lockedMinutes") == 15


def test_leaving_waits_for_a_running_device_test(
    qapp: object, tmp_path: Path, hall_server: HallServer
) -> None:
    """Exit (or the timeout) during a card test returns to the attract screen only when the test
    ends, so the next walk-in's card read never shares the reader with it."""
    runtime = KioskRuntime(demo_config(tmp_path / "kiosk", hall_server.url, "zh_CN", False))
    bg, clock = HeldBackground(), FakeClock()
    bridge = TechnicianBridge(runtime, bg, clock=clock)
    try:
        for _ in range(5):
            bridge.cornerTapped()
        for digit in DEMO_TECHNICIAN_PIN:
            bridge.pinDigit(digit)
        bridge.pinSubmit()
        bg.release()
        assert bridge.property("screen") == "Health"
        bridge.show("Tests")
        bridge.runCardTest()
        bridge.leave()
        assert bridge.property("active")  # the card read is still waiting
        bg.release()
        assert not bridge.property("active")
        assert bridge.property("results")["card"]["state"] == "idle"
    finally:
        bridge.close()
        runtime.close()
