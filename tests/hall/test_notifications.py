"""The hall's SMS notifications: templates without personal data, the queue (exactly once per key,
inside the caller's transaction), and the dispatcher driving the real SMPP client against the
SMSC simulator over TCP: UCS-2 and concatenated parts, receipts, order and rate per number,
throttling, a dropped link, a refused number, an SMSC outage and a restart mid-message.
"""

from __future__ import annotations

import hmac
import itertools
import json
import logging
import re
import signal
import ssl
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from ipaddress import IPv4Address
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from hall.notifications import (
    InvalidNumber,
    NotificationDispatcher,
    enqueue_in,
    mask_number,
    normalize_number,
    notifications,
    recent,
    sms_parts,
)
from hall.notify_templates import EVENTS, PARAMS, TemplateParamsError, render
from hall.sms_backend import DeliveryReceipt, OutgoingSms, user_reference
from hall.sms_gateway import GatewayConfig, HttpsSmsBackend, idempotency_key, signature
from hall.sms_smpp import SmppConfig, SmppSmsBackend
from hall.smsc_sim.server import SmscSimulator
from hall.store import SubmissionStore

ROOT = Path(__file__).resolve().parents[2]
LINK = "https://qh.example.cn/t/AB12cd"
BASE: dict[str, object] = {
    "tracking_number": "QH-20261127-0042",
    "service_name": "企业开办",
    "link": LINK,
}
EXTRA: dict[str, dict[str, object]] = {
    "needs_more": {"materials": ("营业执照副本", "住所使用证明")},
    "result_ready": {"waybill": "1180123456789"},
}
ID_NUMBER = "32050219800101123X"


def params_for(event: str, **more: object) -> dict[str, object]:
    return {**BASE, **EXTRA.get(event, {}), **more}


# --- templates ----------------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["zh", "en"])
@pytest.mark.parametrize("event", EVENTS)
def test_every_event_renders_with_the_tracking_number_service_and_link(
    event: str, language: str
) -> None:
    text = render(event, language, params_for(event))  # type: ignore[arg-type]
    assert "QH-20261127-0042" in text and LINK in text
    assert ("企业开办" in text) and ("{" not in text)
    assert not re.search(r"\d{15,}", text)


@pytest.mark.parametrize("event", EVENTS)
@pytest.mark.parametrize(
    "personal",
    [{"id_number": ID_NUMBER}, {"name": "张三"}, {"form": {"capital": "100"}}, {"phone": "1"}],
)
def test_no_field_can_carry_personal_data(event: str, personal: dict[str, object]) -> None:
    with pytest.raises(TemplateParamsError) as raised:
        render(event, "zh", params_for(event, **personal))  # type: ignore[arg-type]
    assert ID_NUMBER not in str(raised.value)  # the refusal does not echo the value either


@pytest.mark.parametrize("field", ["service_name", "tracking_number", "link"])
def test_an_id_number_smuggled_into_an_allowed_field_is_refused(field: str) -> None:
    value = LINK + ID_NUMBER if field == "link" else ID_NUMBER
    with pytest.raises(TemplateParamsError):
        render("filing_received", "zh", params_for("filing_received", **{field: value}))
    with pytest.raises(TemplateParamsError):
        render("needs_more", "en", params_for("needs_more", materials=("ID " + ID_NUMBER,)))


def test_the_template_fields_are_only_the_allowed_ones() -> None:
    allowed = {"tracking_number", "service_name", "link", "materials", "pickup_at", "waybill"}
    for model in PARAMS.values():
        assert set(model.model_fields) <= allowed


def test_result_ready_names_exactly_one_way_to_get_it() -> None:
    pickup = render("result_ready", "zh", {**BASE, "pickup_at": "工业园区政务服务中心"})
    assert "请到工业园区政务服务中心领取" in pickup
    assert "运单号1180123456789" in render("result_ready", "zh", params_for("result_ready"))
    with pytest.raises(TemplateParamsError):
        render("result_ready", "zh", dict(BASE))
    with pytest.raises(TemplateParamsError):
        render("result_ready", "en", {**params_for("result_ready"), "pickup_at": "x"})


def test_numbers_are_normalized_and_masked() -> None:
    for raw in ("13812345678", "+86 138-1234-5678", "8613812345678", "0086 138 1234 5678"):
        assert normalize_number(raw) == "13812345678"
    for bad in ("1381234567", "23812345678", "abc", "+1 6505550100"):
        with pytest.raises(InvalidNumber):
            normalize_number(bad)
    assert mask_number("13812345678") == "138****5678"


# --- the queue ----------------------------------------------------------------------------------


@pytest.fixture
def engine(hall_db: str) -> Iterator[Engine]:
    store = SubmissionStore(hall_db)
    try:
        yield store.engine
    finally:
        store.close()


@pytest.fixture
def sqlite_engine(tmp_path: Path) -> Iterator[Engine]:
    store = SubmissionStore(str(tmp_path / "hall" / "hall.db"))
    try:
        yield store.engine
    finally:
        store.close()


def queue(
    engine: Engine, key: str, to: str, event: str = "filing_received", **more: object
) -> bool:
    with engine.begin() as conn:
        return enqueue_in(conn, event, to, params_for(event, **more), "zh_CN", key)  # type: ignore[arg-type]


def queue_one_part(engine: Engine, key: str, to: str) -> None:
    """A text in English, short enough for one SMS."""
    params = params_for("filing_received", service_name="Start-up", tracking_number=f"QH-{key}")
    with engine.begin() as conn:
        enqueue_in(conn, "filing_received", to, params, "en", key)


def test_enqueue_is_once_per_key_and_only_with_the_callers_commit(engine: Engine) -> None:
    assert queue(engine, "sub-1:received", "13812345678") is True
    assert queue(engine, "sub-1:received", "13812345678") is False
    with pytest.raises(RuntimeError), engine.begin() as conn:
        enqueue_in(conn, "filing_received", "13900000000", params_for("filing_received"), "en",
                   "sub-2:received")  # fmt: skip
        raise RuntimeError("the status change failed")
    with engine.connect() as conn:
        rows = conn.execute(select(notifications.c.dedupe_key, notifications.c.language)).all()
    assert [tuple(r) for r in rows] == [("sub-1:received", "zh")]
    [view] = recent(engine)
    assert view.to_masked == "138****5678" and "13812345678" not in repr(view)


def test_enqueue_refuses_bad_input_before_writing(engine: Engine) -> None:
    with engine.begin() as conn:
        with pytest.raises(InvalidNumber):
            enqueue_in(conn, "filing_received", "12345", params_for("filing_received"), "zh", "k1")
        with pytest.raises(ValueError):
            enqueue_in(conn, "filing_received", "13812345678", params_for("filing_received"),
                       "fr", "k2")  # fmt: skip
        with pytest.raises(TemplateParamsError):
            enqueue_in(conn, "filing_received", "13812345678",
                       params_for("filing_received", id_number=ID_NUMBER), "zh", "k3")  # fmt: skip
    assert recent(engine) == []


# --- the dispatcher against the simulator -------------------------------------------------------


@pytest.fixture
def sim() -> Iterator[SmscSimulator]:
    with SmscSimulator(system_id="hall", password="secret") as running:
        yield running


def dispatcher(engine: Engine, sim: SmscSimulator, **options: float) -> NotificationDispatcher:
    backend = SmppSmsBackend(SmppConfig("127.0.0.1", sim.port, "hall", "secret", timeout_s=2))
    settings = {"per_number_gap_s": 0.0, "backoff_base_s": 0.05, "backoff_max_s": 0.2,
                "poll_interval_s": 0.05, "in_doubt_grace_s": 0.3, **options}  # fmt: skip
    return NotificationDispatcher(engine, backend, **settings)  # type: ignore[arg-type]


def wait_for(condition: Callable[[], bool], timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(0.02)


def states(engine: Engine) -> list[str]:
    with engine.connect() as conn:
        return list(
            conn.execute(select(notifications.c.state).order_by(notifications.c.seq)).scalars()
        )


def bodies(engine: Engine) -> dict[int, tuple[str, str]]:
    with engine.connect() as conn:
        rows = conn.execute(select(notifications.c.seq, notifications.c.to_number,
                                   notifications.c.body)).all()  # fmt: skip
    return {r.seq: ("86" + r.to_number, r.body) for r in rows}


def test_a_needs_more_sms_goes_as_ucs2_parts_and_its_receipts_are_stored(
    sqlite_engine: Engine, sim: SmscSimulator
) -> None:
    materials = ("营业执照副本", "法定代表人身份证明", "住所使用证明", "公司章程", "股东会决议")
    queue(sqlite_engine, "p1:needs_more", "13812345678", "needs_more", materials=materials)
    d = dispatcher(sqlite_engine, sim)
    d.start()
    try:
        wait_for(lambda: len(sim.messages()) == 1)

        def receipts() -> list[str | None]:
            with sqlite_engine.connect() as conn:
                return list(conn.execute(select(sms_parts.c.receipt_state)).scalars())

        wait_for(lambda: len(receipts()) > 1 and set(receipts()) == {"DELIVRD"})
        with sqlite_engine.connect() as conn:
            parts = conn.execute(select(sms_parts).order_by(sms_parts.c.part)).all()
    finally:
        d.stop()
    [message] = sim.messages()
    [(to, body)] = bodies(sqlite_engine).values()
    assert (message.destination, message.text, message.data_coding) == (to, body, 0x08)
    assert "需补正材料：营业执照副本、法定代表人身份证明" in message.text
    assert message.parts == len(parts) >= 2
    assert [p.message_id for p in parts] == message.message_ids
    assert states(sqlite_engine) == ["sent"]
    [view] = recent(sqlite_engine)
    assert (view.parts, view.delivered_parts, view.to_masked) == (
        len(parts),
        len(parts),
        "138****5678",
    )


def test_an_english_sms_goes_in_the_gsm_alphabet(sqlite_engine: Engine, sim: SmscSimulator) -> None:
    with sqlite_engine.begin() as conn:
        enqueue_in(conn, "rating_invited", "13812345678",
                   {**BASE, "service_name": "Company start-up"}, "en_US", "r1")  # fmt: skip
    d = dispatcher(sqlite_engine, sim)
    d.start()
    try:
        wait_for(lambda: len(sim.messages()) == 1)
    finally:
        d.stop()
    [message] = sim.messages()
    assert (
        message.data_coding == 0 and message.text == next(iter(bodies(sqlite_engine).values()))[1]
    )


def test_an_smsc_outage_loses_nothing_sends_in_order_per_number_and_none_twice(
    engine: Engine, sim: SmscSimulator
) -> None:
    sim.go_down()
    numbers = ["13800000001", "13800000002", "13800000003"]
    d = dispatcher(engine, sim)
    d.start()
    try:
        for i in range(4):
            for n in numbers:
                queue(engine, f"{n}:{i}", n, "filing_received",
                      tracking_number=f"QH-{n[-1]}-{i:04d}")  # fmt: skip
                d.wake()
        time.sleep(0.5)  # several retries against a closed port
        assert states(engine) == ["pending"] * 12 and sim.messages() == []
        with engine.connect() as conn:
            first = select(notifications.c.attempts).order_by(notifications.c.seq).limit(1)
            assert conn.execute(first).scalar_one() > 1  # retried, not given up
        sim.come_up()
        wait_for(lambda: states(engine) == ["sent"] * 12)
    finally:
        d.stop()
    expected = bodies(engine)
    got = [(m.destination, m.text) for m in sim.messages()]
    assert sorted(got) == sorted(expected.values())  # every one, once
    for n in numbers:  # and in queue order per number
        assert [t for to, t in got if to == "86" + n] == [
            t for seq, (to, t) in sorted(expected.items()) if to == "86" + n
        ]
    assert sim.stats()["duplicates"] == 0


def test_throttling_and_a_dropped_link_are_retried_without_duplicates(
    sqlite_engine: Engine, sim: SmscSimulator
) -> None:
    for i in range(6):
        materials = ("公司章程",) * (1 + 4 * (i % 2))  # every other one in several parts
        queue(sqlite_engine, f"k{i}", f"1380000000{i % 2}", "needs_more",
              tracking_number=f"QH-T-{i:04d}", materials=materials)  # fmt: skip
    sim.throttle(3)
    sim.drop_link(after=2)
    d = dispatcher(sqlite_engine, sim)
    d.start()
    try:
        wait_for(lambda: states(sqlite_engine) == ["sent"] * 6)
    finally:
        d.stop()
    assert sorted((m.destination, m.text) for m in sim.messages()) == sorted(
        bodies(sqlite_engine).values()
    )
    stats = sim.stats()
    assert stats["throttled"] == 3 and stats["duplicates"] == 0 and stats["binds"] >= 2


def test_a_refused_number_fails_for_good_and_blocks_nobody(
    sqlite_engine: Engine, sim: SmscSimulator
) -> None:
    sim.refuse("13800000009")
    queue(sqlite_engine, "a", "13800000009")
    queue(sqlite_engine, "b", "13800000009", "demand_replied")
    queue(sqlite_engine, "c", "13800000001")
    d = dispatcher(sqlite_engine, sim)
    d.start()
    try:
        wait_for(lambda: "pending" not in states(sqlite_engine))
    finally:
        d.stop()
    assert states(sqlite_engine) == ["failed", "failed", "sent"]
    [view] = [v for v in recent(sqlite_engine) if v.seq == 1]
    assert view.last_error == "SMS_REFUSED 0x0B"
    sim.accept("13800000009")


def test_a_restart_mid_message_sends_only_the_parts_not_yet_taken(
    sqlite_engine: Engine, sim: SmscSimulator
) -> None:
    materials = ("营业执照副本", "法定代表人身份证明", "住所使用证明", "公司章程", "股东会决议") * 2
    queue(sqlite_engine, "long", "13812345678", "needs_more", materials=materials)
    sim.drop_link(after=1)  # part 1 is taken, then the link drops under part 2
    first = dispatcher(sqlite_engine, sim, backoff_base_s=60.0, backoff_max_s=60.0)
    first.start()

    def parts() -> list[int]:
        with sqlite_engine.connect() as conn:
            return list(conn.execute(select(sms_parts.c.part)).scalars())

    wait_for(lambda: parts() == [1])
    first.stop()  # the hall goes away while the message is half sent
    assert sim.messages() == [] and sim.stats()["incomplete"] == 1

    second = dispatcher(sqlite_engine, sim)  # the hall again, on the same database
    second.start()
    try:
        wait_for(lambda: states(sqlite_engine) == ["sent"])
    finally:
        second.stop()
    [message] = sim.messages()
    assert message.text == next(iter(bodies(sqlite_engine).values()))[1]
    stats = sim.stats()  # part 1 once, the dropped part 2 again, part 3: nothing twice
    assert (stats["submits"], stats["dropped"], stats["duplicates"]) == (message.parts, 1, 0)


def test_one_number_gets_at_most_one_message_per_gap(
    sqlite_engine: Engine, sim: SmscSimulator
) -> None:
    for i in range(3):
        queue(sqlite_engine, f"g{i}", "13812345678", tracking_number=f"QH-G-{i:04d}")
    queue(sqlite_engine, "other", "13900000000")
    d = dispatcher(sqlite_engine, sim, per_number_gap_s=0.4)
    d.start()
    try:
        wait_for(lambda: len(sim.messages()) == 4)
    finally:
        d.stop()
    mine = [m.received_mono for m in sim.messages() if m.destination == "8613812345678"]
    assert all(b - a >= 0.38 for a, b in itertools.pairwise(mine))
    other = next(m for m in sim.messages() if m.destination == "8613900000000")
    assert other.received_mono < mine[1]  # another number does not wait for this one's gap


# --- the HTTPS gateway backend against a real local receiver -----------------------------------


class GatewayReceiver:
    """A district SMS web service: checks signatures, honours Idempotency-Key, and answers as
    scripted (a status to answer, or "lose" to take the message and close without answering)."""

    def __init__(
        self, secret: bytes, script: list[int | str], tls: ssl.SSLContext | None = None
    ) -> None:
        self.secret, self.script = secret, list(script)
        self.taken: dict[str, dict[str, str]] = {}  # idempotency key -> message
        self.requests = 0
        self.bad_signatures = 0
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.requests += 1
                stamp = self.headers["X-Timestamp"]
                if not hmac.compare_digest(
                    signature(receiver.secret, stamp, body), self.headers["X-Signature"]
                ):
                    receiver.bad_signatures += 1
                    return self._answer(401, {"error": "bad signature"})
                step = receiver.script.pop(0) if receiver.script else 200
                if isinstance(step, int) and step != 200:
                    return self._answer(step, {"error": "scripted"})
                key = self.headers["Idempotency-Key"]
                repeat = key in receiver.taken
                receiver.taken.setdefault(key, json.loads(body))
                if step == "lose":
                    self.close_connection = True
                    return None  # taken, but the answer never reaches the hall
                return self._answer(409 if repeat else 200, {"message_id": f"GW-{key}"})

            def _answer(self, status: int, value: object) -> None:
                data = json.dumps(value).encode()
                self.send_response(status)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        if tls is not None:
            self.server.socket = tls.wrap_socket(self.server.socket, server_side=True)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        scheme = "https" if tls is not None else "http"
        self.url = f"{scheme}://127.0.0.1:{self.server.server_address[1]}/sms"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


SECRET = b"district-sms-secret-0123456789"


def gateway_dispatcher(engine: Engine, url: str, secret: bytes) -> NotificationDispatcher:
    backend = HttpsSmsBackend(GatewayConfig(url, secret, timeout_s=2))
    return NotificationDispatcher(engine, backend, per_number_gap_s=0.0, backoff_base_s=0.05,
                                  backoff_max_s=0.2, poll_interval_s=0.05)  # fmt: skip


def test_the_gateway_gets_each_message_once_through_errors_and_a_lost_answer(
    sqlite_engine: Engine,
) -> None:
    receiver = GatewayReceiver(SECRET, [503, 429, "lose"])
    for i in range(3):
        queue(sqlite_engine, f"gw{i}", f"1390000000{i}", tracking_number=f"QH-W-{i:04d}")
    d = gateway_dispatcher(sqlite_engine, receiver.url, SECRET)
    d.start()
    try:
        wait_for(lambda: states(sqlite_engine) == ["sent"] * 3)
    finally:
        d.stop()
        receiver.close()
    expected = sorted(("+" + to, text) for to, text in bodies(sqlite_engine).values())
    assert sorted((m["to"], m["text"]) for m in receiver.taken.values()) == expected
    assert receiver.requests == 3 + 3 and receiver.bad_signatures == 0  # 503, 429, lost answer
    with sqlite_engine.connect() as conn:
        ids = conn.execute(select(sms_parts.c.message_id).order_by(sms_parts.c.notification_seq))
        ids_stored = list(ids.scalars())
    keys = [idempotency_key(OutgoingSms(seq, to[2:], text, {}))
            for seq, (to, text) in sorted(bodies(sqlite_engine).items())]  # fmt: skip
    assert ids_stored == [f"GW-{k}" for k in keys]
    assert all(re.fullmatch(rf"qihang-sms-{i}-[0-9a-f]{{16}}", k) for i, k in enumerate(keys, 1))
    assert sorted(receiver.taken) == sorted(keys)


def test_a_wrong_secret_is_refused_for_good(sqlite_engine: Engine) -> None:
    receiver = GatewayReceiver(SECRET, [])
    queue(sqlite_engine, "gw", "13900000000")
    d = gateway_dispatcher(sqlite_engine, receiver.url, b"not-the-district-secret")
    d.start()
    try:
        wait_for(lambda: states(sqlite_engine) == ["failed"])
    finally:
        d.stop()
        receiver.close()
    assert receiver.bad_signatures == 1 and receiver.taken == {}
    assert recent(sqlite_engine)[0].last_error == "SMS_GATEWAY_REFUSED 401"


def test_the_gateway_config_wants_https_and_a_real_secret() -> None:
    with pytest.raises(ValueError):
        GatewayConfig("http://sms.example.cn/send", SECRET)
    with pytest.raises(ValueError):
        GatewayConfig("https://sms.example.cn/send", b"short")
    assert SECRET not in repr(GatewayConfig("https://sms.example.cn/send", SECRET)).encode()


WORKER = """
import signal, sys, threading
from hall.notifications import NotificationDispatcher
from hall.sms_smpp import SmppConfig, SmppSmsBackend
from hall.store import SubmissionStore
store = SubmissionStore(sys.argv[1])
backend = SmppSmsBackend(SmppConfig("127.0.0.1", int(sys.argv[2]), "hall", "secret"))
d = NotificationDispatcher(store.engine, backend, per_number_gap_s=0.0, backoff_base_s=0.05,
                           backoff_max_s=0.2, poll_interval_s=0.05,
                           in_doubt_grace_s=float(sys.argv[3]))
done = threading.Event()
signal.signal(signal.SIGTERM, lambda *_: done.set())
d.start()
print("ready", flush=True)
done.wait()
d.stop()
"""


def start_hall(db: str, port: int, grace_s: float) -> subprocess.Popen[str]:
    """The dispatcher in a process of its own, so it can be killed."""
    proc = subprocess.Popen(
        [sys.executable, "-c", WORKER, db, str(port), str(grace_s)],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )  # fmt: skip
    assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
    return proc


def kill(proc: subprocess.Popen[str]) -> None:
    proc.send_signal(signal.SIGKILL)  # no unbind, no last commit
    proc.wait()


def stop(proc: subprocess.Popen[str]) -> None:
    proc.terminate()
    proc.wait(timeout=20)


def in_flight(engine: Engine) -> list[tuple[int | None, int | None, int]]:
    with engine.connect() as conn:
        rows = conn.execute(
            select(notifications.c.in_flight_part, notifications.c.in_flight_ref,
                   notifications.c.resent_in_doubt).order_by(notifications.c.seq)
        ).all()  # fmt: skip
    return [(r.in_flight_part, r.in_flight_ref, r.resent_in_doubt) for r in rows]


def test_a_hall_killed_mid_stream_loses_nothing_and_sends_nothing_twice(
    tmp_path: Path, sim: SmscSimulator
) -> None:
    db = str(tmp_path / "hall" / "hall.db")
    store = SubmissionStore(db)
    try:
        for i in range(60):
            materials = ("营业执照副本",) * (1 + 6 * (i % 3 == 0))
            queue(store.engine, f"kill{i}", f"1380000000{i % 6}", "needs_more",
                  tracking_number=f"QH-K-{i:04d}", materials=materials)  # fmt: skip
        first = start_hall(db, sim.port, 5.0)
        wait_for(lambda: len(sim.messages()) >= 10)
        kill(first)  # mid-stream
        assert len(sim.messages()) < 60
        second = start_hall(db, sim.port, 5.0)
        try:
            wait_for(lambda: states(store.engine) == ["sent"] * 60, timeout=60)
        finally:
            stop(second)
        expected = bodies(store.engine)
        resent = sum(r for _, _, r in in_flight(store.engine))
    finally:
        store.close()
    got = [(m.destination, m.text) for m in sim.messages()]
    assert sorted(got) == sorted(expected.values())  # nothing lost, nothing twice
    # A kill between a part's "in flight" commit and its submit_sm leaving leaves that part in
    # doubt although the SMSC never had it: after the grace it is sent, once. Parts go one at a
    # time, so at most one is in doubt.
    assert sim.stats()["duplicates"] == 0 and resent <= 1
    for n in {to for to, _ in expected.values()}:  # queue order per number
        assert [t for to, t in got if to == n] == [
            t for _, (to, t) in sorted(expected.items()) if to == n
        ]


def test_a_hall_killed_between_submit_sm_and_its_answer_takes_the_receipts_word(
    tmp_path: Path, sim: SmscSimulator
) -> None:
    """The SMSC took the message, the hall died before its submit_sm_resp: on restart the
    delivery receipt, echoing the part's user_message_reference, settles it; nothing is resent."""
    db = str(tmp_path / "hall" / "hall.db")
    store = SubmissionStore(db)
    try:
        queue(store.engine, "doubt", "13812345678")
        sim.hold_responses(1)  # taken, stored, but its answer never leaves the SMSC
        first = start_hall(db, sim.port, 120.0)  # the hall's own grace: a resend would time out
        wait_for(lambda: sim.stats()["held"] == 1)  # part 1 of 2 is at the SMSC
        [(part, ref, _)] = in_flight(store.engine)
        assert (part, ref) == (1, user_reference(1, 1))  # durably in flight before it went
        kill(first)
        wait_for(lambda: sim.stats()["held"] == 0)  # its link closed: the receipt waits
        assert sim.stats()["receipts_waiting"] == 1 and states(store.engine) == ["pending"]
        second = start_hall(db, sim.port, 120.0)
        try:
            wait_for(lambda: states(store.engine) == ["sent"])
        finally:
            stop(second)
        with store.engine.connect() as conn:
            stored = conn.execute(select(sms_parts).order_by(sms_parts.c.part)).all()
        flight = in_flight(store.engine)
        [view] = recent(store.engine)
        [(_, body)] = bodies(store.engine).values()
    finally:
        store.close()
    [message] = sim.messages()  # exactly one message, each of its parts submitted once
    assert (message.text, message.parts) == (body, 2)
    assert (sim.stats()["submits"], sim.stats()["duplicates"]) == (2, 0)
    assert [(p.part, p.message_id, p.receipt_state) for p in stored] == [
        (1, message.message_ids[0], "DELIVRD"),  # the id only the receipt told
        (2, message.message_ids[1], "DELIVRD"),
    ]
    assert flight == [(None, None, 0)]
    assert (view.in_doubt, view.resent_in_doubt) == (False, 0)


def test_an_in_doubt_part_without_a_receipt_is_resent_after_the_grace_and_counted(
    sqlite_engine: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    """An SMSC that sends no receipts: the part in doubt goes again once the grace is over (at
    least once), counted and visible; its number's next message waits behind it, others don't."""
    with SmscSimulator(system_id="hall", password="secret", receipts=False) as sim:
        for key, to in (("a1", "13800000001"), ("a2", "13800000001"), ("b1", "13800000002")):
            queue_one_part(sqlite_engine, key, to)
        sim.hold_responses(1)  # a1 is taken, its answer never comes: the link times out
        d = dispatcher(sqlite_engine, sim, in_doubt_grace_s=1.0)
        d.start()
        try:
            wait_for(lambda: states(sqlite_engine) == ["sent"] * 3)
        finally:
            d.stop()
        got = [(m.destination, m.text) for m in sim.messages()]
        duplicates = sim.stats()["duplicates"]
    texts = bodies(sqlite_engine)
    assert [t for to, t in got if to == "8613800000001"] == [texts[1][1], texts[1][1], texts[2][1]]
    assert [t for to, t in got if to == "8613800000002"] == [texts[3][1]]
    assert got.index(("8613800000002", texts[3][1])) < got.index(texts[1], 1)  # b1 did not wait
    assert duplicates == 1  # the simulator counts the repeat honestly
    assert in_flight(sqlite_engine) == [(None, None, 1), (None, None, 0), (None, None, 0)]
    views = {v.seq: v for v in recent(sqlite_engine)}
    assert (views[1].resent_in_doubt, views[1].in_doubt, views[1].state) == (1, False, "sent")
    assert "notification 1 part 1: no receipt within 1 s" in caplog.text
    assert "possible duplicate" in caplog.text and "13800000001" not in caplog.text


def test_a_receipt_settles_the_part_in_doubt_it_echoes_and_no_other(sqlite_engine: Engine) -> None:
    """The sender's receipt correlation: number, reference and an unknown message id must all
    match; then the part is stored with the SMSC's id and the message finishes unsent again."""
    with SmscSimulator(system_id="hall", password="secret", receipts=False) as sim:
        queue_one_part(sqlite_engine, "c1", "13812345678")
        sim.hold_responses(1)
        first = dispatcher(sqlite_engine, sim, in_doubt_grace_s=60.0)
        first.start()
        try:
            wait_for(lambda: recent(sqlite_engine)[0].last_error == "SMS_LINK_LOST")
        finally:
            first.stop()
        [(part, ref, _)] = in_flight(sqlite_engine)
        assert (part, ref) == (1, user_reference(1, 1)) and ref is not None
        [taken] = sim.messages()
        assert recent(sqlite_engine)[0].in_doubt

        later = dispatcher(sqlite_engine, sim, in_doubt_grace_s=60.0)
        assert later.drain_once() == 0 and sim.stats()["submits"] == 1  # waits, sends nothing
        mid = taken.message_ids[0]
        for stranger in (
            DeliveryReceipt(mid, "DELIVRD", "000", "13900000000", ref),  # another handset
            DeliveryReceipt(mid, "DELIVRD", "000", "13812345678", ref + 1),  # another reference
            DeliveryReceipt(mid, "DELIVRD", "000", "13812345678", None),  # no reference echoed
            DeliveryReceipt(mid, "DELIVRD", "000", "", ref),  # no handset named
        ):
            later.on_receipt(stranger)
            assert in_flight(sqlite_engine) == [(part, ref, 0)]
        later.on_receipt(DeliveryReceipt(mid, "DELIVRD", "000", "13812345678", ref))
        assert in_flight(sqlite_engine) == [(None, None, 0)]
        assert later.drain_once() == 1  # every part held: sent without a submit_sm
        later.stop()
        assert sim.stats()["submits"] == 1
    with sqlite_engine.connect() as conn:
        [stored] = conn.execute(select(sms_parts)).all()
    assert (stored.part, stored.message_id, stored.receipt_state) == (1, mid, "DELIVRD")
    assert states(sqlite_engine) == ["sent"]
    # A second receipt for that id now lands on the part like any other.
    later.on_receipt(DeliveryReceipt(mid, "UNDELIV", "001", "13812345678", ref))
    with sqlite_engine.connect() as conn:
        assert conn.execute(select(sms_parts.c.receipt_state)).scalar_one() == "UNDELIV"


def test_the_log_never_holds_the_number_or_the_text_even_at_debug(
    sqlite_engine: Engine, sim: SmscSimulator, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    queue(sqlite_engine, "logged", "13812345678")
    d = dispatcher(sqlite_engine, sim)
    d.start()
    try:
        wait_for(lambda: states(sqlite_engine) == ["sent"])
    finally:
        d.stop()
    number_hex = b"13812345678".hex()
    assert "notification 1 queued: filing_received to 138****5678" in caplog.text
    assert "13812345678" not in caplog.text and number_hex not in caplog.text
    assert "QH-20261127-0042" not in caplog.text


def self_signed(tmp_path: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 and its key, as a district gateway's own CA might issue."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "sms-gateway.test")])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=1))
        .not_valid_after(now + timedelta(hours=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(IPv4Address("127.0.0.1"))]), False
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = tmp_path / "gateway.pem", tmp_path / "gateway.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


def test_the_gateway_is_reached_over_tls_and_an_unknown_certificate_is_not_trusted(
    sqlite_engine: Engine, tmp_path: Path
) -> None:
    cert, key = self_signed(tmp_path)
    tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    tls.load_cert_chain(cert, key)
    receiver = GatewayReceiver(SECRET, [], tls)
    try:
        queue(sqlite_engine, "tls", "13900000000")
        stranger = HttpsSmsBackend(GatewayConfig(receiver.url, SECRET, timeout_s=2))
        d = NotificationDispatcher(sqlite_engine, stranger, backoff_base_s=0.05,
                                   backoff_max_s=0.1, poll_interval_s=0.05)  # fmt: skip
        d.start()
        time.sleep(0.4)  # retried against a certificate it does not trust
        d.stop()
        assert states(sqlite_engine) == ["pending"] and receiver.taken == {}
        assert recent(sqlite_engine)[0].last_error == "SMS_GATEWAY_UNREACHABLE"

        trusting = HttpsSmsBackend(GatewayConfig(receiver.url, SECRET, 2, ca_file=str(cert)))
        d = NotificationDispatcher(sqlite_engine, trusting, poll_interval_s=0.05)
        d.start()
        try:
            wait_for(lambda: states(sqlite_engine) == ["sent"])
        finally:
            d.stop()
    finally:
        receiver.close()
    [message] = receiver.taken.values()
    assert message["to"] == "+8613900000000" and "QH-20261127-0042" in message["text"]


def test_the_console_names_every_event_in_chinese() -> None:
    """短信记录 shows each text's event by its Chinese name: every event the hall can queue has
    one in the page's table (a new event without one would show its code)."""
    from hall.notify_templates import EVENTS

    page = Path(__file__).resolve().parents[2] / "hall/console/js/pages/messages.js"
    table = re.search(r"const EVENTS = \{(.*?)\};", page.read_text("utf-8"), re.S)
    assert table is not None
    named = dict(re.findall(r"(\w+): \"([^\"]+)\"", table.group(1)))
    assert set(named) == set(EVENTS)
    assert all(re.search(r"[\u4e00-\u9fff]", label) for label in named.values())
