"""Care mode speaks (issue 19), through the real QML with the speech simulator: every screen
walked by the screenshot staging says nothing of the walk-in's own data; a whole filing is heard
in order (the card prompt, each screen, the marked fields, the receipt's tracking number spelled
out, 重听); normal mode is silent but for 朗读; the technician turns the volume down."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from contracts.clock import SYSTEM_CLOCK
from drivers.errors import CardReadFailed, MrzRequired
from drivers.speech.simulator import SimulatedSpeaker, clear_transcript, transcript
from hall.server import HallServer
from kiosk.runtime import KioskRuntime
from kiosk.speech_script import (
    PrivacyGuard,
    SpeechLanguage,
    countdown_warning,
    fix_marked,
    screen_line,
    spell,
)
from kiosk.technician.pin import DEMO_PIN as DEMO_TECHNICIAN_PIN
from tests.support.background import HeldBackground
from tests.support.clock import FakeClock
from tests.support.robot import Robot
from tests.support.screenshots import (
    BUNDLE_ANSWERS,
    _render_assist,
    _render_capture,
    _render_consult,
    _render_delivery,
    _render_failures,
    _render_technician,
    demo_config,
)
from tests.ui.conftest import Kiosk, make_kiosk
from ui.app import KioskUi

NAME, ID_NUMBER, MOBILE = "张三丰", "11010519491231002X", "13912345678"
# What the walk-in typed or the card gave: none of it may ever be heard.
SECRETS = (
    NAME,
    "张*丰",
    "三丰",
    ID_NUMBER,
    "110105",
    MOBILE,
    "1234 5678",
    *BUNDLE_ANSWERS.values(),
)


def wait_screen(k: Kiosk, screen: str) -> None:
    k.robot.wait_until(lambda: k.ui.session.property("screen") == screen, 10)


@pytest.fixture
def care_kiosk(qapp: object, tmp_path: Path, hall_server: HallServer) -> Iterator[Kiosk]:
    ui, runtime, clock = make_kiosk(tmp_path, hall_server, care=True)
    try:
        yield Kiosk(ui, runtime, Robot(ui.window), clock, hall_server)
    finally:
        ui.close()
        runtime.close()


def spoken(k: Kiosk) -> list[str]:
    speaker = k.runtime.part("speaker")
    assert isinstance(speaker, SimulatedSpeaker)
    return speaker.texts()


def assert_in_order(said: list[str], expected: list[str]) -> None:
    """Each expected piece is in an utterance after the one that held the piece before."""
    at = 0
    for piece in expected:
        found = next((i for i in range(at, len(said)) if piece in said[i]), None)
        assert found is not None, f"{piece!r} not said after utterance {at}: {said}"
        at = found + 1


def assert_nothing_personal(said: list[str]) -> None:
    for text in said:
        for secret in SECRETS:
            assert secret not in text, f"{secret!r} was said aloud"


def walk_every_screen(
    ui: KioskUi, robot: Robot, bg: HeldBackground, runtime: KioskRuntime, supplement: bool
) -> None:
    """The screenshot staging's walk (tests/support/screenshots.py), the service chosen by the
    session rather than by a tap (the tile may be below the fold in care mode): card faults,
    the bundle with its photo and EMS address, the receipt, the timeout, failures, the
    consultations, 补正's first screen (not in English care mode: its tile is below the fold
    there), remote help and technician mode."""
    flow = ui.flow
    assert flow is not None

    def settle(_name: str) -> None:
        robot.settle(5)

    robot.wait_until(lambda: runtime.status().online, 5)
    robot.click("startButton")
    runtime.reader.inject_fault(CardReadFailed)
    bg.release()
    settle("")
    flow._on_card_error(MrzRequired())  # as the staging does: a passport chip's MRZ key
    settle("")
    flow.retry_card()
    bg.release()
    settle("")
    flow.choose_service("company_startup_power")
    robot.click("nextButton")
    settle("")
    for name, value in BUNDLE_ANSWERS.items():
        flow.set_field(name, value)
    flow.set_field("enterprise_type", "llc")
    _render_capture(ui, robot, runtime, settle)
    robot.click("nextButton")
    _render_delivery(ui, robot, settle)
    robot.click("confirmButton")
    settle("")
    bg.release()  # queue the submission -> printing
    settle("")
    bg.release()
    settle("")
    robot.click("finishButton")
    robot.click("startButton")
    bg.release()
    flow.choose_service("enterprise_demand")
    flow.set_field("mobile", MOBILE)
    clock = ui._clock
    assert isinstance(clock, FakeClock)
    clock.advance(runtime.config.timeouts.idle_s * 2 + 3)
    ui.session._tick()
    settle("")
    robot.click("continueButton")
    _render_failures(ui, robot, bg, runtime, settle)
    _render_consult(ui, robot, bg, runtime, settle)
    if supplement:
        robot.click("startButton")
        bg.release()  # the simulator's card is read
        robot.click("supplementTile")
        settle("")
        ui.session.cancel()
    _render_assist(ui, robot, bg, settle)
    _render_technician(ui, robot, bg, runtime, settle)


@pytest.mark.parametrize("language", ["zh_CN", "en_US"])
def test_every_screen_in_care_mode_says_nothing_personal(
    qapp: object, tmp_path: Path, hall_server: HallServer, language: str
) -> None:
    from tests.hall.helpers import enrol_station

    lang: SpeechLanguage = "zh" if language == "zh_CN" else "en"
    clear_transcript()
    state = tmp_path / "care"
    enrol_station(hall_server, "SND-SS-001", state_dir=state)
    runtime = KioskRuntime(demo_config(state, hall_server.url, language, True))
    bg, clock = HeldBackground(), FakeClock(SYSTEM_CLOCK.now())
    ui = KioskUi(runtime, background=bg, clock=clock)
    try:
        walk_every_screen(ui, Robot(ui.window), bg, runtime, supplement=lang == "zh")
    finally:
        ui.close()
        runtime.close()
    said = [u.text for u in transcript()]
    assert_nothing_personal(said)
    assert {u.language for u in transcript()} == {lang}
    for screen in (
        "Identify",
        "ServiceHome",
        "Form",
        "Capture",
        "Review",
        "Delivery",
        "Submitting",
        "Error",
        "Progress",
        "Policies",
        "Qa",
        *(("Supplement",) if lang == "zh" else ()),
    ):
        assert any(screen_line(screen, lang) in t for t in said), screen
    assert any(spell("SND-SS-001", lang) in t for t in said)  # the receipt's number
    assert any(countdown_warning(37, lang)[:12] in t for t in said)  # the countdown
    assert any(fix_marked(lang) in t for t in said)  # the form's marked fields


def test_a_whole_filing_in_care_mode_is_heard_in_order(care_kiosk: Kiosk) -> None:
    k, robot = care_kiosk, care_kiosk.robot
    flow = k.ui.flow
    assert flow is not None
    robot.click("startButton")
    wait_screen(k, "ServiceHome")
    robot.wait_until(lambda: screen_line("ServiceHome", "zh") in spoken(k)[-1])
    # The tile's own slot: in care mode the tile may be below the fold.
    k.ui.session.chooseService("company_startup_power")
    wait_screen(k, "Form")
    robot.wait_until(lambda: screen_line("Form", "zh") in spoken(k)[-1])
    robot.click("nextButton")  # nothing typed yet: the fields are marked in red
    robot.wait_until(lambda: any("标红" in t for t in spoken(k)))
    for name, value in BUNDLE_ANSWERS.items():
        flow.set_field(name, value)
    flow.set_field("enterprise_type", "llc")
    robot.click("capture_premises_proof")
    wait_screen(k, "Capture")
    robot.wait_until(lambda: k.ui.capture.property("hasCapture"), 15)
    robot.click("usePhotoButton")
    wait_screen(k, "Form")
    robot.click("nextButton")
    wait_screen(k, "Review")
    robot.click("confirmButton")
    wait_screen(k, "Receipt")
    robot.wait_until(lambda: k.ui.session.property("printStatus") == "printed", 10)
    tracking = k.ui.session.property("trackingNumber")
    robot.wait_until(lambda: any(spell(tracking, "zh") in t for t in spoken(k)))
    robot.click("speechButton")  # 重听: the receipt again, the number with it
    said = spoken(k)
    assert said[-1] == said[-2] and spell(tracking, "zh") in said[-1]
    assert_in_order(
        said,
        [
            "请把身份证平放在读卡区。",  # the card-reader prompt
            screen_line("ServiceHome", "zh"),
            screen_line("Form", "zh"),
            "请改正标红的内容后继续。",
            screen_line("Capture", "zh"),
            screen_line("Form", "zh"),
            screen_line("Review", "zh"),
            "您的申请已受理。受理编号是：" + spell(tracking, "zh"),
            "您的申请已受理。",  # 重听
        ],
    )
    assert_nothing_personal(said)
    assert all(u.language == "zh" for u in transcript()[-len(said) :])
    robot.click("finishButton")
    wait_screen(k, "Attract")
    speaker = k.runtime.part("speaker")
    stops = speaker.stops
    robot.click("startButton")
    wait_screen(k, "ServiceHome")
    robot.click("speechButton")  # the next walk-in's 重听 has nothing of the last one's
    assert spell(tracking, "zh") not in spoken(k)[-1]
    assert stops >= 1


def test_the_countdown_warning_is_heard(care_kiosk: Kiosk) -> None:
    k = care_kiosk
    k.robot.click("startButton")
    wait_screen(k, "ServiceHome")
    timeouts = k.runtime.config.timeouts
    k.clock.advance(2 * timeouts.idle_s + 1)  # care mode doubles the timeouts
    k.robot.wait_until(lambda: k.robot.find("timeoutOverlay").isVisible())
    k.robot.wait_until(lambda: "您还在吗？" in spoken(k)[-1])
    assert f"{int(2 * timeouts.warning_s) - 1}秒" in spoken(k)[-1]


def test_normal_mode_speaks_only_when_asked(kiosk: Kiosk) -> None:
    k, robot = kiosk, kiosk.robot
    robot.click("startButton")
    wait_screen(k, "ServiceHome")
    assert spoken(k) == []
    robot.click("speechButton")  # 朗读
    robot.wait_until(lambda: spoken(k) == [screen_line("ServiceHome", "zh")])
    # The tile's own slot: in care mode the tile may be below the fold.
    k.ui.session.chooseService("company_startup_power")
    wait_screen(k, "Form")
    robot.click("languageButton")
    assert spoken(k) == [screen_line("ServiceHome", "zh")]  # still silent by itself
    # Care mode switched on mid-session reads this screen at once, in the session's language.
    robot.click("careModeButton")
    robot.wait_until(lambda: spoken(k)[-1] == screen_line("Form", "en"))
    assert k.runtime.part("speaker").spoken[-1].language == "en"


def test_the_technician_sets_the_volume_and_it_is_kept(kiosk: Kiosk) -> None:
    k, robot = kiosk, kiosk.robot
    speaker = k.runtime.part("speaker")
    assert speaker.volume == k.runtime.config.speech.volume == 80
    for _ in range(5):  # the hidden gesture, then the PIN (tests/ui/test_technician_ui.py)
        robot.click("technicianCorner")
    robot.wait_for("technicianPinScreen")
    for digit in DEMO_TECHNICIAN_PIN:
        robot.click("pinKey" + digit)
    robot.click("pinEnter")
    robot.wait_for("technicianHealthScreen", 10)
    robot.click("techNavTests")
    robot.click("techVolumeDown")
    robot.click("techVolumeDown")
    robot.wait_until(lambda: speaker.volume == 60)
    robot.click("techSpeechTestButton")
    robot.wait_until(lambda: bool(speaker.spoken))
    assert speaker.spoken[-1].volume == 60
    assert "60 %" in robot.texts()
    from kiosk.technician.speech_volume import load_volume

    assert load_volume(k.runtime.state_dir, 80) == 60  # what the next start uses


def test_care_mode_switched_on_mid_form_applies_everything_at_once(kiosk: Kiosk) -> None:
    k, robot = kiosk, kiosk.robot
    flow = k.ui.flow
    assert flow is not None
    t = k.runtime.config.timeouts
    robot.click("startButton")
    wait_screen(k, "ServiceHome")
    k.ui.session.chooseService("company_startup_power")
    wait_screen(k, "Form")
    k.clock.advance(30)
    assert flow.tick().seconds_left == t.idle_s + t.warning_s - 30
    robot.click("careModeButton")
    # Type, contrast, the running countdown and the voice at once. The tap is a touch: the
    # countdown had its full 110 s again, and those are doubled.
    assert k.ui.settings.property("scale") > 1 and k.ui.settings.care_mode
    assert flow.tick().seconds_left == 2 * (t.idle_s + t.warning_s)
    robot.wait_until(lambda: spoken(k) == [screen_line("Form", "zh")])
    # The warning comes when the doubled idle time has passed, not before.
    k.clock.advance(2 * t.idle_s - 1)
    assert flow.tick().phase == "active"
    k.clock.advance(2)
    assert flow.tick().phase == "warning"
    robot.click("careModeButton")  # and back: normal timeouts, the voice stops
    assert flow.tick().seconds_left == t.idle_s + t.warning_s
    assert k.runtime.part("speaker").stops >= 1


def test_a_station_with_speech_switched_off_never_speaks(
    qapp: object, tmp_path: Path, hall_server: HallServer
) -> None:
    from tests.hall.helpers import enrolled_runtime

    config = demo_config(tmp_path / "kiosk", hall_server.url, "zh_CN", True)
    config = config.model_copy(
        update={"speech": config.speech.model_copy(update={"enabled": False})}
    )
    runtime = enrolled_runtime(config, hall_server, start_sender=False)
    ui = KioskUi(runtime, clock=FakeClock())
    robot = Robot(ui.window)
    try:
        robot.click("startButton")
        robot.wait_until(lambda: ui.session.property("screen") == "ServiceHome", 10)
        assert not robot.visible_items("speechButton")
        ui.status.refresh()
        robot.settle()
        assert not robot.visible_items("deviceStatus_speaker")  # no voice expected: none shown
        ui.speech.readAloud()
        robot.settle(5)
        assert runtime.part("speaker").texts() == []
    finally:
        ui.close()
        runtime.close()


def _voice_shown(k: Kiosk) -> str:
    k.ui.status.refresh()
    k.robot.settle()
    (row,) = k.robot.visible_items("deviceStatus_speaker")
    texts = [str(i.property("text")) for i in row.childItems() if i.property("text")]
    return texts[0]


def _technician_voice(k: Kiosk) -> dict[str, str]:
    from kiosk.technician.service import TechnicianService

    health = TechnicianService(k.runtime, clock=FakeClock()).health()
    voice: dict[str, str] = health["devices"]["speaker"]
    return voice


def test_the_status_bar_shows_the_voice_and_when_it_is_muted(kiosk: Kiosk) -> None:
    k = kiosk
    assert _voice_shown(k) == "语音"
    assert _technician_voice(k) == {"level": "ok", "code": ""}
    k.ui.speech.setVolume(0)  # the technician's volume down to nothing
    assert _voice_shown(k) == "语音已静音"
    row = next(d for d in k.ui.status.property("devices") if d["name"] == "speaker")
    assert (row["level"], row["code"]) == ("degraded", "SPEECH_MUTED")
    assert _technician_voice(k) == {"level": "degraded", "code": "SPEECH_MUTED"}
    k.ui.speech.setVolume(40)
    assert _voice_shown(k) == "语音"


def test_a_speech_engine_that_is_not_installed_shows_on_the_status_bar(
    qapp: object, tmp_path: Path, hall_server: HallServer
) -> None:
    from tests.hall.helpers import enrolled_runtime

    config = demo_config(tmp_path / "kiosk", hall_server.url, "zh_CN", False)
    devices = config.devices
    speaker = devices.speaker.model_copy(
        update={"backend": "espeak_ng", "options": {"executable": str(tmp_path / "no-espeak")}}
    )
    config = config.model_copy(update={"devices": devices.model_copy(update={"speaker": speaker})})
    runtime = enrolled_runtime(config, hall_server, start_sender=False)
    ui = KioskUi(runtime, clock=FakeClock())
    k = Kiosk(ui, runtime, Robot(ui.window), FakeClock(), hall_server)
    try:
        assert _voice_shown(k) == "语音不可用"
        row = next(d for d in ui.status.property("devices") if d["name"] == "speaker")
        assert (row["level"], row["code"]) == ("down", "SPEECH_UNAVAILABLE")
        assert not ui.status.property("devicesOk")
        assert _technician_voice(k) == {"level": "down", "code": "SPEECH_UNAVAILABLE"}
    finally:
        ui.close()
        runtime.close()


def test_the_enterprise_and_archive_screens_say_what_to_do_and_nothing_of_the_enterprise(
    qapp: object, tmp_path: Path, hall_server: HallServer
) -> None:
    """The screenshot staging's 办理企业 walk in care mode (tests/support/screenshots.py): the
    register's enterprises after the card, the change form pre-filled from the register, back,
    the e-archive. Heard: each screen's line; never the enterprise's name, its USCC, its legal
    representative (the walk-in himself) or his ID number."""
    from tests.hall.test_register import uscc
    from tests.support.screenshots import _render_register, _seed_register

    _seed_register(hall_server)  # 张三丰 represents 苏州档案测试1有限公司 (uscc(1))
    clear_transcript()
    _render_register(tmp_path / "shots", tmp_path / "kiosk", hall_server, "care", lambda r, p: None)
    said = [u.text for u in transcript()]
    assert_in_order(said, [screen_line("Enterprise", "zh"), screen_line("Archive", "zh")])
    assert_nothing_personal(said)
    for text in said:
        for secret in ("苏州档案测试", "档案测试1", uscc(1), "91320505", "王小明", "李四"):
            assert secret not in text, f"{secret!r} was said aloud"


def test_the_guard_refuses_an_enterprise_code_spoken_in_any_form() -> None:
    from tests.hall.test_register import uscc

    code = uscc(1)
    guard = PrivacyGuard()
    for text in (f"代码 {code}", " ".join(code), code.lower(), "-".join((code[:6], code[6:]))):
        assert not guard.allows(text), text
    assert guard.refused == 4
    # A tracking number spelled out, and an invalid 18-character run, stay speakable.
    assert guard.allows("受理编号是：S N D，S S，零 零 一，二 零 二 六 一 二 零 六，零 零 零 一。")
    assert guard.allows("91320505MA00000010")
