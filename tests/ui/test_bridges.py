"""The bridges and the QML they drive: screens follow the session, language, care mode, status."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from PySide6.QtCore import QTranslator

from kiosk.errors import FailureReason
from kiosk.masking import mask_id_number, mask_name
from tests.ui.conftest import Kiosk
from ui.bridge.failures import field_error_text, known_codes
from ui.i18n.build import TS_FILES, ensure_compiled


def wait_screen(k: Kiosk, screen: str) -> None:
    k.robot.wait_until(lambda: k.ui.session.property("screen") == screen)


def test_screens_follow_the_session(kiosk: Kiosk) -> None:
    s = kiosk.ui.session
    assert s.property("screen") == "Attract"
    kiosk.robot.click("startButton")
    wait_screen(kiosk, "ServiceHome")  # the simulated card is read on a worker thread
    assert s.property("greetingName") == "张*丰"
    kiosk.robot.click("service_company_startup_power")
    wait_screen(kiosk, "Form")
    rows = {r["name"]: r for r in s.property("fields")}
    assert rows["applicant_name"]["value"] == "张三丰"
    assert rows["mobile"]["keyboard"] == "phone"
    kiosk.robot.click("nextButton")
    rows = {r["name"]: r for r in s.property("fields")}
    assert rows["mobile"]["error"] == "必填"
    assert s.property("errorCount") > 0
    kiosk.robot.click("backButton")
    wait_screen(kiosk, "ServiceHome")
    kiosk.robot.click("cancelButton")
    wait_screen(kiosk, "Attract")


def test_language_switch_and_back_to_default_after_the_session(kiosk: Kiosk) -> None:
    robot = kiosk.robot
    assert "点击开始办理" in robot.texts()
    robot.click("languageButton")
    robot.wait_until(lambda: "Touch to start" in robot.texts())
    robot.click("startButton")
    wait_screen(kiosk, "ServiceHome")
    assert any("What would you like to do?" in t for t in robot.texts())
    robot.click("cancelButton")
    wait_screen(kiosk, "Attract")
    # The next walk-in starts in the station's language again.
    robot.wait_until(lambda: "点击开始办理" in robot.texts())


def test_care_mode_enlarges_type(kiosk: Kiosk) -> None:
    robot = kiosk.robot
    button = robot.find("startButton")
    normal = button.property("font").pixelSize()
    robot.click("careModeButton")
    assert kiosk.ui.settings.property("careMode") is True
    larger = robot.find("startButton").property("font").pixelSize()
    assert larger >= 1.4 * normal - 1


def test_timeout_overlay_counts_down_then_wipes(kiosk: Kiosk) -> None:
    robot, clock = kiosk.robot, kiosk.clock
    robot.click("startButton")
    wait_screen(kiosk, "ServiceHome")
    idle_s = kiosk.runtime.config.timeouts.idle_s
    clock.advance(idle_s + 2)
    overlay = robot.find("timeoutOverlay")
    robot.wait_until(lambda: overlay.isVisible())
    assert "秒后将结束本次办理" in " ".join(robot.texts())
    robot.click("continueButton")
    robot.wait_until(lambda: not overlay.isVisible())
    clock.advance(idle_s + kiosk.runtime.config.timeouts.warning_s + 1)
    wait_screen(kiosk, "Attract")
    assert kiosk.ui.flow.context.is_empty()


def test_status_bar_shows_the_hall_and_devices(kiosk: Kiosk) -> None:
    status = kiosk.ui.status
    kiosk.robot.wait_until(lambda: (status.refresh(), status.property("online"))[1])
    names = [d["name"] for d in status.property("devices")]
    kiosk.robot.wait_until(lambda: (status.refresh(), len(status.property("devices")) == 4)[1])
    names = [d["name"] for d in status.property("devices")]
    # The voice too: the demo station speaks (care mode), through the speech simulator.
    assert names == ["card_reader", "printer", "camera", "speaker"]
    assert "已连接服务大厅" in kiosk.robot.texts()


def test_every_failure_code_has_words() -> None:
    assert {r.value for r in FailureReason} <= known_codes()


def test_every_string_is_translated_to_chinese(qapp: object) -> None:
    for ts in TS_FILES:
        root = ET.parse(ts).getroot()
        unfinished = [
            m.findtext("source")
            for m in root.iter("message")
            if (t := m.find("translation")) is None
            or t.get("type") in ("unfinished", "vanished", "obsolete")
        ]
        assert unfinished == [], f"{ts.name}: untranslated {unfinished}"
    ensure_compiled()
    translator = QTranslator()
    assert translator.load(str(Path(TS_FILES[0]).with_suffix(".qm")))
    assert translator.translate("Failure", "No card found") == "未检测到证件"


def test_field_errors_are_words(qapp: object) -> None:
    assert field_error_text("mobile_invalid") == "Enter an 11-digit mobile number"


def test_mask_id_number() -> None:
    assert mask_id_number("11010519491231002X") == "110105********002X"


def test_mask_name() -> None:
    assert mask_name("张三丰") == "张*丰"
    assert mask_name("李四") == "李*"
    assert mask_name("欧阳娜娜") == "欧**娜"
