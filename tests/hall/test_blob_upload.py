"""Blob uploads against a real hall: only an enrolled device's signature over the blob's name
(its sha256) gets bytes in, sealed to the hall's key as the kiosk seals them; a blob over the
limit is refused 413 (declared or streamed); an envelope that does not open, or whose bytes do
not hash to the name, is refused 422 and leaves nothing on disk; blobs no accepted
submission names are swept after the grace period (fake clock), at start and by the sweep.
"""

from __future__ import annotations

import hashlib
import socket
import uuid
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import requests

from contracts.sealing import HallKeyPair
from contracts.wire import MAX_BLOB_BYTES, blob_context
from hall.blob_files import INCOMING, blob_path
from hall.blob_store import DEFAULT_GRACE_S
from hall.store import SubmissionStore
from kiosk.device_identity import DeviceIdentity, DeviceKey
from tests.hall.helpers import (
    START,
    enrol_station,
    post_submission,
    seal_blob,
    signed_session,
    start_hall,
    submission,
)
from tests.support.clock import FakeClock

if TYPE_CHECKING:
    from hall.server import HallServer
    from tests.hall.conftest import ConsoleHall

MIB = 1024 * 1024


def blob_url(server: HallServer | ConsoleHall, sha256: str) -> str:
    return f"{server.url}/api/v1/blobs/{sha256}"


def put_signed(server: HallServer, identity: DeviceIdentity, data: bytes) -> requests.Response:
    """PUT ``data`` as a kiosk does: sealed to the hall's key, signed over its name."""
    sha = hashlib.sha256(data).hexdigest()
    sealed = seal_blob(server, data)
    return signed_session(identity).put(blob_url(server, sha), data=sealed, timeout=30)


def leftovers(server: HallServer) -> list[Path]:
    """Files under the hall's blob folder (unfinished uploads included)."""
    folder = SubmissionStore(server.db_path).blob_dir
    return sorted(p for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


def test_a_signed_blob_is_stored_once_and_readable(hall_server: HallServer) -> None:
    identity = enrol_station(hall_server)
    data = b"\x89PNG scan " * 1000
    assert put_signed(hall_server, identity, data).status_code == 201
    assert put_signed(hall_server, identity, data).status_code == 200
    store = SubmissionStore(hall_server.db_path)
    try:
        sha = hashlib.sha256(data).hexdigest()
        assert store.get_blob(sha) == data
        assert blob_path(store.blob_dir, sha).read_bytes() == data
    finally:
        store.close()


def test_a_blob_without_a_device_signature_is_refused(hall_server: HallServer) -> None:
    data = b"an anonymous upload"
    sha = hashlib.sha256(data).hexdigest()
    sealed = seal_blob(hall_server, data)
    response = requests.put(blob_url(hall_server, sha), data=sealed, timeout=10)
    assert response.status_code == 401
    assert "credential" in response.json()["detail"]
    assert leftovers(hall_server) == []


def test_a_blob_signed_with_another_key_is_refused(hall_server: HallServer) -> None:
    enrolled = enrol_station(hall_server)
    # The enrolled credential, but the signature made with a key the hall never saw.
    forger = DeviceIdentity(enrolled.credential, Path("/nonexistent"), key=DeviceKey.generate())
    response = put_signed(hall_server, forger, b"forged scan")
    assert response.status_code == 401
    assert leftovers(hall_server) == []


def test_a_blob_signed_for_other_bytes_is_refused(hall_server: HallServer) -> None:
    """The signature covers the name; bytes that do not hash to it are a 422, nothing kept (the
    envelope is sealed under the claimed name, so it opens and only the hash tells)."""
    identity = enrol_station(hall_server)
    claimed = hashlib.sha256(b"what was signed").hexdigest()
    path = f"/api/v1/blobs/{claimed}"
    headers = identity.headers("PUT", path, b"what was signed")
    sealed = seal_blob(hall_server, b"something else entirely", claimed)
    response = requests.put(hall_server.url + path, data=sealed, headers=headers, timeout=10)
    assert response.status_code == 422
    assert "hash" in response.json()["detail"]
    assert leftovers(hall_server) == []


def test_a_blob_not_sealed_to_the_hall_key_is_refused(hall_server: HallServer) -> None:
    """Plain bytes, or an envelope for another hall key or another name, do not open: 422."""
    identity = enrol_station(hall_server)
    data = b"\x89PNG scan in clear"
    sha = hashlib.sha256(data).hexdigest()
    other_name = hashlib.sha256(b"another scan").hexdigest()
    for body in (
        data,
        HallKeyPair.generate().public.seal(data, blob_context(sha)),
        seal_blob(hall_server, data, other_name),
    ):
        headers = identity.headers("PUT", f"/api/v1/blobs/{sha}", body_sha256=sha)
        response = requests.put(blob_url(hall_server, sha), data=body, headers=headers, timeout=10)
        assert response.status_code == 422, response.text
        assert "does not open" in response.json()["detail"]
    assert leftovers(hall_server) == []


def test_a_blob_over_the_limit_is_refused_413(hall_server: HallServer) -> None:
    identity = enrol_station(hall_server)
    too_big = b"\0" * (MAX_BLOB_BYTES + 1)
    response = put_signed(hall_server, identity, too_big)
    assert response.status_code == 413
    assert "limit" in response.json()["detail"]
    assert leftovers(hall_server) == []


def test_a_chunked_blob_over_the_limit_is_refused_413_while_streaming(
    hall_server: HallServer,
) -> None:
    """No Content-Length to judge by: the hall counts the chunks and stops at the limit."""
    identity = enrol_station(hall_server)
    plain = b"\0" * (MAX_BLOB_BYTES + MIB)
    sha = hashlib.sha256(plain).hexdigest()
    too_big = seal_blob(hall_server, plain)
    path = f"/api/v1/blobs/{sha}"
    head = identity.headers("PUT", path, body_sha256=sha)
    host, port = hall_server.url.removeprefix("http://").split(":")
    answer = b""
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        lines = [f"PUT {path} HTTP/1.1", f"Host: {host}", "Transfer-Encoding: chunked"]
        lines += [f"{k}: {v}" for k, v in head.items()]
        sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
        try:
            for start in range(0, len(too_big), MIB):
                piece = too_big[start : start + MIB]
                sock.sendall(b"%x\r\n" % len(piece) + piece + b"\r\n")
            sock.sendall(b"0\r\n\r\n")
        except (BrokenPipeError, ConnectionResetError):
            pass  # the hall answered and hung up mid-body
        try:
            while piece := sock.recv(65536):
                answer += piece
        except ConnectionResetError:
            pass
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
    assert leftovers(hall_server) == []


# --- the sweep of unreferenced blobs --------------------------------------------------------------


def _blob_exists(server: HallServer, sha: str) -> bool:
    store = SubmissionStore(server.db_path)
    try:
        return store.has_blob(sha) and blob_path(store.blob_dir, sha).exists()
    finally:
        store.close()


def test_unreferenced_blobs_go_after_the_grace_period_filed_ones_stay(tmp_path: Path) -> None:
    clock = FakeClock(START)
    db = tmp_path / "hall" / "hall.db"
    hall = start_hall(str(db), clock)
    try:
        identity = enrol_station(hall, clock=clock)
        filed, orphan, fresh = b"filed scan", b"never filed", b"uploaded just now"
        for data in (filed, orphan):
            assert put_signed(hall, identity, data).status_code == 201
        body = submission("company_startup_power", {"company_name": "启航"})
        body["attachments"] = [
            {
                "sha256": hashlib.sha256(filed).hexdigest(),
                "size": len(filed),
                "media_type": "image/jpeg",
                "name": "scan.jpg",
            }
        ]
        body["id"] = str(uuid.uuid4())
        assert post_submission(hall, body, identity).status_code == 201
        # Within the grace period nothing goes.
        clock.advance(timedelta(seconds=DEFAULT_GRACE_S - 60))
        assert hall.app.state.blob_store.sweep() == 0
        clock.advance(timedelta(seconds=120))
        assert put_signed(hall, identity, fresh).status_code == 201
        assert hall.app.state.blob_store.sweep() == 1
        assert not _blob_exists(hall, hashlib.sha256(orphan).hexdigest())
        assert _blob_exists(hall, hashlib.sha256(filed).hexdigest())
        assert _blob_exists(hall, hashlib.sha256(fresh).hexdigest())
    finally:
        hall.stop()
    # A hall started a day later sweeps at start: the fresh one is now unreferenced and old,
    # and an upload a crash left unfinished goes too.
    blob_dir = SubmissionStore(db).blob_dir
    (blob_dir / INCOMING / "crashed.part").write_bytes(b"half a scan")
    clock.advance(timedelta(seconds=DEFAULT_GRACE_S + 1))
    hall = start_hall(str(db), clock)
    try:
        assert not _blob_exists(hall, hashlib.sha256(fresh).hexdigest())
        assert _blob_exists(hall, hashlib.sha256(filed).hexdigest())
        assert not (blob_dir / INCOMING / "crashed.part").exists()
    finally:
        hall.stop()
