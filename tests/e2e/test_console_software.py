"""The fleet page's software versions (软件版本) in real headless Chromium against a real hall:
stations heartbeat their kiosk versions through the kiosk's real HallClient, the hall's apt
repository (reprepro, signed) holds two published versions, and a technician sees the fleet
counted by version, pins a station to the older one, sees the pin listed, and releases it; the
station's next heartbeat answers carry the pin, then none. A bad station id is refused with the
hall's reason on the page; a helper sees the counts but no pin form."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from hall.apt_repo import AptRepo
from hall.server import HallServer
from kiosk.hall_client import HallClient
from tests.hall.helpers import PASSWORD, START, add_staff, start_hall, station_identity
from tests.support.clock import FakeClock

STATIONS = {"SND-SS-001": "1.5.0", "SND-HS-002": "1.5.0", "SND-FQ-003": "1.4.0"}


def tiny_deb(folder: Path, version: str) -> Path:
    """A qihang-kiosk .deb with nothing but its control file: what reprepro needs to publish."""
    root = folder / f"pkg-{version}"
    (root / "DEBIAN").mkdir(parents=True)
    (root / "DEBIAN" / "control").write_text(
        f"Package: qihang-kiosk\nVersion: {version}\nArchitecture: all\n"
        "Section: misc\nPriority: optional\n"
        "Maintainer: Qihang <kiosk-team@qihang.invalid>\nDescription: test build\n"
    )
    deb = folder / f"qihang-kiosk_{version}_all.deb"
    subprocess.run(["dpkg-deb", "--root-owner-group", "--build", str(root), str(deb)],
                   check=True, capture_output=True)  # fmt: skip
    return deb


@pytest.fixture
def hall(tmp_path: Path) -> Iterator[HallServer]:
    server = start_hall(str(tmp_path / "hall.db"), FakeClock(START))
    repo: AptRepo = server.app.state.apt_repo
    try:
        repo.init()
        for version in ("1.4.0", "1.5.0"):
            repo.publish(tiny_deb(tmp_path, version))
        yield server
    finally:
        server.stop()
        subprocess.run(["gpgconf", "--homedir", str(repo.gnupg), "--kill", "all"], check=False)


def client(server: HallServer, station: str) -> HallClient:
    return HallClient(server.url, 2, auth=station_identity(server, station).requests_auth())


def beat(server: HallServer, station: str) -> tuple[int, dict[str, object] | None]:
    report = {"version": STATIONS[station], "uptime_s": 60.0, "outbox_depth": 0, "devices": {}}
    return client(server, station).post_heartbeat_answer(station, report)


def open_fleet(page: Page, server: HallServer, name: str) -> None:
    page.goto(server.url + "/console/")
    page.fill("#login-name", name)
    page.fill("#login-password", PASSWORD)
    page.click("#login-submit")
    page.click("#nav a[data-section=fleet]")


def test_a_technician_sees_the_versions_and_pins_a_station_back(
    hall: HallServer, page: Page
) -> None:
    for station in STATIONS:
        assert beat(hall, station) == (204, None)
    add_staff(hall, "wang.tech", "technician")
    open_fleet(page, hall, "wang.tech")

    running = page.locator("#software-running")
    expect(running.locator("[data-running='1.5.0']")).to_contain_text("2 台")
    expect(running.locator("[data-running='1.4.0']")).to_contain_text("1 台")
    expect(page.locator("#software-published")).to_contain_text("1.4.0、1.5.0")
    expect(page.locator("#software-pins")).to_contain_text("没有固定版本的站点")

    page.fill("#pin-station", "bad id!")
    page.click("#pin-submit")
    expect(page.locator("#pin-error")).not_to_be_empty()

    page.fill("#pin-station", "snd-ss-001")
    page.select_option("#pin-version", "1.4.0")
    page.click("#pin-submit")
    row = page.locator("#software-pins tr[data-pinned='SND-SS-001']")
    expect(row).to_contain_text("1.4.0")
    expect(row).to_contain_text("wang.tech")
    expect(page.locator("#pin-error")).to_be_empty()
    assert beat(hall, "SND-SS-001") == (200, {"software": {"pin": "1.4.0"}})
    assert beat(hall, "SND-HS-002") == (204, None)  # only the station pinned

    row.locator("[data-unpin]").click()
    expect(page.locator("#software-pins")).to_contain_text("没有固定版本的站点")
    assert beat(hall, "SND-SS-001") == (204, None)


def test_a_helper_sees_the_versions_but_cannot_pin(hall: HallServer, page: Page) -> None:
    assert beat(hall, "SND-FQ-003") == (204, None)
    add_staff(hall, "lin.helper", "helper")
    open_fleet(page, hall, "lin.helper")
    expect(page.locator("#software-running [data-running='1.4.0']")).to_contain_text("1 台")
    expect(page.locator("#pin-form")).to_have_count(0)
