"""Remote commands from the console's fleet page (issue 20's acceptance), in real headless
Chromium against a real hall (fake clock) and a running kiosk runtime on the simulators that
heartbeats to it for real (signed requests; the hall's signed commands in the answers). A
technician logs in with their own account, lands on the fleet page, opens a station's remote
commands and asks it to use another card reader backend. The command arrives while a walk-in is
being served: the station holds it (the page says 已下发) and runs it only once the session ended;
its result and the new backend then show on the page. A value of the wrong type is refused with
the hall's reason on the page; a one-time technician code is handed out for the station, opens
technician mode there, and the page's maintenance record names the technician.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from hall.server import HallServer
from kiosk.runtime import KioskRuntime
from kiosk.technician.service import TechnicianService
from tests.hall.helpers import PASSWORD, add_staff, station_runtime
from tests.support.clock import FakeClock

STATION = "SND-SS-001"


@pytest.fixture
def hall(clocked_hall: tuple[HallServer, FakeClock]) -> tuple[HallServer, FakeClock]:
    return clocked_hall


@pytest.fixture
def kiosk(tmp_path: Path, hall: tuple[HallServer, FakeClock]) -> Iterator[KioskRuntime]:
    server, clock = hall
    runtime = station_runtime(tmp_path / "kiosk", server, clock, STATION)
    try:
        yield runtime
    finally:
        runtime.close()


def test_a_set_command_reaches_a_running_kiosk_between_sessions(
    page: Page, hall: tuple[HallServer, FakeClock], kiosk: KioskRuntime, shots: Path
) -> None:
    server, clock = hall
    add_staff(server, "wang.tech", "technician")
    hall_link = kiosk.part("hall")
    kiosk.send_heartbeat(hall_link)

    page.clock.install()  # the page's 15-s refresh runs on Playwright's clock
    page.goto(server.url + "/console/")
    page.fill("#login-name", "wang.tech")
    page.fill("#login-password", PASSWORD)
    page.click("#login-submit")
    # A technician's console is the fleet page.
    expect(page.locator("#nav a[data-section=fleet]")).to_have_class("active")
    expect(page.locator("#nav a[data-section=inbox]")).to_be_hidden()
    row = page.locator(f"tr[data-station={STATION}]")
    expect(row.locator("[data-backend=card_reader]")).to_have_text("模拟器 simulator")

    row.locator("[data-commands]").click()
    panel = page.locator(f"[data-panel={STATION}]")
    expect(panel).to_contain_text("还没有指令")
    # Wrong type for the key: the hall refuses it and the page says why.
    panel.locator(".command-kind").select_option("set")
    panel.locator(".command-key").select_option("speech.volume")
    panel.locator(".command-value").fill("loud")
    panel.locator(".command-send").click()
    expect(panel.locator(".command-error")).to_contain_text(
        "已拒绝：speech.volume 的值须为整数，不能是字符串"
        "（speech.volume: the value must be a JSON integer, not a string）"
    )
    # The real thing: the card reader's backend.
    panel.locator(".command-key").select_option("devices.card_reader.backend")
    panel.locator(".command-value").fill("ga467_emulator")
    panel.locator(".command-send").click()
    expect(panel.locator(".command-notice")).to_contain_text("已排队")
    expect(panel.locator(".command-error")).to_be_hidden()
    sent = panel.locator("tr[data-kind=set]")
    expect(sent).to_have_count(1)
    expect(sent).to_contain_text('devices.card_reader.backend = "ga467_emulator"')
    expect(sent.locator(".command-status")).to_have_text("排队中")

    # A walk-in is being served when the heartbeat brings it: the station holds it.
    kiosk.in_session = lambda: True
    kiosk.send_heartbeat(hall_link)
    assert [c.kind for c in kiosk.remote.inbox.pending()] == ["set"]
    page.clock.run_for(16_000)
    expect(sent.locator(".command-status")).to_have_text("已下发")
    assert kiosk.config.devices.card_reader.backend == "simulator"

    # The session ends (the UI calls between_sessions at idle): it runs, and answers.
    kiosk.in_session = lambda: False
    kiosk.between_sessions()
    for _ in range(100):
        if not kiosk.remote.inbox.pending() and not kiosk.remote.inbox.unsent():
            break
        page.wait_for_timeout(50)
    assert kiosk.config.devices.card_reader.backend == "ga467_emulator"
    kiosk.send_heartbeat(hall_link)
    page.clock.run_for(16_000)
    expect(sent.locator(".command-status")).to_have_text("已完成")
    expect(sent.locator(".command-detail")).to_contain_text("card_reader reopened")
    expect(row.locator("[data-backend=card_reader]")).to_have_text("ga467_emulator")
    expect(row.locator("[data-alert='DEVICE_SIMULATED:card_reader']")).to_have_count(0)

    # A one-time code for this station, in the technician's name.
    panel.locator(".command-code").click()
    notice = panel.locator(".command-notice")
    expect(notice).to_contain_text("本站一次性维护码")
    found = re.search(r"维护码：(\d{8})", notice.inner_text())
    assert found is not None
    kiosk.send_heartbeat(hall_link)
    service = TechnicianService(kiosk, clock=clock, recent_logs=list)
    assert service.enter(found.group(1)).ok
    assert service.audit.entries()[-1]["who"] == "wang.tech"
    assert service.ship_audit() == ""  # as the technician screen does after each action
    page.clock.run_for(16_000)
    expect(panel.locator("tr[data-kind=technician_code] .command-status")).to_have_text("已完成")
    # The station's technician audit, on the page, in the technician's name.
    entered = panel.locator(".audit-rows tr").first
    expect(entered.locator(".audit-who")).to_have_text("wang.tech")
    expect(entered).to_contain_text("进入维护模式")
    page.screenshot(path=shots / "console_fleet_commands.png", full_page=True)
