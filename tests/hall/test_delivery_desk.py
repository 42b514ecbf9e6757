"""Pick-up or EMS at the hall, through a real hall (uvicorn; SQLite and PostgreSQL).

Intake records the walk-in's choice on every part of a filing whose result is a document
(pick-up when an older kiosk sends none) and refuses, 422 with field codes, a delivery the
service does not take or one that fails the check — never echoing the address. The result_ready
move defaults to the recorded choice. The officer records an EMS waybill like a move (department,
version, event row); the applicant is texted the number once, a corrected number once more. The
public progress says only that it was sent; the receipt's link adds the number. The filing detail
shows the region in clear and the street, recipient and mobiles masked, each reveal audited.
"""

from __future__ import annotations

import logging
import secrets
from typing import Any

import pytest
import requests
from sqlalchemy import select

from hall.notifications import notifications
from hall.store import SubmissionStore
from tests.hall.conftest import ConsoleHall
from tests.hall.helpers import (
    BUNDLE_FORM,
    EV_FORM,
    SECRETS,
    audit_rows,
    post_submission,
    submission,
)
from tests.hall.test_desk_moves import (
    add_member,
    add_officer,
    event_rows,
    moved,
    part_row,
    part_url,
    refusal,
)
from tests.hall.test_notify_wiring import SmsHall, sms_hall  # noqa: F401 (a fixture)

BUNDLE = "company_startup_power"  # a document result (business licence): pick-up or EMS
EV = "ev_charging_pile"  # no document result: no delivery choice
DESK = "/api/v1/desk"
EMS = {
    "method": "ems",
    "province": "江苏省",
    "city": "苏州市",
    "district": "虎丘区",
    "street": "狮山路88号金狮大厦1201室",
    "recipient": "张三丰",
    "mobile": "13700009999",
}
ADDRESS = (EMS["street"], EMS["recipient"], EMS["mobile"], "金狮大厦")
WAYBILL = "EA123456785CN"  # S10: 8·1+6·2+4·3+2·4+3·5+5·6+9·7+7·8 = 204, 11 − 204 mod 11 = 5


def body_for(service: str, form: dict[str, str], number: int, **payload: Any) -> dict[str, Any]:
    body = submission(service, form, tracking_number=f"QH001-20261123-{number:04d}")
    body["payload"].update(payload)
    return body


def filed(
    hall: ConsoleHall, service: str, form: dict[str, str], number: int, **payload: Any
) -> str:
    body = body_for(service, form, number, **payload)
    response = post_submission(hall.server, body)
    assert response.status_code == 201, response.text
    return str(body["id"])


def ready(session: requests.Session, hall: ConsoleHall, sub: str, part: str, **extra: Any) -> Any:
    """Move a received part to result_ready (four moves) and return the last answer."""
    for version, to in enumerate(("accepted", "in_review", "approved"), start=1):
        moved(session, hall, sub, part, to=to, version=version)
    return moved(session, hall, sub, part, to="result_ready", version=4, **extra)


def waybill(
    session: requests.Session, hall: ConsoleHall, sub: str, part: str, number: Any, version: int
) -> requests.Response:
    return session.post(
        part_url(hall, sub, part, "waybill"), json={"waybill": number, "version": version},
        timeout=10,
    )  # fmt: skip


def queued(hall: ConsoleHall) -> list[Any]:
    store = SubmissionStore(hall.server.db_path)
    try:
        with store.engine.connect() as conn:
            return list(conn.execute(select(notifications).order_by(notifications.c.seq)).all())
    finally:
        store.close()


# --- intake --------------------------------------------------------------------------------------


def test_intake_records_the_choice_and_refuses_a_delivery_that_fails_the_check(
    console_hall: ConsoleHall, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    hall = console_hall
    by_ems = filed(hall, BUNDLE, BUNDLE_FORM, 1, delivery=EMS)
    old_kiosk = filed(hall, BUNDLE, BUNDLE_FORM, 2)  # sends no delivery: pick-up
    picked = filed(hall, BUNDLE, BUNDLE_FORM, 3, delivery={"method": "pickup"})
    no_document = filed(hall, EV, EV_FORM, 4)
    for sub, expected in ((by_ems, "ems"), (old_kiosk, "pickup"), (picked, "pickup")):
        for part in ("company_registration", "power_connection"):
            row = part_row(hall, sub, part)
            assert (row.delivery, row.waybill) == (expected, None)
    assert part_row(hall, no_document, "power_supply").delivery is None
    # A choice made under a catalog that offered it (the station's, perhaps offline) is kept even
    # when the hall's latest catalog no longer does: a refused filing would be lost.
    chosen_earlier = filed(hall, EV, EV_FORM, 5, delivery={"method": "pickup"})
    assert part_row(hall, chosen_earlier, "power_supply").delivery == "pickup"

    refused = [
        (BUNDLE, BUNDLE_FORM, {**EMS, "street": "8号", "mobile": "1370000"},
         {"delivery.street": "too_short", "delivery.mobile": "bad_mobile"}),
        (BUNDLE, BUNDLE_FORM, {**EMS, "city": "上海市"}, {"delivery.city": "unknown_city"}),
        (BUNDLE, BUNDLE_FORM, {**EMS, "floor": "3"}, {"delivery.floor": "unexpected"}),
        (BUNDLE, BUNDLE_FORM, "ems", {"delivery.delivery": "not_an_object"}),
        (BUNDLE, BUNDLE_FORM, {"method": "drone"}, {"delivery.method": "unknown_method"}),
    ]  # fmt: skip
    for n, (service, form, delivery, reasons) in enumerate(refused, start=10):
        body = body_for(service, form, n, delivery=delivery)
        response = post_submission(hall.server, body)
        assert response.status_code == 422, response.text
        assert response.json()["detail"]["reasons"] == reasons
        for value in ADDRESS:
            assert value not in response.text
        # Nothing is kept: no submission, no parts; the number is still free.
        assert (
            requests.get(f"{hall.url}/api/v1/submissions/{body['id']}", timeout=5).status_code
            == 404
        )
        fixed = {**body, "payload": {**body["payload"], "delivery": EMS}}
        if service == BUNDLE:
            assert post_submission(hall.server, fixed).status_code == 201
    for value in (*ADDRESS, *SECRETS):
        assert value not in caplog.text
    assert "delivery_invalid" in caplog.text and "delivery_not_offered" in caplog.text

    # The result_ready move takes the walk-in's choice unless the officer names another.
    market = add_officer(hall, "mei.market", "market_regulation")
    view = ready(market, hall, by_ems, "company_registration")
    assert (view["delivery"], view["waybill"]) == ("ems", None)
    grid = add_officer(hall, "gao.grid", "state_grid")
    view = ready(grid, hall, by_ems, "power_connection", delivery="pickup")
    assert view["delivery"] == "pickup"
    ready_events = [
        (e.part_id, e.reason) for e in event_rows(hall, by_ems) if e.to_status == "result_ready"
    ]
    assert ready_events == [("company_registration", "ems"), ("power_connection", "pickup")]
    assert ready(market, hall, old_kiosk, "company_registration")["delivery"] == "pickup"


# --- the waybill ---------------------------------------------------------------------------------


def test_the_officer_records_the_waybill_and_the_applicant_is_texted_once(
    sms_hall: SmsHall,  # noqa: F811
) -> None:
    hall = sms_hall.hall
    token = secrets.token_urlsafe(16)
    number = "QH001-20261123-0001"
    sub = filed(hall, BUNDLE, BUNDLE_FORM, 1, delivery=EMS, access_token=token)
    market = add_officer(hall, "mei.market", "market_regulation")
    grid = add_officer(hall, "gao.grid", "state_grid")
    boss = add_member(hall, "wu.super", "supervisor")
    helper = add_member(hall, "xiao.helper", "helper")

    # Not ready yet: no waybill.
    refusal(waybill(market, hall, sub, "company_registration", WAYBILL, 1), 409,
            "waybill_not_allowed")  # fmt: skip
    view = ready(market, hall, sub, "company_registration")
    assert view["version"] == 5
    # An EMS result texts nothing until its waybill is recorded.
    assert [r.event for r in queued(hall)] == ["filing_received"]

    # Refusals: another department, a helper, a bad number, a stale version; nothing written.
    assert waybill(grid, hall, sub, "company_registration", WAYBILL, 5).status_code == 403
    assert waybill(helper, hall, sub, "company_registration", WAYBILL, 5).status_code == 403
    for bad, code in (("EA123456788CN", "bad_check_digit"), ("12345", "bad_waybill"),
                      ("EA12345678CN", "bad_waybill"), (12345, None)):  # fmt: skip
        response = waybill(market, hall, sub, "company_registration", bad, 5)
        if code is None:  # not text: the body's own check
            assert response.status_code == 422
        else:
            refusal(response, 422, code)
    stale = refusal(waybill(market, hall, sub, "company_registration", WAYBILL, 4), 409, "changed")
    assert stale["by"] == "mei.market"
    row = part_row(hall, sub, "company_registration")
    assert (row.waybill, row.version) == (None, 5)
    assert ("gao.grid", "auth.refused", f"{sub}/company_registration", "other_department") in (
        audit_rows(hall.server)
    )

    # Recorded (spaces and case as typed are normalised), with who and when.
    response = waybill(market, hall, sub, "company_registration", " ea 1234 5678 5cn ", 5)
    assert response.status_code == 200, response.text
    view = response.json()
    assert (view["waybill"], view["version"], view["status"]) == (WAYBILL, 6, "result_ready")
    last = event_rows(hall, sub, "company_registration")[-1]
    assert (last.actor, last.from_status, last.to_status, last.reason) == (
        "mei.market", "result_ready", "result_ready", f"waybill:{WAYBILL}",
    )  # fmt: skip
    assert view["events"][-1]["actor"] == "mei.market" and view["events"][-1]["at"] == last.at
    # The same number again (a lost answer, a double click): nothing new, nothing sent.
    again = waybill(market, hall, sub, "company_registration", WAYBILL, 5)
    assert again.status_code == 200 and again.json()["version"] == 6
    assert len(event_rows(hall, sub, "company_registration")) == 5  # four moves, one waybill

    texts = sms_hall.texts(2)
    assert len(texts) == 2
    link = f"https://hall.example/p/{number}?t={token}"
    assert texts[1].text == (
        f"【企航政务】您的企业设立登记办理结果（{number}）已出，"
        f"已由EMS政务专递寄出，运单号{WAYBILL}。详情 {link}"
    )
    assert texts[1].destination == "8613912345678"  # the applicant's number, not the recipient's
    rows = queued(hall)
    assert [(r.event, r.dedupe_key) for r in rows][1:] == [
        ("result_ready", f"{sub}:company_registration:result_ready:ems:{WAYBILL}")
    ]

    # A corrected number (a supervisor may too): recorded, texted once more.
    corrected = waybill(boss, hall, sub, "company_registration", "1180123456789", 6)
    assert corrected.status_code == 200 and corrected.json()["waybill"] == "1180123456789"
    texts = sms_hall.texts(3)
    assert len(texts) == 3 and "运单号1180123456789" in texts[2].text
    assert sms_hall.smsc.stats()["duplicates"] == 0
    for sms in texts:
        for value in ADDRESS:
            assert value not in sms.text

    # A part going by pick-up takes no waybill.
    ready(grid, hall, sub, "power_connection", delivery="pickup")
    refusal(waybill(grid, hall, sub, "power_connection", WAYBILL, 5), 409, "waybill_not_allowed")

    # The public progress: sent by EMS, never the number; the receipt's link adds it.
    public = requests.get(f"{hall.url}/api/v1/progress/{number}", timeout=5)
    company = public.json()["parts"][0]
    assert (company["shipped_by"], company["shipped_at"]) == ("ems", last.at)
    page = requests.get(f"{hall.url}/progress/{number}", timeout=5).text
    assert "已由EMS寄出" in page
    for text in (public.text, page):
        assert "1180123456789" not in text and WAYBILL not in text
        for value in (*ADDRESS, *SECRETS):
            assert value not in text
    story = requests.get(f"{hall.url}/api/v1/progress/{number}", params={"t": token}, timeout=5)
    company = story.json()["parts"][0]
    assert (company["delivery"], company["waybill"]) == ("ems", "1180123456789")
    phone = requests.get(f"{hall.url}/p/{number}", params={"t": token}, timeout=5).text
    assert "已由EMS寄出，运单号 <b>1180123456789</b>" in phone
    for value in ADDRESS:
        assert value not in phone


# --- the filing detail ---------------------------------------------------------------------------


def test_the_filing_detail_masks_the_address_and_mobiles_and_every_reveal_is_recorded(
    console_hall: ConsoleHall,
) -> None:
    hall = console_hall
    sub = filed(hall, BUNDLE, BUNDLE_FORM, 1, delivery=EMS)
    plain = filed(hall, BUNDLE, BUNDLE_FORM, 2)
    market = add_officer(hall, "mei.market", "market_regulation")
    tax = add_officer(hall, "tao.tax", "tax")

    response = market.get(f"{hall.url}{DESK}/filings/{sub}", timeout=10)
    assert response.status_code == 200, response.text
    doc = response.json()
    assert doc["delivery"] == {
        "method": "ems",
        "name_zh": "EMS政务专递",
        "name_en": "EMS government mail",
        "region": "江苏省苏州市虎丘区",
        "street": "狮山********",
        "recipient": "张**",
        "mobile": "137****9999",
        "masked": ["delivery.street", "delivery.recipient", "delivery.mobile"],
    }
    mobile = next(f for f in doc["form"] if f["name"] == "mobile")
    assert (mobile["value"], mobile["masked"], mobile["kind"]) == ("139****5678", True, "mobile")
    for value in (*ADDRESS, BUNDLE_FORM["mobile"], BUNDLE_FORM["applicant_id_number"]):
        assert value not in response.text
    assert {p["part_id"]: p["delivery"] for p in doc["parts"]} == {
        "company_registration": "ems",
        "power_connection": "ems",
    }
    picked = market.get(f"{hall.url}{DESK}/filings/{plain}", timeout=10).json()
    assert picked["delivery"] == {
        "method": "pickup", "name_zh": "到本站点领取", "name_en": "Pick up at this station",
    }  # fmt: skip

    reveal = f"{hall.url}{DESK}/filings/{sub}/reveal"
    for field, value in (
        ("delivery.street", EMS["street"]),
        ("delivery.recipient", EMS["recipient"]),
        ("delivery.mobile", EMS["mobile"]),
        ("mobile", BUNDLE_FORM["mobile"]),
    ):
        shown = market.post(reveal, json={"field": field}, timeout=10)
        assert shown.status_code == 200 and shown.json() == {"value": value}, shown.text
    none_here = market.post(
        f"{hall.url}{DESK}/filings/{plain}/reveal", json={"field": "delivery.street"}, timeout=10
    )
    assert none_here.status_code == 404
    # No part of the filing is the tax office's: refused, and recorded.
    assert tax.post(reveal, json={"field": "delivery.street"}, timeout=10).status_code == 403

    reveals = [
        (actor, subject, outcome)
        for actor, action, subject, outcome in audit_rows(hall.server, subject_kind="filing")
        if action == "filing.reveal"
    ]
    assert reveals == [
        ("mei.market", f"{sub}/delivery.street", "ok"),
        ("mei.market", f"{sub}/delivery.recipient", "ok"),
        ("mei.market", f"{sub}/delivery.mobile", "ok"),
        ("mei.market", f"{sub}/mobile", "ok"),
        ("mei.market", f"{plain}/delivery.street", "not_found"),
    ]
    assert ("tao.tax", "auth.refused", f"{sub}/delivery.street", "other_department") in (
        audit_rows(hall.server)
    )
