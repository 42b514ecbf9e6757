"""The 一企一码 on paper and on screen (issue 17): a filing made for an enterprise from the
register prints the enterprise's code as a second QR on the receipt (an individual's filing has
the progress QR only); that printed code, held up to another station's camera, opens the
enterprise for its legal representative; the e-archive shows the code as a QR that decodes to it,
and once the hall has withdrawn it, says so instead.

Real parts throughout: the QML offscreen, the hall's register over HTTP, the ESC/POS printer
simulator (its decoded job and its PNG render), the camera simulator, OpenCV reading the QRs.
"""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import requests
from PySide6.QtCore import QPointF
from PySide6.QtGui import QImage
from PySide6.QtQuick import QQuickItem

from drivers.camera.scenes import qr_scene
from hall.server import HallServer
from kiosk.receipts import CODE_HEADING
from tests.hall.helpers import enrolled_runtime
from tests.hall.test_register import uscc
from tests.support.clock import FakeClock
from tests.support.robot import Robot
from tests.support.screenshots import demo_config
from tests.ui.conftest import Kiosk
from tests.ui.test_register_kiosk import (
    HOLDER,
    choose_the_enterprise,
    file_material,
    open_change_form,
    seed_register,
    text,
    wait_screen,
)
from ui.app import KioskUi

NAME = "苏州档案测试1有限公司"  # enterprise 1 of the imported workbook


def fresh_code(admin: requests.Session, hall: HallServer) -> str:
    """The admin issues the enterprise a new 一企一码 (the import's is revoked): the token."""
    answer = admin.post(f"{hall.url}/api/v1/register/enterprises/{uscc(1)}/code", timeout=10)
    assert answer.status_code == 200, answer.text
    code: str = answer.json()["code"]
    return code


def file_the_change(k: Kiosk) -> None:
    """The chosen enterprise's change registration: nothing to photograph (the licence and
    the resolution are on file)."""
    open_change_form(k)
    k.robot.type_into("field_mobile", "13912345678")
    k.robot.click("choice_change_item_address")
    k.robot.type_into("field_new_value", "苏州高新区狮山路99号")
    k.robot.click("nextButton")
    wait_screen(k, "Review")
    k.robot.click("confirmButton")
    wait_screen(k, "Receipt")
    k.robot.wait_until(lambda: k.ui.session.property("printStatus") == "printed", 20)


def second_station(tmp_path: Path, hall: HallServer) -> Kiosk:
    """Another station of the hall (its own id: enrolling the same one again would revoke the
    first kiosk's device), with its own camera and printer simulators."""
    config = demo_config(tmp_path / "second", hall.url, "zh_CN", False)
    config = config.model_copy(
        update={"station": config.station.model_copy(update={"id": "SND-SS-002"})}
    )
    runtime = enrolled_runtime(config, hall, start_sender=True)
    clock = FakeClock()
    ui = KioskUi(runtime, clock=clock)
    return Kiosk(ui, runtime, Robot(ui.window), clock, hall)


def decode_item(k: Kiosk, item: QQuickItem) -> str:
    """What OpenCV reads from the item as drawn in the window (the grabbed frame, cropped)."""
    k.robot.settle(5)
    frame = k.ui.window.grabWindow().convertToFormat(QImage.Format.Format_RGB888)
    top_left = item.mapToScene(QPointF(0, 0))
    ratio = frame.width() / k.ui.window.width()
    margin = 16  # a little of the card around the symbol: the quiet zone is drawn in the image
    x0 = max(0, int(top_left.x() * ratio) - margin)
    y0 = max(0, int(top_left.y() * ratio) - margin)
    x1 = min(frame.width(), int((top_left.x() + item.width()) * ratio) + margin)
    y1 = min(frame.height(), int((top_left.y() + item.height()) * ratio) + margin)
    crop = frame.copy(x0, y0, x1 - x0, y1 - y0)
    pixels = np.frombuffer(crop.constBits(), np.uint8, crop.sizeInBytes())
    rgb = pixels.reshape(crop.height(), crop.bytesPerLine())[:, : crop.width() * 3]
    image = np.ascontiguousarray(rgb.reshape(crop.height(), crop.width(), 3))
    payload, points, _ = cv2.QRCodeDetector().detectAndDecode(image)
    assert points is not None, "no QR code found in the item"
    return str(payload)


def read_symbols(paper: np.ndarray) -> list[str]:
    """Each QR symbol on the paper, top to bottom: the paper cut into bands of inked rows (a
    symbol has ink on every row), each band decoded alone with a quiet zone (OpenCV's search for
    several symbols at once misses the small one now and then)."""
    inked = (cv2.cvtColor(paper, cv2.COLOR_BGR2GRAY) < 128).any(axis=1)
    found: list[str] = []
    start = None
    for row, ink in enumerate([*inked, False]):
        if ink and start is None:
            start = row
        elif not ink and start is not None:
            if row - start >= 60:  # a symbol, not a line of text
                band = cv2.copyMakeBorder(
                    paper[start:row], 40, 40, 40, 40, cv2.BORDER_CONSTANT, value=(255, 255, 255)
                )
                text, _, _ = cv2.QRCodeDetector().detectAndDecode(band)
                if text:
                    found.append(text)
            start = None
    return found


def test_the_receipt_prints_the_code_that_opens_the_enterprise_at_another_station(
    kiosk: Kiosk, tmp_path: Path
) -> None:
    k = kiosk
    code = fresh_code(seed_register(k.hall), k.hall)
    file_material(k.hall, "shareholder_resolution", "2026-11-01")
    choose_the_enterprise(k)
    file_the_change(k)

    job = k.runtime.printer.server.decoded_jobs()[-1]
    assert job.qr_payloads == [k.ui.session.property("progressUrl"), code]
    lines = job.text_lines
    heading = lines.index(CODE_HEADING)
    assert lines[heading + 1] == NAME  # the enterprise's name (a business, not a person)
    assert "".join(lines[heading + 2 :]) == "扫码办理本企业事项（遗失可到大厅注销）"
    printed = "\n".join(job.lines)
    for private in (uscc(1), HOLDER, "张三丰", "张*丰"):  # never the USCC, nobody's name
        assert private not in printed
    # The printed paper, as the simulator renders it: both symbols read back, the code last.
    [render] = sorted((tmp_path / "kiosk" / "receipts").glob("job-*.png"))[-1:]
    paper = cv2.imread(str(render))
    assert paper is not None
    assert read_symbols(paper) == [job.qr_payloads[0], code]
    k.robot.click("finishButton")
    wait_screen(k, "Attract")

    # The same legal representative at another station: the code from the paper, scanned.
    other = second_station(tmp_path, k.hall)
    try:
        other.robot.click("startButton")
        wait_screen(other, "Enterprise")  # the holder's enterprises are listed; scan instead
        other.runtime.camera.show(qr_scene(job.qr_payloads[1], np.random.default_rng(7)))
        other.robot.click("enterpriseScanButton")
        wait_screen(other, "ServiceHome")
        other.robot.wait_until(lambda: f"办理企业：{NAME}" in text(other.robot), 10)
        assert other.ui.flow is not None
        chosen = other.ui.flow.context.enterprise.chosen
        assert chosen is not None and chosen.uscc == uscc(1) and chosen.code == code
    finally:
        other.ui.close()
        other.runtime.close()


def test_a_filing_as_an_individual_prints_the_progress_code_only(kiosk: Kiosk) -> None:
    k = kiosk
    seed_register(k.hall)
    k.robot.click("startButton")
    wait_screen(k, "Enterprise")
    k.robot.wait_until(lambda: bool(k.robot.visible_items("enterprise_0")))
    k.robot.click("asIndividualButton")
    wait_screen(k, "ServiceHome")
    flow = k.ui.flow
    assert flow is not None
    flow.choose_service("policy_consultation")
    wait_screen(k, "Form")
    for name, value in {
        "contact_name": "王芳",
        "mobile": "13912345678",
        "question": "高新区人才公寓的申请条件是什么？",
        "policy_topic": "talent",
    }.items():
        flow.set_field(name, value)
    k.robot.click("nextButton")
    wait_screen(k, "Review")
    k.robot.click("confirmButton")
    wait_screen(k, "Receipt")
    k.robot.wait_until(lambda: k.ui.session.property("printStatus") == "printed", 20)
    job = k.runtime.printer.server.decoded_jobs()[-1]
    assert job.qr_payloads == [k.ui.session.property("progressUrl")]
    assert CODE_HEADING not in job.lines


def test_the_e_archive_shows_the_code_and_says_when_it_was_withdrawn(kiosk: Kiosk) -> None:
    k = kiosk
    admin = seed_register(k.hall)
    code = fresh_code(admin, k.hall)
    choose_the_enterprise(k)
    k.robot.click("archiveButton")
    wait_screen(k, "Archive")
    k.robot.wait_until(lambda: k.ui.enterprise.property("archiveStatus") == "done", 10)
    qr = k.robot.wait_for("archiveCodeQr")
    k.robot.wait_until(lambda: qr.property("progress") == 1.0)  # the provider drew it
    assert decode_item(k, qr) == code
    shown = text(k.robot)
    assert "一企一码" in shown and "扫描此码即可办理本企业事项" in shown
    assert "企业码已注销" not in shown

    # The hall withdraws the code (a leaked QR): the e-archive, read again, says so, no QR.
    revoked = admin.post(
        f"{k.hall.url}/api/v1/register/codes/revoke", json={"code": code}, timeout=10
    )
    assert revoked.status_code == 200, revoked.text
    k.robot.click("archiveBackButton")
    wait_screen(k, "ServiceHome")
    k.robot.click("archiveButton")
    wait_screen(k, "Archive")
    k.robot.wait_until(lambda: k.ui.enterprise.property("archiveStatus") == "done", 10)
    k.robot.wait_until(lambda: "企业码已注销，请到服务大厅重新申领" in text(k.robot))
    assert not k.robot.visible_items("archiveCodeQr")
    assert k.ui.enterprise.property("enterpriseCode") == ""


def test_the_code_caption_is_one_line_where_the_roll_is_wide_enough() -> None:
    """On 80 mm the caption fits one line; on 58 mm it breaks between its phrases, never inside
    the parenthesis; an English receipt words it in English under the same heading."""
    import datetime as dt

    from drivers.printer.escpos_decode import decode_escpos
    from drivers.printer.layout import build_receipt_job
    from kiosk.receipts import build_receipt

    token = "QHE1.abcdefghijklmnop.ABCDEFGHIJKLMNOP"

    def lines(language: str, width_mm: int) -> list[str]:
        receipt = build_receipt(
            language=language,
            station_name="狮山街道站",
            service_name="企业变更登记",
            tracking_number="SND-SS-001-20261206-0001",
            time_limit_days=3,
            progress_url="http://127.0.0.1/p/SND-SS-001-20261206-0001?t=x",
            issued_at=dt.datetime(2026, 12, 6, 10, 0),
            enterprise_name=NAME,
            enterprise_code=token,
        )
        decoded = decode_escpos(build_receipt_job(receipt, width_mm))
        assert decoded.qr_payloads[1:] == [token]
        found = decoded.text_lines
        return found[found.index(CODE_HEADING) + 1 :]

    assert lines("zh_CN", 80) == [NAME, "扫码办理本企业事项（遗失可到大厅注销）"]
    assert lines("zh_CN", 58) == [NAME, "扫码办理本企业事项", "（遗失可到大厅注销）"]
    assert [line.strip() for line in lines("en_US", 58)] == [
        NAME,
        "Scan to act for this enterprise",
        "(if lost, the hall withdraws it)",
    ]
