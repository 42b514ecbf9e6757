"""Issue 14, finding 10: the Pinyin keyboard learned a walk-in's name and offered it to the next
walk-in, also after a restart (Qt Virtual Keyboard's user dictionary under XDG_CONFIG_HOME); and
what one walk-in copied could be pasted by the next. Driven through the real QML keyboard.
"""

from __future__ import annotations

import os
import pwd
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QClipboard, QGuiApplication
from PySide6.QtTest import QTest

from hall.server import HallServer
from tests.journeys.pinyin import PinyinTyper
from tests.support.robot import Robot
from tests.ui.conftest import Kiosk, make_kiosk
from ui import config_home
from ui.app import prepare_environment

RARE_NAME, PINYIN, PIECES = "褚诗甦", "chushisu", ["褚", "诗", "甦"]
MOBILE = "13912345678"


@pytest.fixture
def private_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The kiosk's environment as main.py prepares it, with HOME and the runtime dir in tmp."""
    run = tmp_path / "run"
    run.mkdir(mode=0o700)
    (tmp_path / "home").mkdir()
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(run))
    monkeypatch.delenv("RUNTIME_DIRECTORY", raising=False)
    monkeypatch.delenv("XDG_CONFIG_HOME", raising=False)  # restored after the test
    # The Pinyin engine reads XDG_CONFIG_HOME whenever it opens its user dictionary, so calling
    # this after pytest-qt's application exists still governs where the dictionary goes.
    prepare_environment()
    try:
        yield tmp_path
    finally:
        config_home.release()


@pytest.fixture
def private_kiosk(qapp: object, private_env: Path, hall_server: HallServer) -> Iterator[Kiosk]:
    ui, runtime, clock = make_kiosk(private_env, hall_server)
    try:
        yield Kiosk(ui, runtime, Robot(ui.window), clock, hall_server)
    finally:
        ui.close()
        runtime.close()


def start_form(k: Kiosk) -> None:
    k.robot.wait_until(lambda: bool(k.robot.items("inputPanel")))
    k.robot.click("startButton")
    k.robot.wait_until(lambda: k.ui.session.property("screen") == "ServiceHome", 10)
    k.robot.click("service_company_startup_power")
    k.robot.wait_until(lambda: k.ui.session.property("screen") == "Form", 10)


def form_value(k: Kiosk, name: str) -> str:
    assert k.ui.flow is not None
    return str(k.ui.flow.context.values.get(name, ""))


def walk_away(k: Kiosk) -> None:
    """The walk-in leaves: the idle timeout ends the session and the kiosk wipes it."""
    timeouts = k.runtime.config.timeouts
    k.clock.advance(timeouts.idle_s + 1)
    k.robot.wait_until(lambda: k.robot.find("timeoutOverlay").isVisible())
    k.clock.advance(timeouts.warning_s)
    k.robot.wait_until(lambda: k.ui.session.property("screen") == "Attract", 10)


def files_holding(roots: list[Path], secret: str) -> list[Path]:
    """Every file under ``roots`` whose bytes hold ``secret`` in UTF-8 or UTF-16 (either order)."""
    needles = [secret.encode(enc) for enc in ("utf-8", "utf-16-le", "utf-16-be")]
    hits = []
    for root in roots:
        for path in root.rglob("*") if root.is_dir() else []:
            if path.is_file() and not path.is_symlink():
                data = path.read_bytes()
                if any(n in data for n in needles):
                    hits.append(path)
    return hits


def test_pinyin_keyboard_does_not_learn_a_walk_ins_name(
    private_kiosk: Kiosk, private_env: Path
) -> None:
    k = private_kiosk
    # Where this process's Pinyin engine may have opened its dictionary before this test.
    real_config = Path(pwd.getpwuid(os.getuid()).pw_dir) / ".config" / "qtvirtualkeyboard"
    typer = PinyinTyper(k.ui.engine)
    try:
        start_form(k)
        k.robot.click("field_company_name")
        typer.compose(PINYIN, PIECES)  # 褚, then 诗, then 甦: the dictionary knows no such word
        assert form_value(k, "company_name") == RARE_NAME
        walk_away(k)

        # Nothing on disk holds the name: not the config home, the kiosk's state folder, $HOME.
        assert files_holding([private_env, real_config], RARE_NAME) == []

        # The next walk-in types the same pinyin: the name is not offered.
        start_form(k)
        k.robot.click("field_company_name")
        offered = typer.offered(PINYIN)
        assert offered and RARE_NAME not in offered, offered[:5]
        typer.drop()
        walk_away(k)
        assert files_holding([private_env, real_config], RARE_NAME) == []
        # Qt's config home is the kiosk's own folder in memory, private and emptied at the end.
        home = Path(os.environ["XDG_CONFIG_HOME"])
        assert home.is_relative_to(private_env / "run")
        assert home.stat().st_mode & 0o777 == 0o700
        assert list(home.iterdir()) == []
    finally:
        typer.close()


def press(k: Kiosk, key: Qt.Key, modifiers: Qt.KeyboardModifier) -> None:
    QTest.keyClick(k.ui.window, key, modifiers)
    k.robot.settle()


def test_nothing_copied_in_one_session_can_be_pasted_in_the_next(private_kiosk: Kiosk) -> None:
    k = private_kiosk
    clipboard = QGuiApplication.clipboard()
    start_form(k)
    k.robot.type_into("field_mobile", MOBILE)
    assert form_value(k, "mobile") == MOBILE
    # A keyboard on the kiosk's USB port: select all, copy, cut.
    ctrl = Qt.KeyboardModifier.ControlModifier
    press(k, Qt.Key.Key_A, ctrl)
    press(k, Qt.Key.Key_C, ctrl)
    press(k, Qt.Key.Key_X, ctrl)
    assert MOBILE not in clipboard.text()  # a personal field gives nothing to the clipboard
    assert form_value(k, "mobile") == MOBILE  # ... and cut removes nothing
    # Whatever reached the clipboard anyway (the X11 selection, another window) ends with the
    # session.
    clipboard.setText(RARE_NAME, QClipboard.Mode.Clipboard)
    walk_away(k)
    assert clipboard.text(QClipboard.Mode.Clipboard) == ""
    if clipboard.supportsSelection():
        assert clipboard.text(QClipboard.Mode.Selection) == ""

    # The next walk-in pastes into the same field: nothing arrives.
    start_form(k)
    k.robot.click("field_mobile")
    press(k, Qt.Key.Key_V, ctrl)
    assert form_value(k, "mobile") == ""
    assert k.robot.find("field_mobile").property("text") == ""
