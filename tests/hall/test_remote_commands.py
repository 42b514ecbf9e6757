"""Remote commands and technician codes end to end: a real uvicorn hall (fake clock), kiosk
runtimes enrolled at it on the simulators, real signed heartbeats carrying the signed commands,
real results posted back. The console's side is its JSON API (the Playwright test drives the
page): a technician issues, the hall refuses what the allow-list does not hold, a station refuses
what is tampered, expired, replayed or meant for another station, and runs nothing mid-session.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from contracts.remote_commands import SignedCommand
from hall.server import HallServer
from kiosk.hall_client import HallClient
from kiosk.runtime import KioskRuntime
from kiosk.station_file import remote_settings
from kiosk.technician.codes import TechnicianCodes
from kiosk.technician.service import TechnicianService, technician_dir
from tests.hall.helpers import (
    START,
    add_staff,
    audit_rows,
    login,
    start_hall,
    station_runtime,
)
from tests.support.clock import FakeClock

STATION, OTHER = "SND-SS-001", "SND-HS-002"


@pytest.fixture(scope="module")
def hall(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[HallServer, FakeClock]]:
    clock = FakeClock(START)
    server = start_hall(str(tmp_path_factory.mktemp("hall") / "hall.db"), clock)
    add_staff(server, "wang.tech", "technician")
    add_staff(server, "zhou.super", "supervisor")
    add_staff(server, "lin.helper", "helper")
    try:
        yield server, clock
    finally:
        server.stop()


@pytest.fixture
def kiosks(
    tmp_path: Path, hall: tuple[HallServer, FakeClock]
) -> Iterator[tuple[KioskRuntime, KioskRuntime]]:
    server, clock = hall
    made = [station_runtime(tmp_path / s, server, clock, s) for s in (STATION, OTHER)]
    try:
        yield made[0], made[1]
    finally:
        for runtime in made:
            runtime.close()


def beat(runtime: KioskRuntime) -> None:
    """One real heartbeat, signed by the station's device, answered by the hall."""
    runtime.send_heartbeat(runtime.part("hall"))


def history(session: requests.Session, server: HallServer, station: str) -> list[dict[str, Any]]:
    answer = session.get(f"{server.url}/api/v1/stations/{station}/commands", timeout=5)
    assert answer.status_code == 200, answer.text
    found: list[dict[str, Any]] = answer.json()["commands"]
    return found


def command(session: requests.Session, server: HallServer, made: Any) -> dict[str, Any]:
    """The console's view of the command ``made`` (the answer that issued it) now."""
    assert made.status_code == 201, made.text
    found = [c for c in history(session, server, STATION) if c["id"] == made.json()["id"]]
    assert len(found) == 1
    return found[0]


def issue(session: requests.Session, server: HallServer, station: str, **body: Any) -> Any:
    return session.post(f"{server.url}/api/v1/stations/{station}/commands", json=body, timeout=5)


def raw_commands(runtime: KioskRuntime) -> list[dict[str, Any]]:
    """The commands a heartbeat answer carries, as they came over the wire (not applied)."""
    hall: HallClient = runtime.part("hall")
    status, answer = hall.post_heartbeat_answer(runtime.config.station.id, runtime.heartbeat())
    assert status == 200 and answer is not None
    found: list[dict[str, Any]] = answer["commands"]
    return found


def test_set_reaches_the_kiosk_between_sessions_and_waits_out_a_session(
    hall: tuple[HallServer, FakeClock], kiosks: tuple[KioskRuntime, KioskRuntime]
) -> None:
    server, _ = hall
    kiosk, _ = kiosks
    tech = login(server, "wang.tech")
    beat(kiosk)  # nothing waits: the answer is an empty 204
    # A walk-in is being served when the command arrives: it waits for the session's end.
    kiosk.in_session = lambda: True
    made = issue(tech, server, STATION, kind="set", key="devices.card_reader.backend",
                 value="ga467_emulator")  # fmt: skip
    assert made.status_code == 201, made.text
    assert made.json()["status"] == "queued"
    beat(kiosk)
    assert [c.kind for c in kiosk.remote.inbox.pending()] == ["set"]
    assert kiosk.config.devices.card_reader.backend == "simulator"
    assert command(tech, server, made)["status"] == "delivered"
    beat(kiosk)  # delivered again (an answer can be lost); the station takes it once
    assert len(kiosk.remote.inbox.pending()) == 1
    # The session ends: the command runs, the reader is reopened, the result reaches the hall.
    kiosk.in_session = lambda: False
    assert kiosk.apply_commands() == 1
    assert kiosk.config.devices.card_reader.backend == "ga467_emulator"
    assert type(kiosk.part("reader")).__name__ == "EmulatedGa467CardReader"
    assert remote_settings(kiosk.state_dir) == {"devices.card_reader.backend": "ga467_emulator"}
    done = command(tech, server, made)
    assert done["status"] == "done", done
    assert "card_reader reopened" in done["detail"]
    assert done["issued_by"] == "wang.tech"
    # The next heartbeat reports the real backend (the fleet page's column).
    assert kiosk.heartbeat()["devices"]["card_reader"]["backend"] == "ga467_emulator"
    assert ("wang.tech", "command.set", STATION, "queued") in audit_rows(server)


def test_the_allow_list_is_checked_at_the_hall_and_the_value_at_the_kiosk(
    hall: tuple[HallServer, FakeClock], kiosks: tuple[KioskRuntime, KioskRuntime]
) -> None:
    server, _ = hall
    kiosk, _ = kiosks
    tech = login(server, "wang.tech")
    refused = issue(tech, server, STATION, kind="set", key="hall.url", value="http://evil")
    assert refused.status_code == 422
    assert refused.json()["detail"]["code"] == "SET_KEY_NOT_ALLOWED"
    assert "“hall.url”不是可远程设置的配置项" in refused.json()["detail"]["message_zh"]
    assert "not a key the console may set" in refused.json()["detail"]["message_en"]
    wrong_type = issue(tech, server, STATION, kind="set", key="speech.volume", value="loud")
    assert wrong_type.status_code == 422
    assert wrong_type.json()["detail"] == {
        "code": "SET_WRONG_TYPE",
        "message_zh": "speech.volume 的值须为整数，不能是字符串",
        "message_en": "speech.volume: the value must be a JSON integer, not a string",
    }
    assert issue(tech, server, STATION, kind="format_disk").status_code == 422
    # A helper may look at the fleet but not command it.
    helper = login(server, "lin.helper")
    assert issue(helper, server, STATION, kind="self_test").status_code == 403
    # Of the right type but not a backend this kiosk knows: the kiosk says why.
    made = issue(tech, server, STATION, kind="set", key="devices.printer.backend", value="epson")
    beat(kiosk)
    failed = command(tech, server, made)
    assert failed["status"] == "failed"
    assert "'epson' is not accepted" in failed["detail"]
    assert kiosk.config.devices.printer.backend == "simulator"
    assert remote_settings(kiosk.state_dir) == {}
    # A self-test answers with each device's health and the hall link.
    made = issue(tech, server, STATION, kind="self_test")
    beat(kiosk)
    test = command(tech, server, made)
    assert test["status"] in ("done", "failed")
    assert "card_reader=ok" in test["detail"] and "hall=ok" in test["detail"]


def test_expired_tampered_replayed_and_foreign_commands_are_refused(
    hall: tuple[HallServer, FakeClock], kiosks: tuple[KioskRuntime, KioskRuntime]
) -> None:
    server, clock = hall
    kiosk, other = kiosks
    tech = login(server, "wang.tech")
    # Expired before the station heard it: the hall drops it.
    made = issue(tech, server, STATION, kind="self_test", expires_in_s=60)
    clock.advance(dt.timedelta(minutes=2))
    beat(kiosk)
    assert kiosk.remote.inbox.pending() == []
    assert command(tech, server, made)["status"] == "expired"

    made = issue(tech, server, STATION, kind="set", key="ui.care_mode", value=True,
                 expires_in_s=120)  # fmt: skip
    kiosk.in_session = lambda: True  # keep what arrives queued, to look at it
    (doc,) = raw_commands(kiosk)
    # Tampered on the way: any changed field breaks the hall's signature.
    tampered = {**doc, "args": {"key": "ui.care_mode", "value": False}}
    assert kiosk.remote.inbox.receive([tampered]) == []
    assert "REMOTE_COMMAND_BAD_SIGNATURE" in kiosk.health_history.recent_codes(5)
    # Signed for this station, replayed to another one enrolled at the same hall: refused.
    assert other.remote.inbox.receive([doc]) == []
    assert "REMOTE_COMMAND_WRONG_STATION" in other.health_history.recent_codes(5)
    # The genuine one is taken once; a replay of it is ignored.
    assert kiosk.remote.inbox.receive([doc]) == [doc["id"]]
    assert kiosk.remote.inbox.receive([doc]) == []
    assert len(kiosk.remote.inbox.pending()) == 1
    # Past its expiry at the station (it waited out a long session): dropped, reported.
    clock.advance(dt.timedelta(minutes=3))
    kiosk.in_session = lambda: False
    assert kiosk.apply_commands() == 0
    assert kiosk.config.ui.care_mode is False
    assert command(tech, server, made)["status"] == "expired"
    # A command past its expiry on arrival is answered expired, never queued.
    assert kiosk.remote.inbox.receive([{**doc, "id": "0" * 32}]) == []  # (and unsigned)
    late = SignedCommand.model_validate(doc)
    assert kiosk.remote.inbox.expired(late)


def test_a_technician_code_opens_one_station_once_and_names_the_technician(
    hall: tuple[HallServer, FakeClock], kiosks: tuple[KioskRuntime, KioskRuntime]
) -> None:
    server, clock = hall
    kiosk, other = kiosks
    tech = login(server, "wang.tech")
    answer = tech.post(f"{server.url}/api/v1/stations/{STATION}/technician-code", timeout=5)
    assert answer.status_code == 201, answer.text
    code = answer.json()["code"]
    assert len(code) == 8 and code.isdigit()
    assert "verifier" not in answer.json()["command"]["args"]
    beat(kiosk)
    beat(other)
    service = TechnicianService(kiosk, clock=clock, recent_logs=list)
    assert service.codes.active() == 1
    # The other station never got it: refused there (and counted as a wrong PIN).
    elsewhere = TechnicianService(other, clock=clock, recent_logs=list)
    assert elsewhere.enter(code).code == "TECH_PIN_NOT_SET"
    assert not elsewhere.enter(code).ok
    # At its own station it opens the mode once, in the technician's name.
    assert service.enter(code).ok
    service.leave()
    entries = service.audit.entries()
    assert [(e["who"], e["action"]) for e in entries[-2:]] == [
        ("wang.tech", "enter"),
        ("wang.tech", "leave"),
    ]
    assert not service.enter(code).ok  # spent
    assert service.ship_audit() == ""  # the hall keeps the name too
    # A second code, unused for 31 minutes: no longer good.
    late = tech.post(f"{server.url}/api/v1/stations/{STATION}/technician-code", timeout=5)
    beat(kiosk)
    clock.advance(dt.timedelta(minutes=31))
    assert not service.enter(late.json()["code"]).ok
    assert TechnicianCodes(technician_dir(kiosk.state_dir), clock).active() == 0


def test_the_fallback_pin_is_rotated_by_a_signed_command(
    hall: tuple[HallServer, FakeClock], kiosks: tuple[KioskRuntime, KioskRuntime]
) -> None:
    server, clock = hall
    kiosk, _ = kiosks
    tech, boss = login(server, "wang.tech"), login(server, "zhou.super")
    url = f"{server.url}/api/v1/stations/{STATION}/fallback-pin"
    assert tech.post(url, json={"pin": "97531246"}, timeout=5).status_code == 403
    assert boss.post(url, json={"pin": "12"}, timeout=5).status_code == 422
    rotated = boss.post(url, json={"pin": "97531246"}, timeout=5)
    assert rotated.status_code == 201, rotated.text
    assert "pin_hash" not in rotated.json()["command"]["args"]
    service = TechnicianService(kiosk, clock=clock, recent_logs=list)
    assert service.enter("97531246").code == "TECH_PIN_NOT_SET"  # not delivered yet
    beat(kiosk)
    assert service.enter("97531246").ok
    assert service.audit.entries()[-1]["who"] == "technician"  # the shared PIN names nobody
    assert not service.enter("11112222").ok
    assert history(boss, server, STATION)[0]["kind"] == "set_fallback_pin"


def test_a_diagnostics_bundle_is_uploaded_on_request_in_the_askers_name(
    tmp_path: Path, hall: tuple[HallServer, FakeClock]
) -> None:
    server, clock = hall
    station = "SND-DG-003"  # a station of its own: its technician audit starts here
    kiosk = station_runtime(tmp_path / station, server, clock, station)
    try:
        tech = login(server, "wang.tech")
        made = tech.post(
            f"{server.url}/api/v1/stations/{station}/commands",
            json={"kind": "upload_diagnostics"},
            timeout=5,
        )
        assert made.status_code == 201, made.text
        beat(kiosk)
        (done,) = history(tech, server, station)
        assert (done["status"], done["detail"]) == ("done", "diagnostics bundle uploaded")
        url = f"{server.url}/api/v1/stations/{station}"
        assert len(tech.get(f"{url}/diagnostics", timeout=5).json()) == 1
        audit = tech.get(f"{url}/technician-audit", timeout=5).json()
        assert [(e["who"], e["action"], e["outcome"]) for e in audit] == [
            ("wang.tech", "diagnostics_upload", "ok")
        ]
    finally:
        kiosk.close()


def test_reload_config_reads_the_file_again(
    tmp_path: Path, hall: tuple[HallServer, FakeClock], kiosks: tuple[KioskRuntime, KioskRuntime]
) -> None:
    server, _ = hall
    kiosk, _ = kiosks
    tech = login(server, "wang.tech")
    toml = tmp_path / "kiosk.toml"
    # The packaged file names another hall and state folder: those stay as the station runs.
    toml.write_text(
        '[station]\nid = "QH-ELSEWHERE"\nname = "x"\n[hall]\nurl = "https://hall.example"\n'
        '[timeouts]\nidle_s = 45\n[devices.printer]\nbackend = "simulator"\n'
        "[devices.printer.options]\nport = 0\n",
        encoding="utf-8",
    )
    kiosk.config_file = toml
    made = issue(tech, server, STATION, kind="reload_config")
    beat(kiosk)
    done = command(tech, server, made)
    assert (done["status"], done["detail"]) == (
        "done",
        "configuration reloaded from kiosk.toml; devices reopened",
    )
    assert kiosk.config.timeouts.idle_s == 45
    assert (kiosk.config.station.id, kiosk.config.hall.url) == (STATION, server.url)
    toml.write_text("[timeouts\nidle_s = 45\n", encoding="utf-8")
    made = issue(tech, server, STATION, kind="reload_config")
    beat(kiosk)
    failed = command(tech, server, made)
    assert failed["status"] == "failed"
    assert "kiosk.toml" in failed["detail"]
    assert kiosk.config.timeouts.idle_s == 45  # the running configuration stays
