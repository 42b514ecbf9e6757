"""Renders every screen to PNG offscreen, in Chinese, English and care mode.

A robot user walks real sessions over the simulators (a hall on 127.0.0.1, the card and printer
simulators); jobs are held in a manual queue so in-between screens (reading, submitting) can be
captured before they finish, and time moves only when the tool says (the timeout warning).
``python main.py screenshots DIR`` runs it from a source checkout (an installed station has no
``tests/``).
"""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from contracts.clock import SYSTEM_CLOCK
from drivers.errors import CardReadFailed, MrzRequired
from hall.server import HallServer
from kiosk.runtime import KioskRuntime
from kiosk.simulated_station import simulated_station
from kiosk.technician.pin import DEMO_PIN as DEMO_TECHNICIAN_PIN
from kiosk.technician.pin import DEMO_PIN_HASH as DEMO_TECHNICIAN_PIN_HASH
from tests.support.background import HeldBackground
from tests.support.clock import FakeClock
from tests.support.robot import Robot
from ui.app import KioskUi, create_application
from ui.bridge.failures import guidance_text

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
    """The demo station on the simulators, with the demo technician PIN and a USB folder."""
    technician = {"pin_hash": DEMO_TECHNICIAN_PIN_HASH, "export_dir": str(state_dir / "usb")}
    return simulated_station(
        state_dir, hall_url, language=language, care=care, extra={"technician": technician}
    )


# What each shot does with the screen: the tool saves it as PNG; a test may walk its items instead
# (tests/ui/test_accessibility.py), with ``path``'s name saying which screen it is.
Capture = Callable[[Robot, Path], None]


class Shots:
    """Numbered screenshots of one walk: ``shots("name")`` settles the UI, refreshes the status
    bar and writes ``<prefix><n>_<name>.png`` (``n`` formatted by ``number``); ``shots.paths``
    lists what was written."""

    def __init__(
        self, robot: Robot, ui: Any, out_dir: Path, prefix: str, capture: Capture,
        number: str = "d", settle: bool = True,
    ) -> None:  # fmt: skip
        self.robot, self.ui, self.out_dir, self.prefix = robot, ui, out_dir, prefix
        self.capture, self.number, self.settle = capture, number, settle
        self.paths: list[Path] = []

    def __call__(self, name: str) -> None:
        if self.settle:
            self.robot.settle(5)
            self.ui.status.refresh()
        n = format(len(self.paths) + 1, self.number)
        path = self.out_dir / f"{self.prefix}{n}_{name}.png"
        self.capture(self.robot, path)
        self.paths.append(path)


def save_png(robot: Robot, path: Path) -> None:
    robot.grab(str(path))


def render_all(out_dir: Path, capture: Capture = save_png) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    app = create_application()
    written: list[Path] = []
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        with HallServer(Path(tmp) / "hall.sqlite3") as hall:
            for mode, (language, care) in MODES.items():
                # Enrolled as a technician would: filings are signed and sealed to the hall.
                from tests.hall.helpers import enrol_station

                enrol_station(hall, "SND-SS-001", state_dir=root / mode)
                written += _render_mode(
                    app, out_dir, root / mode, hall.url, mode, language, care, capture
                )
            for mode in MODES:
                written += _render_first_boot(
                    out_dir, root / f"first-boot-{mode}", hall, mode, capture
                )
            # Before the ratings: their approved start-ups would add to 张三丰's enterprises.
            _seed_register(hall)
            for mode in MODES:
                written += _render_register(out_dir, root / f"register-{mode}", hall, mode, capture)
            for n, mode in enumerate(MODES, start=1):
                written += _render_rating(out_dir, root / f"rating-{mode}", hall, mode, n, capture)
            # Last: it publishes the district's 272-service catalog at this hall.
            for mode in MODES:
                written += _render_home_272(out_dir, root / f"home272-{mode}", hall, mode, capture)
    return written


def _render_mode(
    app: Any,
    out_dir: Path,
    state_dir: Path,
    hall_url: str,
    mode: str,
    language: str,
    care: bool,
    capture: Capture = save_png,
) -> list[Path]:
    runtime = KioskRuntime(demo_config(state_dir, hall_url, language, care))
    # Today's date on the receipts, so they match the tracking numbers the outbox gives out.
    bg, clock = HeldBackground(), FakeClock(SYSTEM_CLOCK.now())
    ui = KioskUi(runtime, background=bg, clock=clock)
    robot = Robot(ui.window)
    flow = ui.flow
    assert flow is not None
    shot = Shots(robot, ui, out_dir, f"{mode}_", capture, number="02d")

    # 补正 screens are numbered on their own, so adding them renumbers no other screen.
    supplement_shot = Shots(robot, ui, out_dir, f"{mode}_supplement_", capture)

    # The delivery choice and the EMS address are numbered on their own too.
    delivery_shot = Shots(robot, ui, out_dir, f"delivery_{mode}_", capture)

    try:
        robot.wait_until(lambda: runtime.status().online, 5)
        shot("attract")
        robot.click("startButton")
        shot("identify_waiting")
        runtime.reader.inject_fault(CardReadFailed)
        bg.release()
        shot("identify_card_unreadable")
        # What a contactless reader reports for a passport chip: the walk-in types the MRZ key.
        flow._on_card_error(MrzRequired())
        shot("identify_passport_mrz")
        flow.retry_card()
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
        _render_capture(ui, robot, runtime, shot)
        robot.click("nextButton")
        shot("review")
        _render_delivery(ui, robot, delivery_shot)
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
        clock.advance(runtime.config.timeouts.idle_s * (2 if care else 1) + 3)
        ui.session._tick()
        shot("timeout_warning")
        robot.click("continueButton")
        _render_failures(ui, robot, bg, runtime, shot)
        _render_consult(ui, robot, bg, runtime, shot)
        _render_supplement(ui, robot, bg, runtime, supplement_shot)
        _render_assist(ui, robot, bg, shot)
        _render_technician(ui, robot, bg, runtime, shot)
    finally:
        ui.close()
        runtime.close()
        robot.settle()
    return shot.paths + supplement_shot.paths + delivery_shot.paths


def _render_delivery(ui: KioskUi, robot: Robot, shot: Callable[[str], None]) -> None:
    """At review: pick-up (the default), the EMS address empty, refused, filled with the
    keyboard up, and review again with EMS chosen (the bundle's result is a licence)."""
    flow = ui.flow
    assert flow is not None
    robot.scroll_into_view(robot.find("deliveryChoice"))
    shot("review_pickup")
    robot.click("deliveryEms")
    robot.wait_until(lambda: ui.session.property("screen") == "Delivery")
    shot("address")
    robot.click("deliveryConfirm")
    shot("address_errors")
    robot.click("deliveryCity_苏州市")
    robot.click("deliveryDistrict_虎丘区")
    flow.delivery.set_field("street", "狮山路88号3幢502室")
    flow.delivery.set_field("recipient", "王芳")
    robot.click("deliveryField_recipient")
    shot("address_keyboard")
    robot.click("deliveryConfirm")
    robot.wait_until(lambda: ui.session.property("screen") == "Review")
    shot("review_ems")


class _OfflineAssistClient:
    """Stands in for the assist client: the screens are driven from here, nothing is sent."""

    session_id = "screenshot"

    def __getattr__(self, name: str) -> Callable[..., None]:
        return lambda *args, **kwargs: None


def _render_assist(
    ui: KioskUi, robot: Robot, bg: HeldBackground, shot: Callable[[str], None]
) -> None:
    """Remote help: waiting in the queue, consent, a live call, the submit question, helper gone.

    The helper's side is played by feeding the bridge what the hall would send.
    """
    from remote_assist import protocol as p
    from remote_assist.client import Status
    from remote_assist.phases import ENDED, LIVE, WAITING

    assist, flow = ui.assist, ui.flow
    assert flow is not None
    assist.replace_client(_OfflineAssistClient())  # type: ignore[arg-type]
    robot.click("startButton")
    bg.release()
    flow.choose_service("company_startup_power")
    robot.settle()
    robot.click("getHelpButton")
    assist._on_status(Status(WAITING, position=2))
    shot("assist_waiting")
    assist._on_status(Status(LIVE, helper_name="林晓"))
    shot("assist_consent")
    robot.click("assistConsentButton")
    assist._on_message(p.Chat(sender="helper", text="您好，我是服务大厅的林晓，我来帮您填写。"))
    assist.sendChat("好的，谢谢！")
    for name in ("mobile", "company_name"):
        assist._on_message(p.FieldProposed(name=name, value=BUNDLE_ANSWERS[name]))
    assist._on_message(p.HighlightField(name="registered_capital"))
    assist._on_message(p.Guidance(text="注册资本请按万元填写，例如 100。"))
    # Video on: the helper's camera is played by the camera simulator's face scene.
    from drivers.camera.simulator import SimulatedCamera

    helper = SimulatedCamera(width=480, height=360, scene="face", seed=7).capture_still()
    assist._on_media_state("connected")
    assist._receive_frame(helper.width, helper.height, helper.data)
    robot.settle()
    shot("assist_live")
    assist._on_message(p.SubmitProposed())
    shot("assist_submit_confirm")
    robot.click("assistDeclineSubmitButton")
    assist._on_status(Status(ENDED, reason="helper_lost"))
    shot("assist_helper_left")
    robot.click("assistContinueAloneButton")
    flow.cancel()
    robot.settle()


def _render_capture(
    ui: KioskUi, robot: Robot, runtime: KioskRuntime, shot: Callable[[str], None]
) -> None:
    """The document camera: too dark, page found, captured; the page then joins the form."""
    import numpy as np

    from drivers.camera.scenes import document_scene

    camera, capture = runtime.camera, ui.capture
    robot.click("capture_premises_proof")
    camera.show(document_scene(np.random.default_rng(7), 1280, 720, gain=0.12))
    too_dark = guidance_text("TOO_DARK")
    robot.wait_until(lambda: capture.property("hint") == too_dark, 10)
    shot("capture_too_dark")
    dark_hint = capture.property("hint")
    camera.show(document_scene(np.random.default_rng(11), 1280, 720))
    robot.wait_until(
        lambda: capture.property("hint") != dark_hint and len(capture.property("outline")) == 4, 10
    )
    shot("capture_page_found")
    robot.wait_until(lambda: capture.property("hasCapture"), 15)
    shot("capture_review")
    robot.click("usePhotoButton")
    robot.wait_until(lambda: ui.session.property("screen") == "Form")
    robot.scroll_into_view(robot.find("capture_premises_proof"))
    shot("form_with_document")


def _attach_sample_page(flow: Any) -> None:
    flow.open_capture("premises_proof")
    flow.accept_capture(bytearray(b"\xff\xd8\xff\xe0 sample page"))


def _render_failures(
    ui: KioskUi,
    robot: Robot,
    bg: HeldBackground,
    runtime: KioskRuntime,
    shot: Callable[[str], None],
) -> None:
    flow = ui.flow
    assert flow is not None
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
    _attach_sample_page(flow)
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
    _attach_sample_page(flow)
    flow.complete_form()
    flow.confirm()
    _job, _, on_error = bg.jobs.pop(0)
    on_error(OSError(28, "No space left on device"))
    shot("error_storage")
    flow.acknowledge()
    robot.settle()


# A filing the progress screen finds in the station's cache (the hall is offline in the tool).
SAMPLE_TRACKING_NUMBER = "SND-SS-001-20261120-0007"
SAMPLE_STATUS = {
    "tracking_number": SAMPLE_TRACKING_NUMBER,
    "service_id": "ev_charging_pile",
    "parts": [
        {
            "id": "property_consent",
            "status": "completed",
            "updated_at": "2026-11-21T09:30:00",
            "steps": [
                {"id": "applicant_request", "status": "done", "updated_at": "2026-11-20T10:00:00"},
                {"id": "property_confirmation", "status": "done"},
            ],
        },
        {
            "id": "community_coordination",
            "status": "completed",
            "updated_at": "2026-11-22T16:40:00",
        },
        {
            "id": "power_supply",
            "status": "handling",
            "updated_at": "2026-11-25T14:05:00",
            "steps": [
                {"id": "application_acceptance", "status": "done"},
                {"id": "site_survey", "status": "in_progress", "updated_at": "2026-11-25T14:05:00"},
                {"id": "meter_connection", "status": "pending"},
            ],
        },
    ],
}


def _render_consult(
    ui: KioskUi,
    robot: Robot,
    bg: HeldBackground,
    runtime: KioskRuntime,
    shot: Callable[[str], None],
) -> None:
    """A walk-in without an ID card checks progress, matches policies and asks a question; then
    a card holder's enterprise demand gets a category suggestion."""
    import datetime as dt

    import numpy as np

    from drivers.camera.scenes import document_scene

    flow = ui.flow
    assert flow is not None
    consult = flow.consult
    _sample_progress_status(flow)
    robot.click("startButton")
    robot.click("skipIdentityButton")
    bg.release()  # the card read answers after the walk-in skipped it, and is dropped
    robot.click("consult_progress")
    shot("progress_empty")
    runtime.camera.show(document_scene(np.random.default_rng(11), 1280, 720))
    robot.click("scanButton")
    robot.wait_until(lambda: ui.qr_scan.property("frameNo") > 0, 10)
    shot("progress_scanning")
    robot.click("stopScanButton")
    consult.set_query(SAMPLE_TRACKING_NUMBER)
    robot.click("lookUpButton")
    bg.release()
    shot("progress_offline")
    robot.click("doneButton")
    robot.click("consult_policies")
    bg.release()  # the policy content loads
    shot("policies_form")
    for name, value in {
        "capital": "500",
        "founded_year": str(dt.date.today().year - 6),
        "size": "small",
        "district": "shishan_hengtang",
        "industry": "C",
    }.items():
        consult.set_profile(name, value)
    consult.toggle_certification("high_tech")
    robot.click("matchButton")
    bg.release()
    shot("policies_results")
    robot.click("doneButton")
    robot.click("consult_qa")
    bg.release()  # the knowledge base is built
    consult.set_query("营业执照丢了")
    robot.click("searchButton")
    bg.release()
    shot("qa_results")
    consult.set_query("火星移民签证")
    robot.click("searchButton")
    bg.release()
    robot.click("getHelpButton")
    shot("qa_no_answer")
    robot.click("backButton")
    flow.cancel()
    robot.settle()
    # A card holder's demand: the category is suggested from the description, to confirm.
    robot.click("startButton")
    bg.release()
    flow.choose_service("enterprise_demand")
    bg.release()  # the demand taxonomy loads
    flow.set_field("description", "今年招聘困难，想了解招工补贴和社保补贴政策。")
    robot.settle()
    robot.scroll_into_view(robot.wait_for("suggestion_human_resources"))
    shot("demand_suggestion")
    flow.cancel()
    robot.settle()


SAMPLE_SUPPLEMENT_NUMBER = "SND-SS-001-20261123-0001"
# What the hall answers for a filing whose company registration waits for two materials.
SAMPLE_SUPPLEMENT_ANSWER: dict[str, Any] = {
    "tracking_number": SAMPLE_SUPPLEMENT_NUMBER,
    "service_id": "company_startup_power",
    "waiting": [
        {
            "part_id": "company_registration",
            "name_zh": "企业设立登记",
            "name_en": "Company establishment registration",
            "items": [
                {
                    "material": "premises_proof",
                    "name_zh": "经营场所使用证明（房产证或租赁合同）",
                    "name_en": "Proof of use of the premises (title deed or lease)",
                    "reason": "租赁合同缺少出租方盖章页",
                },
                {
                    "material": "articles_of_association",
                    "name_zh": "公司章程（可使用标准模板）",
                    "name_en": "Articles of association (the standard template may be used)",
                    "reason": "章程未经全体股东签字",
                },
            ],
        }
    ],
}


def _render_supplement(
    ui: KioskUi,
    robot: Robot,
    bg: HeldBackground,
    runtime: KioskRuntime,
    shot: Callable[[str], None],
) -> None:
    """补正: the card holder asks what is missing (the real hall knows no such filing), the
    hall cannot be asked, then the hall's list (answered here: the demo hall has no filing sent
    back), a photo per material, confirm, and the hand-in's own number."""
    import numpy as np

    from drivers.camera.scenes import document_scene

    flow = ui.flow
    assert flow is not None
    robot.click("startButton")
    bg.release()  # the simulator's card is read
    robot.click("supplementTile")
    shot("find")
    ui.supplement.lookUp(SAMPLE_SUPPLEMENT_NUMBER)
    bg.release()  # asked at the real hall: it knows no such filing
    robot.wait_until(lambda: ui.supplement.property("status") == "not_found", 10)
    shot("not_found")
    flow.supplement._on_lookup_error(ConnectionError("hall unreachable"))
    shot("hall_unavailable")
    flow.supplement._on_answer(SAMPLE_SUPPLEMENT_ANSWER)
    shot("list")
    robot.click("supplementPhoto_premises_proof")
    runtime.camera.show(document_scene(np.random.default_rng(11), 1280, 720))
    robot.wait_until(lambda: ui.capture.property("hasCapture"), 15)
    shot("capture_review")
    robot.click("usePhotoButton")
    robot.wait_until(lambda: ui.session.property("screen") == "Supplement")
    flow.supplement.open_photo("articles_of_association")
    flow.supplement.accept_photo(bytearray(b"\xff\xd8\xff\xe0 sample page"))
    shot("ready")
    robot.click("supplementConfirmButton")
    bg.release()  # sealed into the outbox
    robot.wait_until(lambda: ui.supplement.property("status") == "queued", 10)
    shot("queued")
    robot.click("supplementDoneButton")
    robot.settle()


def _sample_progress_status(flow: Any) -> None:
    import datetime as dt

    cache = flow.consult.services.progress_cache
    if cache is not None:
        cache.put(SAMPLE_TRACKING_NUMBER, SAMPLE_STATUS, dt.datetime(2026, 11, 26, 8, 15))


def _render_technician(
    ui: KioskUi,
    robot: Robot,
    bg: HeldBackground,
    runtime: KioskRuntime,
    shot: Callable[[str], None],
) -> None:
    """Technician mode: the PIN pad (after a wrong PIN), health, tests, outbox with a quarantined
    filing, diagnostics saved to the "USB stick", and the restart screen."""
    from offline_queue.outbox import Outbox

    # A filing the hall refused for good (the sender is stopped so it stays as it is).
    runtime.part("sender").stop()
    queued = runtime.queue.enqueue("enterprise_demand", {"description": "x"})
    with Outbox(runtime.outbox_path, runtime.config.station.id) as box:
        box.mark_quarantined(queued.id, "HTTP_422")
    (runtime.state_dir / "usb").mkdir(exist_ok=True)
    for _ in range(5):
        robot.click("technicianCorner")
    for digit in "1111":
        robot.click("pinKey" + digit)
    robot.click("pinEnter")
    bg.release()
    for digit in DEMO_TECHNICIAN_PIN[:3]:
        robot.click("pinKey" + digit)
    shot("tech_pin")
    for digit in DEMO_TECHNICIAN_PIN[3:]:
        robot.click("pinKey" + digit)
    robot.click("pinEnter")
    bg.release()
    runtime.printer.state.paper_out = True
    try:
        runtime.printer.check_status()  # the monitor's idle poll notices the empty roll
    except Exception as exc:
        log.info("printer status for the health screen: %s", type(exc).__name__)
    ui.technician.tick()
    robot.wait_until(lambda: ui.technician.property("screen") == "Health")
    shot("tech_health")
    runtime.printer.state.paper_out = False
    robot.click("techNavTests")
    # The camera first: the results the other tests add above it would move it down.
    robot.click("techCameraButton")
    bg.release()
    robot.wait_until(lambda: ui.technician.property("frameNo") > 0, 10)
    for button in ("techPrintButton", "techCardButton", "techNetworkButton"):
        robot.click(button)
        bg.release()
    robot.settle(10)
    shot("tech_tests")
    robot.click("techNavOutbox")
    bg.release()
    shot("tech_outbox")
    robot.click("techNavDiagnostics")
    robot.click("techExportButton")
    bg.release()
    shot("tech_diagnostics")
    robot.click("techNavRestart")
    shot("tech_restart")
    robot.click("techExitButton")
    bg.release()


def _render_first_boot(
    out_dir: Path, state_dir: Path, hall: HallServer, mode: str, capture: Capture = save_png
) -> list[Path]:
    """The first-boot enrolment screen: empty form, a refused code, enrolled. A station of its
    own, apart from the demo station the other screens use."""
    from hall.enrolment import EnrolmentStore
    from hall.store import SubmissionStore
    from ui.first_boot import FirstBootUi

    language, care = MODES[mode]
    ui = FirstBootUi(state_dir, hall_url=hall.url, language=language, care_mode=care)
    robot = Robot(ui.window)
    shot = Shots(robot, ui, out_dir, f"{mode}_first_boot_", capture, settle=False)

    try:
        robot.type_into("codeField", "K7QM-4XPD-R9TB-2HNW")
        shot("entry")
        robot.click("enrolButton")
        robot.wait_until(lambda: ui.enrolment.property("phase") == "failed", 10)
        shot("code_unknown")
        robot.click("retryButton")
        store = SubmissionStore(hall.db_path)
        try:
            code = (
                EnrolmentStore(store.engine, SYSTEM_CLOCK)
                .create_code("SND-SS-002", "screenshots", station_name="狮山街道第二站")
                .code
            )
        finally:
            store.close()
        field = robot.find("codeField")
        field.setProperty("text", code)
        robot.click("enrolButton")
        robot.wait_until(lambda: ui.enrolment.property("phase") == "done", 10)
        shot("enrolled")
    finally:
        ui.close()
    return shot.paths


def _seed_register(hall: HallServer) -> None:
    """张三丰 (the card simulator) as the legal representative of an imported enterprise whose
    licence is on file, with a change filed earlier (the e-archive has something to show)."""
    from tests.hall.helpers import add_staff, login, post_submission, submission
    from tests.hall.test_register import row, uscc, workbook

    add_staff(hall, "register.admin", "admin")
    admin = login(hall, "register.admin")
    people = {"法定代表人": "张三丰", "法定代表人身份证号": "11010519491231002X"}
    answer = admin.post(
        hall.url + "/api/v1/register/import", data=workbook([row(1, **people)]), timeout=60
    )
    assert answer.status_code == 200, answer.text
    earlier = {
        "enterprise_name": "苏州档案测试1有限公司",
        "uscc": uscc(1),
        "contact_name": "张三丰",
        "mobile": "13912345678",
        "change_item": "scope",
        "new_value": "软件开发；信息技术咨询服务",
    }
    body = submission("company_change_registration", earlier, tracking_number="QH001-20261120-0007")
    assert post_submission(hall, body).status_code == 201


def _render_register(
    out_dir: Path, state_dir: Path, hall: HallServer, mode: str, capture: Capture = save_png
) -> list[Path]:
    """办理企业 (issue 17): the enterprise choice after the card, the change form pre-filled from
    the register, its materials on file, the enterprise's e-archive."""
    from tests.hall.helpers import enrol_station

    language, care = MODES[mode]
    enrol_station(hall, "SND-SS-001", state_dir=state_dir)
    runtime = KioskRuntime(demo_config(state_dir, hall.url, language, care))
    bg = HeldBackground()
    ui = KioskUi(runtime, background=bg, clock=FakeClock(SYSTEM_CLOCK.now()))
    robot = Robot(ui.window)
    shot = Shots(robot, ui, out_dir, f"register_{mode}_", capture)

    try:
        robot.wait_until(lambda: runtime.status().online, 5)
        robot.click("startButton")
        bg.release()  # the card is read; the register answers the holder's enterprises
        robot.wait_until(lambda: ui.session.property("screen") == "Enterprise", 10)
        shot("choice")
        robot.click("enterprise_0")
        bg.release()  # nothing awaits a rating
        # Care mode's large type puts the service below the fold: chosen as a tap would.
        ui.session.chooseService("company_change_registration")
        robot.wait_until(lambda: ui.session.property("screen") == "Form", 10)
        shot("prefilled")
        flick = robot.find("formFlickable")
        bottom = float(flick.property("contentHeight")) - float(flick.property("height"))
        flick.setProperty("contentY", max(0.0, bottom))
        shot("materials_on_file")
        robot.click("backButton")
        robot.wait_until(lambda: ui.session.property("screen") == "ServiceHome", 10)
        robot.click("archiveButton")
        bg.release()  # the hall answers the e-archive
        robot.wait_until(lambda: ui.enterprise.property("archiveStatus") == "done", 10)
        shot("archive")
    finally:
        ui.close()
        runtime.close()
        robot.settle()
    return shot.paths


def _render_home_272(
    out_dir: Path, state_dir: Path, hall: HallServer, mode: str, capture: Capture = save_png
) -> list[Path]:
    """The service home with the district's 272 services (issue 18): 本站常用 (the bundles, then
    what this station files most, counted at the hall), a pinyin-initials search, by department
    and by theme. The hall publishes the generated catalog; the kiosk fetches it and its counts."""
    import json

    from kiosk.services.catalog_synthetic import synthetic_catalog_document
    from tests.hall.helpers import enrol_station, post_submission, submission

    language, care = MODES[mode]
    identity = enrol_station(hall, "SND-SS-001", state_dir=state_dir)
    hall.app.state.catalog_store.publish(
        json.dumps(synthetic_catalog_document(), ensure_ascii=False), "admin"
    )
    for n, service_id in enumerate(["tax_payment_certificate"] * 3 + ["gen_060_transport"] * 2):
        number = f"SND-SS-001-{SYSTEM_CLOCK.now():%Y%m%d}-{9000 + 10 * list(MODES).index(mode) + n}"
        body = submission(service_id, {"mobile": "13912345678"}, tracking_number=number)
        body["station_id"] = "SND-SS-001"
        assert post_submission(hall, body, identity=identity).status_code == 201
    runtime = KioskRuntime(demo_config(state_dir, hall.url, language, care))
    runtime.refresh_catalog()  # the published 272 and this station's counts, before the UI
    bg = HeldBackground()
    ui = KioskUi(runtime, background=bg, clock=FakeClock(SYSTEM_CLOCK.now()))
    robot = Robot(ui.window)
    shot = Shots(robot, ui, out_dir, f"home272_{mode}_", capture)

    try:
        robot.wait_until(lambda: runtime.status().online, 5)
        robot.click("startButton")
        bg.release()  # the card is read
        robot.wait_until(lambda: ui.session.property("screen") in ("Enterprise", "ServiceHome"), 10)
        if ui.session.property("screen") == "Enterprise":
            robot.click("enterprise_0")
            bg.release()  # nothing awaits a rating
        robot.wait_until(lambda: ui.session.property("screen") == "ServiceHome", 10)
        robot.wait_until(lambda: bool(ui.service_home.property("ready")), 10)
        shot("featured")
        robot.type_into("homeSearchField", "qykb")
        robot.wait_until(lambda: not ui.service_home.property("searching"), 10)
        shot("search_initials")
        robot.click("homeSearchClear")
        robot.click("browse_department")
        robot.click("department_transport")
        shot("by_department")
        robot.click("browse_theme")
        robot.click("category_environment_transport")
        shot("by_theme")
    finally:
        ui.close()
        runtime.close()
        robot.settle()
    return shot.paths


def _render_rating(
    out_dir: Path,
    state_dir: Path,
    hall: HallServer,
    mode: str,
    n: int,
    capture: Capture = save_png,
) -> list[Path]:
    """好差评 at the kiosk: 张三丰's closed part is offered after the card is read, rated 不满意
    and thanked. Its own session, after the others: until it is rated, the offer would come
    before every service list."""
    from hall.auth import StaffStore
    from hall.store import SubmissionStore
    from tests.hall.helpers import (
        BUNDLE_FORM,
        PASSWORD,
        cheap_hasher,
        enrol_station,
        login,
        post_submission,
        submission,
    )

    body = submission(
        "company_startup_power",
        {**BUNDLE_FORM, "applicant_name": "张三丰", "applicant_id_number": "11010519491231002X"},
        tracking_number=f"QH001-20261123-{n:04d}",
    )
    assert post_submission(hall, body).status_code == 201
    officer = f"market.{mode}"
    store = SubmissionStore(hall.db_path)
    try:
        StaffStore(store.engine, SYSTEM_CLOCK, cheap_hasher()).add(
            officer, "officer", PASSWORD, "market_regulation"
        )
    finally:
        store.close()
    session = login(hall, officer)
    url = f"{hall.url}/api/v1/desk/parts/{body['id']}/company_registration/moves"
    steps = ("accepted", "in_review", "approved", "result_ready", "closed")
    for version, to in enumerate(steps, 1):
        extra = {"delivery": "pickup"} if to == "result_ready" else {}
        assert session.post(url, json={"to": to, "version": version, **extra}).status_code == 200

    language, care = MODES[mode]
    enrol_station(hall, "SND-SS-001", state_dir=state_dir)
    runtime = KioskRuntime(demo_config(state_dir, hall.url, language, care))
    bg = HeldBackground()
    ui = KioskUi(runtime, background=bg, clock=FakeClock(SYSTEM_CLOCK.now()))
    robot = Robot(ui.window)
    shot = Shots(robot, ui, out_dir, f"{mode}_rating_", capture)

    try:
        robot.wait_until(lambda: runtime.status().online, 5)
        robot.click("startButton")
        bg.release()  # the card is read; the register names the start-up's company
        robot.wait_until(lambda: ui.session.property("screen") == "Enterprise", 10)
        robot.click("asIndividualButton")  # the 好差评 offer follows the choice
        bg.release()  # the hall answers what awaits the holder's rating
        robot.wait_until(lambda: ui.session.property("screen") == "Rating", 10)
        shot("offer")
        robot.click("ratingLevel2")
        robot.click("ratingScore_attitude_4")
        shot("chosen")
        robot.click("ratingSubmit")
        bg.release()
        robot.wait_until(lambda: ui.rating.property("done"), 10)
        shot("thanks")
        robot.click("ratingContinue")
    finally:
        ui.close()
        runtime.close()
        robot.settle()
    return shot.paths
