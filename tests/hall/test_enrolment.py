"""Terminal enrolment against a real uvicorn hall: a code becomes a device credential bound to the
terminal's own key; bad, used, expired and guessed codes are refused with distinct errors; every
kiosk-facing endpoint then wants the signed credential, and a revoked device is refused
everywhere — heartbeat, intake, blobs and the assist socket."""

from __future__ import annotations

import hashlib
import io
import json
import os
import queue
import stat
import subprocess
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import requests
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect

from contracts.clock import SYSTEM_CLOCK
from contracts.device_auth import SIGNATURE_HEADER, TIMESTAMP_HEADER
from contracts.wire import blob_context
from hall.enrolment import GUESS_LIMIT, EnrolmentStore
from hall.server import HallServer
from hall.store import SubmissionStore
from kiosk.device_identity import (
    DeviceIdentity,
    DeviceKey,
    load_identity,
)
from kiosk.hall_client import HallClient
from kiosk.provision import (
    CodeExpired,
    CodeUnknown,
    CodeUsed,
    HallUnreachable,
    TooManyAttempts,
    provision,
)
from offline_queue.hall_key import load_pinned
from remote_assist.client import AssistClient, Status, ws_url
from remote_assist.phases import ENDED, WAITING
from tests.hall.conftest import ConsoleHall
from tests.hall.helpers import add_staff, login, submission
from tests.support.sealing import hall_keys, seal_body

ROOT = Path(__file__).resolve().parents[2]
STATION = "QH001"
BEAT = {"version": "1.0", "uptime_s": 5, "outbox_depth": 0, "devices": {}}
WAIT_S = 10.0  # bounds how long a broken test takes to fail; never a speed requirement


def make_code(server: HallServer, station: str = STATION, **kwargs: Any) -> str:
    """A code made straight in the hall's database, as `python -m hall enrol-code` does."""
    store = SubmissionStore(server.db_path)
    try:
        enrol = EnrolmentStore(store.engine, SYSTEM_CLOCK)
        return enrol.create_code(station, "test", station_name="启航测试站", **kwargs).code
    finally:
        store.close()


def identity_for(state_dir: Path, hall: ConsoleHall | None = None) -> DeviceIdentity:
    found = load_identity(state_dir, clock=hall.clock if hall is not None else SYSTEM_CLOCK)
    assert found is not None
    return found


def signed(identity: DeviceIdentity, url: str) -> HallClient:
    return HallClient(url, 5, auth=identity.requests_auth())


def heartbeat(client: HallClient, station: str = STATION) -> int:
    return client.post_heartbeat(station, BEAT)


def post_submission(url: str, headers: dict[str, str], station: str = STATION) -> int:
    body = submission("company_startup_power", {"company_name": "启航"})
    body["station_id"] = station
    return requests.post(
        url + "/api/v1/submissions", json=body, headers=headers, timeout=5
    ).status_code


def enrolled(tmp_path: Path, hall: ConsoleHall) -> DeviceIdentity:
    code = make_code_fake(hall)
    provision(tmp_path / "kiosk", hall.url, code)
    return identity_for(tmp_path / "kiosk", hall)


def make_code_fake(hall: ConsoleHall, station: str = STATION, **kwargs: Any) -> str:
    store = SubmissionStore(hall.server.db_path)
    try:
        enrol = EnrolmentStore(store.engine, hall.clock)
        return enrol.create_code(station, "test", station_name="启航测试站", **kwargs).code
    finally:
        store.close()


# --- the exchange ---------------------------------------------------------------------------------


def test_a_code_becomes_a_device_credential_stored_0600(
    tmp_path: Path, hall_server: HallServer
) -> None:
    code = make_code(hall_server, ice_servers=["stun:stun.hall.test:3478"])
    state = tmp_path / "kiosk"
    station = provision(state, hall_server.url, code.lower().replace("-", " "))  # as typed
    assert station.station_id == STATION
    assert station.station_name == "启航测试站"
    assert station.ice_servers == ("stun:stun.hall.test:3478",)
    for name in ("keys/device.key", "keys/device.json", "keys/hall_seal.json", "station.json"):
        assert stat.S_IMODE((state / name).stat().st_mode) == 0o600, name
    # The hall's sealing key is pinned as the hall holds it: what the station seals, it opens.
    pinned = load_pinned(state)
    assert pinned == hall_keys(hall_server.db_path).public
    assert stat.S_IMODE((state / "keys").stat().st_mode) == 0o700
    doc = json.loads((state / "station.json").read_text(encoding="utf-8"))
    assert doc["station"] == {"id": STATION, "name": "启航测试站"}
    assert doc["hall"] == {"url": hall_server.url}

    identity = identity_for(state)
    client = signed(identity, hall_server.url)
    try:
        assert heartbeat(client) == 204
        body = submission("company_startup_power", {"company_name": "启航"})
        data = b"a photo"
        sha = hashlib.sha256(data).hexdigest()
        assert client.put_blob(sha, pinned.seal(data, blob_context(sha))).status == 201
        body["attachments"] = [{"sha256": sha, "size": len(data), "media_type": "image/jpeg"}]
        sealed = seal_body(pinned, body)
        assert client.post_submission(sealed).status == 201
        assert client.post_submission(sealed).status == 200  # idempotent as before
    finally:
        client.close()
    # The hall keeps hashes only: neither the code nor the credential is in its database.
    if "://" not in str(hall_server.db_path):
        db = Path(hall_server.db_path)
        raw = b"".join(f.read_bytes() for f in db.parent.glob(db.name + "*"))
        assert code.replace("-", "").encode() not in raw
        assert identity.credential.credential.encode() not in raw


def test_a_used_code_is_refused_and_a_replay_too(tmp_path: Path, hall_server: HallServer) -> None:
    code = make_code(hall_server)
    provision(tmp_path / "a", hall_server.url, code)
    with pytest.raises(CodeUsed):
        provision(tmp_path / "b", hall_server.url, code)
    assert not (tmp_path / "b" / "keys" / "device.json").exists()
    # The exact request replayed (same key, same proof) is "used" as well.
    key = DeviceKey.generate()
    from contracts.device_auth import enrolment_proof_input

    body = {
        "code": code,
        "public_key": key.public_key_b64,
        "proof": key.sign(enrolment_proof_input(code, key.public_key_b64)),
    }
    answer = requests.post(hall_server.url + "/api/v1/enrolment", json=body, timeout=5)
    assert answer.status_code == 409
    assert answer.json()["detail"]["code"] == "code_used"


def test_unknown_and_malformed_codes_are_refused(tmp_path: Path, hall_server: HallServer) -> None:
    with pytest.raises(CodeUnknown):
        provision(tmp_path / "k", hall_server.url, "ABCD-EFGH-JKMN-PQRS")
    with pytest.raises(CodeUnknown):  # O and 1 are never in a code: refused before asking
        provision(tmp_path / "k", hall_server.url, "ABCD-EFGH-JKMN-PQR1")
    with pytest.raises(HallUnreachable):
        provision(tmp_path / "k", "not a url", "ABCD-EFGH-JKMN-PQRS")
    assert not (tmp_path / "k" / "keys" / "device.json").exists()


def test_a_proof_from_another_key_is_refused(hall_server: HallServer) -> None:
    code = make_code(hall_server)
    key, other = DeviceKey.generate(), DeviceKey.generate()
    from contracts.device_auth import enrolment_proof_input

    body = {
        "code": code,
        "public_key": key.public_key_b64,
        "proof": other.sign(enrolment_proof_input(code, key.public_key_b64)),
    }
    answer = requests.post(hall_server.url + "/api/v1/enrolment", json=body, timeout=5)
    assert answer.status_code == 422
    assert answer.json()["detail"]["code"] == "bad_proof"
    # The code was not spent by the failed attempt.
    body["proof"] = key.sign(enrolment_proof_input(code, key.public_key_b64))
    assert (
        requests.post(hall_server.url + "/api/v1/enrolment", json=body, timeout=5).status_code
        == 201
    )


def test_an_expired_code_is_refused(tmp_path: Path, sqlite_hall: ConsoleHall) -> None:
    code = make_code_fake(sqlite_hall)
    sqlite_hall.clock.advance(timedelta(minutes=31))
    with pytest.raises(CodeExpired):
        provision(tmp_path / "k", sqlite_hall.url, code)


def test_wrong_guesses_are_limited(tmp_path: Path, sqlite_hall: ConsoleHall) -> None:
    good = make_code_fake(sqlite_hall)
    for _ in range(GUESS_LIMIT):
        with pytest.raises(CodeUnknown):
            provision(tmp_path / "k", sqlite_hall.url, "ABCD-EFGH-JKMN-PQRS")
    with pytest.raises(TooManyAttempts) as refused:
        provision(tmp_path / "k", sqlite_hall.url, good)  # even a good code must wait
    assert refused.value.retry_after_s is not None and refused.value.retry_after_s > 0
    sqlite_hall.clock.advance(timedelta(minutes=16))
    assert provision(tmp_path / "k", sqlite_hall.url, good).station_id == STATION


# --- requests after enrolment -------------------------------------------------------------------


def test_a_revoked_device_is_refused_everywhere(tmp_path: Path, sqlite_hall: ConsoleHall) -> None:
    identity = enrolled(tmp_path, sqlite_hall)
    url = sqlite_hall.url
    client = signed(identity, url)
    statuses: queue.Queue[Status] = queue.Queue()
    assist = AssistClient(
        url,
        STATION,
        auth_headers=identity.headers,
        on_status=statuses.put,
        on_message=lambda msg: None,
        open_timeout_s=2,
    )
    try:
        assert heartbeat(client) == 204
        path = "/" + ws_url(url, STATION).split("/", 3)[3]
        with connect(
            ws_url(url, STATION), additional_headers=identity.headers("GET", path), proxy=None
        ):
            pass  # the handshake succeeds while the device is good
        assist.request_help("company_startup_power")  # the kiosk's own client, signed
        while statuses.get(timeout=WAIT_S).phase != WAITING:
            pass
        assist.hang_up()
        while statuses.get(timeout=WAIT_S).phase != ENDED:
            pass

        add_staff(sqlite_hall.server, "zhao", "supervisor")
        staff = login(sqlite_hall.server, "zhao")
        (device,) = staff.get(url + "/api/v1/enrolment/devices", timeout=5).json()
        assert device["device_id"] == identity.device_id and device["revoked_at"] is None
        answer = staff.post(
            url + f"/api/v1/enrolment/devices/{identity.device_id}/revoke", timeout=5
        )
        assert answer.status_code == 200 and answer.json()["revoked_at"]

        reply = requests.post(
            url + f"/api/v1/stations/{STATION}/heartbeat",
            json=BEAT,
            auth=identity.requests_auth(),
            timeout=5,
        )
        assert reply.status_code == 403
        assert "revoked" in reply.json()["detail"]
        # What the kiosk would send, sealed to the key it pinned: refused for the revocation.
        pinned = load_pinned(tmp_path / "kiosk")
        body = submission("company_startup_power", {"company_name": "启航"})
        assert client.post_submission(seal_body(pinned, body)).status == 403
        x_sha = hashlib.sha256(b"x").hexdigest()
        assert client.put_blob(x_sha, pinned.seal(b"x", blob_context(x_sha))).status == 403
        with pytest.raises(InvalidStatus) as refused:
            connect(
                ws_url(url, STATION),
                additional_headers=identity.headers("GET", path),
                proxy=None,
                open_timeout=WAIT_S,
            )
        assert refused.value.response.status_code == 403
        assist.request_help("company_startup_power")
        while statuses.get(timeout=WAIT_S).reason != "ASSIST_REFUSED":
            pass
        # Dropping the credential does not get round the revocation: there is no unsigned path.
        assert post_submission(url, {}) == 401
        assert post_submission(url, {"Authorization": "Bearer old-station-token"}) == 401
        bearer = {"Authorization": "Bearer old-station-token"}
        beat_url = url + f"/api/v1/stations/{STATION}/heartbeat"
        assert requests.post(beat_url, json=BEAT, headers=bearer, timeout=5).status_code == 401
    finally:
        assist.close()
        client.close()
    rows = {(e.action, e.subject_id, e.outcome) for e in audit_entries(sqlite_hall)}
    assert ("enrolment.revoke", identity.device_id, "ok") in rows


def audit_entries(hall: ConsoleHall) -> list[Any]:
    from hall.auth import StaffStore
    from tests.hall.helpers import cheap_hasher

    store = SubmissionStore(hall.server.db_path)
    try:
        return StaffStore(store.engine, hall.clock, cheap_hasher()).audit_entries()
    finally:
        store.close()


def test_tampered_stale_or_borrowed_requests_are_refused(
    tmp_path: Path, sqlite_hall: ConsoleHall
) -> None:
    identity = enrolled(tmp_path, sqlite_hall)
    url = sqlite_hall.url
    path = f"/api/v1/stations/{STATION}/heartbeat"
    body = json.dumps(BEAT).encode()

    def send(headers: dict[str, str], data: bytes = body, target: str = path) -> requests.Response:
        return requests.post(
            url + target,
            data=data,
            headers={**headers, "Content-Type": "application/json"},
            timeout=5,
        )

    good = identity.headers("POST", path, body)
    assert send(good).status_code == 204
    other_body = json.dumps({**BEAT, "outbox_depth": 99}).encode()
    assert send(good, other_body).status_code == 401  # body changed under the signature
    assert send({**good, TIMESTAMP_HEADER: str(int(good[TIMESTAMP_HEADER]) + 1)}).status_code == 401
    forged = DeviceKey.generate().sign(b"anything")
    assert send({**good, SIGNATURE_HEADER: forged}).status_code == 401
    device, _, _cred = good["Authorization"].partition(":")
    assert send({**good, "Authorization": device + ":wrong-credential"}).status_code == 401
    assert send({k: v for k, v in good.items() if k != SIGNATURE_HEADER}).status_code == 401

    sqlite_hall.clock.advance(timedelta(minutes=6))  # the captured request is now stale
    assert send(good).status_code == 401
    fresh = identity.headers("POST", path, body)
    assert send(fresh).status_code == 204

    # The device speaks for its own station only.
    elsewhere = "/api/v1/stations/QH002/heartbeat"
    assert send(identity.headers("POST", elsewhere, body), target=elsewhere).status_code == 403
    client = signed(identity, url)
    try:
        body_elsewhere = submission("company_startup_power", {"company_name": "启航"})
        body_elsewhere["station_id"] = "QH002"
        sealed = seal_body(load_pinned(tmp_path / "kiosk"), body_elsewhere)
        assert client.post_submission(sealed).status == 403
    finally:
        client.close()


def test_no_station_speaks_without_enrolling(tmp_path: Path, sqlite_hall: ConsoleHall) -> None:
    """The retired trust-on-first-use tokens open nothing, before or after enrolment."""
    url = sqlite_hall.url
    bearer = {"Authorization": "Bearer station-secret"}

    def token_beat(station: str) -> requests.Response:
        beat_url = url + f"/api/v1/stations/{station}/heartbeat"
        return requests.post(beat_url, json=BEAT, headers=bearer, timeout=5)

    assert token_beat(STATION).status_code == 401
    assert "enrol" in token_beat(STATION).json()["detail"]
    assert post_submission(url, {}) == 401
    assert post_submission(url, bearer) == 401
    identity = enrolled(tmp_path, sqlite_hall)
    assert token_beat(STATION).status_code == 401
    client = signed(identity, url)
    try:
        assert heartbeat(client) == 204
    finally:
        client.close()
    assert token_beat("QH009").status_code == 401  # a never-enrolled station: refused too


def test_enrolling_a_station_again_revokes_its_old_device(
    tmp_path: Path, sqlite_hall: ConsoleHall
) -> None:
    old = enrolled(tmp_path / "old", sqlite_hall)
    new = enrolled(tmp_path / "new", sqlite_hall)
    old_client, new_client = signed(old, sqlite_hall.url), signed(new, sqlite_hall.url)
    try:
        assert heartbeat(old_client) == 403
        assert heartbeat(new_client) == 204
    finally:
        old_client.close()
        new_client.close()


# --- staff ---------------------------------------------------------------------------------------


def test_staff_make_codes_and_only_supervisors_may(
    tmp_path: Path, sqlite_hall: ConsoleHall
) -> None:
    url = sqlite_hall.url
    add_staff(sqlite_hall.server, "lin", "helper")
    add_staff(sqlite_hall.server, "zhao", "supervisor")
    body = {"station_id": "SND-SS-001", "station_name": "狮山街道站"}
    assert requests.post(url + "/api/v1/enrolment/codes", json=body, timeout=5).status_code == 401
    helper = login(sqlite_hall.server, "lin")
    assert helper.post(url + "/api/v1/enrolment/codes", json=body, timeout=5).status_code == 403
    assert helper.get(url + "/api/v1/enrolment/devices", timeout=5).json() == []
    supervisor = login(sqlite_hall.server, "zhao")
    answer = supervisor.post(url + "/api/v1/enrolment/codes", json=body, timeout=5)
    assert answer.status_code == 201
    issued = answer.json()
    assert issued["station_id"] == "SND-SS-001"
    assert len(issued["code"]) == 19 and issued["code"].count("-") == 3
    station = provision(tmp_path / "k", url, issued["code"])
    assert (station.station_id, station.station_name) == ("SND-SS-001", "狮山街道站")
    entries = audit_entries(sqlite_hall)
    assert ("zhao", "enrolment.code", "SND-SS-001") in {
        (e.actor, e.action, e.subject_id) for e in entries
    }
    plain = issued["code"].replace("-", "")
    assert all(plain not in repr(e) for e in entries)


def test_the_command_line_makes_codes_and_revokes_devices(
    tmp_path: Path, sqlite_hall: ConsoleHall
) -> None:
    # Imported here: hall.cli binds sys.stdout as a default when first imported, and other
    # tests read its output through capsys.
    from hall import cli

    db = str(sqlite_hall.server.db_path)
    out = io.StringIO()
    assert (
        cli.main(["--db", db, "enrol-code", "--station", "SND-SS-001", "--name", "狮山"], out=out)
        == 0
    )
    code = out.getvalue().split(": ", 1)[1].split()[0]
    assert "valid once" in out.getvalue()
    identity = enrolled_with(tmp_path, sqlite_hall, code)
    out = io.StringIO()
    assert cli.main(["--db", db, "devices", "list"], out=out) == 0
    assert identity.device_id in out.getvalue() and "active" in out.getvalue()
    out = io.StringIO()
    assert cli.main(["--db", db, "devices", "revoke", identity.device_id], out=out) == 0
    client = signed(identity, sqlite_hall.url)
    try:
        assert heartbeat(client, "SND-SS-001") == 403
    finally:
        client.close()
    assert cli.main(["--db", db, "devices", "revoke", "dev-nope"], out=io.StringIO()) == 1
    assert cli.main(["--db", db, "enrol-code", "--station", "bad id!"], out=io.StringIO()) == 1


def enrolled_with(tmp_path: Path, hall: ConsoleHall, code: str) -> DeviceIdentity:
    provision(tmp_path / "kiosk", hall.url, code)
    return identity_for(tmp_path / "kiosk", hall)


# --- the terminal's command ----------------------------------------------------------------------


def test_main_py_provision_end_to_end(tmp_path: Path, hall_server: HallServer) -> None:
    config = tmp_path / "kiosk.toml"
    config.write_text(f'[paths]\nstate_dir = "{tmp_path / "state"}"\n', encoding="utf-8")
    code = make_code(hall_server)

    def run(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, str(ROOT / "main.py"), "provision", "--config", str(config), *args],
            input=stdin,
            capture_output=True,
            text=True,
            timeout=60,
            cwd=ROOT,
            env={**os.environ, "PYTHONWARNINGS": "ignore"},
        )

    done = run("--hall", hall_server.url, "--code", "-", stdin=code + "\n")  # code off argv
    assert done.returncode == 0, done.stderr
    assert f"station {STATION}" in done.stdout
    assert code not in done.stdout + done.stderr  # the code is never echoed or logged
    again = run("--hall", hall_server.url, "--code", code)
    assert again.returncode == 2 and "already enrolled" in again.stderr
    replay = run("--hall", hall_server.url, "--code", code, "--force")
    assert replay.returncode == 3 and "ENROL_CODE_USED" in replay.stderr
    unknown = run("--hall", hall_server.url, "--code", "ABCD-EFGH-JKMN-PQRS", "--force")
    assert unknown.returncode == 3 and "ENROL_CODE_UNKNOWN" in unknown.stderr
    offline = run("--hall", "http://127.0.0.1:9", "--code", "ABCD-EFGH-JKMN-PQRS", "--force")
    assert offline.returncode == 4 and "ENROL_HALL_UNREACHABLE" in offline.stderr
    assert run("--hall", "hall.example", "--code", "x").returncode == 2

    # The kiosk's config now names the provisioned station and its hall.
    sys.path.insert(0, str(ROOT))
    import main as kiosk_main

    cfg = kiosk_main._load_config(config)
    assert (cfg.station.id, cfg.hall.url) == (STATION, hall_server.url)
