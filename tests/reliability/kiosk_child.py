"""A kiosk stand-in for the reliability tests, run as a child process that the test SIGKILLs.

It does what the kiosk does with the outbox: one thread submits walk-in filings (the submit path,
``Outbox.enqueue``) while the real :class:`Sender` drains them to a real hall. After each enqueue
returns — the moment the kiosk would print the receipt — it appends one line to the *acked* file
(a single ``write`` on an O_APPEND descriptor: it is there in full or not at all, even under
SIGKILL). Payloads and attachments are derived from a nonce, so the test can rebuild exactly what
was acknowledged and compare it byte for byte with what the hall holds.

Modes:
  submit     submit forever (until killed), sending in the background
  drain      submit nothing; exit 0 once nothing is pending (orphaned blobs removed at start)
  crash-after-commit   submit one filing, then SIGKILL itself right after the hall answered
                       the submission, before the outbox records the delivery
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import signal
import sys
import threading
import time
from pathlib import Path
from typing import Any

from contracts.wire import canonical_json
from kiosk.device_identity import load_identity
from kiosk.hall_client import HallClient
from offline_queue.hall_key import load_pinned
from offline_queue.outbox import Attachment, Outbox
from offline_queue.sender import Sender, SenderStatus
from offline_queue.transport import Answer

STATION = "REL-001"


def payload_for(nonce: str) -> dict[str, Any]:
    """The walk-in's answers for one filing: ~2 KB, with a name and an ID number in it."""
    filler = hashlib.sha256(nonce.encode()).hexdigest() * 30
    return {
        "service_id": "company_startup_power",
        "parts": ["company_registration"],
        "form": {
            "nonce": nonce,
            "applicant_name": "张三丰",
            "applicant_id_number": "11010519491231002X",
            "notes": filler[:1900],
        },
        "helper_filled": [],
        "language": "zh_CN",
        "catalog_version": "1",
    }


def attachment_for(nonce: str) -> bytes:
    """A 20 KB "scan" derived from the nonce (every third filing carries one)."""
    seed = hashlib.sha256(b"scan:" + nonce.encode()).digest()
    return (seed * (20_000 // len(seed) + 1))[:20_000]


def has_attachment(nonce: str) -> bool:
    return int(hashlib.sha256(nonce.encode()).hexdigest(), 16) % 3 == 0


def payload_sha256(payload: dict[str, Any]) -> str:
    return hashlib.sha256(canonical_json(payload)).hexdigest()


class KillAfterSubmission:
    """The hall client, but the process dies the moment the hall has answered a submission."""

    def __init__(self, client: HallClient) -> None:
        self.client = client

    def post_submission(self, body: dict[str, Any]) -> Answer:
        answer = self.client.post_submission(body)
        print(f"ANSWER {answer.status}", flush=True)
        os.kill(os.getpid(), signal.SIGKILL)
        return answer  # pragma: no cover - never reached

    def put_blob(self, sha256: str, data: bytes) -> Answer:
        return self.client.put_blob(sha256, data)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=["submit", "drain", "crash-after-commit"])
    parser.add_argument("--outbox", type=Path, required=True)
    parser.add_argument("--hall", required=True)
    parser.add_argument("--acked", type=Path, required=True)
    parser.add_argument(
        "--state", type=Path, required=True, help="the kiosk state folder with its enrolled device"
    )
    args = parser.parse_args(argv)

    drained = threading.Event()

    def on_change(status: SenderStatus) -> None:
        if status.depth == 0 and status.last_error_code is None:
            drained.set()

    identity = load_identity(args.state)
    if identity is None:
        parser.error(f"no enrolled device under {args.state}")
    # Pinned beside the enrolled device; the outbox file lives elsewhere, so it is passed on.
    hall_key = load_pinned(args.state)
    client = HallClient(args.hall, timeout_s=2.0, auth=identity.requests_auth())
    hall: Any = KillAfterSubmission(client) if args.mode == "crash-after-commit" else client
    sender = Sender(
        args.outbox,
        STATION,
        hall,
        backoff_cap_s=0.2,
        on_change=on_change,
        backoff_base_s=0.02,
        # In drain mode nothing else writes: every unreferenced file is an orphan.
        orphan_grace_s=0.0 if args.mode == "drain" else 3600.0,
        hall_key=hall_key,
    )
    acked = os.open(args.acked, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    with Outbox(args.outbox, STATION, hall_key=hall_key) as box:
        sender.start()
        print("READY", flush=True)
        if args.mode == "drain":
            sender.wake()
            while not drained.wait(0.5):
                if box.depth() == 0:
                    break
            sender.stop()
            return 0
        count = 1 if args.mode == "crash-after-commit" else sys.maxsize
        for _ in range(count):
            nonce = os.urandom(8).hex()
            payload = payload_for(nonce)
            attachments = [Attachment(attachment_for(nonce), "image/png")]
            sub = box.enqueue(
                "company_startup_power",
                payload,
                attachments=attachments if has_attachment(nonce) else (),
            )
            # The receipt would print now: from here on the kiosk has promised delivery.
            line = {
                "id": sub.id,
                "tracking_number": sub.tracking_number,
                "nonce": nonce,
                "payload_sha256": payload_sha256(payload),
                "blobs": [a.sha256 for a in sub.attachments],
            }
            os.write(acked, (json.dumps(line) + "\n").encode())
            sender.wake()
            # A walk-in every few milliseconds: far busier than a station, on purpose.
            time.sleep(0.005)
        # crash-after-commit: wait for the sender to kill us.
        time.sleep(60)
    return 1


if __name__ == "__main__":
    raise SystemExit(main())
