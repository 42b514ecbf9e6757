"""Forwarding accepted parts to a department's own system (hall/forwarding.py), against a real
HTTP receiver this test starts on 127.0.0.1: it checks the HMAC signature with its own copy of
the secret, keeps one case number per idempotency key (as the contract asks of a department
system), and can be told to fail (500), to answer too late, or to lose its answer.

The filing is a real one: the 企业开办+用电报装 bundle posted to a running hall by an enrolled
station, with a photographed material. The queue rows and parts are the hall's real tables.
"""

from __future__ import annotations

import hashlib
import hmac
import http.server
import json
import logging
import random
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import requests
from sqlalchemy import Engine, select

from contracts.clock import SYSTEM_CLOCK, Clock
from hall.auth import StaffStore
from hall.desk_schema import forward_queue
from hall.forwarding import Forwarder, ForwardingSettings, backoff_delay, sign
from hall.server import HallServer
from hall.store import SubmissionStore
from hall.tracking import parts
from tests.hall.helpers import (
    BUNDLE_FORM,
    PASSWORD,
    SECRETS,
    START,
    audit_rows,
    cheap_hasher,
    login,
    post_submission,
    seal_blob,
    signed_session,
    station_identity,
    submission,
)
from tests.support.clock import FakeClock

SECRET = "a-shared-secret-of-the-market-regulator"
PHOTO = b"\xff\xd8\xff\xe0 a photographed lease contract"
# Short enough that the tests do not wait, long enough for a loopback answer on a busy machine.
FAST = ForwardingSettings(
    timeout_s=1.0, max_attempts=3, backoff_base_s=0.05, backoff_cap_s=0.2, poll_s=0.05
)


# --- the department's system -----------------------------------------------------------------


@dataclass
class Seen:
    """One request as the receiver got it."""

    key: str
    timestamp: str
    signature: str
    body: dict[str, Any]
    signed_ok: bool


@dataclass
class Receiver:
    """A department system on 127.0.0.1. ``script`` says how to treat each request in turn
    ("ok", "500", "slow": answer after the hall's timeout, "drop": keep the case but close
    without answering); after the script, "ok". A bad signature is always 401."""

    secret: str
    script: list[str] = field(default_factory=list)
    slow_s: float = 1.5
    seen: list[Seen] = field(default_factory=list)
    cases: dict[str, str] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)
    url: str = ""

    def handle(self, req: http.server.BaseHTTPRequestHandler) -> None:
        raw = req.rfile.read(int(req.headers["Content-Length"]))
        timestamp = req.headers.get("X-Qihang-Timestamp", "")
        signature = req.headers.get("X-Qihang-Signature", "")
        expected = (
            "sha256="
            + hmac.new(
                self.secret.encode(), timestamp.encode() + b"." + raw, hashlib.sha256
            ).hexdigest()
        )
        signed_ok = hmac.compare_digest(expected, signature)
        key = req.headers.get("Idempotency-Key", "")
        with self.lock:
            self.seen.append(Seen(key, timestamp, signature, json.loads(raw), signed_ok))
            action = self.script.pop(0) if self.script else "ok"
            if signed_ok and action in ("ok", "slow", "drop"):
                # One case per key: a repeated key is answered with the first number.
                case = self.cases.setdefault(key, f"SAMR-2026-{len(self.cases) + 1:04d}")
        if not signed_ok:
            self._answer(req, 401, {"error": "bad signature"})
        elif action == "500":
            self._answer(req, 500, {"error": "database down"})
        elif action == "drop":
            req.close_connection = True  # the case is kept; the answer is lost on the way back
        else:
            if action == "slow":
                time.sleep(self.slow_s)
            self._answer(req, 200, {"case_number": case, "received": True})

    @staticmethod
    def _answer(req: http.server.BaseHTTPRequestHandler, code: int, doc: dict[str, Any]) -> None:
        data = json.dumps(doc).encode()
        try:
            req.send_response(code)
            req.send_header("Content-Type", "application/json")
            req.send_header("Content-Length", str(len(data)))
            req.end_headers()
            req.wfile.write(data)
        except OSError:
            pass  # the hall gave up waiting (the "slow" case)

    def keys(self) -> list[str]:
        with self.lock:
            return [s.key for s in self.seen]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    found = Receiver(SECRET)

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            found.handle(self)

        def log_message(self, *args: Any) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    found.url = f"http://127.0.0.1:{server.server_address[1]}/cases"
    thread = threading.Thread(target=server.serve_forever, name="receiver", daemon=True)
    thread.start()
    try:
        yield found
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


# --- a hall holding one filed bundle ---------------------------------------------------------


@dataclass
class Filed:
    """A running hall (its forwarder delivering with ``settings``) holding the bundle, with an
    admin and the market regulator's officer logged in."""

    hall: HallServer
    store: SubmissionStore  # the test's own connection pool on the hall's database
    submission_id: str
    admin: requests.Session
    officer: requests.Session

    @property
    def engine(self) -> Engine:
        return self.store.engine

    @property
    def forwarder(self) -> Forwarder:
        found: Forwarder = self.hall.app.state.forwarder
        return found

    def set_endpoint(self, url: str, *, active: bool = True, secret: str = SECRET) -> None:
        response = self.admin.put(
            f"{self.hall.url}/api/v1/admin/departments/market_regulation/endpoint",
            json={"url": url, "secret": secret, "active": active},
            timeout=5,
        )
        assert response.status_code == 200, response.text

    def accept(
        self, part_id: str = "company_registration", who: requests.Session | None = None
    ) -> None:
        """The officer's accept move (受理), through the desk's route."""
        response = (who or self.officer).post(
            f"{self.hall.url}/api/v1/desk/parts/{self.submission_id}/{part_id}/moves",
            json={"to": "accepted", "version": 1},
            timeout=10,
        )
        assert response.status_code == 200, response.text


def add_account(hall: HallServer, name: str, role: str, department: str | None = None) -> None:
    store = SubmissionStore(hall.db_path)
    try:
        StaffStore(store.engine, SYSTEM_CLOCK, cheap_hasher()).add(name, role, PASSWORD, department)
    finally:
        store.close()


def file_bundle(hall: HallServer) -> str:
    """The bundle with one photographed material, filed by an enrolled station; its id."""
    identity = station_identity(hall, "QH001")
    sha = hashlib.sha256(PHOTO).hexdigest()
    put = signed_session(identity).put(
        f"{hall.url}/api/v1/blobs/{sha}",
        data=seal_blob(hall, PHOTO),
        headers={"Content-Type": "application/octet-stream"},
        timeout=5,
    )
    assert put.status_code == 201, put.text
    body = submission("company_startup_power", BUNDLE_FORM)
    body["attachments"] = [
        {"sha256": sha, "size": len(PHOTO), "media_type": "image/jpeg", "name": "premises_proof"}
    ]
    response = post_submission(hall, body, identity)
    assert response.status_code == 201, response.text
    return str(body["id"])


def start(db: str, settings: ForwardingSettings = FAST, clock: Clock = SYSTEM_CLOCK) -> HallServer:
    return HallServer(
        db, clock=clock, password_hasher=cheap_hasher(), forwarding_settings=settings
    ).start()


def open_filed(hall: HallServer) -> Filed:
    sub_id = file_bundle(hall)
    add_account(hall, "admin.zhou", "admin")
    add_account(hall, "samr.chen", "officer", "market_regulation")
    return Filed(
        hall,
        SubmissionStore(hall.db_path),
        sub_id,
        login(hall, "admin.zhou"),
        login(hall, "samr.chen"),
    )


@pytest.fixture
def filed(hall_db: str) -> Iterator[Filed]:
    hall = start(hall_db)
    try:
        f = open_filed(hall)
        try:
            yield f
        finally:
            f.store.close()
    finally:
        hall.stop()


@pytest.fixture
def filed_sqlite(tmp_path: Path) -> Iterator[Filed]:
    """The same on SQLite only, for tests where the database kind adds nothing."""
    hall = start(str(tmp_path / "hall.db"))
    try:
        f = open_filed(hall)
        try:
            yield f
        finally:
            f.store.close()
    finally:
        hall.stop()


def queue_rows(engine: Engine) -> list[Any]:
    with engine.connect() as conn:
        return list(conn.execute(select(forward_queue).order_by(forward_queue.c.seq)).all())


def case_number_of(engine: Engine, submission_id: str, part_id: str) -> str | None:
    with engine.connect() as conn:
        found: str | None = conn.execute(
            select(parts.c.case_number).where(
                parts.c.submission_id == submission_id, parts.c.part_id == part_id
            )
        ).scalar_one()
    return found


def wait_for(condition: Callable[[], bool], timeout_s: float = 15.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(0.02)


def settle(engine: Engine, rows: int = 1) -> list[Any]:
    """The queue once it holds ``rows`` rows and none of them is pending."""
    found: list[Any] = []

    def done() -> bool:
        found[:] = queue_rows(engine)
        return len(found) == rows and all(r.state != "pending" for r in found)

    wait_for(done)
    return found


# --- the accept hook ---------------------------------------------------------------------------


def enqueue(f: Filed, part_id: str, department: str) -> bool:
    with f.engine.begin() as conn:
        return f.forwarder.enqueue(conn, f.submission_id, part_id, department)


def test_only_a_department_with_an_active_endpoint_gets_a_row(
    filed_sqlite: Filed, receiver: Receiver
) -> None:
    f = filed_sqlite
    assert not enqueue(f, "company_registration", "market_regulation")  # no endpoint at all
    f.set_endpoint(receiver.url, active=False)
    assert not enqueue(f, "company_registration", "market_regulation")
    assert queue_rows(f.engine) == []
    f.set_endpoint(receiver.url)
    assert not enqueue(f, "power_connection", "state_grid")  # state_grid has no endpoint
    assert enqueue(f, "company_registration", "market_regulation")
    assert not enqueue(f, "company_registration", "market_regulation")  # the same key: kept
    (row,) = settle(f.engine)
    assert row.idempotency_key == f"{f.submission_id}/company_registration"
    assert (row.department, row.state, row.attempts) == ("market_regulation", "delivered", 1)
    assert len(receiver.seen) == 1


def test_a_rolled_back_accept_queues_nothing(filed_sqlite: Filed, receiver: Receiver) -> None:
    f = filed_sqlite
    f.set_endpoint(receiver.url)
    with pytest.raises(RuntimeError), f.engine.begin() as conn:
        f.forwarder.enqueue(conn, f.submission_id, "company_registration", "market_regulation")
        raise RuntimeError("the move failed after the hook ran")
    f.forwarder.deliver_due()
    assert queue_rows(f.engine) == [] and receiver.seen == []


# --- deliveries ------------------------------------------------------------------------------


def test_an_accepted_part_is_delivered_signed_with_only_its_own_fields(
    filed: Filed, receiver: Receiver
) -> None:
    f = filed
    f.set_endpoint(receiver.url)
    f.accept()
    add_account(f.hall, "grid.sun", "officer", "state_grid")
    f.accept("power_connection", login(f.hall, "grid.sun"))  # no endpoint: nothing queued
    (row,) = settle(f.engine)
    assert (row.state, row.attempts, row.last_error) == ("delivered", 1, None)
    assert row.case_number == "SAMR-2026-0001"
    assert case_number_of(f.engine, f.submission_id, "company_registration") == "SAMR-2026-0001"
    assert case_number_of(f.engine, f.submission_id, "power_connection") is None
    (seen,) = receiver.seen
    assert seen.signed_ok and seen.signature.startswith("sha256=")
    assert seen.key == f"{f.submission_id}/company_registration"
    body = seen.body
    assert body["idempotency_key"] == seen.key
    assert body["tracking_number"] == "QH001-20261123-0001"
    assert (body["submission_id"], body["part_id"]) == (f.submission_id, "company_registration")
    assert body["service_id"] == "company_startup_power"
    assert body["department"] == "market_regulation"
    assert body["accepted_at"] == row.created_at
    # The market regulator's fields only: not the power company's.
    assert body["form"]["company_name"] == BUNDLE_FORM["company_name"]
    assert body["form"]["business_scope"] == BUNDLE_FORM["business_scope"]
    assert "power_capacity_kw" not in body["form"] and "power_start_date" not in body["form"]
    assert body["materials"] == [
        {
            "id": "premises_proof",
            "sha256": hashlib.sha256(PHOTO).hexdigest(),
            "content_type": "image/jpeg",
            "size": len(PHOTO),
        }
    ]
    # The officer's part shows the department system's number, and storing it was not a move:
    # the officer's next move, made on the version the accept left, goes through.
    review = f.officer.post(
        f"{f.hall.url}/api/v1/desk/parts/{f.submission_id}/company_registration/moves",
        json={"to": "in_review", "version": 2},
        timeout=10,
    )
    assert review.status_code == 200, review.text
    assert review.json()["case_number"] == "SAMR-2026-0001"


def test_signature_helper_matches_an_independent_hmac() -> None:
    body = '{"a":"企业"}'.encode()
    mac = hmac.new(b"k" * 16, b"1764000000." + body, hashlib.sha256).hexdigest()
    assert sign("k" * 16, "1764000000", body) == "sha256=" + mac
    assert sign("k" * 16, "1764000001", body) != "sha256=" + mac


def test_a_500_is_retried_then_delivered(filed_sqlite: Filed, receiver: Receiver) -> None:
    f = filed_sqlite
    receiver.script = ["500"]
    f.set_endpoint(receiver.url)
    f.accept()
    (row,) = settle(f.engine)
    assert (row.state, row.attempts, row.case_number) == ("delivered", 2, "SAMR-2026-0001")
    assert len(receiver.seen) == 2 and all(s.signed_ok for s in receiver.seen)
    assert receiver.seen[0].key == receiver.seen[1].key


def test_a_timeout_is_retried_and_the_repeated_key_gets_one_case_number(
    filed_sqlite: Filed, receiver: Receiver
) -> None:
    f = filed_sqlite
    receiver.script = ["slow"]
    receiver.slow_s = FAST.timeout_s + 0.5
    f.set_endpoint(receiver.url)
    f.accept()
    (row,) = settle(f.engine)
    assert (row.state, row.attempts, row.case_number) == ("delivered", 2, "SAMR-2026-0001")
    key = f"{f.submission_id}/company_registration"
    assert receiver.keys() == [key, key]
    assert receiver.cases == {key: "SAMR-2026-0001"}


def test_a_lost_answer_is_delivered_again_under_the_same_key(
    filed_sqlite: Filed, receiver: Receiver
) -> None:
    f = filed_sqlite
    receiver.script = ["drop"]
    f.set_endpoint(receiver.url)
    f.accept()
    (row,) = settle(f.engine)
    key = f"{f.submission_id}/company_registration"
    # The receiver opened its case on the first delivery and answered the second with it.
    assert receiver.keys() == [key, key]
    assert len(receiver.cases) == 1
    assert (row.state, row.attempts, row.case_number) == ("delivered", 2, "SAMR-2026-0001")
    assert case_number_of(f.engine, f.submission_id, "company_registration") == "SAMR-2026-0001"


def test_a_receiver_with_another_secret_refuses_and_the_row_fails(
    filed_sqlite: Filed, receiver: Receiver
) -> None:
    f = filed_sqlite
    f.set_endpoint(receiver.url, secret="the-department-rotated-its-secret")
    f.accept()
    (row,) = settle(f.engine)
    assert (row.state, row.attempts, row.last_error) == ("failed", 3, "FORWARD_HTTP_401")
    assert row.case_number is None
    assert len(receiver.seen) == FAST.max_attempts
    assert not any(s.signed_ok for s in receiver.seen)
    # Visible to a supervisor, who retries once the secrets agree again.
    add_account(f.hall, "sup.wu", "supervisor")
    supervisor = login(f.hall, "sup.wu")
    listing = supervisor.get(f"{f.hall.url}/api/v1/desk/forwarding?state=failed", timeout=5)
    assert listing.status_code == 200, listing.text
    (item,) = listing.json()["items"]
    assert (item["seq"], item["last_error"], item["attempts"]) == (row.seq, "FORWARD_HTTP_401", 3)
    f.set_endpoint(receiver.url)
    retry = f"{f.hall.url}/api/v1/desk/forwarding/{row.seq}/retry"
    assert supervisor.post(retry, timeout=5).status_code == 200
    (row,) = settle(f.engine)
    assert (row.state, row.attempts, row.case_number) == ("delivered", 1, "SAMR-2026-0001")
    assert supervisor.post(retry, timeout=5).status_code == 409  # delivered: nothing to retry
    assert ("sup.wu", "forwarding.retry", str(row.seq), "ok") in audit_rows(f.hall)


def test_an_unreachable_endpoint_is_failed_after_the_attempts(filed_sqlite: Filed) -> None:
    f = filed_sqlite
    with socket.socket() as s:  # a port nobody listens on once closed
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    f.set_endpoint(f"http://127.0.0.1:{port}/cases")
    f.accept()
    (row,) = settle(f.engine)
    assert (row.state, row.attempts, row.last_error) == ("failed", 3, "FORWARD_UNREACHABLE")


def test_pending_deliveries_survive_a_hall_restart(hall_db: str, receiver: Receiver) -> None:
    """The first attempt fails and the hall stops with the row pending, its retry an hour away;
    the next hall on the same database delivers it when it is due."""
    clock = FakeClock(START)
    patient = ForwardingSettings(
        timeout_s=1.0, max_attempts=3, backoff_base_s=3600, backoff_cap_s=3600, poll_s=0.05
    )
    receiver.script = ["500"]
    first = start(hall_db, patient, clock)
    try:
        f = open_filed(first)
        f.set_endpoint(receiver.url)
        f.accept()
        wait_for(lambda: queue_rows(f.engine)[0].attempts == 1 if queue_rows(f.engine) else False)
    finally:
        first.stop()
    (row,) = queue_rows(f.engine)
    assert (row.state, row.last_error) == ("pending", "FORWARD_HTTP_500")
    clock.advance(3601)
    second = start(hall_db, FAST, clock)
    try:
        (row,) = settle(f.engine)
    finally:
        second.stop()
        f.store.close()
    assert (row.state, row.attempts, row.case_number) == ("delivered", 2, "SAMR-2026-0001")
    assert receiver.keys() == [row.idempotency_key] * 2


def test_two_halls_on_one_database_deliver_once(filed: Filed, receiver: Receiver) -> None:
    f = filed
    receiver.script = ["slow"]  # the delivery is in flight a while, within the timeout
    receiver.slow_s = 0.3
    second = start(str(f.hall.db_path))
    try:
        f.set_endpoint(receiver.url)
        f.accept()
        second.app.state.forwarder.wake()
        (row,) = settle(f.engine)
    finally:
        second.stop()
    assert len(receiver.seen) == 1
    assert (row.state, row.attempts) == ("delivered", 1)


def test_backoff_grows_with_jitter_and_stays_under_the_cap() -> None:
    rng = random.Random(7)
    delays = [backoff_delay(n, 1.0, 30.0, rng) for n in range(1, 12)]
    assert 0.5 <= delays[0] <= 1.0
    assert 4.0 <= delays[3] <= 8.0
    assert all(15.0 <= d <= 30.0 for d in delays[6:])
    assert len({round(d, 6) for d in delays[6:]}) > 1  # jittered, not in lockstep


# --- the admin API and the supervisor's view -------------------------------------------------


def test_endpoint_admin_api(filed_sqlite: Filed, receiver: Receiver) -> None:
    f = filed_sqlite
    url = f"{f.hall.url}/api/v1/admin/departments/market_regulation/endpoint"
    assert f.admin.get(url, timeout=5).status_code == 404
    put = f.admin.put(url, json={"url": receiver.url, "secret": SECRET, "active": True}, timeout=5)
    assert put.status_code == 200, put.text
    got = f.admin.get(url, timeout=5).json()
    assert got["url"] == receiver.url and got["active"] is True
    assert got["updated_by"] == "admin.zhou"
    assert "secret" not in got and SECRET not in json.dumps(got)
    for bad in (
        {"url": "http://cases.samr.example/in", "secret": SECRET, "active": True},
        {"url": "ftp://cases.samr.example/in", "secret": SECRET, "active": True},
        {"url": "https://user:pw@cases.samr.example/in", "secret": SECRET, "active": True},
        {"url": "https://cases.samr.example:99999/in", "secret": SECRET, "active": True},
        {"url": "https://cases.samr.example/in", "secret": "short", "active": True},
        {"url": "https://cases.samr.example/in", "secret": SECRET, "active": "yes"},
        {"url": "https://cases.samr.example/in", "secret": SECRET},
    ):
        assert f.admin.put(url, json=bad, timeout=5).status_code == 422, bad
    switched_off = {"url": "https://cases.samr.example/in", "secret": SECRET, "active": False}
    assert f.admin.put(url, json=switched_off, timeout=5).status_code == 200
    assert f.admin.get(url, timeout=5).json()["active"] is False
    unknown = f"{f.hall.url}/api/v1/admin/departments/no_such_department/endpoint"
    ours = {"url": receiver.url, "secret": SECRET, "active": True}
    assert f.admin.put(unknown, json=ours, timeout=5).status_code == 404
    # Neither a supervisor nor an officer sets or reads endpoints; nobody without a session.
    add_account(f.hall, "sup.wu", "supervisor")
    for member in (login(f.hall, "sup.wu"), f.officer):
        assert member.put(url, json=ours, timeout=5).status_code == 403
        assert member.get(url, timeout=5).status_code == 403
    assert requests.get(url, timeout=5).status_code == 401
    rows = audit_rows(f.hall)
    assert ("admin.zhou", "department.endpoint", "market_regulation", "active") in rows
    assert ("admin.zhou", "department.endpoint", "market_regulation", "inactive") in rows


def test_the_queue_view_is_the_supervisors_and_holds_no_form_values(
    filed_sqlite: Filed, receiver: Receiver
) -> None:
    f = filed_sqlite
    f.set_endpoint(receiver.url)
    f.accept()
    settle(f.engine)
    add_account(f.hall, "sup.wu", "supervisor")
    add_account(f.hall, "lin.helper", "helper")
    supervisor = login(f.hall, "sup.wu")
    base = f"{f.hall.url}/api/v1/desk/forwarding"
    listing = supervisor.get(base, timeout=5)
    assert listing.status_code == 200, listing.text
    doc = listing.json()
    (item,) = doc["items"]
    assert item["state"] == "delivered" and item["case_number"] == "SAMR-2026-0001"
    assert doc["counts"] == {"pending": 0, "delivered": 1, "failed": 0}
    assert not any(secret in listing.text for secret in SECRETS)
    assert supervisor.get(f"{base}?state=failed", timeout=5).json()["items"] == []
    assert supervisor.get(f"{base}?state=lost", timeout=5).status_code == 422
    assert supervisor.get(f"{base}?department=state_grid", timeout=5).json()["items"] == []
    for member in (login(f.hall, "lin.helper"), f.officer):
        assert member.get(base, timeout=5).status_code == 403


def test_form_values_and_the_secret_never_reach_the_log(
    filed_sqlite: Filed, receiver: Receiver, caplog: pytest.LogCaptureFixture
) -> None:
    f = filed_sqlite
    receiver.script = ["500", "drop"]
    with caplog.at_level(logging.DEBUG):
        f.set_endpoint(receiver.url)
        f.accept()
        settle(f.engine)
    text = caplog.text
    assert "forwarding" in text and "delivered" in text
    assert not any(secret in text for secret in SECRETS)
    assert SECRET not in text
