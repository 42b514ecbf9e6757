"""The kiosk's start path (`main.py kiosk`): the attract screen is drawn from the display settings
alone, with no pydantic imported; the config is validated and the runtime built right after the
first frame. A bad config still stops the kiosk with exit code 2 and one message, and every
screen works on a runtime attached after the window exists.

The in-process tests build the window exactly as ``main.kiosk_ui`` does for `main.py kiosk` and
then replay scenarios of the journey, UI and consult tests on it.
"""

from __future__ import annotations

import dataclasses
import inspect
import json
import os
import subprocess
import sys
import typing
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

import main as kiosk_main
import tests.journeys.test_walk_in as walk_in
import tests.ui.test_bridges as bridges
import tests.ui.test_consult as consult
import tests.ui.test_technician_ui as technician
from hall.server import HallServer
from kiosk.config import CardReaderConfig, Language, UiConfig, parse_config
from kiosk.display_settings import (
    KEYS,
    LANGUAGES,
    DisplaySettings,
    disagreements,
    from_config,
    peek,
)
from kiosk.technician.pin import DEMO_PIN_HASH
from tests.hall.helpers import enrol_station
from tests.support.clock import FakeClock
from tests.support.robot import Robot
from tests.ui.conftest import Kiosk
from ui.app import KioskUi

ROOT = Path(__file__).resolve().parents[2]
QT_ENV = {
    "QT_QPA_PLATFORM": "offscreen",
    "QT_QUICK_BACKEND": "software",
    "QT_IM_MODULE": "qtvirtualkeyboard",
}


# -- the display settings: what the first frame reads of the config ------------------------------
def test_peek_defaults_are_the_config_models_defaults() -> None:
    ui, reader = UiConfig(), CardReaderConfig()
    default = DisplaySettings()
    assert (default.language, default.care_mode, default.fullscreen) == (
        ui.language,
        ui.care_mode,
        ui.fullscreen,
    )
    assert default.card_reader == reader.backend
    assert typing.get_args(Language) == LANGUAGES
    assert peek({}) == default


def test_peek_reads_what_the_validated_config_says() -> None:
    _, data = kiosk_main._config_data(
        kiosk_main.EXAMPLE_CONFIG,
        {"ui.language": "en_US", "ui.care_mode": True, "ui.fullscreen": False},
    )
    data["devices"]["card_reader"] = {"backend": "pcsc_virtual"}  # type: ignore[index]
    shown = peek(data)
    assert shown == from_config(parse_config(data))
    assert shown.card_reader == "pcsc_virtual" and shown.language == "en_US" and shown.care_mode


def test_a_value_the_models_convert_is_a_disagreement() -> None:
    assert set(KEYS) == {f.name for f in dataclasses.fields(DisplaySettings)}
    _, data = kiosk_main._config_data(kiosk_main.EXAMPLE_CONFIG)
    assert disagreements(data, parse_config(data)) == []
    data["ui"] = {"care_mode": 1, "fullscreen": "no"}
    assert [line.split(" (")[0] for line in disagreements(data, parse_config(data))] == [
        "ui.care_mode: write it as true",
        "ui.fullscreen: write it as false",
    ]


@pytest.mark.parametrize(
    "data",
    [
        {"ui": {"language": "de", "care_mode": "yes", "fullscreen": 1}},
        {"ui": "zh_CN", "station": ["x"], "devices": {"card_reader": "pcsc"}},
        {"station": {"name": 7}, "devices": {"card_reader": {"backend": None}}},
    ],
)
def test_peek_never_raises_a_wrong_value_reads_as_the_default(data: dict[str, object]) -> None:
    # The full validation right after the first frame reports these; the window must come up.
    assert peek(data) == DisplaySettings()


# -- the start path in a real process -----------------------------------------------------------
def _probe_modules() -> list[str]:
    proc = subprocess.run(
        [sys.executable, "-m", "ui.startup_probe", "app", "--modules"],
        cwd=ROOT,
        env=dict(os.environ, **QT_ENV),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    result = json.loads([line for line in proc.stdout.splitlines() if line.startswith("{")][-1])
    assert result["first_frame_s"] > 0
    modules: list[str] = result["modules"]
    return modules


def test_no_pydantic_config_or_runtime_before_the_first_frame() -> None:
    modules = _probe_modules()
    assert "ui.app" in modules and "kiosk.display_settings" in modules  # the dump is real
    early = [
        m
        for m in modules
        if m.split(".")[0] in ("pydantic", "pydantic_core", "cv2", "numpy", "requests")
        or m in ("kiosk.config", "kiosk.runtime", "offline_queue.outbox", "kiosk.session.flow")
    ]
    assert early == [], f"imported before the first frame: {early}"


def _run_kiosk(config: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(ROOT / "main.py"), "kiosk", "--config", str(config)],
        cwd=ROOT,
        env=dict(os.environ, **QT_ENV),
        capture_output=True,
        text=True,
        timeout=60,  # a kiosk that does not stop fails here
    )


def _example_with(tmp_path: Path, *replacements: tuple[str, str]) -> Path:
    text = kiosk_main.EXAMPLE_CONFIG.read_text(encoding="utf-8")
    text = text.replace('state_dir = "var/kiosk"', f'state_dir = "{tmp_path / "state"}"')
    text = text.replace('render_dir = "var/kiosk/receipts"', f'render_dir = "{tmp_path}"')
    for old, new in replacements:
        assert old in text, old
        text = text.replace(old, new)
    path = tmp_path / "kiosk.toml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("replace", "reason"),
    [
        # The models refuse it; peek() read the default and the window came up first.
        (('language = "zh_CN"', 'language = "de"'), "ui.language: 'de' is not accepted"),
        # The models take it as true, peek() read false: the screen would show the wrong mode.
        (("care_mode = false", 'care_mode = "yes"'), "ui.care_mode: write it as true"),
    ],
)
def test_a_bad_value_stops_the_kiosk_after_the_first_frame(
    tmp_path: Path, replace: tuple[str, str], reason: str
) -> None:
    bad = _example_with(tmp_path, replace)
    proc = _run_kiosk(bad)
    assert proc.returncode == 2, proc.stderr[-3000:]
    assert f"config {bad}: invalid configuration:\n  {reason}" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert not (tmp_path / "state").exists()  # no runtime was built (it makes the folder)


def test_a_file_that_is_not_toml_stops_the_kiosk_before_any_window(tmp_path: Path) -> None:
    bad = _example_with(tmp_path, ("[ui]", "[ui"))
    proc = _run_kiosk(bad)
    assert proc.returncode == 2, proc.stderr[-3000:]
    assert proc.stderr.startswith(f"config {bad}: ")
    assert "Traceback" not in proc.stderr


# -- every screen on a runtime attached after the first frame -------------------------------------
@pytest.fixture
def late_kiosk(qapp: object, tmp_path: Path, hall_server: HallServer) -> Iterator[Kiosk]:
    """The kiosk as `main.py kiosk` builds it (``main.kiosk_ui``), enrolled at a real hall."""
    state = tmp_path / "kiosk"
    enrol_station(hall_server, "SND-SS-001", state_dir=state)
    path, data = kiosk_main._config_data(
        kiosk_main.EXAMPLE_CONFIG,
        {
            "paths.state_dir": str(state),
            "ui.fullscreen": False,
            "devices.card_reader.options": {"read_delay_s": 0},
            "devices.printer.options": {"port": 0, "render_dir": str(state / "receipts")},
            "technician.pin_hash": DEMO_PIN_HASH,
            "technician.export_dir": str(state / "usb"),
        },
    )
    assert data["hall"] == {"url": hall_server.url, "timeout_s": 5.0, "token": ""}  # enrolment's
    ui = kiosk_main.kiosk_ui(path, data)
    # Nothing of the runtime until the first frame is on the glass.
    assert ui.runtime is None and ui.flow is None
    assert ui.window.property("uiReady") is False
    assert ui.engine.rootContext().contextProperty("assist") == {
        "available": False,
        "active": False,
    }
    assert ui.status.property("devices") == []
    for _ in range(5):  # the technician gesture opens nothing without the runtime
        ui.technician.cornerTapped()
    assert ui.technician.property("active") is False
    robot = Robot(ui.window)
    try:
        robot.wait_until(lambda: ui.runtime is not None, 20)
        runtime = ui.runtime
        assert runtime is not None
        assert runtime.ready.wait(20) and runtime.start_error is None
        yield Kiosk(ui, runtime, robot, FakeClock(), hall_server)
    finally:
        ui.close()
        if ui.runtime is not None:
            ui.runtime.close()


def test_the_runtime_and_its_bridges_arrive_after_the_first_frame(late_kiosk: Kiosk) -> None:
    k, ctx = late_kiosk, late_kiosk.ui.engine.rootContext()
    assert k.ui.window.property("uiReady") is True
    for name, bridge in (
        ("assist", k.ui.assist),
        ("capture", k.ui.capture),
        ("summary", k.ui.summary),
        ("qrScan", k.ui.qr_scan),
    ):
        assert ctx.contextProperty(name) is bridge, name
    assert k.ui.flow is not None and k.ui.technician._runtime is k.runtime
    # The keyboard and remote help load now; the status bar shows the devices, help is offered.
    k.robot.wait_until(lambda: bool(k.robot.items("inputPanel")), 10)
    k.robot.wait_until(lambda: len(k.ui.status.property("devices")) == 4, 10)  # and the voice
    assert k.ui.assist.property("available") is True


# Scenarios of the journey, UI and consult tests: together they show every screen.
SCENARIOS: dict[str, Callable[..., None]] = {
    "walk-in journey": walk_in.test_walk_in_files_the_bundle_and_leaves_nothing_behind,
    "screens follow the session": bridges.test_screens_follow_the_session,
    "receipt QR in front of the camera": consult.test_receipt_qr_code_in_front_of_the_camera,
    "Q&A and remote help": consult.test_qa_search_by_pinyin_and_remote_help_when_nothing_answers,
    "technician mode": (
        technician.test_gesture_and_pin_open_technician_mode_and_it_shows_no_personal_data
    ),
}


@pytest.mark.parametrize("scenario", list(SCENARIOS))
def test_every_screen_works_on_the_late_runtime(
    late_kiosk: Kiosk, tmp_path: Path, scenario: str
) -> None:
    run = SCENARIOS[scenario]
    if "tmp_path" in inspect.signature(run).parameters:
        run(late_kiosk, tmp_path)
    else:
        run(late_kiosk)


def test_kiosk_ui_takes_a_runtime_or_a_loader_not_both(qapp: object) -> None:
    with pytest.raises(TypeError, match="runtime or a load_runtime"):
        KioskUi()
