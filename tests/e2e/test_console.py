"""The hall console in real headless Chromium against a real hall with a fake clock.

A helper logs in, finds the enterprise's demand in the list, opens it, classifies and dispatches
it, starts handling, replies and records the enterprise's confirmation — with no rating: the
enterprise rates 4 itself through its receipt's link (好差评), which the demand and the figures
then show — and sees the statistics change from 0% to 100% completed. Screenshots go to
``$CONSOLE_SCREENSHOTS`` when set (``docs/screenshots`` for the docs), else to the test's
temporary folder.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import requests
from playwright.sync_api import Browser, Page, expect

from hall.server import HallServer
from tests.hall.helpers import (
    DEMAND_FORM,
    EV_FORM,
    PASSWORD,
    add_staff,
    audit_rows,
    login,
    post_submission,
    submission,
)
from tests.support.clock import FakeClock

NUMBER = "QH001-20261123-0001"
TOKEN = "rT7wQk2mZ9xVb4Lp8sN3aE"  # 22 url-safe characters, as the kiosk makes them


@pytest.fixture
def hall(clocked_hall: tuple[HallServer, FakeClock]) -> tuple[HallServer, FakeClock]:
    return clocked_hall


def test_helper_closes_the_loop_and_sees_the_figures(
    page: Page, hall: tuple[HallServer, FakeClock], shots: Path
) -> None:
    server, clock = hall
    add_staff(server, "lin.helper")
    body = submission("enterprise_demand", DEMAND_FORM, tracking_number=NUMBER)
    body["payload"]["access_token"] = TOKEN  # the receipt QR's token (hall.applicant_view)
    assert post_submission(server, body).status_code == 201
    other = submission(
        "enterprise_demand",
        {**DEMAND_FORM, "demand_category": "government_services"},
        tracking_number="QH002-20261117-0003",
        created_at="2026-11-17T01:00:00+00:00",  # 政务服务, 3 working days: due the 20th
    )
    other["station_id"] = "QH002"  # its number is QH002's: filed by that station's device
    assert post_submission(server, other).status_code == 201

    # Localhost over plain http: Chromium accepts the Secure cookie from a loopback origin.
    page.goto(server.url + "/console/")
    expect(page.locator("#login-form")).to_be_visible()
    page.fill("#login-name", "lin.helper")
    page.fill("#login-password", "wrong password")
    page.click("#login-submit")
    expect(page.locator("#login-error")).to_have_text("账号或密码不正确")
    page.fill("#login-password", PASSWORD)
    page.screenshot(path=shots / "console_01_login.png")
    page.click("#login-submit")

    rows = page.locator("#demand-rows tr")
    expect(rows).to_have_count(2)
    expect(page.locator("#who-name")).to_have_text("lin.helper（工作人员）")
    page.check("#filter-overdue")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("QH002-20261117-0003")
    expect(rows.first).to_contain_text("已逾期")
    page.uncheck("#filter-overdue")
    expect(rows).to_have_count(2)
    page.screenshot(path=shots / "console_02_demands.png")

    page.click("#nav a[data-section=stats]")
    expect(page.locator("#stat-completion .value")).to_have_text("0%")
    expect(page.locator("#stat-overdue .value")).to_have_text("1")

    page.click("#nav a[data-section=demands]")
    page.locator("#demand-rows tr", has_text=NUMBER).click()
    expect(page.locator("#filing")).to_contain_text(DEMAND_FORM["description"])
    expect(page.locator("#demand-state")).to_have_text("已受理")

    page.click("#action-classify")
    page.select_option("#form-category", "human_resources")
    page.select_option("#form-subcategory", "recruitment")
    page.click("#action-submit")
    expect(page.locator("#demand-state")).to_have_text("已分类")

    page.click("#action-dispatch")
    page.select_option("#form-department", "hr_social_security")
    page.screenshot(path=shots / "console_03_dispatch.png", full_page=True)
    page.click("#action-submit")
    expect(page.locator("#demand-state")).to_have_text("已交办")
    expect(page.locator("#demand-department")).to_contain_text("人力资源")

    clock.advance(dt.timedelta(hours=1))
    page.click("#action-accept")
    page.click("#action-submit")
    expect(page.locator("#demand-state")).to_have_text("办理中")
    page.click("#action-reply")
    page.fill("#form-note", "已为贵司对接12月5日高新区人才市场专场招聘会，联系人已短信告知。")
    page.click("#action-submit")
    expect(page.locator("#demand-state")).to_have_text("已答复，待企业确认")

    page.click("#action-confirm")
    # Staff are offered no rating to enter: the enterprise gives its own.
    expect(page.locator("#form-rating-note")).to_contain_text("工作人员不代为评价")
    expect(page.locator("#form-rating")).to_have_count(0)
    page.fill("#form-note", "电话回访：企业认可答复")
    page.click("#action-submit")
    expect(page.locator("#demand-state")).to_have_text("已办结")
    expect(page.locator("#demand-rating")).to_have_text("企业尚未评价")
    expect(page.locator("#history li").first).to_contain_text("企业确认")
    # The enterprise rates the replied demand through its receipt's link.
    rated = requests.post(
        server.url + "/api/v1/ratings",
        json={
            "tracking_number": NUMBER,
            "token": TOKEN,
            "part_id": "demand_handling",
            "level": 4,
            "indicators": {"overall": 4, "efficiency": 4, "skill": 4, "attitude": 5},
        },
        timeout=5,
    )
    assert rated.status_code == 200, rated.text
    page.reload()
    expect(page.locator("#demand-rating")).to_contain_text("4 分，企业自评")
    page.screenshot(path=shots / "console_04_confirmed.png", full_page=True)

    page.click("#nav a[data-section=stats]")
    expect(page.locator("#stat-completion .value")).to_have_text("50%")
    expect(page.locator("#stat-rating .value")).to_have_text("4 分")
    expect(page.locator("#stat-avg-days .value")).not_to_have_text("—")
    expect(page.locator("#stats-by-category tr[data-category=human_resources]")).to_contain_text(
        "人力资源"
    )
    page.screenshot(path=shots / "console_05_stats.png", full_page=True)

    page.click("#logout")
    expect(page.locator("#login-form")).to_be_visible()
    actions = [a for _, a, s, _ in audit_rows(server) if s == body["id"]]
    assert actions[:1] == ["demand.view"] and "demand.confirm" in actions


def test_progress_page_on_a_phone(
    browser: Browser, hall: tuple[HallServer, FakeClock], shots: Path
) -> None:
    server, _ = hall
    add_staff(server, "wu.super", "supervisor")
    body = submission("ev_charging_pile", EV_FORM, tracking_number="QH001-20261123-0002")
    assert post_submission(server, body).status_code == 201
    staff = login(server, "wu.super")
    url = f"{server.url}/api/v1/desk/parts/{body['id']}/property_consent/steps/applicant_request"
    assert staff.post(url, json={"status": "done", "version": 1}).status_code == 200

    context = browser.new_context(
        locale="zh-CN", timezone_id="Asia/Shanghai", viewport={"width": 390, "height": 844},
        device_scale_factor=2, is_mobile=True, has_touch=True,
    )  # fmt: skip
    try:
        phone = context.new_page()
        phone.goto(f"{server.url}/progress/QH001-20261123-0002")
        expect(phone.locator("h2").first).to_have_text("车位安装条件确认")
        expect(phone.locator("body")).to_contain_text("已完成")
        # Nothing wider than the phone: no sideways scrolling.
        assert phone.evaluate("document.documentElement.scrollWidth") <= 390
        assert EV_FORM["applicant_name"] not in phone.content()
        phone.screenshot(path=shots / "progress_phone.png", full_page=True)
    finally:
        context.close()
