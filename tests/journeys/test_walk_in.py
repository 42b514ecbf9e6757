"""A robot walk-in uses the real QML UI: card, service, form typed through the UI, review, submit,
receipt at the printer simulator, delivery to a real hall, wipe — and a timeout mid-form."""

from __future__ import annotations

import requests
from PySide6.QtCore import QObject

from hall.store import SubmissionStore
from tests.journeys.pinyin import PinyinTyper
from tests.ui.conftest import Kiosk

NAME, ID_NUMBER = "张三丰", "11010519491231002X"


def wait_screen(k: Kiosk, screen: str) -> None:
    k.robot.wait_until(lambda: k.ui.session.property("screen") == screen, 10)


def bridge_values(obj: QObject) -> str:
    """Every readable property of a bridge, flattened to text."""
    meta = obj.metaObject()
    out = []
    for i in range(meta.propertyOffset(), meta.propertyCount()):
        out.append(repr(obj.property(meta.property(i).name())))
    return "\n".join(out)


def assert_forgotten(k: Kiosk) -> None:
    assert k.ui.flow.context.is_empty()
    shown = "\n".join(k.robot.texts())
    held = bridge_values(k.ui.session) + bridge_values(k.ui.status) + bridge_values(k.ui.settings)
    for secret in (NAME, ID_NUMBER, "张*丰", "13912345678", "启航科技"):
        assert secret not in shown
        assert secret not in held


def test_walk_in_files_the_bundle_and_leaves_nothing_behind(kiosk: Kiosk) -> None:
    k, robot = kiosk, kiosk.robot
    typer = PinyinTyper(k.ui.engine)
    try:
        # The keyboard loads just after the first frame; a walk-in cannot type before it.
        robot.wait_until(lambda: bool(robot.items("inputPanel")))
        robot.click("startButton")
        wait_screen(k, "ServiceHome")  # the card simulator was read on a worker thread
        robot.click("service_company_startup_power")
        wait_screen(k, "Form")
        values = k.ui.flow.context.values
        assert values["applicant_name"] == NAME and values["applicant_id_number"] == ID_NUMBER

        robot.type_into("field_mobile", "13912345678")
        # Chinese through the Pinyin keyboard: 启航 (qihang) + 科技 (keji) + 有限公司.
        robot.click("field_company_name")
        for pinyin, word in (("qihang", "启航"), ("keji", "科技"), ("youxiangongsi", "有限公司")):
            typer.type_word(pinyin, word)
        robot.click("choice_enterprise_type_llc")
        robot.type_into("field_registered_capital", "100")
        robot.click("field_business_address")
        typer.type_word("suzhou", "苏州")
        robot.type_into("field_business_address", "88")
        robot.click("field_business_scope")
        typer.type_word("ruanjiankaifa", "软件开发")
        robot.type_into("field_power_capacity_kw", "80")
        robot.type_into("field_power_start_date", "2026-12-15")
        assert values["company_name"] == "启航科技有限公司"
        assert values["business_address"] == "苏州88"

        # The lease contract under the document camera: auto-captured once sharp and still.
        robot.click("capture_premises_proof")
        wait_screen(k, "Capture")
        robot.wait_until(lambda: k.ui.capture.property("hasCapture"), 15)
        robot.click("usePhotoButton")
        wait_screen(k, "Form")
        photo = k.ui.flow.context.attachments["premises_proof"]
        assert photo[:2] == b"\xff\xd8"  # a JPEG
        photo_sent = bytes(photo)

        robot.click("nextButton")
        wait_screen(k, "Review")
        robot.wait_until(lambda: "启航科技有限公司" in robot.texts())  # the list lays out
        review = "\n".join(robot.texts())
        assert "有限责任公司" in review and "已拍摄 ✓" in review
        assert ID_NUMBER not in review and "110105********002X" in review
        robot.click("confirmButton")
        wait_screen(k, "Receipt")
        robot.wait_until(lambda: k.ui.session.property("printStatus") == "printed", 10)
        tracking = k.ui.session.property("trackingNumber")
        assert tracking.startswith("SND-SS-001-")

        # The receipt's bytes reached the ESC/POS simulator; its QR opens the progress page.
        server = k.runtime.printer.server
        job = server.decoded_jobs()[-1]
        assert tracking in job.lines
        # The QR carries the filing's own access token: the phone page shows the whole story.
        token = k.ui.flow.context.access_token
        assert len(token) >= 16
        assert job.qr_payloads == [f"{k.hall.url}/p/{tracking}?t={token}"]
        # The sender delivered the filing to the real hall.
        sub_id = k.ui.flow.context.submission_id
        robot.wait_until(
            lambda: requests.get(f"{k.hall.url}/api/v1/submissions/{sub_id}", timeout=2).ok, 10
        )
        status = requests.get(f"{k.hall.url}/api/v1/submissions/{sub_id}", timeout=2).json()
        assert status["tracking_number"] == tracking
        # Scanning the receipt's QR opens the filing's page on the phone.
        page = requests.get(job.qr_payloads[0], timeout=2)
        assert page.status_code == 200 and tracking in page.text
        # The photographed lease contract reached the hall with the filing, byte for byte.
        store = SubmissionStore(k.hall.db_path)
        try:
            filed = store.load(sub_id)
            assert filed is not None
            (ref,) = filed.attachments
            assert ref.name == "premises_proof" and ref.media_type == "image/jpeg"
            assert store.get_blob(ref.sha256) == photo_sent
        finally:
            store.close()

        robot.click("finishButton")
        wait_screen(k, "Attract")
        assert_forgotten(k)
        assert photo == bytearray(len(photo))  # the page's pixels were overwritten
    finally:
        typer.close()


def test_walk_in_who_leaves_mid_form_is_wiped(kiosk: Kiosk) -> None:
    k, robot = kiosk, kiosk.robot
    robot.click("startButton")
    wait_screen(k, "ServiceHome")
    robot.click("service_company_startup_power")
    wait_screen(k, "Form")
    robot.type_into("field_mobile", "13912345678")
    timeouts = k.runtime.config.timeouts
    k.clock.advance(timeouts.idle_s + 1)
    robot.wait_until(lambda: robot.find("timeoutOverlay").isVisible())
    k.clock.advance(timeouts.warning_s)
    wait_screen(k, "Attract")
    assert_forgotten(k)
    # Nothing was filed.
    assert k.runtime.sender.status().depth == 0
    assert k.runtime.printer.server.complete_jobs() == []  # status polls are not receipts
