"""EMS delivery at the filings desk, in real headless Chromium against a real hall.

A walk-in chose EMS for the business licence. The market-regulation officer opens the filing: the
region shows in clear, the street, recipient and both mobiles masked until "显示" (each look
recorded); the ready part takes the waybill number — a mistyped one is refused in words, the
right one is shown on the part and in its history. The screenshot is
``console_desk_waybill.png``.
"""

from __future__ import annotations

from pathlib import Path

import requests
from playwright.sync_api import Browser, expect

from hall.server import HallServer
from tests.e2e.test_console_desk import add_officer, clock, desk_page, hall, log_in  # noqa: F401
from tests.hall.helpers import BUNDLE_FORM, audit_rows, login, post_submission, submission

EMS = {
    "method": "ems",
    "province": "江苏省",
    "city": "苏州市",
    "district": "虎丘区",
    "street": "狮山路88号金狮大厦1201室",
    "recipient": "张三丰",
    "mobile": "13700009999",
}


def test_the_officer_records_the_ems_waybill(
    browser: Browser,
    hall: HallServer,  # noqa: F811
    shots: Path,
) -> None:
    add_officer(hall, "ma.market", "market_regulation")
    body = submission("company_startup_power", BUNDLE_FORM)
    body["payload"]["delivery"] = EMS
    assert post_submission(hall, body).status_code == 201
    sub = str(body["id"])
    # Worked up to "approved" through the API; the last move and the waybill in the console.
    officer = login(hall, "ma.market")
    base = f"{hall.url}/api/v1/desk/parts/{sub}/company_registration/moves"
    for version, to in enumerate(("accepted", "in_review", "approved"), start=1):
        moved = officer.post(base, json={"to": to, "version": version}, timeout=10)
        assert moved.status_code == 200, moved.text

    with desk_page(browser) as page:
        log_in(page, hall, "ma.market", f"#/filings/{sub}")
        card = page.locator("#filing-delivery")
        expect(page.locator("#delivery-method")).to_contain_text("EMS政务专递")
        expect(page.locator("#delivery-region")).to_have_text("江苏省苏州市虎丘区")
        for hidden in (EMS["street"], EMS["recipient"], EMS["mobile"], BUNDLE_FORM["mobile"]):
            expect(page.locator("#view")).not_to_contain_text(hidden)
        expect(card.locator("[data-field='delivery.recipient']")).to_contain_text("张**")
        expect(page.locator("#filing-form [data-field=mobile]")).to_contain_text("139****5678")
        page.click("#reveal-delivery-street")
        expect(card.locator("[data-field='delivery.street']")).to_contain_text(EMS["street"])
        page.click("#reveal-mobile")
        expect(page.locator("#filing-form [data-field=mobile]")).to_contain_text(
            BUNDLE_FORM["mobile"]
        )

        ours = page.locator("#filing-parts [data-part=company_registration]")
        ours.locator("[data-move=result_ready]").click()
        # The walk-in's choice comes first in the move's form.
        expect(ours.locator(".move-delivery")).to_have_value("ems")
        ours.locator(".move-submit").click()
        expect(ours.locator("[data-status]")).to_have_text("结果待领取")
        expect(ours.locator(".delivery")).to_contain_text("EMS")

        ours.locator(".waybill-input").fill("EA123456788CN")  # a mistyped check digit
        ours.locator(".waybill-submit").click()
        expect(ours.locator(".waybill-error")).to_contain_text("运单号校验位不对")
        ours.locator(".waybill-input").fill("EA123456785CN")
        ours.locator(".waybill-submit").click()
        expect(ours.locator(".waybill")).to_have_text("EA123456785CN")
        expect(ours.locator(".history")).to_contain_text("登记EMS运单号 EA123456785CN")
        expect(ours.locator(".waybill-submit")).to_have_text("更正运单号")
        page.locator("#filing-delivery").scroll_into_view_if_needed()
        page.screenshot(path=shots / "console_desk_waybill.png", full_page=True)

    reveals = {
        subject
        for actor, action, subject, outcome in audit_rows(hall, subject_kind="filing")
        if (actor, action, outcome) == ("ma.market", "filing.reveal", "ok")
    }
    assert reveals == {f"{sub}/delivery.street", f"{sub}/mobile"}
    # The public progress: sent by EMS, without the number.
    number = body["tracking_number"]
    page_text = requests.get(f"{hall.url}/progress/{number}", timeout=5).text
    assert "已由EMS寄出" in page_text and "EA123456785CN" not in page_text
