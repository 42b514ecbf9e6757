"""Technician diagnostics at a real uvicorn hall: an enrolled kiosk uploads its bundle and ships
its technician audit; staff see both; strangers and junk are refused."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from argon2 import PasswordHasher

from hall.server import HallServer
from kiosk.config import parse_config
from kiosk.hall_client import HallClient
from kiosk.runtime import KioskRuntime
from kiosk.technician.service import TechnicianService
from tests.hall.conftest import ConsoleHall
from tests.hall.helpers import add_staff, enrol_station, enrolled_runtime, login, signed_session
from tests.support.clock import FakeClock


def kiosk(tmp_path: Path, server: HallServer, station_id: str = "SND-SS-001") -> KioskRuntime:
    """The station's kiosk, enrolled at ``server``."""
    pin_hash = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1).hash("246810")
    config = parse_config(
        {
            "station": {"id": station_id, "name": "狮山街道站"},
            "hall": {"url": server.url, "timeout_s": 5},
            "devices": {"printer": {"backend": "simulator", "options": {"port": 0}}},
            "paths": {"state_dir": str(tmp_path / "kiosk")},
            "technician": {"pin_hash": pin_hash},
        }
    )
    return enrolled_runtime(config, server)


def credential_of(runtime: KioskRuntime) -> str:
    assert runtime.identity is not None
    return runtime.identity.credential.credential


@pytest.fixture
def station(tmp_path: Path, sqlite_hall: ConsoleHall) -> Iterator[TechnicianService]:
    runtime = kiosk(tmp_path, sqlite_hall.server)
    try:
        yield TechnicianService(runtime, recent_logs=lambda: ["INFO kiosk: started"])
    finally:
        runtime.close()


def test_a_bundle_uploaded_from_the_kiosk_reaches_staff(
    station: TechnicianService, sqlite_hall: ConsoleHall
) -> None:
    station.enter("246810")
    assert station.upload() == ""
    add_staff(sqlite_hall.server, "wang", role="supervisor")
    staff = login(sqlite_hall.server, "wang")
    url = sqlite_hall.url
    (listed,) = staff.get(f"{url}/api/v1/stations/SND-SS-001/diagnostics", timeout=5).json()
    got = staff.get(f"{url}/api/v1/diagnostics/{listed['id']}", timeout=5)
    assert got.status_code == 200 and got.headers["content-type"] == "application/zip"
    assert len(got.content) == listed["size"]
    with zipfile.ZipFile(io.BytesIO(got.content)) as zf:
        names = set(zf.namelist())
        everything = b"".join(zf.read(n) for n in names)
    assert "config.json" in names and "logs.txt" in names
    assert credential_of(station.runtime).encode() not in everything
    # The audit reached the hall with the upload's job (ship_audit after each action).
    assert station.ship_audit() == ""
    trail = staff.get(f"{url}/api/v1/stations/SND-SS-001/technician-audit", timeout=5).json()
    assert [(e["seq"], e["action"], e["outcome"]) for e in trail] == [
        (1, "enter", "ok"),
        (2, "diagnostics_upload", "ok"),
    ]
    assert (
        requests.get(f"{url}/api/v1/stations/SND-SS-001/diagnostics", timeout=5).status_code == 401
    )
    add_staff(sqlite_hall.server, "li", role="helper")  # downloads need a supervisor
    assert (
        login(sqlite_hall.server, "li")
        .get(f"{url}/api/v1/diagnostics/{listed['id']}", timeout=5)
        .status_code
        == 403
    )


def test_audit_entries_are_kept_once_when_sent_again(
    station: TechnicianService, sqlite_hall: ConsoleHall
) -> None:
    station.enter("000000")
    station.print_test()
    entries = station.audit.unsent()
    assert station.runtime.identity is not None
    auth = station.runtime.identity.requests_auth()
    with HallClient(sqlite_hall.url, 5, auth=auth) as hall:
        assert hall.post_technician_audit("SND-SS-001", entries) == 200
        assert hall.post_technician_audit("SND-SS-001", entries) == 200  # the answer was lost
    add_staff(sqlite_hall.server, "wang")
    trail = (
        login(sqlite_hall.server, "wang")
        .get(f"{sqlite_hall.url}/api/v1/stations/SND-SS-001/technician-audit", timeout=5)
        .json()
    )
    assert [(e["action"], e["outcome"], e["detail"]) for e in trail] == [
        ("enter", "refused", "TECH_PIN_WRONG"),
        ("test_print", "ok", ""),
    ]


def test_strangers_and_junk_are_refused(
    station: TechnicianService, sqlite_hall: ConsoleHall, tmp_path: Path
) -> None:
    url = f"{sqlite_hall.url}/api/v1/stations/SND-SS-001/diagnostics"
    _, bundle = station.bundle()
    zipped = {"Content-Type": "application/zip"}
    unsigned = {"Authorization": "Bearer someone-else", **zipped}
    assert requests.post(url, data=bundle, headers=unsigned, timeout=5).status_code == 401
    assert station.runtime.identity is not None
    mine = signed_session(station.runtime.identity)
    unknown = f"{sqlite_hall.url}/api/v1/stations/SND-XX-999/diagnostics"
    assert mine.post(unknown, data=bundle, headers=zipped, timeout=5).status_code == 403
    assert mine.post(url, data=b"not a zip", headers=zipped, timeout=5).status_code == 422
    personal = {"entries": [{"seq": 1, "at": "x", "who": "technician", "action": "test_card",
                             "outcome": "ok", "detail": "张三丰"}]}  # fmt: skip
    audit_url = f"{sqlite_hall.url}/api/v1/stations/SND-SS-001/technician-audit"
    assert mine.post(audit_url, json=personal, timeout=5).status_code == 422
    # Another station's kiosk gets a failure code for this station, not an exception.
    other = signed_session(enrol_station(sqlite_hall.server, "SND-OTHER"))
    assert other.post(url, data=bundle, headers=zipped, timeout=5).status_code == 403
    # A kiosk whose device was revoked gets a failure code, not an exception.
    add_staff(sqlite_hall.server, "boss", role="supervisor")
    device = station.runtime.identity.device_id
    revoke = f"{sqlite_hall.url}/api/v1/enrolment/devices/{device}/revoke"
    assert login(sqlite_hall.server, "boss").post(revoke, timeout=5).status_code == 200
    assert station.upload() == "HTTP_403"


def test_the_network_test_measures_the_real_hall(station: TechnicianService) -> None:
    result = station.network_test()
    assert result.ok and result.code == ""
    assert result.connect_ms is not None and result.healthz_ms is not None
    assert station.audit.entries()[-1]["action"] == "test_network"


def test_bundles_on_each_database_kind(tmp_path: Path, hall_server: object) -> None:
    runtime = kiosk(tmp_path, hall_server)  # type: ignore[arg-type]
    try:
        svc = TechnicianService(runtime, clock=FakeClock(dt.datetime(2026, 11, 27, tzinfo=dt.UTC)))
        assert svc.upload() == ""
        assert svc.ship_audit() == ""
    finally:
        runtime.close()
