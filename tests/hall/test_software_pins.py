"""Software pins and the fleet counted by version (hall/software.py) on both databases the hall
runs on: heartbeats recorded as the heartbeat route records them, pins set, replaced and
released, and the heartbeat answer's ``software`` field for each station."""

from __future__ import annotations

from hall.fleet import FleetStore, HeartbeatIn
from hall.software import SoftwarePins
from hall.store import SubmissionStore
from tests.hall.helpers import START
from tests.support.clock import FakeClock


def test_versions_are_counted_and_pins_kept_per_station(hall_db: str) -> None:
    store = SubmissionStore(hall_db)
    try:
        clock = FakeClock(START)
        fleet, pins = FleetStore(store.engine, clock), SoftwarePins(store.engine, clock)
        for station, version in (("A-1", "1.5.0"), ("A-2", "1.5.0"), ("A-3", "1.4.0")):
            beat = {"version": version, "uptime_s": 1.0, "outbox_depth": 0, "devices": {}}
            fleet.record(station, HeartbeatIn.model_validate(beat))
        assert pins.running() == [
            {"version": "1.5.0", "stations": 2},
            {"version": "1.4.0", "stations": 1},
        ]
        assert pins.heartbeat_field("A-1") is None
        pins.pin("A-1", "1.4.0", "wang.tech")
        pins.pin("A-1", "1.3.0", "zhou.super")  # a second pin replaces the first
        assert pins.heartbeat_field("A-1") == {"pin": "1.3.0"}
        assert pins.heartbeat_field("A-2") is None
        assert [(p["station_id"], p["version"], p["set_by"]) for p in pins.pins()] == [
            ("A-1", "1.3.0", "zhou.super")
        ]
        assert pins.unpin("A-1") is True
        assert pins.unpin("A-1") is False
        assert pins.heartbeat_field("A-1") is None
    finally:
        store.close()
