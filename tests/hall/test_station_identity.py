"""Nobody files as a station, nothing signed is replayed, help calls are capped (issue 14,
findings 1, 2 and 7) — each attack of the review reproduced against a real uvicorn hall on
127.0.0.1, over HTTP and the kiosk's WebSocket, with stations enrolled through the real code
exchange (:func:`tests.hall.helpers.enrol_station`)."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import logging
import sqlite3
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from sqlalchemy import create_engine
from websockets.exceptions import InvalidStatus
from websockets.sync.client import ClientConnection, connect

from hall.migrations.baseline import baseline_metadata
from hall.migrations.legacy import DuplicateTrackingNumbers
from hall.server import HallServer
from hall.store import SubmissionStore
from kiosk.device_identity import DeviceIdentity
from remote_assist import protocol as p
from remote_assist.client import ws_url
from tests.hall.conftest import ConsoleHall
from tests.hall.helpers import (
    START,
    add_staff,
    enrol_station,
    login,
    post_submission,
    signed_session,
    start_hall,
    submission,
)
from tests.support.clock import FakeClock
from tests.support.sealing import hall_keys, seal_body

SUBMISSIONS = "/api/v1/submissions"
REAL, EVIL = "STA-D", "EVIL-9"
NUMBER = "STA-D-20261206-0001"
BEAT = {"version": "1.0", "uptime_s": 5, "outbox_depth": 0, "devices": {}}
WAIT_S = 10.0  # bounds how long a broken test takes to fail; never a speed requirement


def filing(station: str, number: str, service: str = "company_startup_power") -> dict[str, Any]:
    body = submission(service, {"company_name": "启航"}, tracking_number=number)
    body["station_id"] = station
    return body


def signed_post(
    identity: DeviceIdentity, hall: ConsoleHall | HallServer, body: dict[str, Any]
) -> requests.Response:
    """``body`` sealed to the hall's key, as a kiosk files it, and signed by ``identity``."""
    server = hall.server if isinstance(hall, ConsoleHall) else hall
    return post_submission(server, body, identity)


def sealed(hall: ConsoleHall, body: dict[str, Any]) -> dict[str, Any]:
    """``body`` as anyone can seal it: the hall's sealing key is public."""
    sealed_body: dict[str, Any] = seal_body(hall_keys(hall.server.db_path).public, body)
    return sealed_body


def progress(url: str, number: str) -> dict[str, Any]:
    response = requests.get(f"{url}/api/v1/progress/{number}", timeout=5)
    assert response.status_code == 200, response.text
    doc: dict[str, Any] = response.json()
    return doc


# --- finding 1: nobody files as a station ---------------------------------------------------------


def test_a_credential_free_post_as_evil_9_cannot_claim_an_enrolled_stations_number(
    sqlite_hall: ConsoleHall,
) -> None:
    url = sqlite_hall.url
    real = enrol_station(sqlite_hall.server, REAL)
    # The review's exact attack: no credential, station EVIL-9, STA-D's next tracking number.
    forged = sealed(sqlite_hall, filing(EVIL, NUMBER, service="ev_charging_pile"))
    attack = requests.post(url + SUBMISSIONS, json=forged, timeout=5)
    assert attack.status_code == 401
    assert "enrol" in attack.json()["detail"]
    # A bearer token (the retired legacy path) is no credential either.
    bearer = {"Authorization": "Bearer demo-station-token"}
    assert requests.post(url + SUBMISSIONS, json=forged, headers=bearer, timeout=5).status_code
    assert SubmissionStore(sqlite_hall.server.db_path).count() == 0
    # The real walk-in files under that number; receipt and progress point at the real filing.
    genuine = filing(REAL, NUMBER)
    assert signed_post(real, sqlite_hall, genuine).status_code == 201
    assert progress(url, NUMBER)["service_id"] == "company_startup_power"
    status = requests.get(f"{url}{SUBMISSIONS}/{genuine['id']}", timeout=5).json()
    assert status["tracking_number"] == NUMBER


def test_a_signed_post_by_station_a_with_station_bs_prefix_is_refused(
    sqlite_hall: ConsoleHall,
) -> None:
    a = enrol_station(sqlite_hall.server, "STA-A")
    b = enrol_station(sqlite_hall.server, "STA-B")
    # A's own station id with B's number, then B's station id outright: both refused with why.
    own_id = signed_post(a, sqlite_hall, filing("STA-A", "STA-B-20261206-0001"))
    assert own_id.status_code == 403
    assert "tracking number" in own_id.json()["detail"]
    as_b = signed_post(a, sqlite_hall, filing("STA-B", "STA-B-20261206-0001"))
    assert as_b.status_code == 403
    # A prefix of the real id is not the id ("STA" is not "STA-B").
    assert signed_post(a, sqlite_hall, filing("STA-A", "STA-A-B-20261206-0001")).status_code == 403
    assert signed_post(b, sqlite_hall, filing("STA-B", "STA-B-20261206-0001")).status_code == 201
    assert signed_post(a, sqlite_hall, filing("STA-A", "STA-A-20261206-0001")).status_code == 201


def test_a_tracking_number_names_one_submission(sqlite_hall: ConsoleHall) -> None:
    url = sqlite_hall.url
    real = enrol_station(sqlite_hall.server, REAL)
    first = filing(REAL, NUMBER)
    assert signed_post(real, sqlite_hall, first).status_code == 201
    second = filing(REAL, NUMBER, service="ev_charging_pile")  # another id, the same number
    clash = signed_post(real, sqlite_hall, second)
    assert clash.status_code == 409
    assert "tracking number" in clash.json()["detail"]
    assert progress(url, NUMBER)["service_id"] == "company_startup_power"


def test_a_revoked_station_files_nothing(sqlite_hall: ConsoleHall) -> None:
    server = sqlite_hall.server
    real = enrol_station(server, REAL)
    add_staff(server, "boss", "supervisor")
    boss = login(server, "boss")
    revoked = boss.post(f"{server.url}/api/v1/enrolment/devices/{real.device_id}/revoke", timeout=5)
    assert revoked.status_code == 200
    refused = signed_post(real, server, filing(REAL, NUMBER))
    assert refused.status_code == 403
    assert "revoked" in refused.json()["detail"]


def _old_database(path: Path, numbers: list[str]) -> None:
    """A hall database as versions before the unique index left it, holding ``numbers``."""
    # Their tables, made the way they made them: create_all, no migrations.
    engine = create_engine(f"sqlite+pysqlite:///{path}")
    baseline_metadata().create_all(engine)
    engine.dispose()
    with sqlite3.connect(path) as conn:
        conn.execute("DROP INDEX submissions_tracking_unique")
        for n, number in enumerate(numbers):
            conn.execute(
                "INSERT INTO submissions (id, station_id, service_id, tracking_number, "
                "created_at, payload, content_sha256, status, received_at) "
                "VALUES (?, 'STA-D', 's', ?, 'x', '{}', ?, 'received', 'x')",
                (str(uuid.uuid4()), number, f"{n:064d}"),
            )


def test_an_existing_database_gets_the_unique_index(tmp_path: Path) -> None:
    db = tmp_path / "hall.db"
    _old_database(db, [NUMBER, "STA-D-20261206-0002"])
    SubmissionStore(db).close()
    with sqlite3.connect(db) as conn:
        indexes = {row[1]: row[2] for row in conn.execute("PRAGMA index_list(submissions)")}
    assert indexes["submissions_tracking_unique"] == 1


def test_a_database_holding_a_number_twice_refuses_to_start(tmp_path: Path) -> None:
    db = tmp_path / "hall.db"
    _old_database(db, [NUMBER, NUMBER, "STA-D-20261206-0002"])
    with pytest.raises(DuplicateTrackingNumbers, match=NUMBER) as refused:
        SubmissionStore(db)
    assert "before starting the hall" in str(refused.value)


def test_heartbeat_without_a_device_signature_is_refused(sqlite_hall: ConsoleHall) -> None:
    url = f"{sqlite_hall.url}/api/v1/stations/{REAL}/heartbeat"
    real = enrol_station(sqlite_hall.server, REAL)
    assert requests.post(url, json=BEAT, timeout=5).status_code == 401
    bearer = {"Authorization": "Bearer station-secret"}
    assert requests.post(url, json=BEAT, headers=bearer, timeout=5).status_code == 401
    # A never-seen station's heartbeat is refused too (no trust on first use).
    other = f"{sqlite_hall.url}/api/v1/stations/NEVER-SEEN/heartbeat"
    assert requests.post(other, json=BEAT, headers=bearer, timeout=5).status_code == 401
    assert signed_session(real).post(other, json=BEAT, timeout=5).status_code == 403
    assert signed_session(real).post(url, json=BEAT, timeout=5).status_code == 204


# --- finding 2: replays ---------------------------------------------------------------------------


def test_a_replayed_signed_submission_is_refused_and_logged(
    sqlite_hall: ConsoleHall, caplog: pytest.LogCaptureFixture
) -> None:
    real = enrol_station(sqlite_hall.server, REAL)
    raw = json.dumps(sealed(sqlite_hall, filing(REAL, NUMBER))).encode()
    captured = {**real.headers("POST", SUBMISSIONS, raw), "Content-Type": "application/json"}

    def send() -> requests.Response:
        return requests.post(sqlite_hall.url + SUBMISSIONS, data=raw, headers=captured, timeout=5)

    assert send().status_code == 201
    caplog.set_level(logging.WARNING, logger="hall.device_auth")
    replay = send()
    assert replay.status_code == 401
    assert "replayed" in replay.json()["detail"]
    refusal = [r.getMessage() for r in caplog.records if r.name == "hall.device_auth"]
    assert any("replay" in m and REAL in m and real.device_id in m for m in refusal)
    assert all("启航" not in m and NUMBER not in m for m in refusal)  # never the body


def test_a_replay_is_refused_across_a_hall_restart(tmp_path: Path) -> None:
    clock = FakeClock(START)
    db = str(tmp_path / "hall.db")
    server = start_hall(db, clock)
    try:
        real = enrol_station(server, REAL)
        beat = json.dumps(BEAT).encode()
        path = f"/api/v1/stations/{REAL}/heartbeat"
        captured = {**real.headers("POST", path, beat), "Content-Type": "application/json"}
        assert requests.post(server.url + path, data=beat, headers=captured).status_code == 204
    finally:
        server.stop()
    clock.advance(dt.timedelta(seconds=30))  # well inside the window
    server = start_hall(db, clock)
    try:
        again = requests.post(server.url + path, data=beat, headers=captured, timeout=5)
        assert again.status_code == 401
        assert "replayed" in again.json()["detail"]
    finally:
        server.stop()


@pytest.mark.parametrize(
    ("skew_s", "accepted"), [(-299, True), (-301, False), (29, True), (31, False)]
)
def test_the_window_is_300_s_behind_and_30_s_ahead(
    sqlite_hall: ConsoleHall, tmp_path: Path, skew_s: int, accepted: bool
) -> None:
    kiosk_clock = FakeClock(START + dt.timedelta(seconds=skew_s))
    real = enrol_station(sqlite_hall.server, REAL, clock=kiosk_clock)
    url = f"{sqlite_hall.url}/api/v1/stations/{REAL}/heartbeat"
    answer = signed_session(real).post(url, json=BEAT, timeout=5)
    if accepted:
        assert answer.status_code == 204
    else:
        assert answer.status_code == 401
        assert "window" in answer.json()["detail"]


# --- the kiosk's help socket: replays (finding 2) and caps (finding 7) ----------------------------


def kiosk_path(url: str, station: str) -> str:
    return "/" + ws_url(url, station).split("/", 3)[3]


def open_socket(url: str, station: str, headers: dict[str, str]) -> ClientConnection:
    return connect(
        ws_url(url, station), additional_headers=headers, proxy=None, open_timeout=WAIT_S
    )


def ask_for_help(ws: ClientConnection, station: str) -> str:
    """Send help_requested; the session id the hall opened."""
    ws.send(p.dump(p.HelpRequested(station_id=station, service_id="company_startup_power"), 1))
    while True:
        msg = p.parse_envelope(str(ws.recv(timeout=WAIT_S))).message
        if isinstance(msg, p.SessionOpened):
            return msg.session_id
        if isinstance(msg, p.End):
            raise AssertionError(f"the hall ended the call: {msg.reason}")


def refused_status(url: str, station: str, headers: dict[str, str]) -> int:
    with pytest.raises(InvalidStatus) as refused:
        open_socket(url, station, headers).close()
    return refused.value.response.status_code


@pytest.fixture
def helper_queue(sqlite_hall: ConsoleHall) -> Iterator[requests.Session]:
    add_staff(sqlite_hall.server, "lin.helper")
    yield login(sqlite_hall.server, "lin.helper")


def queued(hall: ConsoleHall, helper: requests.Session) -> list[dict[str, Any]]:
    answer = helper.get(hall.url + "/api/v1/assist/queue", timeout=5)
    assert answer.status_code == 200
    found: list[dict[str, Any]] = answer.json()
    return found


def test_a_replayed_kiosk_handshake_opens_no_second_call(
    sqlite_hall: ConsoleHall, helper_queue: requests.Session
) -> None:
    url = sqlite_hall.url
    real = enrol_station(sqlite_hall.server, REAL)
    captured = real.headers("GET", kiosk_path(url, REAL))
    with open_socket(url, REAL, captured) as ws:
        ask_for_help(ws, REAL)
        # The review replayed one handshake and opened three calls: now each replay is refused.
        for _ in range(2):
            assert refused_status(url, REAL, captured) == 401
        assert [c["station_id"] for c in queued(sqlite_hall, helper_queue)] == [REAL]


def test_a_kiosk_socket_without_a_device_signature_is_refused(
    sqlite_hall: ConsoleHall, helper_queue: requests.Session
) -> None:
    url = sqlite_hall.url
    enrol_station(sqlite_hall.server, REAL)
    assert refused_status(url, REAL, {}) == 401
    assert refused_status(url, REAL, {"Authorization": "Bearer demo-station-token"}) == 401
    assert queued(sqlite_hall, helper_queue) == []


def test_many_handshakes_from_one_station_keep_one_call(
    sqlite_hall: ConsoleHall, helper_queue: requests.Session
) -> None:
    url = sqlite_hall.url
    real = enrol_station(sqlite_hall.server, REAL)
    with contextlib.ExitStack() as stack:
        sockets, sessions = [], []
        for _ in range(5):  # a kiosk that lost its call (a restart) asks again, five times
            headers = real.headers("GET", kiosk_path(url, REAL))
            ws = stack.enter_context(open_socket(url, REAL, headers))
            sockets.append(ws)
            sessions.append(ask_for_help(ws, REAL))
        waiting = queued(sqlite_hall, helper_queue)
        assert [c["session_id"] for c in waiting] == [sessions[-1]]  # the newest replaced the rest
        # The replaced call was ended for its socket with the reason.
        ended = [p.parse_envelope(str(m)).message for m in _drain(sockets[0])]
        assert p.End(reason="replaced") in ended


def _drain(ws: ClientConnection) -> list[str | bytes]:
    frames: list[str | bytes] = []
    try:
        while True:
            frames.append(ws.recv(timeout=1))
    except Exception:  # closed by the hall, or nothing more within the second
        return frames


def test_a_never_seen_station_is_refused_and_does_not_lock_out_the_real_kiosk(
    sqlite_hall: ConsoleHall, helper_queue: requests.Session
) -> None:
    url = sqlite_hall.url
    real = enrol_station(sqlite_hall.server, REAL)
    other = enrol_station(sqlite_hall.server, "STA-OTHER")
    # Unsigned as the real station, or a made-up one; signed by a device for its own station
    # but claiming the real one: all refused.
    assert refused_status(url, REAL, {"Authorization": "Bearer first-use"}) == 401
    assert refused_status(url, "MADE-UP-1", {}) == 401
    assert refused_status(url, REAL, other.headers("GET", kiosk_path(url, REAL))) == 403
    with open_socket(url, REAL, real.headers("GET", kiosk_path(url, REAL))) as ws:
        ask_for_help(ws, REAL)
        assert [c["station_id"] for c in queued(sqlite_hall, helper_queue)] == [REAL]


def test_the_hall_caps_open_calls_in_total(tmp_path: Path) -> None:
    clock = FakeClock(START)
    server = HallServer(
        tmp_path / "hall.db", clock=clock, password_hasher=None, max_help_calls=2
    ).start()
    try:
        url = server.url
        a, b, c = (enrol_station(server, s) for s in ("STA-A", "STA-B", "STA-C"))
        with (
            open_socket(url, "STA-A", a.headers("GET", kiosk_path(url, "STA-A"))) as wa,
            open_socket(url, "STA-B", b.headers("GET", kiosk_path(url, "STA-B"))) as wb,
        ):
            ask_for_help(wa, "STA-A")
            ask_for_help(wb, "STA-B")
            busy = refused_status(url, "STA-C", c.headers("GET", kiosk_path(url, "STA-C")))
            assert busy == 503
            # A station that has a call may still replace it (a kiosk after a restart).
            with open_socket(url, "STA-A", a.headers("GET", kiosk_path(url, "STA-A"))) as again:
                ask_for_help(again, "STA-A")
    finally:
        server.stop()
