"""Outbox: enqueue latency, claim+ack cost as history grows, and drain rate into a local hall,
compared with persist-queue's ``SQLiteAckQueue`` measured in the same run.

- enqueue: a 2 KB payload plus a 200 KB attachment, ``synchronous=FULL`` on both sides (WAL on
  both: persist-queue sets it itself). Ours seals the payload and the attachment to the hall's
  key (X25519 + AES-GCM, as on a kiosk) and writes the attachment as an fsynced file and the row
  in one transaction; persist-queue pickles both into its row. Interleaved in
  batches, so drift on the machine hits both alike.
- claim+ack per item (2 KB payload, no attachment) with an empty history and with 10,000
  delivered/acked rows retained. Ours: ``claim_next`` + ``mark_delivered``; persist-queue:
  ``get`` + ``ack``. The retained history is written with ``synchronous=OFF`` to save time
  (ours as stub rows in one transaction, theirs through put/get/ack); measurements run at FULL.
- drain: submissions/s from a full outbox into the hall (``python -m hall`` in its own process on
  127.0.0.1, SQLite, ``synchronous=FULL``), without and with a 200 KB attachment each.

Everything lives in a temporary folder and stops by itself.
"""

from __future__ import annotations

import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from contracts.sealing import HallPublicKey

ROOT = Path(__file__).resolve().parents[1]
HISTORY = 10_000
QUICK_HISTORY = 200
KEYS = (
    "runs",
    "items",
    "enqueue_p50_ms",
    "enqueue_p99_ms",
    "persist_queue_enqueue_p50_ms",
    "persist_queue_enqueue_p99_ms",
    "enqueue_p99_ratio_vs_persist_queue",
    "claim_ack_items",
    "claim_ack_history",
    "claim_ack_ms_empty_history",
    "claim_ack_ms_10k_delivered",
    "claim_ack_growth",
    "persist_queue_get_ack_ms_empty_history",
    "persist_queue_get_ack_ms_10k_acked",
    "persist_queue_get_ack_growth",
    "drain_items",
    "drain_submissions_per_s",
    "drain_with_200kb_attachment_per_s",
    "goals",
)


def _payload(i: int) -> dict[str, Any]:
    # ~2 KB of JSON, shaped like the flow's payload.
    return {
        "service_id": "company_startup_power",
        "parts": ["company_registration", "power_connection"],
        "form": {"n": i, "company_name": "苏州企航科技有限公司", "notes": os.urandom(900).hex()},
        "helper_filled": [],
        "language": "zh_CN",
        "catalog_version": "1",
    }


def _pct(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def _ms(seconds: float) -> float:
    return round(seconds * 1000, 3)


def _timed(fn: Callable[[], object]) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def _open_persist_queue(path: Path) -> Any:
    from persistqueue import SQLiteAckQueue

    queue = SQLiteAckQueue(str(path), multithreading=False, auto_commit=True)
    queue._putter.execute("PRAGMA synchronous=FULL")
    return queue


def _check_pq_durability(queue: Any) -> None:
    mode = queue._putter.execute("PRAGMA journal_mode").fetchone()[0]
    sync = queue._putter.execute("PRAGMA synchronous").fetchone()[0]
    if (mode, sync) != ("wal", 2):
        raise RuntimeError(f"persist-queue is not at WAL + FULL: {mode}, {sync}")


# --- enqueue ------------------------------------------------------------------------------------


def _hall_key() -> HallPublicKey:
    """A hall key to seal to where no hall runs: sealing costs the same for any key."""
    from contracts.sealing import HallKeyPair

    return HallKeyPair.generate().public


def bench_enqueue(tmp: Path, items: int) -> dict[str, Any]:
    from offline_queue.outbox import Attachment, Outbox

    ours_t: list[float] = []
    theirs_t: list[float] = []
    with Outbox(tmp / "enq" / "outbox.sqlite3", "BENCH-1", hall_key=_hall_key()) as box:
        queue = _open_persist_queue(tmp / "enq-pq")
        _check_pq_durability(queue)
        batch = 25
        for start in range(0, items, batch):
            for i in range(start, min(items, start + batch)):
                payload, scan = _payload(i), os.urandom(200_000)
                ours_t.append(
                    _timed(
                        lambda p=payload, s=scan: box.enqueue("svc", p, attachments=[Attachment(s)])
                    )
                )
            for i in range(start, min(items, start + batch)):
                item = {"payload": _payload(i), "attachment": os.urandom(200_000)}
                theirs_t.append(_timed(lambda it=item: queue.put(it)))
        queue.close()
    return {
        "items": items,
        "enqueue_p50_ms": _ms(_pct(ours_t, 0.5)),
        "enqueue_p99_ms": _ms(_pct(ours_t, 0.99)),
        "persist_queue_enqueue_p50_ms": _ms(_pct(theirs_t, 0.5)),
        "persist_queue_enqueue_p99_ms": _ms(_pct(theirs_t, 0.99)),
        "enqueue_p99_ratio_vs_persist_queue": round(_pct(ours_t, 0.99) / _pct(theirs_t, 0.99), 3),
    }


# --- claim + ack as history grows ---------------------------------------------------------------


def _ours_claim_ack(path: Path, history: int, items: int) -> float:
    from offline_queue.outbox import Outbox

    with Outbox(path, "BENCH-1", hall_key=_hall_key()) as box:
        if history:
            conn = box.db.conn
            conn.execute("PRAGMA synchronous=OFF")
            conn.execute("BEGIN")
            conn.executemany(
                "INSERT INTO submissions (id, service_id, tracking_number, station_id, "
                "created_at, body, status, attempts, delivered_at) "
                "VALUES (?, 'svc', ?, 'BENCH-1', '2025-01-01T00:00:00.000+00:00', NULL, "
                "'delivered', 1, '2025-01-01T00:01:00.000+00:00')",
                ((f"00000000-0000-7000-8000-{n:012d}", f"OLD-{n:06d}") for n in range(history)),
            )
            conn.execute("COMMIT")
            conn.execute("PRAGMA synchronous=FULL")
        for i in range(items):
            box.enqueue("svc", _payload(i))
        samples = []
        for _ in range(items):
            t0 = time.perf_counter()
            sub = box.claim_next()
            assert sub is not None
            box.mark_delivered(sub.id)
            samples.append(time.perf_counter() - t0)
    return statistics.median(samples)


def _theirs_get_ack(path: Path, history: int, items: int) -> float:
    queue = _open_persist_queue(path)
    if history:
        queue._putter.execute("PRAGMA synchronous=OFF")
        # Acked rows keep their data in persist-queue: the same 2 KB payloads as measured below.
        for i in range(history):
            queue.put({"payload": _payload(i)})
        for _ in range(history):
            queue.ack(queue.get(block=False))
        queue._putter.execute("PRAGMA synchronous=FULL")
    _check_pq_durability(queue)
    for i in range(items):
        queue.put({"payload": _payload(i)})
    samples = []
    for _ in range(items):
        t0 = time.perf_counter()
        queue.ack(queue.get(block=False))
        samples.append(time.perf_counter() - t0)
    queue.close()
    return statistics.median(samples)


def bench_claim_ack(tmp: Path, items: int, history: int = HISTORY) -> dict[str, Any]:
    """``*_10k_*`` keys keep their names when ``history`` is smaller (``--quick``)."""
    ours_empty = _ours_claim_ack(tmp / "ca0" / "outbox.sqlite3", 0, items)
    ours_full = _ours_claim_ack(tmp / "ca1" / "outbox.sqlite3", history, items)
    theirs_empty = _theirs_get_ack(tmp / "ca0-pq", 0, items)
    theirs_full = _theirs_get_ack(tmp / "ca1-pq", history, items)
    return {
        "claim_ack_items": items,
        "claim_ack_history": history,
        "claim_ack_ms_empty_history": _ms(ours_empty),
        "claim_ack_ms_10k_delivered": _ms(ours_full),
        "claim_ack_growth": round(ours_full / ours_empty, 2),
        "persist_queue_get_ack_ms_empty_history": _ms(theirs_empty),
        "persist_queue_get_ack_ms_10k_acked": _ms(theirs_full),
        "persist_queue_get_ack_growth": round(theirs_full / theirs_empty, 2),
    }


# --- drain into a local hall --------------------------------------------------------------------


class _Hall:
    """``python -m hall`` on a free 127.0.0.1 port in its own process."""

    def __init__(self, db: Path) -> None:
        self.db = db  # where tests.hall.helpers.enrol_station makes the station's code
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "hall",
                "--port",
                "0",
                "--db",
                str(db),
                "--log-level",
                "WARNING",
            ],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        match = re.search(r"http://127\.0\.0\.1:\d+", line)
        if match is None:
            self.close()
            raise RuntimeError(f"hall did not start: {line!r}")
        self.url = match.group(0)

    def close(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def _drain_rate(tmp: Path, name: str, items: int, attachment_bytes: int) -> float:
    from kiosk.hall_client import HallClient
    from offline_queue.outbox import Attachment, Outbox
    from offline_queue.sender import Sender, SenderStatus
    from tests.hall.helpers import enrol_station  # a source checkout, as the other benches

    path = tmp / name / "kiosk" / "outbox.sqlite3"
    hall = _Hall(tmp / name / "hall.sqlite3")
    done = threading.Event()

    def on_change(status: SenderStatus) -> None:
        if status.depth == 0 and status.last_success_at is not None:
            done.set()

    try:
        # Every station enrols; the bench's too (the same exchange a technician runs), which
        # pins the hall's key in the kiosk's folder: the outbox there seals to it.
        auth = enrol_station(hall, "BENCH-1", state_dir=path.parent).requests_auth()
        with Outbox(path, "BENCH-1") as box:
            for i in range(items):
                extra = [Attachment(os.urandom(attachment_bytes))] if attachment_bytes else []
                box.enqueue("svc", _payload(i), attachments=extra)
        with HallClient(hall.url, timeout_s=10.0, auth=auth) as client:
            sender = Sender(path, "BENCH-1", client, on_change=on_change, backoff_base_s=0.05)
            t0 = time.perf_counter()
            sender.start()
            finished = done.wait(timeout=600)
            elapsed = time.perf_counter() - t0
            sender.stop()
        if not finished:
            raise RuntimeError("drain did not finish within 10 minutes")
    finally:
        hall.close()
    return items / elapsed


def bench_drain(tmp: Path, items: int, attached: int) -> dict[str, Any]:
    return {
        "drain_items": items,
        "drain_submissions_per_s": round(_drain_rate(tmp, "drain", items, 0), 1),
        "drain_with_200kb_attachment_per_s": round(
            _drain_rate(tmp, "drain-att", attached, 200_000), 1
        ),
    }


def run(runs: int = 5, *, quick: bool = False) -> dict[str, Any]:
    """``quick``: 20 items per figure and a 200-row history instead of 10,000."""
    items = 20 * runs if quick else 100 * runs
    drained = 20 * runs if quick else 200 * runs
    with tempfile.TemporaryDirectory(prefix="qihang-bench-outbox-") as name:
        tmp = Path(name)
        result: dict[str, Any] = {"runs": runs}
        result.update(bench_enqueue(tmp, items=items))
        result.update(
            bench_claim_ack(tmp, items=items, history=QUICK_HISTORY if quick else HISTORY)
        )
        result.update(bench_drain(tmp, drained, drained // 2 if quick else max(50, drained // 5)))
    result["goals"] = {
        "enqueue_p99_no_worse_than_persist_queue": result["enqueue_p99_ratio_vs_persist_queue"]
        <= 1.0,
        "claim_ack_flat": result["claim_ack_growth"] < 1.5,
        "drain_at_least_200_per_s": result["drain_submissions_per_s"] >= 200,
    }
    return result
