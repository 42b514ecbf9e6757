"""Sealing in tests: a hall key pair for kiosk-only tests, and sealing plaintext intake bodies.

Kiosk-side tests (outbox, sender, flow) have no hall: they pin :data:`TEST_HALL_KEYS`'s public
half where an enrolment would have pinned the hall's (:func:`pin_test_key`) and open what was
queued with its private half (:func:`open_queued`), which is how they check what the hall would
get. Hall-side tests write intake bodies in clear for readability; :func:`seal_body` seals one
the way the kiosk's outbox does, to the running hall's real key.
"""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

from contracts.sealing import HallKeyPair, HallPublicKey
from contracts.wire import SealedSubmission, Submission, canonical_json, submission_context
from hall import sealing
from hall.store import SubmissionStore
from offline_queue.hall_key import pin

TEST_HALL_KEYS = HallKeyPair.generate()

_CLEAR = ("id", "station_id", "service_id", "tracking_number", "created_at")


def pin_test_key(state_dir: Path) -> HallKeyPair:
    """Pin :data:`TEST_HALL_KEYS` for the station whose state folder is ``state_dir``."""
    pin(state_dir, TEST_HALL_KEYS.public)
    return TEST_HALL_KEYS


def open_queued(sealed: SealedSubmission, keys: HallKeyPair = TEST_HALL_KEYS) -> Submission:
    """What the hall gets from a queued submission (its intake's own opening code)."""
    return sealing.open_submission(keys, sealed)


def hall_keys(db: Path | str) -> HallKeyPair:
    """The sealing key pair of the hall on ``db`` (where the hall created it at start)."""
    store = SubmissionStore(db)
    try:
        return sealing.load(sealing.default_key_path(store.url))
    finally:
        store.close()


def seal_body(public: HallPublicKey, body: Any) -> Any:
    """``body`` (a :class:`Submission`'s JSON, maybe malformed on purpose) as the kiosk sends it:
    the readable columns and any unknown fields in clear, payload and attachments sealed. A body
    that is not an object goes as it is (validation tests)."""
    if not isinstance(body, dict):
        return body
    outer = {k: v for k, v in body.items() if k not in ("payload", "attachments")}
    content = {k: body[k] for k in ("payload", "attachments") if k in body}
    context = submission_context(*(str(outer.get(k, "")) for k in _CLEAR))
    outer["sealed"] = base64.b64encode(public.seal(canonical_json(content), context)).decode()
    return outer
