"""Notifications: status change → ``submit_sm`` at the SMSC, sustained rate, and nothing lost or
sent twice across an SMSC outage and a hall killed with SIGKILL.

The SMSC simulator (:mod:`hall.smsc_sim`) runs in this process; the hall's dispatcher
(:class:`hall.notifications.NotificationDispatcher` with the real SMPP backend) runs in a child
process on a SQLite hall database in a temporary folder, so it can be killed. This process queues
notifications the way a status change does (:func:`hall.notifications.enqueue_in`, one
transaction each) across many numbers, some long enough to go in several UCS-2 parts.

- ``submit_p99_ms``: from the queuing transaction's commit to the SMSC taking the (first part of
  the) message, at a steady 40 messages/s. The dispatcher is in another process here, so it finds
  new rows by polling every 50 ms; inside the hall ``wake()`` after the commit saves that.
- ``messages_per_s``: a backlog (queued in one transaction) drained into the SMSC, whole messages
  per second from its commit; one message in flight per link, a commit per part.
- ``lost`` / ``duplicated``: messages queued but never whole at the SMSC / ``submit_sm`` the SMSC
  took twice, after the SMSC went down for a while and the dispatcher was killed (SIGKILL) and
  started again mid-stream (``pending_at_kill``: messages not yet whole at the SMSC when it was
  killed). ``out_of_order``: numbers whose messages arrived out of queue order. The part in
  flight when the SMSC went down or the hall was killed is *in doubt*: the restarted dispatcher
  waits for the delivery receipt echoing its ``user_message_reference`` (the simulator redelivers
  unanswered receipts on the next bind) instead of sending it again; ``resent_in_doubt`` counts
  the parts it had to send again because no receipt came within the grace (shortened here to
  5 s; a part the SMSC never took needs no receipt and is no duplicate).

Goals (issue 16): p99 < 500 ms, ≥ 50 messages/s, zero lost, zero duplicated.
"""

from __future__ import annotations

import logging
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
KEYS = (
    "runs",
    "submit_p99_ms",
    "submit_p50_ms",
    "messages_per_s",
    "lost",
    "duplicated",
    "out_of_order",
    "fault_messages",
    "pending_at_kill",
    "resent_in_doubt",
    "goals",
)
NUMBERS = 400
MATERIALS = ("营业执照副本", "法定代表人身份证明", "住所使用证明", "公司章程", "股东会决议")


def _params(i: int) -> tuple[str, dict[str, Any]]:
    base: dict[str, Any] = {
        "tracking_number": f"QH-B-{i:06d}",
        "service_name": "企业开办",
        "link": f"https://qh.example.cn/t/{i:06d}",
    }
    if i % 4 == 0:  # every fourth in several parts
        return "needs_more", {**base, "materials": MATERIALS * 2}
    return "filing_received", base


def _number(i: int) -> str:
    return f"138{i % NUMBERS:08d}"


class _Hall:
    """The dispatcher in a child process (``python -m bench.notify --worker DB PORT``)."""

    def __init__(self, db: str, port: int) -> None:
        self.db, self.port = db, port
        self.proc: subprocess.Popen[str] | None = None

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "bench.notify", "--worker", self.db, str(self.port)],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.proc.stdout is not None
        self.proc.stdout.readline()  # "ready"

    def kill(self) -> None:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=30)


def _queue(engine: Any, first: int, count: int, *, one_transaction: bool = False) -> list[float]:
    from hall.notifications import enqueue_in

    committed = []
    if one_transaction:  # a backlog that is there at once (the SMSC was away, the hall started)
        with engine.begin() as conn:
            for i in range(first, first + count):
                event, params = _params(i)
                enqueue_in(conn, event, _number(i), params, "zh", f"bench:{i}")  # type: ignore[arg-type]
        return [time.monotonic()] * count
    for i in range(first, first + count):
        event, params = _params(i)
        with engine.begin() as conn:
            enqueue_in(conn, event, _number(i), params, "zh", f"bench:{i}")  # type: ignore[arg-type]
        committed.append(time.monotonic())
    return committed


def _wait_all(sim: Any, total: int, limit_s: float) -> None:
    deadline = time.monotonic() + limit_s
    while sim.stats()["messages"] < total and time.monotonic() < deadline:
        time.sleep(0.02)


def _one_run(quick: bool) -> dict[str, Any]:
    from hall.smsc_sim.server import SmscSimulator
    from hall.store import SubmissionStore

    steady, backlog, faulty = (40, 100, 100) if quick else (400, 2000, 1000)
    with tempfile.TemporaryDirectory(prefix="qihang-bench-notify-") as tmp:
        store = SubmissionStore(str(Path(tmp) / "hall.db"))
        sim = SmscSimulator(system_id="hall", password="bench").start()
        hall = _Hall(str(Path(tmp) / "hall.db"), sim.port)
        hall.start()
        try:
            # 1. Steady trickle: commit → submit_sm latency.
            latencies: list[float] = []
            for i in range(steady):
                committed = _queue(store.engine, i, 1)[0]
                latencies.append(committed)
                time.sleep(1 / 40)
            _wait_all(sim, steady, 60)
            by_text = {m.text: m.received_mono for m in sim.messages()}
            texts = _texts(store.engine, 0, steady)
            delays = sorted(by_text[t] - c for t, c in zip(texts, latencies, strict=True))

            # 2. Backlog: queued at once, then drained.
            start = _queue(store.engine, steady, backlog, one_transaction=True)[0]
            _wait_all(sim, steady + backlog, 300)
            rate = backlog / (time.monotonic() - start)

            # 3. Faults: the SMSC goes down, the hall is killed mid-stream and comes back.
            first = steady + backlog
            feeder = threading.Thread(target=_queue, args=(store.engine, first, faulty))
            feeder.start()
            time.sleep(0.3 if quick else 1.0)
            sim.go_down()
            time.sleep(0.5 if quick else 3.0)
            sim.come_up()
            time.sleep(0.2 if quick else 1.0)
            pending_at_kill = first + faulty - sim.stats()["messages"]
            hall.kill()
            hall.start()
            feeder.join()
            total = steady + backlog + faulty
            _wait_all(sim, total, 300)
            stored = [(m.destination, m.text) for m in sim.messages()]
            expected = _texts(store.engine, 0, total)
            lost = len(set(expected) - {t for _, t in stored})
            order_broken = _out_of_order(store.engine, stored)
            resent = _resent_in_doubt(store.engine)
            return {
                "submit_p99_ms": round(
                    1000 * delays[min(len(delays) - 1, int(0.99 * len(delays)))], 1
                ),
                "submit_p50_ms": round(1000 * statistics.median(delays), 1),
                "messages_per_s": round(rate, 1),
                "lost": lost,
                "duplicated": sim.stats()["duplicates"],
                "out_of_order": order_broken,
                "fault_messages": faulty,
                "pending_at_kill": pending_at_kill,
                "resent_in_doubt": resent,
            }
        finally:
            hall.stop()
            sim.stop()
            store.close()


def _texts(engine: Any, first: int, count: int) -> list[str]:
    from sqlalchemy import select

    from hall.notifications import notifications

    with engine.connect() as conn:
        rows = conn.execute(
            select(notifications.c.body)
            .where(
                notifications.c.dedupe_key.in_([f"bench:{i}" for i in range(first, first + count)])
            )
            .order_by(notifications.c.seq)
        )
        return list(rows.scalars())


def _resent_in_doubt(engine: Any) -> int:
    from sqlalchemy import func, select

    from hall.notifications import notifications

    with engine.connect() as conn:
        return int(conn.execute(select(func.sum(notifications.c.resent_in_doubt))).scalar() or 0)


def _out_of_order(engine: Any, stored: list[tuple[str, str]]) -> int:
    from sqlalchemy import select

    from hall.notifications import notifications

    with engine.connect() as conn:
        queued = conn.execute(
            select(notifications.c.to_number, notifications.c.body).order_by(notifications.c.seq)
        ).all()
    want: dict[str, list[str]] = {}
    for number, body in queued:
        want.setdefault("86" + number, []).append(body)
    got: dict[str, list[str]] = {}
    for destination, text in stored:
        got.setdefault(destination, []).append(text)
    return sum(1 for number, texts in want.items() if got.get(number) != texts)


def run(runs: int, *extra: str, quick: bool = False) -> dict[str, Any]:
    results = [_one_run(quick) for _ in range(runs)]
    return {
        "runs": runs,
        "submit_p99_ms": statistics.median(r["submit_p99_ms"] for r in results),
        "submit_p50_ms": statistics.median(r["submit_p50_ms"] for r in results),
        "messages_per_s": statistics.median(r["messages_per_s"] for r in results),
        "lost": sum(r["lost"] for r in results),
        "duplicated": sum(r["duplicated"] for r in results),
        "out_of_order": sum(r["out_of_order"] for r in results),
        "fault_messages": sum(r["fault_messages"] for r in results),
        "pending_at_kill": sum(r["pending_at_kill"] for r in results),
        "resent_in_doubt": sum(r["resent_in_doubt"] for r in results),
        "goals": {"submit_p99_ms": "< 500", "messages_per_s": ">= 50", "lost": 0, "duplicated": 0},
    }


def _worker(db: str, port: int) -> None:
    from hall.notifications import NotificationDispatcher
    from hall.sms_smpp import SmppConfig, SmppSmsBackend
    from hall.store import SubmissionStore

    logging.basicConfig(level=logging.ERROR)  # the links the bench drops on purpose are expected
    store = SubmissionStore(db)
    backend = SmppSmsBackend(SmppConfig("127.0.0.1", port, "hall", "bench"))
    dispatcher = NotificationDispatcher(
        store.engine,
        backend,
        per_number_gap_s=0.5,
        backoff_base_s=0.1,
        backoff_max_s=1.0,
        poll_interval_s=0.05,
        in_doubt_grace_s=5.0,  # the receipt comes at once on the next bind; the hall waits 120 s
    )
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    dispatcher.start()
    print("ready", flush=True)
    done.wait()
    dispatcher.stop()
    store.close()
    os._exit(0)


if __name__ == "__main__" and sys.argv[1:2] == ["--worker"]:
    _worker(sys.argv[2], int(sys.argv[3]))
