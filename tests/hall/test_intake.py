"""Submission intake, end to end over HTTP against a real uvicorn hall on loopback, on SQLite and
on PostgreSQL (``tests/hall/conftest.py``).

Covers the idempotency contract the kiosk's outbox relies on (201 new, 200 same again, 409 same id
with other content, also when requests for one id race), blobs (idempotent upload verified by
sha256; a submission naming a blob the hall lacks is a 422), strict validation (422, and no echo
of the walk-in's data in the error), the status lookup and the health probe.
"""

from __future__ import annotations

import hashlib
import itertools
import os
import threading
import uuid
from typing import Any

import pytest
import requests

from hall.server import HallServer
from tests.hall.helpers import post_submission, seal_blob, signed_session, station_identity

SUBMISSIONS = "/api/v1/submissions"
STATION = "SND-001"
# Every submission its own tracking number: the hall keeps each number for one submission.
_SEQUENCE = itertools.count(1)


def make_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": str(uuid.uuid4()),
        "station_id": STATION,
        "service_id": "business-license-change",
        "tracking_number": f"{STATION}-20250301-{next(_SEQUENCE):04d}",
        "created_at": "2025-03-01T02:03:04.567+00:00",
        "payload": {"company": "苏州某某科技有限公司", "phone": "13800000000", "items": [1, 2]},
    }
    body.update(overrides)
    return body


def post(server: HallServer, body: Any) -> requests.Response:
    """As the station's enrolled device (signed; a fresh nonce each time)."""
    return post_submission(server, body, station_identity(server, STATION))


def count(server: HallServer) -> int:
    # The store behind the running app, read through its own connection: what the hall kept.
    from hall.store import SubmissionStore

    return SubmissionStore(server.db_path).count()


def test_healthz(hall_server: HallServer) -> None:
    response = requests.get(hall_server.url + "/healthz", timeout=5)
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_url_has_the_real_bound_port(hall_server: HallServer) -> None:
    assert hall_server.port != 0
    assert hall_server.url == f"http://127.0.0.1:{hall_server.port}"


def test_new_submission_is_created_then_same_body_is_a_duplicate(hall_server: HallServer) -> None:
    body = make_body()

    first = post(hall_server, body)
    assert first.status_code == 201
    assert first.json() == {"id": body["id"], "status": "received"}

    again = post(hall_server, body)
    assert again.status_code == 200
    assert again.json() == {"id": body["id"], "status": "received"}

    assert count(hall_server) == 1


def test_key_order_and_equivalent_spellings_are_the_same_content(hall_server: HallServer) -> None:
    body = make_body(payload={"a": 1, "b": {"x": "甲", "y": None}})
    assert post(hall_server, body).status_code == 201

    reordered = dict(reversed(list(body.items())))
    reordered["payload"] = {"b": {"y": None, "x": "甲"}, "a": 1}
    reordered["id"] = body["id"].upper()  # the same UUID, spelled differently
    reordered["created_at"] = "2025-03-01T10:03:04.567+08:00"  # the same instant
    assert post(hall_server, reordered).status_code == 200
    assert count(hall_server) == 1


@pytest.mark.parametrize(
    "change",
    [
        {"payload": {"company": "another company"}},
        {"tracking_number": "SND-001-20250301-9999"},
        {"created_at": "2025-03-01T02:03:05+00:00"},
    ],
)
def test_same_id_with_different_content_is_a_conflict(
    hall_server: HallServer, change: dict[str, Any]
) -> None:
    body = make_body()
    assert post(hall_server, body).status_code == 201

    clash = post(hall_server, {**body, **change})
    assert clash.status_code == 409
    assert count(hall_server) == 1
    # The first version is the one kept.
    kept = requests.get(f"{hall_server.url}{SUBMISSIONS}/{body['id']}", timeout=5).json()
    assert kept["tracking_number"] == body["tracking_number"]


@pytest.mark.parametrize("missing", ["id", "station_id", "service_id", "created_at", "payload"])
def test_missing_field_is_rejected(hall_server: HallServer, missing: str) -> None:
    body = make_body()
    del body[missing]
    response = post(hall_server, body)
    assert response.status_code == 422
    assert ["body", missing] in [err["loc"] for err in response.json()["detail"]]
    assert count(hall_server) == 0


def test_extra_field_is_rejected(hall_server: HallServer) -> None:
    response = post(hall_server, make_body(priority="high"))
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "priority"]
    assert count(hall_server) == 0


@pytest.mark.parametrize(
    "override",
    [
        {"id": "not-a-uuid"},
        {"id": 12345},
        {"station_id": ""},
        {"station_id": 7},
        {"created_at": "yesterday"},
        {"created_at": "2025-03-01T02:03:04"},  # no offset: ambiguous instant
        {"created_at": 1740794584},
        {"payload": ["not", "an", "object"]},
        {"payload": "text"},
    ],
)
def test_wrong_types_and_formats_are_rejected(
    hall_server: HallServer, override: dict[str, Any]
) -> None:
    assert post(hall_server, make_body(**override)).status_code == 422


@pytest.mark.parametrize("raw", [b"", b"{", b"[]", b"null", b'"text"'])
def test_non_object_bodies_are_rejected(hall_server: HallServer, raw: bytes) -> None:
    response = signed_session(station_identity(hall_server, STATION)).post(
        hall_server.url + SUBMISSIONS,
        data=raw,
        headers={"Content-Type": "application/json"},
        timeout=5,
    )
    assert response.status_code == 422


def test_validation_error_does_not_echo_personal_data(hall_server: HallServer) -> None:
    body = make_body(unexpected="x")
    del body["service_id"]
    response = post(hall_server, body)
    assert response.status_code == 422
    assert "13800000000" not in response.text
    assert "苏州" not in response.text


def test_get_status_without_payload(hall_server: HallServer) -> None:
    body = make_body()
    assert post(hall_server, body).status_code == 201

    response = requests.get(f"{hall_server.url}{SUBMISSIONS}/{body['id']}", timeout=5)
    assert response.status_code == 200
    data = response.json()
    assert set(data) == {"id", "tracking_number", "status", "received_at"}
    assert data["id"] == body["id"]
    assert data["tracking_number"] == body["tracking_number"]
    assert data["status"] == "received"
    assert "13800000000" not in response.text


@pytest.mark.parametrize("sub_id", ["6f1c2d3e-4b5a-4c7d-8e9f-0a1b2c3d4e5f", "not-a-uuid"])
def test_get_unknown_submission_is_404(hall_server: HallServer, sub_id: str) -> None:
    response = requests.get(f"{hall_server.url}{SUBMISSIONS}/{sub_id}", timeout=5)
    assert response.status_code == 404


def test_submissions_survive_a_hall_restart(hall_db: str) -> None:
    body = make_body()
    db = hall_db
    with HallServer(db) as first:
        assert post(first, body).status_code == 201
    with HallServer(db) as second:
        assert post(second, body).status_code == 200
        assert count(second) == 1


def test_log_names_ids_but_never_payload(
    hall_server: HallServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level("DEBUG")
    body = make_body()
    assert post(hall_server, body).status_code == 201
    assert post(hall_server, {**body, "payload": {"phone": "13900000000"}}).status_code == 409
    assert body["id"] in caplog.text
    for secret in ("13800000000", "13900000000", "苏州"):
        assert secret not in caplog.text


# --- blobs and attachments ----------------------------------------------------------------------

BLOBS = "/api/v1/blobs"


def put_blob(server: HallServer, data: bytes, name: str | None = None) -> requests.Response:
    """PUT ``data`` under ``name`` (its hash by default), sealed to the hall's key for that
    name as the kiosk seals it."""
    name = name or hashlib.sha256(data).hexdigest()
    return signed_session(station_identity(server, STATION)).put(
        f"{server.url}{BLOBS}/{name}",
        data=seal_blob(server, data, name),
        headers={"Content-Type": "application/octet-stream"},
        timeout=5,
    )


def attachment(data: bytes, **overrides: Any) -> dict[str, Any]:
    ref = {
        "sha256": hashlib.sha256(data).hexdigest(),
        "size": len(data),
        "media_type": "image/jpeg",
        "name": "scan.jpg",
    }
    ref.update(overrides)
    return ref


def test_blob_upload_is_idempotent_and_verified(hall_server: HallServer) -> None:
    from hall.store import SubmissionStore

    data = os.urandom(200_000)
    assert put_blob(hall_server, data).status_code == 201
    assert put_blob(hall_server, data).status_code == 200
    assert SubmissionStore(hall_server.db_path).get_blob(hashlib.sha256(data).hexdigest()) == data


@pytest.mark.parametrize("name", ["0" * 64, "NOT-A-HASH", "A" * 64])
def test_blob_whose_bytes_do_not_match_the_name_is_refused(
    hall_server: HallServer, name: str
) -> None:
    response = put_blob(hall_server, b"some scan", name)
    assert response.status_code == 422


def test_submission_with_its_blobs_is_created(hall_server: HallServer) -> None:
    from hall.store import SubmissionStore

    scans = [b"page one" * 100, b"page two" * 100]
    for scan in scans:
        assert put_blob(hall_server, scan).status_code == 201
    body = make_body(attachments=[attachment(s) for s in scans])
    assert post(hall_server, body).status_code == 201
    assert post(hall_server, body).status_code == 200
    stored = SubmissionStore(hall_server.db_path).load(body["id"])
    assert stored is not None
    assert [a.sha256 for a in stored.attachments] == [a["sha256"] for a in body["attachments"]]
    # Other attachments under the same id: other content.
    changed = {**body, "attachments": [attachment(scans[0])]}
    assert post(hall_server, changed).status_code == 409


def test_submission_naming_a_missing_blob_is_422_and_names_it(hall_server: HallServer) -> None:
    there, missing = b"uploaded", b"never uploaded"
    assert put_blob(hall_server, there).status_code == 201
    body = make_body(attachments=[attachment(there), attachment(missing)])
    response = post(hall_server, body)
    assert response.status_code == 422
    assert response.json()["detail"]["missing_blobs"] == [hashlib.sha256(missing).hexdigest()]
    assert count(hall_server) == 0
    # Once the blob arrives, the same submission goes through.
    assert put_blob(hall_server, missing).status_code == 201
    assert post(hall_server, body).status_code == 201


def test_attachment_with_the_wrong_size_is_422(hall_server: HallServer) -> None:
    data = b"uploaded"
    assert put_blob(hall_server, data).status_code == 201
    response = post(hall_server, make_body(attachments=[attachment(data, size=len(data) + 1)]))
    assert response.status_code == 422


@pytest.mark.parametrize(
    "bad",
    [
        {"sha256": "xyz"},
        {"size": -1},
        {"size": "10"},
        {"media_type": ""},
        {"extra": 1},
    ],
)
def test_malformed_attachment_is_422(hall_server: HallServer, bad: dict[str, Any]) -> None:
    assert post(hall_server, make_body(attachments=[attachment(b"x", **bad)])).status_code == 422


def test_racing_requests_for_one_id_store_it_once(hall_server: HallServer) -> None:
    # A kiosk retrying after a timeout while its first request is still being handled.
    body = make_body()
    rival = {**body, "payload": {"other": "content"}}
    barrier = threading.Barrier(8)
    statuses: list[int] = []
    lock = threading.Lock()

    def send(b: dict[str, Any]) -> None:
        barrier.wait()
        status = post(hall_server, b).status_code
        with lock:
            statuses.append(status)

    threads = [threading.Thread(target=send, args=(body if i % 2 else rival,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert count(hall_server) == 1
    assert statuses.count(201) == 1
    # Whichever version won, its twins got 200 and the other version 409: 3 + 4 in some order.
    assert sorted(statuses) == [200, 200, 200, 201, 409, 409, 409, 409]
