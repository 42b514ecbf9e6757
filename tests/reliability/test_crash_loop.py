"""Crash loop: a kiosk that submits continuously while draining to a real uvicorn hall is SIGKILLed
at random moments, again and again, and restarted each time. Then it drains.

Every submission whose enqueue returned (the moment the receipt would print) must be at the hall
exactly once and byte-identical (payload and blobs); nothing may be corrupt (SQLite's integrity
check, every remaining row and blob sealed to the hall's key); no blob file may be left behind.
The figures are printed (``pytest -s`` shows them). Kill moments come from a seeded RNG; the seed is
printed so a failing run can be replayed with ``CRASH_LOOP_SEED``.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import selectors
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

from hall.server import HallServer
from hall.store import SubmissionStore
from offline_queue.hall_key import load_pinned
from offline_queue.outbox import Outbox
from tests.hall.helpers import enrol_station
from tests.reliability.kiosk_child import STATION, attachment_for
from tests.reliability.support import Faults

ROOT = Path(__file__).resolve().parents[2]
KILLS = 60
READY_TIMEOUT_S = 60.0


def _wait_ready(child: subprocess.Popen[bytes]) -> None:
    assert child.stdout is not None
    with selectors.DefaultSelector() as sel:
        sel.register(child.stdout, selectors.EVENT_READ)
        assert sel.select(READY_TIMEOUT_S), "kiosk child never said READY"
    line = child.stdout.readline()
    assert line.strip() == b"READY", line


def _child(
    mode: str, outbox: Path, hall_url: str, acked: Path, state: Path
) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [
            sys.executable, "-m", "tests.reliability.kiosk_child", mode,
            "--outbox", str(outbox), "--hall", hall_url, "--acked", str(acked),
            "--state", str(state),
        ],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
    )  # fmt: skip


def _read_acked(path: Path) -> list[dict[str, object]]:
    if not path.exists():
        return []
    lines = path.read_bytes().split(b"\n")
    # Each line is one write(); a last line without its newline cannot exist, but be strict.
    assert lines[-1] == b"", "torn line in the acked file"
    return [json.loads(line) for line in lines[:-1]]


def test_sigkill_loop_loses_nothing_and_duplicates_nothing(tmp_path: Path) -> None:
    seed = int(os.environ.get("CRASH_LOOP_SEED", random.SystemRandom().randrange(2**32)))
    rng = random.Random(seed)
    outbox_path = tmp_path / "kiosk" / "outbox.sqlite3"
    acked_path = tmp_path / "acked.jsonl"
    counting: list[Faults] = []

    def wrap(app: object) -> Faults:
        counting.append(Faults(app))
        return counting[0]

    started = time.monotonic()
    with HallServer(tmp_path / "hall" / "hall.db", wrap=wrap) as hall:
        state = tmp_path / "kiosk-state"  # the station's enrolled device, kept across kills
        enrol_station(hall, STATION, state_dir=state)
        kills = early_kills = 0
        for _ in range(KILLS):
            child = _child("submit", outbox_path, hall.url, acked_path, state)
            try:
                if rng.random() < 0.15:
                    # Now and then before it is even up: mid-import, mid-migration, mid-cleanup.
                    time.sleep(rng.uniform(0.0, 0.4))
                    early_kills += 1
                else:
                    _wait_ready(child)
                    time.sleep(rng.uniform(0.02, 0.6))
            finally:
                child.send_signal(signal.SIGKILL)
                child.wait(timeout=30)
            kills += 1
            assert child.returncode == -signal.SIGKILL  # it was still running when killed

        drain = _child("drain", outbox_path, hall.url, acked_path, state)
        assert drain.wait(timeout=300) == 0
        store = SubmissionStore(hall.db_path)
        hall_ids = set(store.ids())
        post_statuses = Counter(counting[0].hall_statuses("POST", "/api/v1/submissions"))
        blob_statuses = Counter(counting[0].hall_statuses("PUT", "/api/v1/blobs"))

    acked = _read_acked(acked_path)
    lost = [a for a in acked if a["id"] not in hall_ids]
    mismatched = []
    for a in acked:
        if a["id"] in hall_ids:
            stored = store.stored_payload(str(a["id"]))
            assert stored is not None
            if hashlib.sha256(stored.encode("utf-8")).hexdigest() != a["payload_sha256"]:
                mismatched.append(a["id"])
            for sha in a["blobs"]:  # type: ignore[attr-defined]
                if store.get_blob(sha) != attachment_for(str(a["nonce"])):
                    mismatched.append(a["id"])
    # A duplicate would be one filing stored under two ids: the nonce inside the payload tells.
    nonces = Counter(store.load(i).payload["form"]["nonce"] for i in hall_ids)  # type: ignore[union-attr]
    duplicates = sum(n - 1 for n in nonces.values() if n > 1)
    trackings = Counter(store.load(i).tracking_number for i in hall_ids)  # type: ignore[union-attr]

    with Outbox(outbox_path, STATION, hall_key=load_pinned(state)) as outbox:
        problems = outbox.check()
        counts = outbox.counts()
        leftover_blobs = sorted(outbox.blobs.root.iterdir())

    figures = {
        "seed": seed,
        "kills": kills,
        "early_kills": early_kills,
        "acknowledged": len(acked),
        "at_hall": len(hall_ids),
        "delivered_unacknowledged": len(hall_ids - {a["id"] for a in acked}),
        "lost": len(lost),
        "duplicates": duplicates,
        "mismatched": len(mismatched),
        "hall_201": post_statuses[201],
        "hall_200_resends": post_statuses[200],
        "blob_puts_201": blob_statuses[201],
        "blob_puts_200": blob_statuses[200],
        "outbox": counts,
        "integrity_problems": len(problems),
        "seconds": round(time.monotonic() - started, 1),
    }
    print("\ncrash loop:", json.dumps(figures))

    assert kills >= 50
    assert len(acked) > kills  # the loop really submitted while it was being killed
    assert lost == []
    assert duplicates == 0
    assert mismatched == []
    assert max(trackings.values()) == 1  # tracking numbers unique across all restarts
    assert problems == []
    assert counts["pending"] == 0 and counts["quarantined"] == 0
    # Every row is delivered: the ones whose receipt printed and the ones killed just after.
    assert counts["delivered"] == len(hall_ids)
    assert leftover_blobs == []
