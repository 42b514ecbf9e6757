"""The applicant's phone page in real Chromium (a phone's viewport), and the console's sent texts.

A walk-in's bundle filing (with the kiosk's access token) is worked at the desk: market
regulation asks for two materials, the State Grid readies its result for pick-up. The receipt QR
(``/p/<number>?t=<token>``) shows the whole story — each material with the officer's reason,
where to hand it in, where to collect the result — and the same page without the token (or with
a wrong one) shows the status and where the full view is. The hall texts the applicant through
the SMSC simulator; the supervisor's "sent messages" page lists those texts with the number
masked. Screenshots: ``progress_phone_token.png``, ``progress_phone_status_only.png``,
``console_messages.png``.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from hall.notify_wiring import NotifySettings
from hall.server import HallServer
from hall.sms_smpp import SmppConfig
from hall.smsc_sim.server import SmscSimulator
from tests.e2e.test_console_desk import log_in
from tests.hall.conftest import ConsoleHall
from tests.hall.helpers import (
    BUNDLE_FORM,
    SECRETS,
    START,
    add_staff,
    cheap_hasher,
    post_submission,
    submission,
)
from tests.hall.test_desk_moves import add_officer, moved
from tests.support.clock import FakeClock

NUMBER = "QH001-20261123-0001"
ITEMS = [
    {"material": "premises_proof", "reason": "租赁合同缺少出租方盖章页，请补交盖章后的完整合同"},
    {"material": "articles_of_association", "reason": "章程第十二条未经全体股东签字"},
]


@pytest.fixture
def sms_hall(tmp_path: Path) -> Iterator[tuple[ConsoleHall, SmscSimulator]]:
    with SmscSimulator(system_id="hall", password="secret") as smsc:
        settings = NotifySettings(
            "https://hall.example",
            SmppConfig("127.0.0.1", smsc.port, "hall", "secret"),
            {"per_number_gap_s": 0.0, "poll_interval_s": 0.1},
        )
        clock = FakeClock(START)
        server = HallServer(
            str(tmp_path / "hall" / "hall.db"),
            clock=clock,
            password_hasher=cheap_hasher(),
            notify_settings=settings,
        ).start()
        try:
            yield ConsoleHall(server, clock), smsc
        finally:
            server.stop()


def phone(browser: Browser) -> Page:
    context = browser.new_context(
        locale="zh-CN", timezone_id="Asia/Shanghai", viewport={"width": 390, "height": 844},
        device_scale_factor=2, is_mobile=True, has_touch=True,
    )  # fmt: skip
    return context.new_page()


def test_the_phone_page_with_and_without_the_token(
    browser: Browser, page: Page, sms_hall: tuple[ConsoleHall, SmscSimulator], shots: Path
) -> None:
    hall, smsc = sms_hall
    token = secrets.token_urlsafe(16)
    body = submission("company_startup_power", BUNDLE_FORM, tracking_number=NUMBER)
    body["payload"]["access_token"] = token
    assert post_submission(hall.server, body).status_code == 201
    sub = str(body["id"])
    market = add_officer(hall, "mei.market", "market_regulation")
    grid = add_officer(hall, "zhou.grid", "state_grid")
    moved(market, hall, sub, "company_registration", to="accepted", version=1)
    moved(market, hall, sub, "company_registration", to="in_review", version=2)
    moved(
        market, hall, sub, "company_registration", to="needs_more", version=3, items=ITEMS,
        note_zh="请在十个工作日内补交", note_en="Please hand them in within ten working days",
    )  # fmt: skip
    for to, version in (("accepted", 1), ("in_review", 2), ("approved", 3)):
        moved(grid, hall, sub, "power_connection", to=to, version=version)
    moved(grid, hall, sub, "power_connection", to="result_ready", version=4, delivery="pickup")

    mobile = phone(browser)
    mobile.goto(f"{hall.url}/p/{NUMBER}?t={token}")
    story = mobile.locator("body")
    expect(story).to_contain_text("需要补交的材料")
    expect(story).to_contain_text("经营场所使用证明（房产证或租赁合同）")
    expect(story).to_contain_text("原因 Reason: 租赁合同缺少出租方盖章页，请补交盖章后的完整合同")
    expect(story).to_contain_text("章程第十二条未经全体股东签字")
    expect(story).to_contain_text("请带上回执到任一自助终端扫码补交")
    expect(story).to_contain_text("领取办理结果")
    expect(story).to_contain_text("请带上回执到 QH001 领取")
    expect(mobile.locator(".hint")).to_have_count(0)
    # It fits the phone: nothing wider than the screen.
    assert mobile.evaluate("document.documentElement.scrollWidth") <= 390
    html = mobile.content()
    for secret in SECRETS:
        assert secret not in html
    assert "mei.market" not in html and "zhou.grid" not in html
    mobile.screenshot(path=shots / "progress_phone_token.png", full_page=True)

    # The number alone, or a wrong token: the status, and where the whole story is.
    for address in (f"/p/{NUMBER}", f"/p/{NUMBER}?t={secrets.token_urlsafe(16)}"):
        mobile.goto(hall.url + address)
        expect(mobile.locator(".hint")).to_contain_text("扫描回执二维码或打开短信中的链接")
        expect(mobile.locator("body")).to_contain_text("需要补充材料")
        expect(mobile.locator("body")).not_to_contain_text("需要补交的材料")
        expect(mobile.locator("body")).not_to_contain_text("到 QH001 领取")
    mobile.screenshot(path=shots / "progress_phone_status_only.png", full_page=True)
    mobile.context.close()

    # The texts went to the SMSC simulator; the supervisor sees them, numbers masked.
    deadline = time.monotonic() + 15
    while len(smsc.messages()) < 3 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert [m.destination for m in smsc.messages()] == ["8613912345678"] * 3
    add_staff(hall.server, "wu.super", "supervisor")
    log_in(page, hall.server, "wu.super")
    page.click("#nav a[data-section=messages]")
    rows = page.locator("#message-rows tr")
    expect(rows).to_have_count(3)
    expect(page.locator("#message-backend")).to_contain_text("短信中心（SMPP）")
    expect(rows.nth(0)).to_contain_text("结果已出")
    expect(rows.nth(1)).to_contain_text("需补正")
    expect(rows.nth(2)).to_contain_text("申请已受理")
    for i in range(3):
        expect(rows.nth(i)).to_contain_text("139****5678")
        expect(rows.nth(i)).to_contain_text("已发送")
    assert "13912345678" not in page.content() and token not in page.content()
    expect(rows.nth(2)).to_contain_text(f"/p/{NUMBER}?t=***")
    page.screenshot(path=shots / "console_messages.png", full_page=True)
