"""The capture screen over the simulated document camera: hints, unplug, retake, cancel."""

from __future__ import annotations

import numpy as np

from drivers.camera.scenes import document_scene
from tests.ui.conftest import Kiosk


def open_capture(k: Kiosk) -> None:
    k.robot.click("startButton")
    k.robot.wait_until(lambda: k.ui.session.property("screen") == "ServiceHome")
    k.robot.click("service_company_startup_power")
    k.robot.click("capture_premises_proof")
    k.robot.wait_until(lambda: k.ui.session.property("screen") == "Capture")


def test_too_dark_page_gets_a_hint_and_no_capture(kiosk: Kiosk) -> None:
    kiosk.runtime.camera.show(document_scene(np.random.default_rng(7), 1280, 720, gain=0.12))
    open_capture(kiosk)
    capture = kiosk.ui.capture
    kiosk.robot.wait_until(lambda: capture.property("hint") == "太暗了：请把材料移到光线充足处", 10)
    assert not capture.property("hasCapture")
    assert "太暗了：请把材料移到光线充足处" in kiosk.robot.texts()


def test_unplugged_camera_says_so_and_lets_the_walk_in_go_back(kiosk: Kiosk) -> None:
    open_capture(kiosk)
    capture = kiosk.ui.capture
    kiosk.robot.wait_until(lambda: capture.property("frameNo") > 0, 10)
    kiosk.runtime.camera.unplug()
    kiosk.robot.wait_until(lambda: capture.property("errorCode") == "CAMERA_UNAVAILABLE", 10)
    assert "摄像头暂时无法使用" in kiosk.robot.texts()
    kiosk.robot.click("captureCancelButton")
    kiosk.robot.wait_until(lambda: kiosk.ui.session.property("screen") == "Form")
    assert kiosk.ui.flow.context.attachments == {}


def test_retake_then_use(kiosk: Kiosk) -> None:
    open_capture(kiosk)
    capture = kiosk.ui.capture
    kiosk.robot.wait_until(lambda: capture.property("hasCapture"), 15)
    kiosk.robot.click("retakeButton")
    assert not capture.property("hasCapture")
    kiosk.robot.click("shutterButton")  # the manual shutter takes the next frame as it is
    kiosk.robot.wait_until(lambda: capture.property("hasCapture"), 15)
    kiosk.robot.click("usePhotoButton")
    kiosk.robot.wait_until(lambda: kiosk.ui.session.property("screen") == "Form")
    assert bytes(kiosk.ui.flow.context.attachments["premises_proof"][:2]) == b"\xff\xd8"
    rows = {r["id"]: r for r in kiosk.ui.session.property("materials")}
    assert rows["premises_proof"]["captured"] is True
