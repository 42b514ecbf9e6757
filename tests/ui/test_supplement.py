"""The 补正 screens in the real QML, against a real hall: a robot walk-in scans the receipt's QR
code in front of the simulated camera, sees both materials the officer asked for with the
officer's reasons, photographs each with the document camera and confirms; the station's outbox
sends the hand-in and the part is back in review at the hall. The next walk-in with the same
receipt is told, in Chinese, that nothing waits; a typed number without the card asks for it."""

from __future__ import annotations

import functools
import re

import numpy as np
from sqlalchemy import select

from drivers.camera.scenes import document_scene, qr_scene
from hall.applicant_schema import supplements
from hall.auth import StaffStore
from hall.server import HallServer
from hall.store import SubmissionStore
from hall.supplements import GUESS_LIMIT
from hall.tracking import parts
from tests.hall.helpers import (
    BUNDLE_FORM,
    PASSWORD,
    START,
    cheap_hasher,
    login,
    post_submission,
    submission,
)
from tests.support.clock import FakeClock
from tests.ui.conftest import Kiosk

NUMBER = "QH001-20261123-0001"
TOKEN = "Rk3v9QpZtW2xY7bN4mC8sA"
PART = "company_registration"
ITEMS = [
    {"material": "premises_proof", "reason": "租赁合同缺少出租方盖章页"},
    {"material": "articles_of_association", "reason": "章程未签字"},
]


def sent_back(hall: HallServer) -> str:
    """A bundle filed at another station whose company registration now waits for ITEMS."""
    body = submission("company_startup_power", BUNDLE_FORM, tracking_number=NUMBER)
    body["payload"]["access_token"] = TOKEN
    assert post_submission(hall, body).status_code == 201
    store = SubmissionStore(hall.db_path)
    try:
        StaffStore(store.engine, FakeClock(START), cheap_hasher()).add(
            "market", "officer", PASSWORD, "market_regulation"
        )
    finally:
        store.close()
    officer = login(hall, "market")
    url = f"{hall.url}/api/v1/desk/parts/{body['id']}/{PART}/moves"
    for version, to in enumerate(("accepted", "in_review", "needs_more"), start=1):
        extra = {"items": ITEMS} if to == "needs_more" else {}
        answer = officer.post(url, json={"to": to, "version": version, **extra}, timeout=10)
        assert answer.status_code == 200, answer.text
    return str(body["id"])


def status_at_hall(hall: HallServer, sub: str) -> str:
    store = SubmissionStore(hall.db_path)
    try:
        with store.engine.connect() as conn:
            return str(
                conn.execute(
                    select(parts.c.status).where(
                        parts.c.submission_id == sub, parts.c.part_id == PART
                    )
                ).scalar_one()
            )
    finally:
        store.close()


def wait_screen(k: Kiosk, screen: str) -> None:
    k.robot.wait_until(lambda: k.ui.session.property("screen") == screen, 10)


def open_without_card(k: Kiosk) -> None:
    k.runtime.reader.remove_card()
    k.robot.click("startButton")
    wait_screen(k, "Identify")
    k.robot.click("skipIdentityButton")
    wait_screen(k, "ServiceHome")
    k.robot.click("supplementTile")
    wait_screen(k, "Supplement")


def scan_receipt(k: Kiosk, seed: int) -> None:
    k.runtime.camera.show(
        qr_scene(f"{k.hall.url}/p/{NUMBER}?t={TOKEN}", np.random.default_rng(seed))
    )
    k.robot.click("supplementScanButton")


def test_a_walk_in_hands_in_both_materials_by_the_receipts_qr_code(kiosk: Kiosk) -> None:
    k, sup = kiosk, kiosk.ui.supplement
    sub = sent_back(k.hall)
    open_without_card(k)
    scan_receipt(k, 5)
    k.robot.wait_until(lambda: sup.property("status") == "list", 15)
    k.robot.wait_until(lambda: "原因：租赁合同缺少出租方盖章页" in k.robot.texts())
    k.robot.wait_until(lambda: "原因：章程未签字" in k.robot.texts())
    texts = "\n".join(k.robot.texts())
    assert "经营场所使用证明（房产证或租赁合同）" in texts and "原因：章程未签字" in texts
    assert not k.robot.find("supplementConfirmButton").isEnabled()

    for seed, item in enumerate(ITEMS, start=11):
        k.robot.click(f"supplementPhoto_{item['material']}")
        wait_screen(k, "SupplementCapture")
        k.runtime.camera.show(document_scene(np.random.default_rng(seed), 1280, 720))
        k.robot.wait_until(lambda: k.ui.capture.property("hasCapture"), 15)
        k.robot.click("usePhotoButton")
        wait_screen(k, "Supplement")
    assert "\n".join(k.robot.texts()).count("已拍照") == 2
    k.robot.click("supplementConfirmButton")
    k.robot.wait_until(lambda: sup.property("status") == "queued", 10)
    number = sup.property("trackingNumber")
    assert number.startswith("SND-SS-001-")
    k.robot.wait_until(lambda: number in k.robot.texts())

    # The station's sender delivers it; the part is back in review at the hall.
    k.robot.wait_until(lambda: status_at_hall(k.hall, sub) == "in_review", 20)
    store = SubmissionStore(k.hall.db_path)
    try:
        with store.engine.connect() as conn:
            (row,) = conn.execute(select(supplements)).all()
    finally:
        store.close()
    assert (row.tracking_number, row.state) == (number, "applied")

    k.robot.click("supplementDoneButton")
    wait_screen(k, "Attract")
    assert k.ui.flow is not None and k.ui.flow.context.is_empty()

    # The next walk-in with the same receipt: nothing waits, and the kiosk says so in words.
    open_without_card(k)
    scan_receipt(k, 6)
    k.robot.wait_until(lambda: sup.property("status") == "not_waiting", 15)
    k.robot.wait_until(lambda: "该办件当前无需补正材料" in k.robot.texts())
    # A typed number needs the card that filed it.
    k.robot.click("supplementBackButton")
    wait_screen(k, "ServiceHome")
    k.robot.click("supplementTile")
    wait_screen(k, "Supplement")
    k.robot.type_into("supplementTrackingField", NUMBER)
    k.robot.click("supplementLookUpButton")
    k.robot.wait_until(lambda: "请读取办理该事项时所用的身份证" in k.robot.texts())


UNKNOWN = "QH001-20261123-0999"  # well formed; the hall has no such filing


def test_too_many_look_ups_that_find_nothing_are_a_wait_not_an_outage(kiosk: Kiosk) -> None:
    """The hall's real guess limit (hall/supplements.py): after GUESS_LIMIT look-ups in a row
    that find nothing it answers 429 with Retry-After. The walk-in reads "too many attempts" and
    how many seconds to wait, never "the hall cannot be asked" and its offer of a helper; the
    station staff read the code HALL_RATE_LIMITED."""
    k, sup = kiosk, kiosk.ui.supplement
    statuses: list[str] = []

    def note() -> None:
        status = sup.property("status")
        if not statuses or statuses[-1] != status:
            statuses.append(status)

    sup.changed.connect(note)
    k.robot.click("startButton")  # the simulator's card is read: a typed number may be asked
    wait_screen(k, "ServiceHome")
    k.robot.click("supplementTile")
    wait_screen(k, "Supplement")
    k.robot.type_into("supplementTrackingField", UNKNOWN)

    def answered(asked: int) -> bool:
        return statuses.count("busy") == asked and statuses[-1] != "busy"

    for asked in range(1, GUESS_LIMIT + 1):
        k.robot.click("supplementLookUpButton")
        k.robot.wait_until(functools.partial(answered, asked), 10)
        assert statuses[-1] == "not_found", statuses
    k.robot.wait_until(lambda: "未找到与该编号和证件相符的办件" in "\n".join(k.robot.texts()))

    k.robot.click("supplementLookUpButton")
    k.robot.wait_until(lambda: statuses[-1] == "rate_limited", 10)
    texts = "\n".join(k.robot.texts())
    assert "操作过于频繁" in texts
    assert re.search(r"请 (\d+) 秒后再试。", texts), texts
    assert "故障代码：HALL_RATE_LIMITED" in texts
    assert "暂时无法连接政务服务中心" not in texts
    assert not k.robot.visible_items("supplementHelpButton")  # no helper offered for a wait
    # The number stays, so the walk-in can try again once the wait is over.
    assert k.robot.find("supplementTrackingField").property("text") == UNKNOWN

    k.robot.click("languageButton")
    k.robot.wait_until(lambda: "Too many attempts" in k.robot.texts())
    seconds = re.search(r"Please try again in (\d+) seconds\.", "\n".join(k.robot.texts()))
    assert seconds is not None and 1 <= int(seconds[1]) <= 60
