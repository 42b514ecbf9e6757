"""The filings desk in the console, in real headless Chromium against a real hall.

The acceptance journey: a walk-in files the 企业开办+用电报装 bundle at a kiosk (the robot user
on the real QML UI, its outbox and sender delivering to the hall), the market-regulation officer
and the State Grid officer each find their part in their inbox; one asks for more material
(补正, a listed material with its reason), the other approves; the supervisor's board shows both;
the public progress page shows each step. Then the desk's edges: two officers moving the same
part (the later one is told who changed it and when, and reloads), an officer of another
department (the page says why it is refused, not a blank), the nav each role gets, and the front
desk's 帮办代办 bookings. Screenshots go to ``$CONSOLE_SCREENSHOTS`` (``docs/screenshots`` when
refreshing them), else to the test's temporary folder.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import requests
from playwright.sync_api import Browser, Page, expect

from hall.auth import StaffStore
from hall.server import HallServer
from hall.store import SubmissionStore
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
from tests.ui.conftest import Kiosk, kiosk  # noqa: F401  (the robot walk-in's fixture)

BOOKING_FORM = {
    "enterprise_name": "苏州启航测试科技有限公司",
    "uscc": "91320505MA1XXXXX0X",
    "contact_name": "王小明",
    "mobile": "13912345678",
    "matter": "企业开办与用电报装一起办",
    "preferred_date": "2026-11-25",
}


def add_officer(server: HallServer, name: str, department: str) -> None:
    """A department officer's account, made in the hall's database as the CLI does."""
    store = SubmissionStore(server.db_path)
    try:
        StaffStore(store.engine, FakeClock(START), cheap_hasher()).add(
            name, "officer", PASSWORD, department
        )
    finally:
        store.close()


@contextmanager
def desk_page(browser: Browser) -> Iterator[Page]:
    """One member's browser (own cookies), failing on any script error or CSP refusal, as the
    ``page`` fixture does."""
    context = browser.new_context(
        locale="zh-CN", timezone_id="Asia/Shanghai", viewport={"width": 1280, "height": 860}
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on(
        "console",
        lambda msg: (
            errors.append(msg.text)
            if msg.type == "error" and not msg.text.startswith("Failed to load resource")
            else None
        ),
    )
    try:
        yield page
    finally:
        context.close()
    assert errors == [], errors


def log_in(page: Page, server: HallServer, name: str, at: str = "") -> None:
    page.goto(f"{server.url}/console/{at}")
    page.fill("#login-name", name)
    page.fill("#login-password", PASSWORD)
    page.click("#login-submit")
    expect(page.locator("#who-name")).to_contain_text(name)


def nav_sections(page: Page) -> list[str]:
    return [
        str(link.get_attribute("data-section"))
        for link in page.locator("#nav a").all()
        if link.is_visible()
    ]


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(START)


@pytest.fixture
def hall(tmp_path: Path, clock: FakeClock) -> Iterator[HallServer]:
    server = start_hall(str(tmp_path / "hall.db"), clock)
    try:
        yield server
    finally:
        server.stop()


# --- the acceptance journey -------------------------------------------------------------------


def walk_in_files_the_bundle(k: Kiosk) -> str:
    """The robot walk-in of tests/journeys/test_walk_in.py, up to the hall holding the filing;
    returns its tracking number."""
    from tests.journeys.pinyin import PinyinTyper
    from tests.journeys.test_walk_in import wait_screen

    robot = k.robot
    typer = PinyinTyper(k.ui.engine)
    try:
        robot.wait_until(lambda: bool(robot.items("inputPanel")))
        robot.click("startButton")
        wait_screen(k, "ServiceHome")
        robot.click("service_company_startup_power")
        wait_screen(k, "Form")
        robot.type_into("field_mobile", "13912345678")
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
        wait_screen(k, "Capture")
        robot.wait_until(lambda: k.ui.capture.property("hasCapture"), 15)
        robot.click("usePhotoButton")
        wait_screen(k, "Form")
        robot.click("nextButton")
        wait_screen(k, "Review")
        robot.wait_until(lambda: "启航科技有限公司" in robot.texts())
        robot.click("confirmButton")
        wait_screen(k, "Receipt")
        tracking = str(k.ui.session.property("trackingNumber"))
        flow = k.ui.flow
        assert flow is not None
        sub_id = flow.context.submission_id
        # The kiosk's own outbox and sender deliver it, as at a station.
        robot.wait_until(
            lambda: requests.get(f"{k.hall.url}/api/v1/submissions/{sub_id}", timeout=2).ok, 15
        )
        robot.click("finishButton")
        wait_screen(k, "Attract")
    finally:
        typer.close()
    return tracking


def test_a_walk_ins_bundle_is_worked_by_two_departments(
    kiosk: Kiosk,  # noqa: F811
    browser: Browser,
    shots: Path,
) -> None:
    server = kiosk.hall
    tracking = walk_in_files_the_bundle(kiosk)
    add_officer(server, "ma.market", "market_regulation")
    add_officer(server, "dian.grid", "state_grid")
    add_staff(server, "wu.supervisor", "supervisor")

    # The market-regulation officer: their part in their inbox, the filing, a 补正.
    with desk_page(browser) as page:
        log_in(page, server, "ma.market")
        assert nav_sections(page) == ["inbox", "ratings"]
        expect(page.locator("#who-name")).to_have_text("ma.market（部门工作人员）")
        row = page.locator("#inbox-rows tr", has_text=tracking)
        expect(row).to_have_count(1)
        expect(row).to_contain_text("企业开办")
        expect(row).to_contain_text("剩 3 个工作日")
        expect(page.locator("#inbox-tabs [data-tab=waiting] .count")).to_have_text("1")
        page.screenshot(path=shots / "console_desk_inbox.png", full_page=True)
        row.click()

        expect(page.locator("#filing-number")).to_have_text(tracking)
        form = page.locator("#filing-form")
        expect(form).to_contain_text("启航科技有限公司")
        expect(form.locator("[data-field=enterprise_type]")).to_contain_text("有限责任公司")
        expect(page.locator("#view")).not_to_contain_text("null")
        expect(form.locator("[data-field=applicant_id_number]")).to_contain_text("*")
        expect(form).not_to_contain_text("11010519491231002X")
        page.click("#reveal-applicant_id_number")
        expect(form.locator("[data-field=applicant_id_number]")).to_contain_text(
            "11010519491231002X"
        )
        image = page.locator("#filing-materials [data-material=premises_proof] img")
        expect(image).to_be_visible()
        assert image.evaluate("img => img.complete && img.naturalWidth > 0")
        expect(page.locator("#filing-materials")).to_contain_text("经营场所使用证明")
        expect(page.locator("#filing-confirmed")).not_to_have_text("—")
        ours = page.locator("#filing-parts [data-part=company_registration]")
        theirs = page.locator("#filing-parts [data-part=power_connection]")
        expect(ours).to_contain_text("本部门")
        expect(theirs.locator(".holder")).to_contain_text("国网苏州供电公司")
        expect(theirs.locator("[data-move]")).to_have_count(0)  # another department's part

        ours.locator("[data-move=accepted]").click()
        ours.locator(".move-submit").click()
        expect(ours.locator("[data-status]")).to_have_text("已受理")
        ours.locator("[data-move=in_review]").click()
        ours.locator(".move-submit").click()
        expect(ours.locator("[data-status]")).to_have_text("审查中")
        ours.locator("[data-move=needs_more]").click()
        ours.locator(".move-submit").click()  # nothing listed: refused, in words
        expect(ours.locator(".move-error")).to_contain_text("补正须列出至少一项材料")
        ours.locator(".item-material").select_option("premises_proof")
        ours.locator(".item-reason").fill("租赁合同缺少出租方签章页")
        ours.locator(".move-note-zh").fill("请补交带出租方签章的租赁合同")
        ours.locator(".move-submit").click()
        expect(ours.locator("[data-status]")).to_have_text("待补正")
        expect(ours).to_contain_text("暂停计时")
        expect(ours.locator(".history")).to_contain_text("经营场所使用证明")
        page.screenshot(path=shots / "console_desk_filing.png", full_page=True)
        page.click("#nav a[data-section=inbox]")
        expect(page.locator("#inbox-tabs [data-tab=needs_more] .count")).to_have_text("1")

    # The State Grid officer approves theirs; the 补正 elsewhere does not pause it.
    with desk_page(browser) as page:
        log_in(page, server, "dian.grid")
        rows = page.locator("#inbox-rows tr")
        # Search by the enterprise's name finds it; by the walk-in's ID number, never.
        page.fill("#inbox-search", "11010519491231002X")
        page.press("#inbox-search", "Enter")
        expect(rows).to_contain_text("没有符合条件的办件")
        page.fill("#inbox-search", "启航")
        page.press("#inbox-search", "Enter")
        expect(rows).to_have_count(1)
        rows.filter(has_text=tracking).click()
        ours = page.locator("#filing-parts [data-part=power_connection]")
        expect(page.locator("#filing-parts [data-part=company_registration]")).to_contain_text(
            "待补正"
        )
        for move, status in (
            ("accepted", "已受理"),
            ("in_review", "审查中"),
            ("approved", "准予许可"),
        ):
            ours.locator(f"[data-move={move}]").click()
            ours.locator(".move-submit").click()
            expect(ours.locator("[data-status]")).to_have_text(status)
        expect(page.locator("#filing-bundle")).not_to_have_text("全部办结")

    # The supervisor's board shows both departments' parts.
    with desk_page(browser) as page:
        log_in(page, server, "wu.supervisor")
        assert nav_sections(page)[:2] == ["inbox", "board"]
        page.click("#nav a[data-section=board]")
        market = page.locator("#board-table tr[data-department=market_regulation]")
        grid = page.locator("#board-table tr[data-department=state_grid]")
        expect(market).to_contain_text("市场监督管理局")
        expect(market.locator("td").nth(3)).to_have_text("1")  # needs more material
        expect(grid.locator("td").nth(2)).to_have_text("1")  # in progress (approved)
        expect(page.locator("#board-needs-more .value")).to_have_text("1")
        page.screenshot(path=shots / "console_desk_board.png", full_page=True)

        # The public progress page (the number alone): each part's steps, no personal data, and
        # the status only: what the 补正 asks for is the receipt token's to see (the phone page,
        # tests/e2e/test_applicant_loop.py).
        page.goto(f"{server.url}/progress/{tracking}")
        body = page.locator("body")
        expect(body).to_contain_text("企业设立登记")
        expect(body).to_contain_text("低压用电报装")
        expect(body).to_contain_text("需要补充材料")
        expect(body).to_contain_text("部门已受理")
        expect(body).to_contain_text("已准予")
        html = page.content()
        assert "11010519491231002X" not in html and "ma.market" not in html
        assert "租赁合同缺少出租方签章页" not in html and "请补交带出租方签章的租赁合同" not in html


# --- the desk's edges -------------------------------------------------------------------------


def test_the_later_of_two_officers_is_told_who_changed_it(
    browser: Browser, hall: HallServer
) -> None:
    add_officer(hall, "ma.market", "market_regulation")
    add_officer(hall, "niu.market", "market_regulation")
    body = submission("company_startup_power", BUNDLE_FORM)
    assert post_submission(hall, body).status_code == 201
    filing = f"#/filings/{body['id']}"
    with desk_page(browser) as first, desk_page(browser) as second:
        log_in(first, hall, "ma.market", filing)
        log_in(second, hall, "niu.market", filing)
        for page in (first, second):
            page.locator("[data-part=company_registration] [data-move=accepted]").click()
        first.locator("[data-part=company_registration] .move-submit").click()
        expect(first.locator("[data-part=company_registration] [data-status]")).to_have_text(
            "已受理"
        )
        second.locator("[data-part=company_registration] .move-submit").click()
        changed = second.locator("#filing-changed")
        expect(changed).to_contain_text("已被 ma.market 于")
        expect(changed).to_contain_text("请刷新后重试")
        second.click("#filing-reload")
        expect(second.locator("[data-part=company_registration] [data-status]")).to_have_text(
            "已受理"
        )
        expect(second.locator("#filing-changed")).to_be_hidden()


def test_an_officer_of_another_department_is_told_why(browser: Browser, hall: HallServer) -> None:
    add_officer(hall, "shui.tax", "tax")
    body = submission("company_startup_power", BUNDLE_FORM)
    assert post_submission(hall, body).status_code == 201
    with desk_page(browser) as page:
        log_in(page, hall, "shui.tax")
        expect(page.locator("#inbox-rows")).to_contain_text("没有符合条件的办件")
        page.goto(f"{hall.url}/console/#/filings/{body['id']}")
        refused = page.locator("#filing-refused")
        expect(refused).to_contain_text("没有权限")
        expect(refused).to_contain_text("其他部门")
        # An officer has no board: the nav hides it and the route goes back to the inbox.
        page.goto(f"{hall.url}/console/#/board")
        expect(page).to_have_url(f"{hall.url}/console/#/inbox")


def test_the_inbox_pages_and_flags_what_is_overdue(
    browser: Browser, hall: HallServer, clock: FakeClock
) -> None:
    add_officer(hall, "qi.service", "enterprise_service")
    add_staff(hall, "wu.supervisor", "supervisor")
    for n in range(51):  # one more than a page; 帮办代办 promises one working day
        body = submission(
            "assisted_service_booking",
            {**BOOKING_FORM, "enterprise_name": f"测试企业{n:02d}"},
            tracking_number=f"QH001-20261123-{n + 1:04d}",
        )
        assert post_submission(hall, body).status_code == 201
    clock.advance(dt.timedelta(days=3))  # Thursday: due Tuesday, two working days late
    with desk_page(browser) as page:
        log_in(page, hall, "qi.service")
        rows = page.locator("#inbox-rows tr")
        expect(page.locator("#inbox-tabs [data-tab=overdue] .count")).to_have_text("51")
        expect(page.locator("#inbox-tabs [data-tab=overdue]")).to_have_class("tab alert")
        expect(rows).to_have_count(50)
        expect(rows.first).to_have_class("clickable overdue")
        expect(rows.first).to_contain_text("逾期 2 个工作日")
        expect(page.locator("#inbox-count")).to_have_text("第 1–50 件")
        page.click("#inbox-next")
        expect(rows).to_have_count(1)
        expect(page.locator("#inbox-count")).to_have_text("第 51–51 件")
        expect(page.locator("#inbox-next")).to_be_disabled()
        page.click("#inbox-prev")
        expect(rows).to_have_count(50)
        page.fill("#inbox-search", "测试企业07")
        page.press("#inbox-search", "Enter")
        expect(rows).to_have_count(1)
        expect(rows.first).to_contain_text("QH001-20261123-0008")

    # The supervisor sees every department, and may narrow the inbox to one.
    with desk_page(browser) as page:
        log_in(page, hall, "wu.supervisor")
        rows = page.locator("#inbox-rows tr")
        page.click("#inbox-tabs [data-tab=overdue]")
        expect(rows).to_have_count(50)
        expect(rows.first).to_contain_text("苏州高新区企业服务中心")
        page.select_option("#inbox-department", "tax")
        expect(rows).to_have_count(1)
        expect(rows.first).to_contain_text("没有符合条件的办件")


def test_the_front_desk_confirms_moves_and_cancels_bookings(
    page: Page, hall: HallServer, shots: Path
) -> None:
    add_staff(hall, "lin.helper")
    add_staff(hall, "zhou.helper")
    first = submission("assisted_service_booking", BOOKING_FORM)
    second = submission(
        "assisted_service_booking",
        {**BOOKING_FORM, "enterprise_name": "苏州高新智造有限公司", "preferred_date": "2026-11-24"},
        tracking_number="QH001-20261123-0002",
    )
    for body in (first, second):
        assert post_submission(hall, body).status_code == 201

    log_in(page, hall, "lin.helper")
    assert "bookings" in nav_sections(page)
    assert "inbox" not in nav_sections(page) and "board" not in nav_sections(page)
    page.click("#nav a[data-section=bookings]")
    rows = page.locator("#booking-rows tr")
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text("2026-11-24 上午")  # the earlier slot first
    expect(rows.first).to_contain_text("QH001")

    row_one = page.locator(f"#booking-rows tr[data-id='{first['id']}']")
    row_one.locator("button.confirm").click()
    expect(row_one).to_contain_text("已确认")
    row_two = page.locator(f"#booking-rows tr[data-id='{second['id']}']")
    row_two.locator("button.move").click()
    row_two.locator(".move-date").fill("2026-11-26")
    row_two.locator(".move-period").select_option("pm")
    row_two.locator(".move-go").click()
    expect(row_two).to_contain_text("2026-11-26 下午")
    page.screenshot(path=shots / "console_desk_bookings.png", full_page=True)
    # A move without a date is refused by the hall, and the page says which field.
    row_one.locator("button.move").click()
    row_one.locator(".move-date").fill("")
    row_one.locator(".move-go").click()
    expect(page.locator("#toast")).to_contain_text("填写有误：slot_date")

    # Another helper cancels it meanwhile; this page still holds the old version.
    zhou = login(hall, "zhou.helper")
    answer = zhou.post(
        f"{hall.url}/api/v1/desk/bookings/{second['id']}",
        json={"action": "cancel", "version": 2},
        timeout=5,
    )
    assert answer.status_code == 200, answer.text
    row_two.locator("button.move").click()
    row_two.locator(".move-go").click()
    expect(page.locator("#toast")).to_contain_text("已被 zhou.helper 于")
    expect(page.locator("#toast")).to_contain_text("请刷新后重试")
    expect(row_two).to_contain_text("已取消")  # reloaded: what the other helper did
    page.select_option("#bookings-state", "confirmed")
    expect(rows).to_have_count(1)
