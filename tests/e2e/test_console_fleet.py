"""The console's fleet page (终端状态) in real headless Chromium against a real hall with a fake
clock: one station is a real KioskRuntime on the simulators (a production station: each
simulated device is a red alarm) whose printer ran out of paper; the others post the heartbeats
stations with other faults send (through the kiosk's real HallClient), each device with its real
backend; one has gone quiet; a test rig runs simulators as it should. A helper logs in, opens the
page from the navigation, sees the stations by id (paged by the hall) with their backends,
software and configuration versions and alerts worded in Chinese, filters to the stations that
need attention and to the offline one, and sees the page refresh itself once the paper is
reloaded. Writes ``console_fleet.png`` to ``$CONSOLE_SCREENSHOTS`` (``docs/screenshots`` for the
docs), else to the test's temporary folder.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from drivers.errors import PaperOut
from hall.server import HallServer
from kiosk.config import parse_config
from kiosk.hall_client import HallClient
from kiosk.runtime import KioskRuntime
from tests.hall.helpers import (
    PASSWORD,
    add_staff,
    enrolled_runtime,
    station_identity,
)
from tests.support.clock import FakeClock

ALL_OK = {
    "card_reader": {"level": "ok", "code": "", "backend": "cvr100"},
    "printer": {"level": "ok", "code": "", "backend": "escpos_network"},
    "camera": {"level": "ok", "code": "", "backend": "v4l2"},
}
GB = 1024**3


def beat(name: str, **changes: Any) -> dict[str, Any]:
    """A heartbeat as a healthy kiosk of this release sends it, with ``changes``."""
    report: dict[str, Any] = {
        "version": "1.4.0",
        "station_name": name,
        "uptime_s": 3 * 86400 + 5 * 3600.0,
        "outbox_depth": 0,
        "oldest_pending_s": None,
        "disk_free_bytes": 41 * GB,
        "disk_free_pct": 68.5,
        "last_error_codes": [],
        "config_version": "5f2c9a1e07b3",
        "devices": ALL_OK,
    }
    return {**report, **changes}


@pytest.fixture
def hall(clocked_hall: tuple[HallServer, FakeClock]) -> tuple[HallServer, FakeClock]:
    return clocked_hall


@pytest.fixture
def runtime(tmp_path: Path, hall: tuple[HallServer, FakeClock]) -> Iterator[KioskRuntime]:
    server, _ = hall
    config = parse_config(
        {
            "station": {"id": "SND-SS-001", "name": "狮山街道站"},
            "hall": {"url": server.url, "timeout_s": 2},
            "devices": {"printer": {"backend": "simulator", "options": {"port": 0}}},
            "paths": {"state_dir": str(tmp_path / "kiosk")},
        }
    )
    found = enrolled_runtime(config, server)
    try:
        yield found
    finally:
        found.close()


def test_fleet_page_shows_stations_and_alerts(
    page: Page, hall: tuple[HallServer, FakeClock], runtime: KioskRuntime, shots: Path
) -> None:
    server, clock = hall
    add_staff(server, "lin.helper")

    # Each station speaks for itself, signed by its own enrolled device.
    def client_of(station_id: str) -> HallClient:
        auth = station_identity(server, station_id).requests_auth()
        return HallClient(server.url, 2, auth=auth)

    assert runtime.identity is not None
    client = HallClient(server.url, 2, auth=runtime.identity.requests_auth())
    try:
        # A station that stopped reporting twelve minutes ago.
        assert client_of("SND-HS-002").post_heartbeat("SND-HS-002", beat("浒墅关站")) == 204
        clock.advance(dt.timedelta(minutes=12))
        # The real kiosk: its printer ran out of paper.
        runtime.printer.state.paper_out = True
        with pytest.raises(PaperOut):
            runtime.printer.check_status()
        runtime.send_heartbeat(client)
        # Paper low, filings piling up for two hours (its link to the hall is down).
        paper_low = {**ALL_OK["printer"], "level": "degraded", "code": "PRINTER_PAPER_NEAR_END"}
        assert (
            client_of("SND-FQ-003").post_heartbeat(
                "SND-FQ-003",
                beat(
                    "枫桥街道站",
                    devices={**ALL_OK, "printer": paper_low},
                    outbox_depth=23,
                    oldest_pending_s=2 * 3600 + 840.0,
                    last_error_codes=["HALL_UNREACHABLE", "PRINTER_PAPER_NEAR_END"],
                ),
            )
            == 204
        )
        # A nearly full disk.
        assert (
            client_of("SND-TA-004").post_heartbeat(
                "SND-TA-004",
                beat("通安站", disk_free_bytes=int(2.1 * GB), disk_free_pct=3.4, uptime_s=4000.0),
            )
            == 204
        )
        assert client_of("SND-DZ-005").post_heartbeat("SND-DZ-005", beat("东渚站")) == 204
        # The technicians' test rig runs simulators, as it should: no alarm.
        rig = {name: {**d, "backend": "simulator"} for name, d in ALL_OK.items()}
        assert (
            client_of("TEST-LAB-1").post_heartbeat("TEST-LAB-1", beat("实验室", devices=rig)) == 204
        )

        # The page's 15-s refresh runs on Playwright's clock, so the test moves time, not waits.
        page.clock.install()
        page.goto(server.url + "/console/")
        page.fill("#login-name", "lin.helper")
        page.fill("#login-password", PASSWORD)
        page.click("#login-submit")
        expect(page.locator("#demand-rows")).to_be_visible()
        page.click("#nav a[data-section=fleet]")
        expect(page.locator("#nav a[data-section=fleet]")).to_have_class("active")

        rows = page.locator("#fleet-rows tr.station")
        expect(rows).to_have_count(6)
        order = [rows.nth(i).get_attribute("data-station") for i in range(6)]
        assert order == sorted(order)  # by station id: the hall's keyset pages
        expect(page.locator("#fleet-count")).to_have_text("第 1–6 个站点")
        expect(page.locator("#fleet-next")).to_be_disabled()
        expect(page.locator("#fleet-critical .value")).to_have_text("2")
        expect(page.locator("#fleet-warning .value")).to_have_text("2")
        expect(page.locator("#fleet-ok .value")).to_have_text("2")
        expect(page.locator("#fleet-simulated .value")).to_have_text("1")

        fine = page.locator("tr[data-station=SND-DZ-005]")
        expect(fine.locator("[data-backend=printer]")).to_have_text("escpos_network")
        expect(fine.locator("[data-version=software]")).to_have_text("1.4.0")
        expect(fine.locator("[data-version=config]")).to_have_text("5f2c9a1e07b3")
        lab = page.locator("tr[data-station=TEST-LAB-1]")
        expect(lab).to_contain_text("演示/测试站点")
        expect(lab.locator("[data-backend=printer]")).to_have_text("simulator")
        expect(lab).to_contain_text("运行正常")

        offline = page.locator("tr[data-station=SND-HS-002]")
        expect(offline).to_contain_text("浒墅关站")
        expect(offline).to_contain_text("12 分钟前")
        expect(offline.locator("[data-alert=STATION_OFFLINE]")).to_contain_text(
            "站点离线：已 12 分钟未收到心跳"
        )

        kiosk_row = page.locator("tr[data-station=SND-SS-001]")
        expect(kiosk_row).to_contain_text("狮山街道站")
        expect(kiosk_row).to_contain_text("刚刚")
        expect(kiosk_row.locator(".chip[data-device=printer]")).to_have_text("凭条打印机 · 缺纸")
        expect(kiosk_row.locator(".chip[data-device=printer]")).to_have_class("chip down")
        # The packaged configuration's simulators on a production station: red, with the fix.
        simulated = kiosk_row.locator("[data-alert='DEVICE_SIMULATED:card_reader']")
        expect(simulated).to_contain_text("读卡器使用的是模拟器，不是真实设备")
        expect(kiosk_row.locator("[data-backend=card_reader]")).to_have_text("模拟器 simulator")
        expect(kiosk_row.locator("[data-backend=card_reader]")).to_have_class(re.compile("late"))
        assert len(kiosk_row.locator("[data-version=config]").inner_text()) == 12
        paper_out = kiosk_row.locator("[data-alert='DEVICE_DOWN:printer:PRINTER_PAPER_OUT']")
        expect(paper_out).to_contain_text("凭条打印机缺纸")
        expect(paper_out).to_contain_text("处理：请到站点更换热敏纸卷")

        backlog = page.locator("tr[data-station=SND-FQ-003]")
        expect(backlog.locator("[data-alert=PAPER_LOW]")).to_contain_text("凭条纸即将用完")
        expect(backlog.locator("[data-alert=OUTBOX_STALE]")).to_contain_text(
            "最早一件申请已等待 2 小时 14 分"
        )
        expect(backlog.locator("[data-alert=OUTBOX_BACKLOG]")).to_contain_text(
            "待上传申请积压 23 件"
        )
        expect(backlog).to_contain_text("近期故障代码：HALL_UNREACHABLE、PRINTER_PAPER_NEAR_END")
        expect(page.locator("tr[data-station=SND-TA-004] [data-alert=DISK_LOW]")).to_contain_text(
            "终端存储空间不足：剩余 2.1 GB（3.4%）"
        )
        expect(page.locator("tr[data-station=SND-DZ-005]")).to_contain_text("运行正常")
        page.screenshot(path=shots / "console_fleet.png", full_page=True)

        # Only the stations that need attention, then only the offline one (the hall filters).
        page.click("#fleet-tabs [data-show=alarms]")
        expect(rows).to_have_count(4)
        expect(page.locator("#fleet-tabs [data-show=alarms] .count")).to_have_text("4")
        expect(page.locator("tr[data-station=SND-DZ-005]")).to_have_count(0)
        page.click("#fleet-tabs [data-show=offline]")
        expect(rows).to_have_count(1)
        expect(rows.first).to_have_attribute("data-station", "SND-HS-002")
        page.click("#fleet-tabs [data-show=all]")
        expect(rows).to_have_count(6)

        # A technician reloads the paper; the kiosk's next heartbeat clears the alert and the
        # page shows it at its next refresh, with nobody pressing anything.
        runtime.printer.state.reload_paper()
        runtime.printer.check_status()
        runtime.send_heartbeat(client)
        page.clock.run_for(16_000)
        expect(kiosk_row.locator(".chip[data-device=printer]")).to_have_text("凭条打印机 · 正常")
        expect(kiosk_row.locator("[data-alert^=DEVICE_DOWN]")).to_have_count(0)
        expect(kiosk_row).to_contain_text("近期故障代码：PRINTER_PAPER_OUT")
        # Still critical: its devices are still simulators.
        expect(page.locator("#fleet-critical .value")).to_have_text("2")
    finally:
        client.close()
