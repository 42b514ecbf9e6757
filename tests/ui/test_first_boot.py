"""The first-boot enrolment screen (QML offscreen) against a real hall: a wrong code is refused
in words with its fault code, a good one enrols the terminal, and "Start" hands over to the
kiosk."""

from __future__ import annotations

import json
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from contracts.clock import SYSTEM_CLOCK
from hall.enrolment import EnrolmentStore
from hall.server import HallServer
from hall.store import SubmissionStore
from kiosk.device_identity import load_identity
from tests.support.robot import Robot
from ui.first_boot import FirstBootUi

WAIT_MS = 10_000  # bounds how long a broken test takes to fail; never a speed requirement


def make_code(hall: HallServer) -> str:
    store = SubmissionStore(hall.db_path)
    try:
        issued = EnrolmentStore(store.engine, SYSTEM_CLOCK).create_code(
            "SND-SS-002", "test", station_name="狮山街道第二站"
        )
        return issued.code
    finally:
        store.close()


@pytest.fixture
def first_boot(qapp: object, tmp_path: Path) -> Iterator[tuple[FirstBootUi, HallServer, Robot]]:
    with HallServer(tmp_path / "hall" / "hall.db") as hall:
        ui = FirstBootUi(tmp_path / "kiosk", hall_url=hall.url, language="zh_CN")
        try:
            yield ui, hall, Robot(ui.window)
        finally:
            ui.close()


def test_a_wrong_code_is_refused_then_a_good_one_enrols(
    qtbot: QtBot, tmp_path: Path, first_boot: tuple[FirstBootUi, HallServer, Robot]
) -> None:
    ui, hall, robot = first_boot
    assert robot.find("hallUrlField").property("text") == hall.url
    assert not robot.find("enrolButton").property("enabled")  # nothing typed yet
    robot.type_into("codeField", "ABCD-EFGH-JKMN-PQRS")
    robot.click("enrolButton")
    qtbot.waitUntil(lambda: ui.enrolment.phase == "failed", timeout=WAIT_MS)
    robot.settle()
    texts = robot.texts()
    assert "大厅不认识这个登记码" in texts
    assert "故障代码：ENROL_CODE_UNKNOWN" in texts
    assert not (tmp_path / "kiosk" / "keys" / "device.json").exists()

    robot.click("retryButton")
    code = make_code(hall)
    robot.find("codeField").setProperty("text", "")
    robot.type_into("codeField", code.lower())  # typed in lower case: still the code
    robot.click("enrolButton")
    qtbot.waitUntil(lambda: ui.enrolment.phase == "done", timeout=WAIT_MS)
    robot.settle()
    assert "站点：狮山街道第二站（SND-SS-002）" in robot.texts()
    assert code not in " ".join(robot.texts())  # the code is not kept on screen
    identity = load_identity(tmp_path / "kiosk")
    assert identity is not None and identity.credential.station_id == "SND-SS-002"
    station = json.loads((tmp_path / "kiosk" / "station.json").read_text(encoding="utf-8"))
    assert station["hall"]["url"] == hall.url
    for name in ("keys/device.key", "keys/device.json", "station.json"):
        assert stat.S_IMODE((tmp_path / "kiosk" / name).stat().st_mode) == 0o600

    with qtbot.waitSignal(ui.enrolment.finished, timeout=WAIT_MS):
        robot.click("startButton")
    assert ui.enrolment.succeeded


def test_the_screen_switches_to_english(
    qtbot: QtBot, first_boot: tuple[FirstBootUi, HallServer, Robot]
) -> None:
    _ui, _hall, robot = first_boot
    assert "设置本终端" in robot.texts()
    robot.click("languageButton")
    assert "Set up this terminal" in robot.texts()
    assert "Enrol this terminal" in robot.texts()


def test_main_kiosk_enrols_at_first_boot_then_starts_signed(qapp: object, tmp_path: Path) -> None:
    """`main.py kiosk` with a config naming no station: the enrolment window, then the kiosk,
    whose first heartbeat reaches the hall signed by the new device."""
    import argparse
    import sys

    from PySide6.QtCore import QTimer
    from PySide6.QtGui import QGuiApplication
    from sqlalchemy import select

    from hall.fleet import station_health

    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    import main

    app = QGuiApplication.instance()
    assert isinstance(app, QGuiApplication)
    seen: list[str] = []

    def heartbeat_arrived(hall: HallServer) -> bool:
        store = SubmissionStore(hall.db_path)
        try:
            with store.engine.connect() as conn:
                return conn.execute(select(station_health.c.station_id)).first() is not None
        finally:
            store.close()

    with HallServer(tmp_path / "hall" / "hall.db") as hall:
        code = make_code(hall)
        config = tmp_path / "kiosk.toml"
        config.write_text(
            f'[hall]\nurl = "{hall.url}"\n[paths]\nstate_dir = "{tmp_path / "state"}"\n'
            "[ui]\nfullscreen = false\n[devices.printer]\noptions = { port = 0 }\n",
            encoding="utf-8",
        )

        def enrol() -> None:
            windows = [w for w in app.topLevelWindows() if w.objectName() == "firstBootWindow"]
            if not windows:
                QTimer.singleShot(50, enrol)
                return
            seen.append("firstBootWindow")
            robot = Robot(windows[0])  # type: ignore[arg-type]
            robot.find("codeField").setProperty("text", code)
            robot.click("enrolButton")
            robot.wait_until(lambda: bool(robot.visible_items("startButton")), 10)
            robot.click("startButton")
            QTimer.singleShot(50, kiosk_up)

        def kiosk_up() -> None:
            names = [w.objectName() for w in app.topLevelWindows()]
            if "mainWindow" in names and heartbeat_arrived(hall):
                seen.append("mainWindow")
                app.quit()
            else:
                QTimer.singleShot(100, kiosk_up)

        QTimer.singleShot(0, enrol)
        QTimer.singleShot(60_000, app.quit)  # bounds a broken run; never a speed requirement
        assert main.cmd_kiosk(argparse.Namespace(config=config)) == 0
    assert seen == ["firstBootWindow", "mainWindow"]
