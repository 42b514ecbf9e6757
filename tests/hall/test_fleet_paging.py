"""The fleet at city scale: a heartbeat is one UPSERT by station id (never a read first, never a
row per beat), the console's station list is paged on the server by station id and filtered
(offline, alarms) with the whole fleet's counts from SQL, and a simulated device on a station
that is no test rig is a red, counted alarm. Real hall (SQLite and PostgreSQL), signed beats."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path
from typing import Any

import requests
from sqlalchemy import Engine, event, func, select

from hall.fleet import station_health
from kiosk.config import parse_config
from kiosk.hall_client import HallClient
from tests.hall.conftest import ConsoleHall
from tests.hall.helpers import add_staff, enrolled_runtime, login, signed_session, station_identity

REAL = {"level": "ok", "code": "", "backend": "escpos_network"}
SIMULATED = {"level": "ok", "code": "", "backend": "simulator"}


def body(**changes: Any) -> dict[str, Any]:
    beat = {
        "version": "1.5.0",
        "uptime_s": 5.0,
        "outbox_depth": 0,
        "config_version": "0a1b2c3d4e5f",
        "devices": {"printer": REAL},
    }
    return {**beat, **changes}


def beat(hall: ConsoleHall, station_id: str, **changes: Any) -> None:
    url = f"{hall.url}/api/v1/stations/{station_id}/heartbeat"
    session = signed_session(station_identity(hall.server, station_id))
    answer = session.post(url, json=body(**changes), timeout=5)
    assert answer.status_code == 204, answer.text


def fleet(staff: requests.Session, hall: ConsoleHall, **params: Any) -> dict[str, Any]:
    answer = staff.get(hall.url + "/api/v1/stations", params=params, timeout=5)
    assert answer.status_code == 200, answer.text
    found: dict[str, Any] = answer.json()
    return found


def engine_of(hall: ConsoleHall) -> Engine:
    """The engine heartbeats write through (on SQLite a relaxed pool of its own)."""
    found: Engine = hall.server.app.state.fleet_store._beat_engine
    return found


def test_a_heartbeat_is_one_upsert_by_station_id(console_hall: ConsoleHall) -> None:
    beat(console_hall, "QH-1")  # enrolled, first row
    statements: list[str] = []

    def seen(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if "station_health" in statement:
            statements.append(" ".join(statement.split()))

    engine = engine_of(console_hall)
    event.listen(engine, "before_cursor_execute", seen)
    try:
        for _ in range(3):
            beat(console_hall, "QH-1")
        beat(console_hall, "QH-2")  # a new station: the same one statement
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    assert len(statements) == 4, statements
    for statement in statements:
        assert statement.startswith("INSERT INTO station_health")
        assert "ON CONFLICT (station_id) DO UPDATE" in statement
    with engine.connect() as conn:  # one row per station, however often it beats
        assert conn.execute(select(func.count()).select_from(station_health)).scalar() == 2


def test_beats_from_many_stations_at_once_are_all_taken(console_hall: ConsoleHall) -> None:
    # Heartbeats share a few worker threads and, on SQLite, one writer at a time in the process
    # (hall.store.sqlite_writer): beats racing from many stations must all land, each once.
    stations = [f"QH-RACE-{i:02d}" for i in range(12)]
    for station in stations:
        station_identity(console_hall.server, station)  # enrolled before the race

    def beats(station: str) -> list[int]:
        session = signed_session(station_identity(console_hall.server, station))
        url = f"{console_hall.url}/api/v1/stations/{station}/heartbeat"
        return [
            session.post(url, json=body(outbox_depth=n), timeout=30).status_code for n in range(8)
        ]

    with ThreadPoolExecutor(len(stations)) as pool:
        answers = list(pool.map(beats, stations))
    assert answers == [[204] * 8] * len(stations)
    add_staff(console_hall.server, "wang")
    staff = login(console_hall.server, "wang")
    rows = fleet(staff, console_hall, limit=50)["stations"]
    assert sorted(r["station_id"] for r in rows) == stations
    assert {r["report"]["outbox_depth"] for r in rows} == {7}  # each station's last beat


def test_beats_written_in_one_batch_are_answered_each_on_its_own(
    console_hall: ConsoleHall,
) -> None:
    # The hall writes the beats that queued while its writer was busy in one transaction
    # (hall.fleet.HeartbeatWriter). A refused beat in such a batch is refused alone and writes
    # nothing; the others land. The writer is held busy here (on SQLite by the process's
    # writer lock, on PostgreSQL by a lock on the first station's row) while they queue.
    import json
    import time
    from contextlib import ExitStack

    from hall.store import sqlite_writer

    good = [f"QH-BATCH-{i}" for i in range(6)]
    for station in [*good, "QH-BATCH-X"]:
        station_identity(console_hall.server, station)
    beat(console_hall, good[0])
    replayed = station_identity(console_hall.server, good[1])
    path = f"/api/v1/stations/{good[1]}/heartbeat"
    raw = json.dumps(body()).encode()
    signed = {**replayed.headers("POST", path, raw), "Content-Type": "application/json"}

    def send(job: tuple[str, str]) -> int:
        kind, station = job
        if kind == "replay":
            answer = requests.post(console_hall.url + path, data=raw, headers=signed, timeout=30)
            return answer.status_code
        signer = "QH-BATCH-X" if kind == "foreign" else station
        session = signed_session(station_identity(console_hall.server, signer))
        url = f"{console_hall.url}/api/v1/stations/{station}/heartbeat"
        return session.post(url, json=body(), timeout=30).status_code

    writer = console_hall.server.app.state.heartbeat_writer
    engine = engine_of(console_hall)
    jobs = [("good", s) for s in good] + [("replay", ""), ("replay", ""), ("foreign", good[2])]
    before = (writer.batches, writer.beats)
    with ThreadPoolExecutor(len(jobs)) as pool:
        with ExitStack() as busy:
            if engine.dialect.name == "sqlite":
                busy.enter_context(sqlite_writer(engine))
            else:
                holder = busy.enter_context(engine.begin())
                rows = station_health.c.station_id == good[0]
                holder.execute(select(station_health).where(rows).with_for_update())
            answers = [pool.submit(send, job) for job in jobs]
            time.sleep(1.0)  # the beats queue behind the busy writer
        found = [answer.result() for answer in answers]
    assert found[: len(good)] == [204] * len(good)
    assert sorted(found[len(good) : len(good) + 2]) == [204, 401]  # one replay of two is taken
    assert found[-1] == 403  # another station's device
    batches, beats = writer.batches - before[0], writer.beats - before[1]
    assert beats == len(jobs) and batches < beats, (batches, beats)
    add_staff(console_hall.server, "wang")
    staff = login(console_hall.server, "wang")
    rows = fleet(staff, console_hall, limit=50)["stations"]
    assert sorted(r["station_id"] for r in rows) == good


def test_the_fleet_is_paged_by_station_id_filtered_and_counted(console_hall: ConsoleHall) -> None:
    hall = console_hall
    beat(hall, "A-QUIET")
    hall.clock.advance(timedelta(minutes=6))  # A-QUIET has gone quiet since
    beat(hall, "B-FINE")
    beat(hall, "C-SIM", devices={"printer": REAL, "card_reader": SIMULATED})
    beat(hall, "D-PAPER", devices={"printer": {**REAL, "level": "degraded", "code": "X_Y"}})
    beat(hall, "E-FINE")
    beat(hall, "TEST-RIG", devices={"printer": SIMULATED})  # simulators expected on a test rig
    beat(hall, "F-FINE")
    add_staff(hall.server, "wang")
    staff = login(hall.server, "wang")

    walked: list[str] = []
    after: str | None = None
    pages = 0
    while True:
        params: dict[str, Any] = {"limit": 3} | ({"after": after} if after else {})
        page = fleet(staff, hall, **params)
        assert len(page["stations"]) <= 3
        walked += [s["station_id"] for s in page["stations"]]
        pages += 1
        if (after := page["next"]) is None:
            break
    assert walked == ["A-QUIET", "B-FINE", "C-SIM", "D-PAPER", "E-FINE", "F-FINE", "TEST-RIG"]
    assert pages == 3
    assert page["counts"] == {
        "total": 7,
        "critical": 2,  # A-QUIET offline, C-SIM a simulator on a production station
        "warning": 1,
        "ok": 4,
        "offline": 1,
        "simulated": 1,
    }

    alarms = fleet(staff, hall, show="alarms")["stations"]
    assert [(s["station_id"], s["alerts"]) for s in alarms] == [
        ("A-QUIET", ["STATION_OFFLINE"]),
        ("C-SIM", ["DEVICE_SIMULATED:card_reader"]),
        ("D-PAPER", ["DEVICE_DEGRADED:printer:X_Y"]),
    ]
    assert [s["severity"] for s in alarms] == ["critical", "critical", "warning"]
    offline = fleet(staff, hall, show="offline", limit=1)
    assert [s["station_id"] for s in offline["stations"]] == ["A-QUIET"]
    assert offline["next"] is None

    rig = fleet(staff, hall, after="F-FINE")["stations"]
    assert [(s["station_id"], s["demo"], s["alerts"]) for s in rig] == [("TEST-RIG", True, [])]
    shown = fleet(staff, hall, limit=1, after="B-FINE")["stations"][0]
    assert shown["report"]["config_version"] == "0a1b2c3d4e5f"
    assert shown["report"]["devices"]["card_reader"]["backend"] == "simulator"

    # The simulator replaced by the real reader: the alarm is gone with the next heartbeat.
    beat(hall, "C-SIM", devices={"printer": REAL, "card_reader": {**REAL, "backend": "cvr100"}})
    assert fleet(staff, hall)["counts"]["simulated"] == 0

    for bad in ({"limit": 0}, {"limit": 201}, {"show": "everything"}, {"after": "x" * 33}):
        assert staff.get(hall.url + "/api/v1/stations", params=bad, timeout=5).status_code == 422
    assert requests.get(hall.url + "/api/v1/stations", timeout=5).status_code == 401


def test_a_real_kiosk_reports_its_backends_and_config_version(
    tmp_path: Path, sqlite_hall: ConsoleHall
) -> None:
    """The packaged configuration keeps the simulators: a production station running it is an
    alarm on the fleet page; its real heartbeat names each device's backend."""
    config = parse_config(
        {
            "station": {"id": "SND-SS-001", "name": "狮山街道站"},
            "hall": {"url": sqlite_hall.url, "timeout_s": 2},
            "devices": {"printer": {"backend": "simulator", "options": {"port": 0}}},
            "paths": {"state_dir": str(tmp_path / "kiosk")},
        }
    )
    runtime = enrolled_runtime(config, sqlite_hall.server)
    assert runtime.identity is not None
    client = HallClient(sqlite_hall.url, 2, auth=runtime.identity.requests_auth())
    try:
        runtime.send_heartbeat(client)
    finally:
        client.close()
        runtime.close()
    add_staff(sqlite_hall.server, "wang")
    (station,) = fleet(login(sqlite_hall.server, "wang"), sqlite_hall)["stations"]
    report = station["report"]
    assert {name: d["backend"] for name, d in report["devices"].items()} == dict.fromkeys(
        report["devices"], "simulator"
    )
    assert {"card_reader", "printer", "camera"} <= set(report["devices"])
    assert len(report["config_version"]) == 12
    assert station["severity"] == "critical"
    assert [a for a in station["alerts"] if a.startswith("DEVICE_SIMULATED:")] == [
        f"DEVICE_SIMULATED:{name}" for name in sorted(report["devices"])
    ]


def test_the_alarms_offline_filters_and_counts_read_indexes_not_every_report(
    sqlite_hall: ConsoleHall,
) -> None:
    """The console's filters and the fleet's counts come from index ranges (last_seen, and the
    partial indexes of alerting and simulated stations), so their cost follows the stations
    they find, not the fleet: no statement walks the table's rows (SQLite's query plans)."""
    import re

    for n in range(3):
        beat(sqlite_hall, f"QH-{n}")
    add_staff(sqlite_hall.server, "wang", "supervisor")
    staff = login(sqlite_hall.server, "wang")
    statements: list[tuple[str, Any]] = []

    def seen(conn: Any, cursor: Any, statement: str, parameters: Any, *args: Any) -> None:
        if "station_health" in statement:
            statements.append((statement, parameters))

    engine: Engine = sqlite_hall.server.app.state.fleet_store._engine
    event.listen(engine, "before_cursor_execute", seen)
    try:
        for show in ("alarms", "offline"):
            fleet(staff, sqlite_hall, show=show)
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    filtered = [(s, p) for s, p in statements if "last_seen <" in s]
    assert len(filtered) == 4, statements  # two pages, each with its counts
    walks_rows = re.compile(r"SCAN station_health( USING INDEX sqlite_autoindex_\w+)?$")
    raw = engine.raw_connection()
    try:
        for statement, parameters in filtered:
            plan = [row[-1] for row in raw.execute("EXPLAIN QUERY PLAN " + statement, parameters)]
            assert not [line for line in plan if walks_rows.search(line)], (statement, plan)
    finally:
        raw.close()
