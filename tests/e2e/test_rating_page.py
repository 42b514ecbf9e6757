"""The phone's rating page (好差评) and the console's rectification page in real headless Chromium
against a real hall.

The enterprise opens its receipt's link on a phone: the closed part has a form, the part still
being worked says it can be rated once done. Submitting without a level is stopped by the
browser; a 不满意 is thanked, shown, and opens the department's rectification task. A wrong token
gets only a pointer to the status page. At the console the department's officer records the
call-back and closes the task; the supervisor sees the satisfaction rates. Screenshots go where
``shots`` says (``$CONSOLE_SCREENSHOTS``, e.g. ``docs/screenshots``).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from playwright.sync_api import Browser, BrowserContext, Page, expect

from hall.server import HallServer
from tests.hall.helpers import (
    BUNDLE_FORM,
    PASSWORD,
    START,
    add_staff,
    cheap_hasher,
    login,
    post_submission,
    start_hall,
    submission,
)
from tests.support.clock import FakeClock

NUMBER = "QH001-20261123-0001"
TOKEN = "Zq4v9XbT2mWc7LpR1sNd8e"


@pytest.fixture
def hall(tmp_path: Path) -> Iterator[HallServer]:
    server = start_hall(str(tmp_path / "hall.db"), FakeClock(START))
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def phone(browser: Browser) -> Iterator[BrowserContext]:
    context = browser.new_context(
        locale="zh-CN", timezone_id="Asia/Shanghai", viewport={"width": 390, "height": 844},
        device_scale_factor=2, is_mobile=True, has_touch=True,
    )  # fmt: skip
    try:
        yield context
    finally:
        context.close()


def add_officer(server: HallServer, name: str, department: str) -> None:
    from hall.auth import StaffStore
    from hall.store import SubmissionStore

    store = SubmissionStore(server.db_path)
    try:
        StaffStore(store.engine, FakeClock(START), cheap_hasher()).add(
            name, "officer", PASSWORD, department
        )
    finally:
        store.close()


def test_the_enterprise_rates_a_closed_part_on_its_phone(
    hall: HallServer, phone: BrowserContext, shots: Path
) -> None:
    body = submission("company_startup_power", BUNDLE_FORM, tracking_number=NUMBER)
    body["payload"]["access_token"] = TOKEN
    assert post_submission(hall, body).status_code == 201
    add_officer(hall, "mei.market", "market_regulation")
    market = login(hall, "mei.market")
    url = f"{hall.url}/api/v1/desk/parts/{body['id']}/company_registration/moves"
    steps = ["accepted", "in_review", "approved", "result_ready", "closed"]
    for version, to in enumerate(steps, start=1):
        extra = {"delivery": "pickup"} if to == "result_ready" else {}
        moved = market.post(url, json={"to": to, "version": version, **extra}, timeout=5)
        assert moved.status_code == 200, moved.text

    page = phone.new_page()
    # The receipt's QR (or the "rating invited" SMS) opens the applicant's page: one tap to rate.
    page.goto(f"{hall.url}/p/{NUMBER}?t={TOKEN}")
    expect(page.locator(".rating-invite")).to_contain_text("有 1 个办件待您评价")
    page.click("#rate-link")
    expect(page).to_have_url(f"{hall.url}/p/{NUMBER}/rating?t={TOKEN}")
    forms = page.locator("form")
    expect(forms).to_have_count(1)  # State Grid's part is still being worked
    expect(page.locator("body")).to_contain_text("办结后即可评价")
    form = page.locator("form[data-part=company_registration]")
    expect(form.locator("input[name=level]")).to_have_count(5)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert BUNDLE_FORM["applicant_name"] not in page.content()
    page.screenshot(path=shots / "rating_phone_form.png", full_page=True)

    # The browser itself asks for a level before anything is sent.
    form.locator("button[type=submit]").click()
    expect(page.locator(".thanks")).to_have_count(0)

    form.locator("label", has_text="不满意").first.click()
    for name, score in (("overall", 2), ("efficiency", 1), ("skill", 3), ("attitude", 3)):
        form.locator(f"input[name={name}][value='{score}']").check()
    form.locator("textarea[name=comment]").fill("窗口等候时间太长，希望增加午间窗口")
    form.locator("button[type=submit]").click()
    expect(page.locator(".thanks")).to_contain_text("感谢您的评价")
    expect(page.locator(".given").first).to_contain_text("不满意")
    # Changeable for 7 days: the form stays, filled with what was given.
    changed = page.locator("form[data-part=company_registration]")
    expect(changed.locator("input[name=level][value='2']")).to_be_checked()
    expect(changed.locator("button[type=submit]")).to_contain_text("修改评价")
    assert page.url == f"{hall.url}/p/{NUMBER}/rating"  # the form posted the token in its body
    page.screenshot(path=shots / "rating_phone_thanks.png", full_page=True)

    # 不满意 opened the department's rectification task.
    tasks = login(hall, "mei.market").get(hall.url + "/api/v1/rectifications", timeout=5).json()
    assert [(t["tracking_number"], t["level"], t["state"]) for t in tasks["items"]] == [
        (NUMBER, 2, "open")
    ]

    # A wrong token: a pointer to the status, nothing about why.
    response = page.goto(f"{hall.url}/p/{NUMBER}/rating?t={'B' * 22}")
    assert response is not None and response.status == 403
    expect(page.locator("form")).to_have_count(0)
    expect(page.locator("a")).to_have_attribute("href", f"/progress/{NUMBER}")
    page.screenshot(path=shots / "rating_phone_no_token.png", full_page=True)


def console_login(page: Page, server: HallServer, name: str) -> None:
    page.goto(f"{server.url}/console/#/ratings")
    page.fill("#login-name", name)
    page.fill("#login-password", PASSWORD)
    page.click("#login-submit")
    expect(page.locator("#who-name")).to_contain_text(name)


def test_the_department_calls_back_and_the_supervisor_sees_the_rates(
    hall: HallServer, page: Page, shots: Path
) -> None:
    body = submission("company_startup_power", BUNDLE_FORM, tracking_number=NUMBER)
    body["payload"]["access_token"] = TOKEN
    assert post_submission(hall, body).status_code == 201
    add_officer(hall, "mei.market", "market_regulation")
    add_officer(hall, "gao.grid", "state_grid")
    add_staff(hall, "zhou.super", "supervisor")
    market = login(hall, "mei.market")
    url = f"{hall.url}/api/v1/desk/parts/{body['id']}/company_registration/moves"
    for version, to in enumerate(
        ["accepted", "in_review", "approved", "result_ready", "closed"], 1
    ):
        extra = {"delivery": "pickup"} if to == "result_ready" else {}
        assert market.post(url, json={"to": to, "version": version, **extra}).status_code == 200
    rated = requests.post(
        hall.url + "/api/v1/ratings",
        json={"tracking_number": NUMBER, "token": TOKEN, "part_id": "company_registration",
              "level": 1, "indicators": {"overall": 1, "efficiency": 1, "skill": 2, "attitude": 2},
              "comment": "材料被退回三次，每次理由不同"},
        timeout=5,
    )  # fmt: skip
    assert rated.status_code == 200, rated.text

    # Another department's officer: no task of theirs.
    console_login(page, hall, "gao.grid")
    expect(page.locator("#no-tasks")).to_be_visible()
    page.click("#logout")

    console_login(page, hall, "mei.market")
    task = page.locator("#tasks .task").first
    expect(task.locator(".level")).to_contain_text("非常不满意")
    expect(task.locator(".due")).to_contain_text("2026-12-14")
    expect(task.locator(".comment")).to_have_text("材料被退回三次，每次理由不同")
    expect(page.locator("#rates-departments")).to_have_count(0)  # rates are the supervisor's
    task.locator(".record-callback").click()  # no note yet: the hall says what is missing
    expect(page.locator("#toast")).to_contain_text("请写明回访情况")
    task.locator(".callback-note").fill("已致电企业负责人，约定一次性告知所需材料并指定专人跟进")
    task.locator(".record-callback").click()
    expect(page.locator("#tasks .task .state").first).to_have_text("已回访")
    expect(page.locator("#tasks .task .callback").first).to_contain_text("mei.market")
    page.screenshot(path=shots / "console_ratings_callback.png", full_page=True)
    page.locator("#tasks .task .close-task").first.click()
    expect(page.locator("#tasks .task .state").first).to_have_text("已办结")
    expect(page.locator("#ratings-open .value")).to_have_text("0")
    page.click("#logout")

    console_login(page, hall, "zhou.super")
    row = page.locator("#rates-departments tr[data-department=market_regulation]")
    expect(row).to_contain_text("苏州高新区市场监督管理局")
    expect(row.locator("td").nth(2)).to_have_text("0%")
    expect(page.locator("#ratings-satisfied .value")).to_have_text("0%")
    expect(
        page.locator("#rates-services tr[data-service_id=company_startup_power]")
    ).to_be_visible()
    page.screenshot(path=shots / "console_ratings_rates.png", full_page=True)
