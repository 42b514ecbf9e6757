"""Finding 11 of the hardening issue, at the hall: the hall's sealing key pair is made at setup,
its public half is pinned by each station at enrolment, and the intake takes only what was sealed
to it — a clear payload, an envelope sealed to another hall, or one moved to another filing is
refused 422 with a reason, and nothing of it is stored.
"""

from __future__ import annotations

import base64
import json
import os
import stat
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
import requests

from contracts.sealing import HallKeyPair
from hall import sealing
from hall.store import SubmissionStore
from offline_queue.hall_key import load_pinned, pin_path
from tests.hall.helpers import enrol_station, post_submission, signed_session, submission
from tests.support.sealing import hall_keys, seal_body

if TYPE_CHECKING:
    from hall.server import HallServer


def _stored(server: HallServer, sub_id: str) -> object:
    store = SubmissionStore(server.db_path)
    try:
        return store.get(sub_id)
    finally:
        store.close()


def post_submission_raw(server: HallServer, body: dict[str, object]) -> requests.Response:
    """POST ``body`` exactly as given (already sealed, or broken on purpose), signed."""
    identity = enrol_station(server, "QH001")
    return signed_session(identity).post(server.url + "/api/v1/submissions", json=body, timeout=5)


def test_the_station_pins_the_halls_sealing_key_at_enrolment(
    hall_server: HallServer, tmp_path: Path
) -> None:
    state = tmp_path / "station"
    enrol_station(hall_server, "QH001", state_dir=state)
    pinned = load_pinned(state)
    assert pinned == hall_keys(hall_server.db_path).public
    assert stat.S_IMODE(pin_path(state).stat().st_mode) == 0o600
    # Nothing on the station opens what it seals: the pin holds the public half only.
    doc = json.loads(pin_path(state).read_text())
    assert set(doc) == {"algorithm", "public_key", "key_id"}


def test_the_key_pair_is_made_once_at_setup_and_kept_0600(tmp_path: Path) -> None:
    from hall.server import HallServer

    db = tmp_path / "hall.db"
    with HallServer(db) as first:
        key_file = sealing.default_key_path(f"sqlite:///{db}")
        assert key_file == tmp_path / "hall.keys" / "seal.key"
        assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
        assert stat.S_IMODE(key_file.parent.stat().st_mode) == 0o700
        before = hall_keys(first.db_path).public
    with HallServer(db) as again:  # a restart keeps the key: what stations hold still opens
        assert hall_keys(again.db_path).public == before


def test_a_sealing_key_readable_by_others_stops_the_hall_with_the_reason(tmp_path: Path) -> None:
    key_file = tmp_path / "hall.keys" / "seal.key"
    sealing.load_or_create(key_file)
    os.chmod(key_file, 0o644)
    with pytest.raises(sealing.SealKeyError, match="chmod 600"):
        sealing.load_or_create(key_file)


def test_a_filing_in_clear_is_refused(hall_server: HallServer) -> None:
    body = submission("enterprise_demand", {"description": "张三丰 13800000000"})
    response = post_submission_raw(hall_server, body)
    assert response.status_code == 422
    locs = [err["loc"] for err in response.json()["detail"]]
    assert ["body", "payload"] in locs and ["body", "sealed"] in locs
    assert "张三丰" not in response.text  # the input is not echoed back
    assert _stored(hall_server, body["id"]) is None


def test_a_filing_sealed_to_another_hall_is_refused(hall_server: HallServer) -> None:
    body = submission("enterprise_demand", {"description": "x"})
    identity = enrol_station(hall_server, "QH001")
    elsewhere = seal_body(HallKeyPair.generate().public, body)
    response = signed_session(identity).post(
        hall_server.url + "/api/v1/submissions", json=elsewhere, timeout=5
    )
    assert response.status_code == 422
    assert "another hall key" in response.json()["detail"]
    assert _stored(hall_server, body["id"]) is None


def test_an_envelope_moved_to_another_filing_does_not_open(hall_server: HallServer) -> None:
    public = hall_keys(hall_server.db_path).public
    original = seal_body(public, submission("enterprise_demand", {"description": "a"}))
    moved = seal_body(public, submission("enterprise_demand", {"description": "b"}))
    moved["sealed"] = original["sealed"]  # the readable columns are associated data
    response = post_submission_raw(hall_server, moved)
    assert response.status_code == 422
    assert "does not open" in response.json()["detail"]
    assert _stored(hall_server, moved["id"]) is None


@pytest.mark.parametrize(
    "sealed",
    ["not base64!", base64.b64encode(b"\x02short").decode(), ""],
)
def test_a_broken_envelope_is_a_4xx_with_a_reason(hall_server: HallServer, sealed: str) -> None:
    body = seal_body(hall_keys(hall_server.db_path).public, submission("svc", {}))
    body["sealed"] = sealed
    response = post_submission_raw(hall_server, body)
    assert response.status_code == 422
    assert response.json()["detail"]


def test_sealed_content_that_is_not_a_submission_names_the_field(hall_server: HallServer) -> None:
    body = submission("svc", {})
    body["payload"] = ["not", "an", "object"]  # type: ignore[assignment]
    response = post_submission(hall_server, body)
    assert response.status_code == 422
    assert ["body", "payload"] in [err["loc"] for err in response.json()["detail"]]


def test_the_hall_stores_what_it_opened(hall_server: HallServer) -> None:
    body = submission("enterprise_demand", {"description": "厂房漏水"})
    assert post_submission(hall_server, body).status_code == 201
    store = SubmissionStore(hall_server.db_path)
    try:
        loaded = store.load(body["id"])
    finally:
        store.close()
    assert loaded is not None and loaded.payload == body["payload"]


def test_the_hall_refuses_to_start_on_a_key_others_can_read(tmp_path: Path) -> None:
    import subprocess
    import sys

    key_file = tmp_path / "keys" / "seal.key"
    sealing.load_or_create(key_file)
    os.chmod(key_file, 0o640)
    done = subprocess.run(
        [
            *(sys.executable, "-m", "hall", "--port", "0"),
            *("--db", str(tmp_path / "hall.db"), "--seal-key", str(key_file)),
        ],
        cwd=Path(__file__).resolve().parents[2],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert "the hall cannot start" in done.stderr and "chmod 600" in done.stderr
