"""The console's 终端登记 page in real headless Chromium against a real hall: a supervisor makes
an enrolment code, a terminal enrols with it (the kiosk's real provisioning), the supervisor sees
the device and revokes it, and the revoked terminal's next heartbeat is refused. A helper sees the
list but cannot make codes. Writes ``console_devices.png`` to ``$CONSOLE_SCREENSHOTS`` (else the
test's temporary folder).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from hall.server import HallServer
from kiosk.device_identity import load_identity
from kiosk.hall_client import HallClient
from kiosk.provision import provision
from tests.hall.helpers import PASSWORD, add_staff, cheap_hasher

BEAT = {"version": "1.0", "uptime_s": 5, "outbox_depth": 0, "devices": {}}


@pytest.fixture
def hall(tmp_path: Path) -> Iterator[HallServer]:
    # The hall's real clock: the terminal signs its requests with the real time.
    server = HallServer(str(tmp_path / "hall.db"), password_hasher=cheap_hasher()).start()
    try:
        yield server
    finally:
        server.stop()


def log_in(page: Page, hall: HallServer, name: str) -> None:
    page.goto(hall.url + "/console/")
    page.fill("#login-name", name)
    page.fill("#login-password", PASSWORD)
    page.click("#login-submit")
    page.click("#nav a[data-section=devices]")


def test_a_supervisor_makes_a_code_and_revokes_the_terminal(
    page: Page, hall: HallServer, tmp_path: Path
) -> None:
    add_staff(hall, "zhao.super", "supervisor")
    log_in(page, hall, "zhao.super")
    expect(page.locator("#device-rows")).to_contain_text("还没有登记的终端")
    page.fill("#enrol-station", "SND-SS-001")
    page.fill("#enrol-name", "狮山街道站")
    page.click("#enrol-create")
    code = page.locator("#enrol-code").inner_text(timeout=10_000)
    assert len(code) == 19

    station = provision(tmp_path / "kiosk", hall.url, code)
    assert station.station_name == "狮山街道站"
    identity = load_identity(tmp_path / "kiosk")
    assert identity is not None

    page.reload()
    row = page.locator(f"tr[data-device='{identity.device_id}']")
    expect(row).to_contain_text("狮山街道站（SND-SS-001）")
    expect(row).to_contain_text("使用中")
    folder = Path(os.environ.get("CONSOLE_SCREENSHOTS") or tmp_path / "shots")
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / "console_devices.png"), full_page=True)

    page.once("dialog", lambda dialog: dialog.accept())
    row.locator("button.revoke").click()
    expect(row).to_contain_text("已吊销")
    client = HallClient(hall.url, 5, auth=identity.requests_auth())
    try:
        assert client.post_heartbeat("SND-SS-001", BEAT) == 403
    finally:
        client.close()


def test_a_helper_sees_devices_but_cannot_make_codes(page: Page, hall: HallServer) -> None:
    add_staff(hall, "lin.helper", "helper")
    log_in(page, hall, "lin.helper")
    expect(page.locator("#enrol-create")).to_be_disabled()
    expect(page.locator("#device-rows")).to_contain_text("还没有登记的终端")
