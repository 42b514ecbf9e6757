"""Issue 16's acceptance journey: the applicant back in the loop, end to end, on real parts.

A walk-in files the 企业开办+用电报装 bundle at one kiosk (the robot user on the real QML UI,
choosing EMS delivery to a Jiangsu address at review; its outbox and sender deliver to a real
hall). The market-regulation officer asks for two materials; the hall texts the applicant over
SMPP and the SMSC simulator holds the text, UCS-2, reassembled whole, naming both materials and
the receipt's link. The walk-in goes to ANOTHER station, scans the receipt's QR code in front of
its camera, photographs both materials and confirms; that station's outbox hands them in and the
part is back in review. The officer approves, makes the result ready for EMS and records the
waybill; the waybill reaches the applicant's phone by SMS. The part closes, the rating
invitation's link opens the phone page in headless Chromium, the enterprise rates 不满意, and the
department's rectification task appears with its 15-working-day deadline.
"""

from __future__ import annotations

import re
import socket
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import numpy as np
import pytest
from playwright.sync_api import Browser, expect

from drivers.camera.scenes import document_scene, qr_scene
from hall.notify_wiring import NotifySettings
from hall.server import HallServer
from hall.sms_smpp import SmppConfig
from hall.smsc_sim.server import SmscSimulator, StoredMessage
from kiosk.runtime import KioskRuntime
from tests.e2e.test_console_desk import add_officer
from tests.hall.helpers import START, add_staff, cheap_hasher, enrolled_runtime, login
from tests.journeys.pinyin import PinyinTyper
from tests.support.clock import FakeClock
from tests.support.robot import Robot
from tests.support.screenshots import demo_config
from ui.app import KioskUi

MOBILE = "13912345678"
PART = "company_registration"
ITEMS = [
    {"material": "premises_proof", "reason": "租赁合同缺少出租方盖章页"},
    {"material": "articles_of_association", "reason": "章程未签字"},
]
WAYBILL = "EE123456785CN"
# What the walk-in gave that no text may carry: the card's name and ID number, form answers, the
# officer's reasons, the EMS street and recipient.
PERSONAL = ("张三丰", "11010519491231002X", "启航科技有限公司", "软件开发", "租赁合同缺少",
            "章程未签字", "人民路", "王芳")  # fmt: skip


@dataclass
class Station:
    ui: KioskUi
    runtime: KioskRuntime
    robot: Robot

    def wait_screen(self, screen: str, timeout_s: float = 10) -> None:
        self.robot.wait_until(lambda: self.ui.session.property("screen") == screen, timeout_s)

    def close(self) -> None:
        self.ui.close()
        self.runtime.close()


@dataclass
class SmsHall:
    server: HallServer
    smsc: SmscSimulator

    @property
    def url(self) -> str:
        return self.server.url

    def text_for(self, words: str, timeout_s: float = 20.0) -> StoredMessage:
        """The one text (to the walk-in's number) holding ``words``, once it has arrived."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            found = [m for m in self.smsc.messages() if words in m.text]
            if found:
                time.sleep(0.3)  # a duplicate would show up now
                found = [m for m in self.smsc.messages() if words in m.text]
                assert len(found) == 1, [m.text for m in found]
                return found[0]
            time.sleep(0.05)
        raise AssertionError(f"no text with {words!r}: {[m.text for m in self.smsc.messages()]}")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def sms_hall(tmp_path: Path) -> Iterator[SmsHall]:
    with SmscSimulator(system_id="hall", password="secret") as smsc:
        port = _free_port()
        settings = NotifySettings(
            # The texts' links name the hall itself: the phone (Chromium) opens them as sent.
            f"http://127.0.0.1:{port}",
            SmppConfig("127.0.0.1", smsc.port, "hall", "secret"),
            {"per_number_gap_s": 0.0, "poll_interval_s": 0.1, "backoff_base_s": 0.1},
        )
        server = HallServer(
            tmp_path / "hall.db",
            port=port,
            clock=FakeClock(START),
            password_hasher=cheap_hasher(),
            notify_settings=settings,
        ).start()
        try:
            yield SmsHall(server, smsc)
        finally:
            server.stop()


def open_station(tmp_path: Path, hall: HallServer, station_id: str, name: str) -> Station:
    config = demo_config(tmp_path / station_id, hall.url, "zh_CN", False)
    config = config.model_copy(
        update={"station": config.station.model_copy(update={"id": station_id, "name": name})}
    )
    runtime = enrolled_runtime(config, hall, start_sender=True)
    ui = KioskUi(runtime, clock=FakeClock())
    return Station(ui, runtime, Robot(ui.window))


def file_with_ems(station: Station) -> tuple[str, str, str]:
    """The walk-in files the bundle choosing EMS; returns the tracking number, the receipt QR's
    link and the submission id."""
    robot = station.robot
    typer = PinyinTyper(station.ui.engine)
    try:
        robot.wait_until(lambda: bool(robot.items("inputPanel")))
        robot.click("startButton")
        station.wait_screen("ServiceHome")
        robot.click("service_company_startup_power")
        station.wait_screen("Form")
        robot.type_into("field_mobile", MOBILE)
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
        robot.click("capture_premises_proof")
        station.wait_screen("Capture")
        robot.wait_until(lambda: station.ui.capture.property("hasCapture"), 15)
        robot.click("usePhotoButton")
        station.wait_screen("Form")
        robot.click("nextButton")
        station.wait_screen("Review")
        robot.wait_until(lambda: "启航科技有限公司" in robot.texts())
        choose_ems(station, typer)
        robot.click("confirmButton")
        station.wait_screen("Receipt")
        tracking = str(station.ui.session.property("trackingNumber"))
        server = station.runtime.printer.server
        robot.wait_until(lambda: station.ui.session.property("printStatus") == "printed", 10)
        job = server.decoded_jobs()[-1]
        assert any("EMS" in line for line in job.lines)
        (link,) = job.qr_payloads
        flow = station.ui.flow
        assert flow is not None
        sub_id = flow.context.submission_id
        robot.click("finishButton")
        station.wait_screen("Attract")
    finally:
        typer.close()
    return tracking, link, sub_id


def choose_ems(station: Station, typer: PinyinTyper) -> None:
    """At review: EMS to 苏州市虎丘区, street and recipient typed in Pinyin, the form's mobile."""
    robot = station.robot
    robot.click("deliveryEms")
    station.wait_screen("Delivery")
    robot.click("deliveryCity_苏州市")
    robot.click("deliveryDistrict_虎丘区")
    robot.click("deliveryField_street")
    typer.type_word("renmin", "人民")
    typer.type_word("lu", "路")
    robot.type_into("deliveryField_street", "78")
    robot.click("deliveryField_recipient")
    typer.type_word("wangfang", "王芳")
    robot.click("deliveryConfirm")
    station.wait_screen("Review")
    robot.wait_until(lambda: "江苏省苏州市虎丘区" in "\n".join(robot.texts()))


def hand_in_both(station: Station, link: str) -> str:
    """At another station: scan the receipt, photograph both materials, confirm; returns the
    hand-in's own tracking number once that station's sender delivered it."""
    robot, sup = station.robot, station.ui.supplement
    station.runtime.reader.remove_card()
    robot.click("startButton")
    station.wait_screen("Identify")
    robot.click("skipIdentityButton")
    station.wait_screen("ServiceHome")
    robot.click("supplementTile")
    station.wait_screen("Supplement")
    station.runtime.camera.show(qr_scene(link, np.random.default_rng(5)))
    robot.click("supplementScanButton")
    robot.wait_until(lambda: sup.property("status") == "list", 15)
    for item in ITEMS:
        robot.wait_until(lambda item=item: f"原因：{item['reason']}" in robot.texts())
    for seed, item in enumerate(ITEMS, start=11):
        robot.click(f"supplementPhoto_{item['material']}")
        station.wait_screen("SupplementCapture")
        station.runtime.camera.show(document_scene(np.random.default_rng(seed), 1280, 720))
        robot.wait_until(lambda: station.ui.capture.property("hasCapture"), 15)
        robot.click("usePhotoButton")
        station.wait_screen("Supplement")
    robot.click("supplementConfirmButton")
    robot.wait_until(lambda: sup.property("status") == "queued", 10)
    number = str(sup.property("trackingNumber"))
    robot.wait_until(lambda: station.runtime.sender.status().depth == 0, 20)
    robot.click("supplementDoneButton")
    station.wait_screen("Attract")
    return number


def test_the_applicant_is_texted_hands_in_at_another_station_gets_ems_and_rates(
    qapp: object, tmp_path: Path, sms_hall: SmsHall, browser: Browser, shots: Path
) -> None:
    hall = sms_hall.server
    add_officer(hall, "ma.market", "market_regulation")
    add_staff(hall, "wu.supervisor", "supervisor")

    first = open_station(tmp_path, hall, "SND-SS-001", "狮山街道站")
    try:
        tracking, link, sub_id = file_with_ems(first)
    finally:
        first.close()
    token = parse_qs(urlsplit(link).query)["t"][0]
    assert link == f"{hall.url}/p/{tracking}?t={token}"
    received = sms_hall.text_for("已受理")
    assert received.destination == "86" + MOBILE and received.data_coding == 0x08  # UCS-2

    # The officer accepts, reviews and asks for two materials, each with its reason.
    officer = login(hall, "ma.market")
    moves = f"{hall.url}/api/v1/desk/parts/{sub_id}/{PART}/moves"
    version = 1
    for to in ("accepted", "in_review", "needs_more"):
        extra = {"items": ITEMS} if to == "needs_more" else {}
        answer = officer.post(moves, json={"to": to, "version": version, **extra}, timeout=10)
        assert answer.status_code == 200, answer.text
        version = answer.json()["version"]
    needs = sms_hall.text_for("需补正材料")
    assert needs.data_coding == 0x08 and needs.parts > 1  # concatenated UCS-2, reassembled
    assert "经营场所使用证明" in needs.text and "公司章程" in needs.text
    assert f"/p/{tracking}?t={token}" in needs.text

    # At ANOTHER station, the receipt's QR code: both materials handed in, the part in review.
    second = open_station(tmp_path, hall, "SND-SS-002", "枫桥街道站")
    try:
        handed_in = hand_in_both(second, link)
    finally:
        second.close()
    assert handed_in.startswith("SND-SS-002-")
    part = officer.get(f"{hall.url}/api/v1/desk/filings/{sub_id}", timeout=10).json()
    (ours,) = [p for p in part["parts"] if p["part_id"] == PART]
    assert ours["status"] == "in_review" and ours["delivery"] == "ems"
    version = ours["version"]

    # Approved, ready for EMS, the waybill recorded: the applicant's text carries it.
    for to in ("approved", "result_ready"):
        answer = officer.post(moves, json={"to": to, "version": version}, timeout=10)
        assert answer.status_code == 200, answer.text
        version = answer.json()["version"]
    answer = officer.post(
        f"{hall.url}/api/v1/desk/parts/{sub_id}/{PART}/waybill",
        json={"waybill": WAYBILL, "version": version},
        timeout=10,
    )
    assert answer.status_code == 200, answer.text
    version = answer.json()["version"]
    sent = sms_hall.text_for(WAYBILL)
    assert "EMS" in sent.text and sent.destination == "86" + MOBILE

    # Closed: the rating invitation's link opens the phone page; the enterprise rates 不满意.
    answer = officer.post(moves, json={"to": "closed", "version": version}, timeout=10)
    assert answer.status_code == 200, answer.text
    invite = sms_hall.text_for("请为")
    (phone_link,) = re.findall(r"https?://\S+", invite.text)
    assert phone_link == link  # the receipt's own link: the token opens the whole story
    context = browser.new_context(
        locale="zh-CN", timezone_id="Asia/Shanghai", viewport={"width": 390, "height": 844},
        device_scale_factor=2, is_mobile=True, has_touch=True,
    )  # fmt: skip
    try:
        page = context.new_page()
        page.set_default_timeout(10_000)
        page.goto(phone_link)
        expect(page.locator("body")).to_contain_text(WAYBILL)
        page.click("#rate-link")
        form = page.locator(f"form[data-part={PART}]")
        form.locator("label", has_text="不满意").first.click()
        for name, score in (("overall", 2), ("efficiency", 2), ("skill", 3), ("attitude", 3)):
            form.locator(f"input[name={name}][value='{score}']").check()
        form.locator("textarea[name=comment]").fill("补正材料要求第一次没有讲清楚")
        form.locator("button[type=submit]").click()
        expect(page.locator(".thanks")).to_contain_text("感谢您的评价")
        page.screenshot(path=shots / "applicant_loop_rated.png", full_page=True)
    finally:
        context.close()

    # 不满意 opened the department's rectification task, due in 15 working days.
    tasks = officer.get(f"{hall.url}/api/v1/rectifications", timeout=10).json()["items"]
    assert [(t["tracking_number"], t["level"], t["state"]) for t in tasks] == [
        (tracking, 2, "open")
    ]
    # Every text the applicant got: the tracking number and a link, nothing personal.
    texts = sms_hall.smsc.messages()
    assert len(texts) >= 5
    for message in texts:
        assert tracking in message.text
        for secret in PERSONAL:
            assert secret not in message.text, (secret, message.text)

    # 15 working days from the rating (the hall's calendar skips weekends and holidays).
    assert tasks[0]["due_on"] == "2026-12-14"
