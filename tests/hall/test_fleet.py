"""Station heartbeats at the hall: the kiosk reports its devices and outbox, staff see alerts for
a printer out of paper or a station gone quiet, and a stranger cannot speak for a station."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
import requests

from drivers.errors import PaperOut
from kiosk.config import parse_config
from kiosk.hall_client import HallClient
from kiosk.runtime import KioskRuntime
from tests.hall.conftest import ConsoleHall
from tests.hall.helpers import add_staff, login


def kiosk(tmp_path: Path, hall_url: str) -> KioskRuntime:
    config = parse_config(
        {
            "station": {"id": "SND-SS-001", "name": "狮山街道站"},
            "hall": {"url": hall_url, "timeout_s": 2, "token": "station-secret"},
            "devices": {"printer": {"backend": "simulator", "options": {"port": 0}}},
            "paths": {"state_dir": str(tmp_path / "kiosk")},
        }
    )
    return KioskRuntime(config, start_sender=False)


def test_heartbeat_shows_a_printer_fault_to_staff(tmp_path: Path, sqlite_hall: ConsoleHall) -> None:
    runtime = kiosk(tmp_path, sqlite_hall.url)
    hall = HallClient(sqlite_hall.url, 2, "station-secret")
    try:
        runtime.printer.state.paper_out = True
        with pytest.raises(PaperOut):
            runtime.printer.check_status()  # the idle poll the monitor thread does
        runtime.send_heartbeat(hall)
    finally:
        hall.close()
        runtime.close()
    assert requests.get(sqlite_hall.url + "/api/v1/stations", timeout=5).status_code == 401
    add_staff(sqlite_hall.server, "wang")
    staff = login(sqlite_hall.server, "wang")
    (station,) = staff.get(sqlite_hall.url + "/api/v1/stations", timeout=5).json()
    assert station["station_id"] == "SND-SS-001"
    assert station["report"]["devices"]["printer"] == {"level": "down", "code": "PRINTER_PAPER_OUT"}
    assert station["alerts"] == ["DEVICE_DOWN:printer:PRINTER_PAPER_OUT"]

    sqlite_hall.clock.advance(timedelta(minutes=6))
    (station,) = staff.get(sqlite_hall.url + "/api/v1/stations", timeout=5).json()
    assert station["alerts"][0] == "STATION_OFFLINE"


def test_another_token_cannot_speak_for_a_registered_station(
    tmp_path: Path, sqlite_hall: ConsoleHall
) -> None:
    runtime = kiosk(tmp_path, sqlite_hall.url)
    try:
        report = runtime.heartbeat()
    finally:
        runtime.close()
    assert "张三丰" not in str(report)
    url = sqlite_hall.url + "/api/v1/stations/SND-SS-001/heartbeat"
    first = requests.post(url, json=report, headers={"Authorization": "Bearer a"}, timeout=5)
    assert first.status_code == 204
    stranger = requests.post(url, json=report, headers={"Authorization": "Bearer b"}, timeout=5)
    assert stranger.status_code == 403
    junk = requests.post(url, json={"devices": "x"}, timeout=5)
    assert junk.status_code == 422
