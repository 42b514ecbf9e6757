"""EMS 政务专递 at review, through the real QML: a walk-in filing a service whose result is a
document picks the city and district, types the street and recipient on the Pinyin keyboard,
confirms, and submits; the hall gets the address, the receipt names the region only, and the
session forgets it at the end (finish or timeout). A refused address says why and files nothing;
a service without a document result carries no delivery at all."""

from __future__ import annotations

from typing import Any

import requests

from hall.store import SubmissionStore
from kiosk.session.delivery import DeliveryDraft
from tests.journeys.pinyin import PinyinTyper
from tests.support.screenshots import BUNDLE_ANSWERS
from tests.ui.conftest import Kiosk

SUZHOU, HUQIU = "苏州市", "虎丘区"
RECIPIENT = "王芳"


def wait_screen(k: Kiosk, screen: str) -> None:
    k.robot.wait_until(lambda: k.ui.session.property("screen") == screen, 10)


def shown(k: Kiosk) -> str:
    return "\n".join(k.robot.texts())


def to_review(k: Kiosk) -> None:
    """Card read, the bundle chosen and answered, its lease photographed: the review screen."""
    k.robot.wait_until(lambda: bool(k.robot.items("inputPanel")))  # the keyboard has loaded
    k.robot.click("startButton")
    wait_screen(k, "ServiceHome")
    k.robot.click("service_company_startup_power")
    wait_screen(k, "Form")
    flow = k.ui.flow
    assert flow is not None
    for name, value in BUNDLE_ANSWERS.items():
        flow.set_field(name, value)
    flow.set_field("enterprise_type", "llc")
    flow.open_capture("premises_proof")
    flow.accept_capture(bytearray(b"\xff\xd8\xff\xe0 the lease contract"))
    wait_screen(k, "Form")
    k.robot.click("nextButton")
    wait_screen(k, "Review")


def filed_payload(k: Kiosk) -> dict[str, Any]:
    """The filing as the hall stored it, once the sender has delivered it."""
    assert k.ui.flow is not None
    sub_id = k.ui.flow.context.submission_id
    k.robot.wait_until(
        lambda: requests.get(f"{k.hall.url}/api/v1/submissions/{sub_id}", timeout=2).ok, 15
    )
    store = SubmissionStore(k.hall.db_path)
    try:
        filed = store.load(sub_id)
    finally:
        store.close()
    assert filed is not None
    return filed.payload


def test_ems_address_reaches_the_hall_and_the_receipt_names_the_region(kiosk: Kiosk) -> None:
    k, robot = kiosk, kiosk.robot
    flow = k.ui.flow
    assert flow is not None
    typer = PinyinTyper(k.ui.engine)
    try:
        to_review(k)
        # Pick-up at this station is the default.
        robot.wait_for("deliveryChoice")
        assert k.ui.delivery.property("method") == "pickup"
        assert robot.find("deliveryPickup").property("selected") is True

        robot.click("deliveryEms")
        wait_screen(k, "Delivery")
        assert k.ui.delivery.property("province") == "江苏省"
        assert k.ui.delivery.property("mobile") == "13912345678"  # from the form's mobile
        assert len(k.ui.delivery.property("cities")) == 13
        robot.click(f"deliveryCity_{SUZHOU}")
        robot.click(f"deliveryDistrict_{HUQIU}")
        # 人民路 alone is too short for a courier.
        robot.click("deliveryField_street")
        typer.type_word("renmin", "人民")
        typer.type_word("lu", "路")
        robot.click("deliveryField_recipient")
        typer.type_word("wangfang", RECIPIENT)
        robot.click("deliveryConfirm")
        error = robot.wait_for("deliveryError_street")
        assert "太短" in error.property("text")
        assert robot.find("deliveryErrors").isVisible()
        assert k.ui.session.property("screen") == "Delivery"
        assert k.runtime.sender.status().depth == 0  # nothing filed

        # Back keeps the choice (still pick-up); the address typed so far waits for the next visit.
        robot.click("deliveryBack")
        wait_screen(k, "Review")
        assert k.ui.delivery.property("method") == "pickup"
        robot.click("deliveryEms")
        wait_screen(k, "Delivery")
        assert k.ui.delivery.property("street") == "人民路"
        assert not robot.visible_items("deliveryError_street")
        robot.type_into("deliveryField_street", "88")
        assert flow.context.delivery.street == "人民路88"
        robot.click("deliveryConfirm")
        wait_screen(k, "Review")

        # Review: the method, the region, the recipient and mobile masked.
        assert k.ui.delivery.property("method") == "ems"
        robot.wait_until(lambda: "江苏省苏州市虎丘区" in shown(k))
        assert robot.find("deliveryEms").property("selected") is True
        to_line = robot.find("deliveryTo").property("text")
        assert "王*" in to_line and "139****5678" in to_line
        assert RECIPIENT not in shown(k) and "人民路88" not in shown(k)

        robot.click("confirmButton")
        wait_screen(k, "Receipt")
        robot.wait_until(lambda: k.ui.session.property("printStatus") == "printed", 10)
        receipt = "".join(k.runtime.printer.server.decoded_jobs()[-1].lines)
        assert "领取方式：EMS政务专递（江苏省苏州市虎丘区）" in receipt
        for secret in ("人民路", RECIPIENT, "13912345678", "5678"):
            assert secret not in receipt

        assert filed_payload(k)["delivery"] == {
            "method": "ems",
            "province": "江苏省",
            "city": SUZHOU,
            "district": HUQIU,
            "street": "人民路88",
            "recipient": RECIPIENT,
            "mobile": "13912345678",
        }

        robot.click("finishButton")
        wait_screen(k, "Attract")
        assert flow.context.is_empty()
        assert flow.context.delivery == DeliveryDraft()
        assert k.ui.delivery.property("street") == ""
        assert k.ui.delivery.property("regionLine") == ""
    finally:
        typer.close()


def test_pickup_is_filed_and_printed_by_default(kiosk: Kiosk) -> None:
    k, robot = kiosk, kiosk.robot
    to_review(k)
    # EMS chosen and confirmed, then back to pick-up: pick-up is filed.
    robot.click("deliveryEms")
    wait_screen(k, "Delivery")
    robot.click(f"deliveryCity_{SUZHOU}")
    robot.click(f"deliveryDistrict_{HUQIU}")
    robot.type_into("deliveryField_street", "Shishan Road 88")
    robot.type_into("deliveryField_recipient", "Wang Fang")
    robot.click("deliveryConfirm")
    wait_screen(k, "Review")
    assert k.ui.delivery.property("method") == "ems"
    robot.click("deliveryPickup")
    assert k.ui.delivery.property("method") == "pickup"
    assert not robot.visible_items("deliveryRegion")
    robot.click("confirmButton")
    wait_screen(k, "Receipt")
    robot.wait_until(lambda: k.ui.session.property("printStatus") == "printed", 10)
    receipt = "".join(k.runtime.printer.server.decoded_jobs()[-1].lines)
    assert "领取方式：到本站点领取" in receipt and "Shishan" not in receipt
    assert filed_payload(k)["delivery"] == {"method": "pickup"}


def test_the_address_is_forgotten_when_the_walk_in_leaves(kiosk: Kiosk) -> None:
    k, robot = kiosk, kiosk.robot
    flow = k.ui.flow
    assert flow is not None
    to_review(k)
    robot.click("deliveryEms")
    wait_screen(k, "Delivery")
    robot.click(f"deliveryCity_{SUZHOU}")
    robot.type_into("deliveryField_street", "Shishan Road 88")
    assert flow.context.delivery.street == "Shishan Road 88"
    timeouts = k.runtime.config.timeouts
    k.clock.advance(timeouts.idle_s + 1)
    robot.wait_until(lambda: robot.find("timeoutOverlay").isVisible())
    k.clock.advance(timeouts.warning_s)
    wait_screen(k, "Attract")
    assert flow.context.is_empty()
    assert flow.context.delivery == DeliveryDraft()
    assert "Shishan Road 88" not in shown(k)
    assert k.runtime.sender.status().depth == 0


def test_a_service_without_a_document_result_sends_no_delivery(kiosk: Kiosk) -> None:
    k, robot = kiosk, kiosk.robot
    flow = k.ui.flow
    assert flow is not None
    robot.click("startButton")
    wait_screen(k, "ServiceHome")
    flow.choose_service("policy_consultation")
    wait_screen(k, "Form")
    for name, value in {
        "contact_name": "王芳",
        "mobile": "13912345678",
        "question": "高新区人才公寓的申请条件是什么？",
    }.items():
        flow.set_field(name, value)
    choice = next(f for f in flow.service.form.fields if f.name == "policy_topic")  # type: ignore[union-attr]
    flow.set_field("policy_topic", choice.choices[0].value)
    robot.click("nextButton")
    wait_screen(k, "Review")
    assert not robot.visible_items("deliveryChoice")
    assert k.ui.delivery.property("available") is False
    robot.click("confirmButton")
    wait_screen(k, "Receipt")
    robot.wait_until(lambda: k.ui.session.property("printStatus") == "printed", 10)
    assert "领取方式" not in "".join(k.runtime.printer.server.decoded_jobs()[-1].lines)
    assert "delivery" not in filed_payload(k)
