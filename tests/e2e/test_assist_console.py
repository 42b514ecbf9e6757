"""Remote help end to end: a real hall, the kiosk's QML offscreen, and the helper console in real
headless Chromium.

The walk-in asks for help on the form; the helper logs in, accepts from the queue, sees the
fields masked, then real after the walk-in consents; proposes values the kiosk shows as "filled
by helper"; asks for a photo and sees it; proposes the submit, which the walk-in confirms on
the kiosk; the filing reaches the hall's intake exactly once. Screenshots of the console go to
``$CONSOLE_SCREENSHOTS`` when set (``docs/screenshots``), else to the test's temporary folder.

Qt and Playwright share this thread: after each browser action whose effect the kiosk must apply,
the test waits on the kiosk through the robot (which runs Qt's event loop) before looking at the
browser again.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from hall.server import HallServer
from tests.hall.helpers import PASSWORD, add_staff, start_hall
from tests.support.clock import FakeClock
from tests.support.robot import Robot
from tests.ui.conftest import Kiosk
from tests.ui.test_assist_kiosk import make_assist_kiosk

PROPOSALS = {
    "mobile": "13912345678",
    "company_name": "启航科技有限公司",
    "registered_capital": "100",
    "business_address": "苏州88",
    "business_scope": "软件开发",
    "power_capacity_kw": "80",
    "power_start_date": "2026-12-15",
}


@pytest.fixture
def hall(tmp_path: Path) -> Iterator[HallServer]:
    server = start_hall(str(tmp_path / "hall.db"))
    add_staff(server, "lin.helper")
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def kiosk(qapp: object, tmp_path: Path, hall: HallServer) -> Iterator[Kiosk]:
    ui, runtime = make_assist_kiosk(tmp_path, hall.url, hall)  # type: ignore[misc]
    try:
        yield Kiosk(ui, runtime, Robot(ui.window), FakeClock(), hall)
    finally:
        ui.close()
        runtime.close()


def field_row(page: Page, name: str) -> object:
    return page.locator(f"tr.assist-field[data-field={name}]")


def test_helper_guides_the_walk_in_to_a_confirmed_filing(
    page: Page, kiosk: Kiosk, hall: HallServer, shots: Path
) -> None:
    k, robot = kiosk, kiosk.robot
    robot.click("startButton")
    robot.wait_until(lambda: k.ui.session.property("screen") == "ServiceHome", 10)
    robot.click("service_company_startup_power")
    robot.wait_until(lambda: k.ui.session.property("screen") == "Form", 10)
    robot.click("getHelpButton")
    robot.wait_for("assistQueuePosition")

    page.goto(hall.url + "/console/#/assist")
    page.fill("#login-name", "lin.helper")
    page.fill("#login-password", PASSWORD)
    page.click("#login-submit")
    request = page.locator("tr.assist-request")
    expect(request).to_have_count(1)
    expect(request).to_contain_text("SND-SS-001")
    expect(request).to_contain_text("企业开办")
    page.screenshot(path=shots / "console_assist_queue.png")
    request.locator("button.accept").click()

    # Before consent: which fields are filled, never what they hold.
    robot.wait_for("assistConsentButton")
    name_row = page.locator("tr.assist-field[data-field=applicant_name]")
    expect(name_row).to_contain_text("内容已遮蔽")
    expect(page.locator("#assist-consent")).to_have_text("群众未授权查看内容")
    assert "张三丰" not in page.content()

    robot.click("assistConsentButton")
    expect(name_row).to_contain_text("张三丰")
    expect(page.locator("#assist-consent")).to_have_text("群众已授权查看内容")

    for name, value in PROPOSALS.items():
        row = page.locator(f"tr.assist-field[data-field={name}]")
        row.locator("input.propose-input").fill(value)
        row.locator("button.propose").click()
    # A choice field: the helper picks the walk-in's wording; the form gets the value.
    kind = page.locator("tr.assist-field[data-field=enterprise_type]")
    kind.locator("select.propose-input").select_option(label="有限责任公司")
    kind.locator("button.propose").click()
    rows = lambda: {r["name"]: r for r in k.ui.session.property("fields")}  # noqa: E731
    robot.wait_until(lambda: rows()["enterprise_type"]["value"] == "llc", 10)
    expect(kind.locator(".value")).to_have_text("有限责任公司")
    assert all(rows()[name]["value"] == value for name, value in PROPOSALS.items())
    assert rows()["mobile"]["helperFilled"] is True
    robot.wait_for("helperFilled_mobile")
    expect(page.locator("tr.assist-field[data-field=mobile]")).to_contain_text("帮办填写")

    page.locator("#assist-chat-input").fill("请拍摄场地证明")
    page.click("#assist-chat-send")
    page.locator(".material[data-material=premises_proof] button.capture-request").click()
    robot.click("assistTakePhotoButton")
    robot.wait_until(lambda: k.ui.session.property("screen") == "Capture", 10)
    robot.wait_until(lambda: k.ui.capture.property("hasCapture"), 15)
    robot.click("usePhotoButton")
    robot.wait_until(lambda: k.ui.session.property("screen") == "Form", 10)
    robot.settle(5)
    photo = page.locator(".material[data-material=premises_proof] img.capture")
    expect(photo).to_be_visible()
    page.wait_for_function(
        "() => { const i = document.querySelector('img.capture'); return i && i.naturalWidth > 0; }"
    )
    robot.wait_until(lambda: "帮办：请拍摄场地证明" in robot.texts())  # the chat on the kiosk
    page.screenshot(path=shots / "console_assist_live.png", full_page=True)

    page.click("#assist-propose-submit")
    robot.click("assistConfirmSubmitButton")
    robot.wait_until(lambda: k.ui.session.property("screen") == "Receipt", 10)
    expect(page.locator("#assist-submit-state")).to_have_text("群众已确认提交")
    sub_id = k.ui.flow.context.submission_id  # type: ignore[union-attr]
    db = hall.db_path

    def stored() -> int:
        with sqlite3.connect(db) as conn:  # type: ignore[arg-type]
            return int(conn.execute("select count(*) from submissions").fetchone()[0])

    robot.wait_until(lambda: stored() == 1, 15)
    with sqlite3.connect(db) as conn:  # type: ignore[arg-type]
        assert conn.execute("select id from submissions").fetchone()[0] == sub_id
    robot.click("finishButton")
    expect(page.locator("#assist-status")).to_contain_text("帮办已结束")
    assert stored() == 1
