"""Station heartbeats at the hall: the kiosk reports its devices and outbox, staff see alerts for
a printer out of paper or a station gone quiet, and only a station's enrolled device speaks for
it."""

from __future__ import annotations

import datetime as dt
import json
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import requests

from drivers.errors import PaperOut, ReaderUnavailable
from hall.fleet import BACKLOG_ALERT, FleetSettings
from hall.server import HallServer
from kiosk.config import parse_config
from kiosk.hall_client import HallClient
from kiosk.runtime import KioskRuntime
from offline_queue.outbox import Outbox
from tests.hall.conftest import ConsoleHall
from tests.hall.helpers import (
    START,
    add_staff,
    cheap_hasher,
    enrol_station,
    enrolled_runtime,
    hall_db,
    login,
    signed_session,
    station_identity,
)
from tests.support.clock import FakeClock


def kiosk(tmp_path: Path, hall: ConsoleHall) -> KioskRuntime:
    """The station's kiosk, enrolled at ``hall``: a test rig (``TEST-``), so its simulators are
    expected there (see test_fleet_paging.py for a simulator on a production station)."""
    config = parse_config(
        {
            "station": {"id": "TEST-SS-001", "name": "狮山街道站"},
            "hall": {"url": hall.url, "timeout_s": 2},
            "devices": {"printer": {"backend": "simulator", "options": {"port": 0}}},
            "paths": {"state_dir": str(tmp_path / "kiosk")},
        }
    )
    return enrolled_runtime(config, hall.server)


def signed_client(hall: ConsoleHall, runtime: KioskRuntime) -> HallClient:
    assert runtime.identity is not None
    return HallClient(hall.url, 2, auth=runtime.identity.requests_auth())


def beat_as(hall: ConsoleHall, station_id: str, body: dict[str, Any]) -> requests.Response:
    """A heartbeat signed by ``station_id``'s enrolled device."""
    url = f"{hall.url}/api/v1/stations/{station_id}/heartbeat"
    return signed_session(station_identity(hall.server, station_id)).post(url, json=body, timeout=5)


def test_heartbeat_shows_a_printer_fault_to_staff(tmp_path: Path, sqlite_hall: ConsoleHall) -> None:
    runtime = kiosk(tmp_path, sqlite_hall)
    hall = signed_client(sqlite_hall, runtime)
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
    (station,) = staff.get(sqlite_hall.url + "/api/v1/stations", timeout=5).json()["stations"]
    assert station["station_id"] == "TEST-SS-001"
    assert station["report"]["devices"]["printer"] == {
        "level": "down",
        "code": "PRINTER_PAPER_OUT",
        "backend": "simulator",
    }
    assert station["alerts"] == ["DEVICE_DOWN:printer:PRINTER_PAPER_OUT"]

    sqlite_hall.clock.advance(timedelta(minutes=6))
    (station,) = staff.get(sqlite_hall.url + "/api/v1/stations", timeout=5).json()["stations"]
    assert station["alerts"][0] == "STATION_OFFLINE"


def test_only_the_stations_device_speaks_for_it(tmp_path: Path, sqlite_hall: ConsoleHall) -> None:
    runtime = kiosk(tmp_path, sqlite_hall)
    try:
        report = runtime.heartbeat()
        own = signed_client(sqlite_hall, runtime)
    finally:
        runtime.close()
    assert "张三丰" not in str(report)
    url = sqlite_hall.url + "/api/v1/stations/TEST-SS-001/heartbeat"
    assert own.post_heartbeat("TEST-SS-001", report) == 204
    # No trust on first use: a bearer token, or nothing, is refused; another station's device
    # cannot speak for this one.
    for headers in ({"Authorization": "Bearer a"}, {}):
        assert requests.post(url, json=report, headers=headers, timeout=5).status_code == 401
    stranger = signed_session(enrol_station(sqlite_hall.server, "SND-OTHER"))
    assert stranger.post(url, json=report, timeout=5).status_code == 403
    assert own.post_heartbeat("TEST-SS-001", {"devices": "x"}) == 422
    own.close()


def test_the_device_is_checked_before_the_body_and_a_refused_beat_writes_nothing(
    sqlite_hall: ConsoleHall,
) -> None:
    # The heartbeat route checks the device in the same worker thread as its writes. A request
    # without the device scheme is a 401 whatever its body (hall.device_auth.device_headers);
    # a bad signature is a 401 and leaves no health row; a bad body from the station is a 422.
    url = sqlite_hall.url + "/api/v1/stations/TEST-ORDER/heartbeat"
    for headers in ({}, {"Authorization": "Bearer a"}):
        answer = requests.post(url, data=b"{not json", headers=headers, timeout=5)
        assert answer.status_code == 401, answer.text
    identity = station_identity(sqlite_hall.server, "TEST-ORDER")
    good = {"version": "1.0", "uptime_s": 1.0, "outbox_depth": 0, "devices": {}}
    signed = identity.headers("POST", "/api/v1/stations/TEST-ORDER/heartbeat", b"{}")
    answer = requests.post(url, json=good, headers=signed, timeout=5)  # signed a different body
    assert answer.status_code == 401 and "signature" in answer.json()["detail"], answer.text
    add_staff(sqlite_hall.server, "wang")
    staff = login(sqlite_hall.server, "wang")
    assert staff.get(sqlite_hall.url + "/api/v1/stations", timeout=5).json()["stations"] == []
    assert beat_as(sqlite_hall, "TEST-ORDER", {"devices": "x"}).status_code == 422
    assert beat_as(sqlite_hall, "TEST-ORDER", good).status_code == 204
    (station,) = staff.get(sqlite_hall.url + "/api/v1/stations", timeout=5).json()["stations"]
    assert station["station_id"] == "TEST-ORDER"


def test_a_replayed_heartbeat_is_refused_and_changes_nothing(console_hall: ConsoleHall) -> None:
    # The nonce is recorded in the beat's own transaction (with its health row): on SQLite and
    # on PostgreSQL a replay must still be refused, and leave the row as the first beat wrote it.
    identity = station_identity(console_hall.server, "TEST-REPLAY")
    path = "/api/v1/stations/TEST-REPLAY/heartbeat"
    first = {"version": "1.0", "uptime_s": 1.0, "outbox_depth": 0, "devices": {}}
    body = json.dumps(first).encode()
    headers = {**identity.headers("POST", path, body), "Content-Type": "application/json"}
    assert (
        requests.post(console_hall.url + path, data=body, headers=headers, timeout=5).status_code
        == 204
    )
    console_hall.clock.advance(timedelta(seconds=30))
    replay = requests.post(console_hall.url + path, data=body, headers=headers, timeout=5)
    assert replay.status_code == 401 and "replayed" in replay.json()["detail"], replay.text
    add_staff(console_hall.server, "wang")
    staff = login(console_hall.server, "wang")
    (station,) = staff.get(console_hall.url + "/api/v1/stations", timeout=5).json()["stations"]
    assert station["last_seen"] == START.isoformat()
    # A fresh beat (new nonce) is taken, in the same way.
    assert beat_as(console_hall, "TEST-REPLAY", {**first, "outbox_depth": 2}).status_code == 204
    (station,) = staff.get(console_hall.url + "/api/v1/stations", timeout=5).json()["stations"]
    assert station["report"]["outbox_depth"] == 2


def test_beats_purge_expired_nonces_and_a_replay_is_still_refused(
    console_hall: ConsoleHall, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Every PURGE_EVERY nonces the hall deletes those out of the window: on SQLite inside the
    # beat's own transaction (under the process's writer lock, no commit of its own).
    from sqlalchemy import func, select

    from contracts.device_auth import MAX_PAST_S
    from hall.device_auth import request_nonces
    from hall.store import SubmissionStore

    monkeypatch.setattr(console_hall.server.app.state.nonces, "PURGE_EVERY", 4)
    good = {"version": "1.0", "uptime_s": 1.0, "outbox_depth": 0, "devices": {}}
    for _ in range(3):
        assert beat_as(console_hall, "TEST-PURGE", good).status_code == 204
    console_hall.clock.advance(timedelta(seconds=MAX_PAST_S + 5))
    identity = station_identity(console_hall.server, "TEST-PURGE")
    path = "/api/v1/stations/TEST-PURGE/heartbeat"
    body = json.dumps(good).encode()
    headers = {**identity.headers("POST", path, body), "Content-Type": "application/json"}
    url = console_hall.url + path
    assert requests.post(url, data=body, headers=headers, timeout=5).status_code == 204
    for _ in range(4):
        assert beat_as(console_hall, "TEST-PURGE", good).status_code == 204
    now = int(console_hall.clock.now().timestamp())
    store = SubmissionStore(hall_db(console_hall.server))
    try:
        with store.engine.connect() as conn:
            expired = request_nonces.c.expires_at < now
            count = select(func.count()).select_from(request_nonces)
            assert conn.execute(count.where(expired)).scalar_one() == 0
            assert conn.execute(count).scalar_one() >= 2  # the recent beats' nonces stay
    finally:
        store.close()
    replay = requests.post(url, data=body, headers=headers, timeout=5)
    assert replay.status_code == 401 and "replayed" in replay.json()["detail"], replay.text


# The regular beats a fleet sends, and beats the hall must refuse or may take in other spellings:
# (name, station id in the path, body, how the request is signed, content type).
_GOOD = {"version": "1.0", "uptime_s": 1.5, "outbox_depth": 0, "devices": {}}


def _case(
    name: str,
    body: bytes | dict[str, Any] = _GOOD,
    signing: str = "signed",
    content_type: str = "application/json",
    station: str = "TEST-LEAN",
) -> tuple[str, str, bytes, str, str]:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    return name, station, raw, signing, content_type


_BEATS = [
    _case("regular"),
    _case("int for a float", {**_GOOD, "uptime_s": 5}),
    _case("big int", {**_GOOD, "outbox_depth": 10**30}),
    _case(
        "duplicate key", b'{"version":"1","version":"2","uptime_s":1,"outbox_depth":0,"devices":{}}'
    ),
    _case("lone surrogate", b'{"version":"\\ud800","uptime_s":1,"outbox_depth":0,"devices":{}}'),
    _case("charset", content_type="application/json; charset=utf-8"),
    _case("text/plain", content_type="text/plain"),
    _case("no content type", content_type=""),
    _case("string for an int", {**_GOOD, "outbox_depth": "3"}),
    _case("unknown field", {**_GOOD, "x": 1}),
    _case("not json", b"{not json"),
    _case("empty", b""),
    _case("array", b"[]"),
    _case("unsigned", signing="none"),
    _case("bearer", signing="bearer"),
    _case("malformed credential", signing="malformed"),
    _case("signed another body", signing="other body"),
    _case("another station's device", station="TEST-LEAN-2"),
    _case("bad station id", station="test lean"),
]


def test_a_regular_beat_is_served_lean_and_every_answer_is_the_full_routes(
    sqlite_hall: ConsoleHall, monkeypatch: pytest.MonkeyPatch
) -> None:
    """hall.fleet serves a regular beat without FastAPI's request machinery and hands every
    other to the FastAPI route. Each beat is sent twice, once as served and once with the lean
    route turned off: the same status, the same answer, the same health row."""
    from hall import fleet

    identity = station_identity(sqlite_hall.server, "TEST-LEAN")
    station_identity(sqlite_hall.server, "TEST-LEAN-2")
    add_staff(sqlite_hall.server, "wang")
    staff = login(sqlite_hall.server, "wang")
    taken: list[bool] = []
    regular = fleet._regular

    def watched(*args: Any) -> fleet.HeartbeatIn | None:
        beat = regular(*args)
        taken.append(beat is not None)
        return beat

    def send(station: str, body: bytes, signing: str, content_type: str) -> tuple[Any, ...]:
        path = f"/api/v1/stations/{station}/heartbeat".replace(" ", "%20")
        headers = {"Content-Type": content_type} if content_type else {}
        if signing in ("signed", "other body", "malformed"):
            headers |= identity.headers("POST", path, b"{}" if signing == "other body" else body)
        if signing == "malformed":
            headers["Authorization"] = headers["Authorization"].split(" ")[0] + " :no-device"
        elif signing == "bearer":
            headers["Authorization"] = "Bearer a"
        answer = requests.post(sqlite_hall.url + path, data=body, headers=headers, timeout=5)
        sqlite_hall.clock.advance(timedelta(seconds=1))
        rows = stations(sqlite_hall, staff)
        row = rows.get(station, {})
        return answer.status_code, answer.content, row.get("report"), row.get("last_seen") is None

    for name, station, body, signing, content_type in _BEATS:
        monkeypatch.setattr(fleet, "_regular", watched)
        taken.clear()
        served = send(station, body, signing, content_type)
        lean = taken == [True]
        monkeypatch.setattr(fleet, "_regular", lambda *args: taken.append(False))
        taken.clear()
        full = send(station, body, signing, content_type)
        assert taken == [False], name  # the lean route stood in front of the full one
        assert served == full, name
        expected_lean = name in (
            "regular",
            "int for a float",
            "big int",
            "duplicate key",
            "signed another body",
            "another station's device",
        )
        assert lean == expected_lean, name
        assert served[0] in (204, 401, 403, 422), (name, served)


# -- every simulated fault becomes its alert ----------------------------------------------------


def stations(hall: ConsoleHall, staff: requests.Session) -> dict[str, dict[str, Any]]:
    answer = staff.get(hall.url + "/api/v1/stations", params={"limit": 200}, timeout=5)
    assert answer.status_code == 200, answer.text
    return {s["station_id"]: s for s in answer.json()["stations"]}


def alerts_after_beat(
    runtime: KioskRuntime, client: HallClient, hall: ConsoleHall, staff: requests.Session
) -> list[str]:
    runtime.send_heartbeat(client)
    found: list[str] = stations(hall, staff)["TEST-SS-001"]["alerts"]
    return found


@pytest.fixture
def staff(sqlite_hall: ConsoleHall) -> requests.Session:
    add_staff(sqlite_hall.server, "wang")
    return login(sqlite_hall.server, "wang")


def test_each_device_fault_fires_its_alert(
    tmp_path: Path, sqlite_hall: ConsoleHall, staff: requests.Session
) -> None:
    runtime = kiosk(tmp_path, sqlite_hall)
    client = signed_client(sqlite_hall, runtime)
    try:
        assert alerts_after_beat(runtime, client, sqlite_hall, staff) == []
        station = stations(sqlite_hall, staff)["TEST-SS-001"]
        assert (station["severity"], station["silent_s"]) == ("ok", 0)
        assert station["name"] == "狮山街道站"

        printer = runtime.printer
        printer.state.paper_near_end = True
        printer.check_status()  # still prints: degraded
        assert alerts_after_beat(runtime, client, sqlite_hall, staff) == ["PAPER_LOW"]
        assert stations(sqlite_hall, staff)["TEST-SS-001"]["severity"] == "warning"

        printer.state.paper_out = True
        with pytest.raises(PaperOut):
            printer.check_status()
        assert alerts_after_beat(runtime, client, sqlite_hall, staff) == [
            "DEVICE_DOWN:printer:PRINTER_PAPER_OUT"
        ]
        printer.state.reload_paper()
        printer.check_status()

        runtime.reader.inject_fault(ReaderUnavailable)  # the reader's USB cable pulled
        with pytest.raises(ReaderUnavailable):
            runtime.reader.read_identity(1)
        assert alerts_after_beat(runtime, client, sqlite_hall, staff) == [
            "DEVICE_DOWN:card_reader:CARD_READER_UNAVAILABLE"
        ]

        runtime.camera.unplug()
        station_alerts = alerts_after_beat(runtime, client, sqlite_hall, staff)
        assert station_alerts == [
            "DEVICE_DOWN:camera:CAMERA_UNAVAILABLE",
            "DEVICE_DOWN:card_reader:CARD_READER_UNAVAILABLE",
        ]
        station = stations(sqlite_hall, staff)["TEST-SS-001"]
        assert station["severity"] == "critical"
        # The kiosk's own history of what went wrong travels with the heartbeat.
        assert station["report"]["last_error_codes"][:2] == [
            "CAMERA_UNAVAILABLE",
            "CARD_READER_UNAVAILABLE",
        ]
        assert "PRINTER_PAPER_OUT" in station["report"]["last_error_codes"]
    finally:
        client.close()
        runtime.close()


def test_filings_waiting_too_long_or_piling_up_fire_alerts(
    tmp_path: Path, sqlite_hall: ConsoleHall, staff: requests.Session
) -> None:
    runtime = kiosk(tmp_path, sqlite_hall)  # no sender: what is queued stays queued
    client = signed_client(sqlite_hall, runtime)
    two_hours_ago = dt.datetime.now(dt.UTC) - timedelta(hours=2)
    try:
        # A filing queued two hours ago that never reached the hall (the station lost its link).
        # Sealed to the hall key pinned when the station enrolled (in the outbox's folder).
        with Outbox(runtime.outbox_path, "TEST-SS-001", clock=FakeClock(two_hours_ago)) as box:
            box.enqueue("enterprise_demand", {"form": {"description": "x"}})
        assert alerts_after_beat(runtime, client, sqlite_hall, staff) == ["OUTBOX_STALE"]

        for _ in range(BACKLOG_ALERT - 1):
            runtime.queue.enqueue("enterprise_demand", {"form": {"description": "x"}})
        assert alerts_after_beat(runtime, client, sqlite_hall, staff) == [
            "OUTBOX_STALE",
            "OUTBOX_BACKLOG",
        ]
        report = stations(sqlite_hall, staff)["TEST-SS-001"]["report"]
        assert report["outbox_depth"] == BACKLOG_ALERT
        assert report["oldest_pending_s"] >= 2 * 3600
    finally:
        client.close()
        runtime.close()


def test_a_filling_disk_fires_disk_low(
    tmp_path: Path, sqlite_hall: ConsoleHall, staff: requests.Session
) -> None:
    runtime = kiosk(tmp_path, sqlite_hall)
    client = signed_client(sqlite_hall, runtime)
    try:
        report = runtime.heartbeat()
        assert report["disk_free_bytes"] > 0
        # The real disk is roomy; the station's report is what a nearly full one sends.
        for disk in (
            {"disk_free_bytes": 200 * 1024**2, "disk_free_pct": 40.0},  # small disk, little left
            {"disk_free_bytes": 30 * 1024**3, "disk_free_pct": 4.5},  # big disk, 4.5% left
        ):
            assert client.post_heartbeat("TEST-SS-001", {**report, **disk}) == 204
            assert stations(sqlite_hall, staff)["TEST-SS-001"]["alerts"] == ["DISK_LOW"]
        roomy = {"disk_free_bytes": 30 * 1024**3, "disk_free_pct": 45.0}
        assert client.post_heartbeat("TEST-SS-001", {**report, **roomy}) == 204
        assert stations(sqlite_hall, staff)["TEST-SS-001"]["alerts"] == []
    finally:
        client.close()
        runtime.close()


def test_offline_after_the_halls_setting(tmp_path: Path) -> None:
    report = {"version": "1.0.0", "uptime_s": 10.0, "outbox_depth": 0, "devices": {}}
    for settings, quiet_enough in (
        (None, timedelta(minutes=5)),
        (FleetSettings(offline_after=timedelta(minutes=12)), timedelta(minutes=12)),
    ):
        clock = FakeClock(START)
        options: dict[str, Any] = {} if settings is None else {"fleet_settings": settings}
        server = HallServer(
            str(tmp_path / f"hall-{quiet_enough}.db"),
            clock=clock,
            password_hasher=cheap_hasher(),
            **options,
        ).start()
        try:
            hall = ConsoleHall(server, clock)
            assert beat_as(hall, "QH-7", report).status_code == 204
            add_staff(server, "wang")
            staff = login(server, "wang")
            clock.advance(quiet_enough)  # exactly the limit: not yet
            (station,) = stations(hall, staff).values()
            assert station["alerts"] == []
            assert station["silent_s"] == quiet_enough.total_seconds()
            clock.advance(timedelta(seconds=1))
            (station,) = stations(hall, staff).values()
            assert (station["alerts"], station["severity"]) == (["STATION_OFFLINE"], "critical")
            # A heartbeat brings it back.
            assert beat_as(hall, "QH-7", report).status_code == 204
            (station,) = stations(hall, staff).values()
            assert (station["alerts"], station["silent_s"]) == ([], 0)
        finally:
            server.stop()


# -- the heartbeat's format ---------------------------------------------------------------------

OLD_STYLE = {  # exactly what kiosks sent before the fleet page (no disk, no codes, no name)
    "version": "0.9.0",
    "uptime_s": 3600.5,
    "outbox_depth": 2,
    "oldest_pending_s": 12.5,
    "devices": {
        "card_reader": {"level": "ok", "code": ""},
        "printer": {"level": "degraded", "code": "PRINTER_PAPER_NEAR_END"},
        "camera": {"level": "ok", "code": ""},
    },
}


def test_an_old_kiosks_heartbeat_is_still_accepted(
    sqlite_hall: ConsoleHall, staff: requests.Session
) -> None:
    assert beat_as(sqlite_hall, "OLD-1", OLD_STYLE).status_code == 204
    station = stations(sqlite_hall, staff)["OLD-1"]
    assert station["alerts"] == ["PAPER_LOW"]  # no disk figures: no disk alert
    assert station["name"] is None
    assert station["report"]["last_error_codes"] == []
    assert station["report"]["disk_free_pct"] is None


@pytest.mark.parametrize(
    "change",
    [
        {"outbox_depth": "2"},  # strict: no strings for numbers
        {"uptime_s": "3600"},
        {"outbox_depth": 2.0},
        {"version": 1},
        {"surprise": True},  # unknown fields are refused, not ignored
        {"devices": {"printer": {"level": "on fire", "code": ""}}},
        {"devices": {"printer": {"level": "down", "code": "Paper out for 张三丰"}}},
        {"devices": {"打印机": {"level": "ok", "code": ""}}},
        {"devices": {"printer": {"level": "ok", "code": "", "detail": "x"}}},
        {"last_error_codes": ["11010519491231002X"]},  # codes only: nothing personal fits
        {"last_error_codes": ["张三丰"]},
        {"last_error_codes": [f"CODE_{i}" for i in range(11)]},
        {"disk_free_pct": 120.0},
        {"disk_free_bytes": -1},
        {"station_name": "x" * 65},
    ],
)
def test_the_heartbeat_is_strict(sqlite_hall: ConsoleHall, change: dict[str, Any]) -> None:
    answer = beat_as(sqlite_hall, "STRICT-1", {**OLD_STYLE, **change})
    assert answer.status_code == 422, answer.text
    assert "张三丰" not in answer.text and "11010519491231002X" not in answer.text


def test_the_kiosks_own_heartbeat_thread_reports_a_fault(
    tmp_path: Path, sqlite_hall: ConsoleHall, staff: requests.Session
) -> None:
    """No hand-made request: the runtime's monitor thread polls the printer and posts the
    heartbeat as it does every 60 s (its first round runs at once)."""
    runtime = kiosk(tmp_path, sqlite_hall)
    try:
        runtime.printer.state.paper_out = True
        runtime.part("monitor").start()
        station = None
        for _ in range(200):  # the heartbeat is asynchronous: poll the hall, not the clock
            station = stations(sqlite_hall, staff).get("TEST-SS-001")
            if station is not None:
                break
            time.sleep(0.05)
    finally:
        runtime.close()
    assert station is not None, "no heartbeat reached the hall"
    assert "DEVICE_DOWN:printer:PRINTER_PAPER_OUT" in station["alerts"]
    assert station["severity"] == "critical"
    assert station["report"]["last_error_codes"][0] == "PRINTER_PAPER_OUT"
    assert station["report"]["version"]
