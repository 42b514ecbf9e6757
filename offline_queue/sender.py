"""The outbox sender: one background thread that drains pending submissions to the hall, in order.

For the oldest pending row it first *claims* it (the row is frozen, durably, before any byte
leaves), then uploads each attachment the hall has not confirmed yet (``put_blob``: idempotent,
the hall checks the sha256), then posts the submission with the same client-generated id until the
hall gives a definite answer. Delivery is at-least-once on the wire and exactly-once in effect: the
hall deduplicates by id and refuses the same id with other content. Every step is recorded in the
outbox, so after a crash or restart the sender resumes where it stopped (confirmed blobs are not
sent again). Outcomes of an answer:

- 200 / 201: done — for the submission, the row becomes a non-personal stub and its blobs go.
- 400-range about the row itself (400, 409, 413, 422, …): permanent — the row is quarantined with
  the status as its reason (``HTTP_409``, ``BLOB_HTTP_422``) and the sender moves on.
- 5xx, 408, 429, 401/403/404, any other status, or an exception (``OSError``, which covers
  ``ConnectionError`` and ``TimeoutError``): transient — the same row is retried after an
  exponential backoff with jitter, capped at ``backoff_cap_s`` (a 429/503 ``Retry-After`` is
  honoured up to the cap). 401/403/404 are station-level problems (token, enrolment, hall URL):
  quarantining every walk-in's filing because of a typo in the config would need a technician
  to requeue them all, so they wait instead.
- Rows and blobs travel as the station sealed them to the hall's key (:mod:`contracts.sealing`);
  only the hall opens them, and it answers 422 for one that does not open (changed on disk),
  which quarantines it like any refused row. A row or blob that is not even an envelope for the
  pinned hall key is quarantined as ``TAMPERED`` without being sent (``BLOB_MISSING`` if an
  attachment file is gone).

Waits use a :class:`threading.Event`, so ``wake()`` and ``stop()`` take effect at once.
"""

from __future__ import annotations

import functools
import logging
import random
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Any, Literal

from contracts.sealing import HallPublicKey
from contracts.wire import SealedSubmission
from offline_queue.crypto import TamperedError
from offline_queue.hall_key import HallKeyMissing
from offline_queue.outbox import Outbox, TamperedRow, check_station_id
from offline_queue.transport import Answer, HallTransport

log = logging.getLogger(__name__)

Outcome = Literal["delivered", "quarantined", "transient"]

# Statuses that mean "try again later", not "this row is wrong".
_TRANSIENT_4XX = frozenset({401, 403, 404, 408, 425, 429})

# With nothing pending the sender sleeps until wake(); this re-check only covers a row enqueued
# by someone who forgot to call wake() (another process, a technician's tool).
_IDLE_RECHECK_S = 60.0

# "Leave this status field as it is" (None is a real value for some fields).
_UNSET: Any = object()


@dataclass(frozen=True)
class SenderStatus:
    """What the status bar and the technician screen show about the outbox."""

    depth: int
    last_success_at: datetime | None
    last_error_code: str | None
    # True when the last request reached the hall and got a definite answer; False before the
    # first one and after a transient failure.
    online: bool
    quarantined: int = 0


def classify(status_code: int) -> Outcome:
    """Map the hall's HTTP status to what the sender does with the row."""
    if status_code in (200, 201):
        return "delivered"
    if 400 <= status_code < 500 and status_code not in _TRANSIENT_4XX:
        return "quarantined"
    return "transient"


def backoff_delay(failures: int, base_s: float, cap_s: float, rng: random.Random) -> float:
    """Delay before retry number ``failures`` (1-based): exponential, capped, "equal jitter".

    Half the delay is fixed and half random, so a fleet of kiosks that lost the hall together
    does not come back in lockstep, yet no retry fires almost immediately.
    """
    exp = min(cap_s, base_s * 2.0 ** min(failures - 1, 60))
    return exp / 2.0 + rng.uniform(0.0, exp / 2.0)


def retry_delay(
    failures: int,
    retry_after_s: float | None,
    base_s: float,
    cap_s: float,
    rng: random.Random,
) -> float:
    """The wait before the next try: the backoff, or the hall's Retry-After if that is longer,
    never more than the cap (a hall asking for an hour must not silence a kiosk for an hour)."""
    delay = backoff_delay(failures, base_s, cap_s, rng)
    if retry_after_s is not None:
        delay = max(delay, min(retry_after_s, cap_s))
    return delay


def _error_code(exc: BaseException) -> str:
    if isinstance(exc, TimeoutError):
        return "NETWORK_TIMEOUT"
    if isinstance(exc, OSError):
        return "NETWORK_UNREACHABLE"
    return "SENDER_INTERNAL"


@dataclass(frozen=True)
class _Result:
    outcome: Outcome
    code: str
    retry_after_s: float | None = None


class Sender:
    """Background delivery of the outbox at ``outbox_path`` to ``hall``.

    ``hall_key`` is the hall's sealing key (default: the one pinned at enrolment beside the
    outbox, see :mod:`offline_queue.hall_key`). Blob files that no row names and that are older
    than ``orphan_grace_s`` (left by a crash between writing a scan and committing its row) are
    removed when the thread starts.
    """

    def __init__(
        self,
        outbox_path: Path,
        station_id: str,
        hall: HallTransport,
        backoff_cap_s: float = 300.0,
        on_change: Callable[[SenderStatus], None] | None = None,
        *,
        backoff_base_s: float = 1.0,
        rng: random.Random | None = None,
        hall_key: HallPublicKey | None = None,
        orphan_grace_s: float = 3600.0,
    ) -> None:
        if backoff_cap_s <= 0 or backoff_base_s <= 0:
            raise ValueError("backoff_base_s and backoff_cap_s must be positive")
        self._outbox_path = Path(outbox_path)
        # Checked here, not only when the thread opens the outbox, so a bad config fails at boot.
        self._station_id = check_station_id(station_id)
        self._hall = hall
        self._hall_key = hall_key
        self._orphan_grace_s = orphan_grace_s
        self._backoff_cap_s = backoff_cap_s
        self._backoff_base_s = backoff_base_s
        self._on_change = on_change
        self._rng = rng or random.Random()
        # One event for "something happened" (wake or stop) and one flag for "stop": a wait ends
        # on either, and the loop looks at the flag to tell them apart.
        self._signal = threading.Event()
        self._stopping = threading.Event()
        self._lock = threading.Lock()
        self._status = SenderStatus(0, None, None, False)
        self._thread: threading.Thread | None = None

    # --- control (any thread) -------------------------------------------------------------------

    def start(self) -> None:
        if self._thread is not None:
            raise RuntimeError("Sender already started")
        self._thread = threading.Thread(target=self._run, name="outbox-sender", daemon=True)
        self._thread.start()

    def wake(self) -> None:
        """Try now: call after each enqueue. Also cuts a running backoff short."""
        self._signal.set()

    def stop(self, timeout_s: float = 10.0) -> None:
        """Stop and join the thread. A request already in flight finishes first (its timeout)."""
        self._stopping.set()
        self._signal.set()
        if self._thread is not None:
            self._thread.join(timeout_s)
            if self._thread.is_alive():
                log.warning("outbox sender did not stop within %.1f s", timeout_s)

    def is_alive(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def status(self) -> SenderStatus:
        with self._lock:
            return self._status

    def __enter__(self) -> Sender:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # --- the sender thread ----------------------------------------------------------------------

    def _open(self) -> Outbox:
        # Opened on the sender thread because SQLite connections belong to one thread.
        outbox = Outbox(self._outbox_path, self._station_id, hall_key=self._hall_key)
        try:
            outbox.remove_orphan_blobs(self._orphan_grace_s)
        except OSError:
            log.exception("removing orphaned blobs failed")
        # The status bar shows depth and last sync from the first second, also after a restart.
        self._update(
            depth=outbox.depth(),
            last_success_at=outbox.last_delivered_at(),
            quarantined=outbox.counts()["quarantined"],
        )
        return outbox

    def _run(self) -> None:
        failures = 0
        outbox: Outbox | None = None
        log.info("outbox sender started")
        try:
            while True:
                # Clear before looking at the outbox: a wake() from here on is not lost.
                self._signal.clear()
                if self._stopping.is_set():
                    break
                try:
                    if outbox is None:
                        outbox = self._open()
                    result = self._step(outbox)
                except HallKeyMissing:
                    # Not enrolled (yet): filings wait, sealed to nothing, until a technician
                    # enrols the station; not a bug to log with a traceback every time.
                    log.warning("outbox sender waiting: no hall key pinned (enrol the station)")
                    self._update(last_error_code="HALL_KEY_MISSING")
                    result = _Result("transient", "HALL_KEY_MISSING")
                except Exception:
                    # Disk full, file locked for too long, a bug: keep the thread alive and try
                    # again later rather than silently stop sending for the rest of the day.
                    log.exception("outbox sender step failed")
                    self._update(last_error_code="SENDER_INTERNAL", online=False)
                    result = _Result("transient", "SENDER_INTERNAL")
                if result is None:
                    self._signal.wait(_IDLE_RECHECK_S)
                elif result.outcome == "transient":
                    failures += 1
                    delay = retry_delay(
                        failures,
                        result.retry_after_s,
                        self._backoff_base_s,
                        self._backoff_cap_s,
                        self._rng,
                    )
                    log.info("outbox sender retrying in %.2f s (failure %d)", delay, failures)
                    self._signal.wait(delay)
                else:
                    failures = 0
        finally:
            if outbox is not None:
                outbox.close()
            log.info("outbox sender stopped")

    def _step(self, outbox: Outbox) -> _Result | None:
        """Advance the oldest pending row by one delivery; None when there was nothing to send."""
        try:
            sub = outbox.claim_next()
        except TamperedRow as exc:
            return self._finish(outbox, exc.sub_id, _Result("quarantined", "TAMPERED"))
        if sub is None:
            self._update(depth=0)
            return None
        for sha in outbox.unsent_blobs(sub.id):
            try:
                data = outbox.read_blob(sha)
            except TamperedError:
                return self._finish(outbox, sub.id, _Result("quarantined", "TAMPERED"))
            except FileNotFoundError:
                return self._finish(outbox, sub.id, _Result("quarantined", "BLOB_MISSING"))
            result = self._call(sub, "blob", functools.partial(self._hall.put_blob, sha, data))
            if result.outcome != "delivered":
                return self._finish(outbox, sub.id, result, prefix="BLOB_")
            outbox.mark_blob_sent(sub.id, sha)
        result = self._call(sub, "submission", lambda: self._hall.post_submission(sub.to_body()))
        return self._finish(outbox, sub.id, result)

    def _finish(self, outbox: Outbox, sub_id: str, result: _Result, prefix: str = "") -> _Result:
        # Only the hall's answers get the prefix: a network failure is the same for both kinds.
        code = prefix + result.code if result.code.startswith("HTTP_") else result.code
        if result.outcome == "delivered":
            outbox.mark_delivered(sub_id)
            self._update(
                depth=outbox.depth(),
                last_success_at=datetime.now(UTC),
                last_error_code=None,
                online=True,
            )
        elif result.outcome == "quarantined":
            outbox.mark_quarantined(sub_id, code)
            self._update(
                depth=outbox.depth(),
                last_error_code=code,
                # A tampered row never reached the hall: that says nothing about the network.
                online=None if code == "TAMPERED" or code == "BLOB_MISSING" else True,
                quarantined=outbox.counts()["quarantined"],
            )
        else:
            outbox.record_attempt(sub_id, code)
            self._update(depth=outbox.depth(), last_error_code=code, online=False)
        return _Result(result.outcome, code, result.retry_after_s)

    def _call(
        self, sub: SealedSubmission, what: str, request: Callable[[], Answer | int]
    ) -> _Result:
        try:
            raw = request()
        except Exception as exc:
            code = _error_code(exc)
            if code == "SENDER_INTERNAL":
                log.exception("sending %s of %s raised unexpectedly", what, sub.id)
            else:
                log.info("sending %s of %s failed: %s", what, sub.id, code)
            return _Result("transient", code)
        answer = raw if isinstance(raw, Answer) else Answer(int(raw))
        code = f"HTTP_{answer.status}"
        outcome = classify(answer.status)
        log.info("sent %s of %s: %s -> %s", what, sub.id, code, outcome)
        return _Result(outcome, code, answer.retry_after_s)

    def _update(
        self,
        *,
        depth: int | None = None,
        last_success_at: datetime | None = _UNSET,
        last_error_code: str | None = _UNSET,
        online: bool | None = None,
        quarantined: int | None = None,
    ) -> None:
        with self._lock:
            old = self._status
            new = SenderStatus(
                depth=old.depth if depth is None else depth,
                last_success_at=(
                    old.last_success_at if last_success_at is _UNSET else last_success_at
                ),
                last_error_code=(
                    old.last_error_code if last_error_code is _UNSET else last_error_code
                ),
                online=old.online if online is None else online,
                quarantined=old.quarantined if quarantined is None else quarantined,
            )
            self._status = new
        if new != old and self._on_change is not None:
            try:
                self._on_change(new)
            except Exception:
                log.exception("outbox sender on_change callback failed")
