"""The outbox sender: one background thread that drains pending submissions to the hall, in order.

Each row is posted with the same client-generated id until the hall gives a definite answer, so
delivery is at-least-once on the wire and exactly-once in effect (the hall deduplicates by id).
Outcomes of ``post(body)``:

- 200 / 201: delivered — the row becomes a non-personal stub.
- 400-range about the row itself (400, 409, 422, …): permanent — the row is quarantined with the
  status as its reason and the sender moves on to the next one.
- 5xx, 408, 429, 401/403/404, any other status, or an exception (``OSError``, which covers
  ``ConnectionError`` and ``TimeoutError``): transient — the same row is retried after an
  exponential backoff with jitter, capped at ``backoff_cap_s``. 401/403/404 are station-level
  problems (token, enrolment, hall URL): quarantining every walk-in's filing because of a typo in
  the config would need a technician to requeue them all, so they wait instead.

Waits use a :class:`threading.Event`, so ``wake()`` and ``stop()`` take effect at once.
"""

from __future__ import annotations

import logging
import random
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Any, Literal

from offline_queue.outbox import Outbox, QueuedSubmission, check_station_id

log = logging.getLogger(__name__)

Post = Callable[[dict[str, Any]], int]
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
    # True when the last post reached the hall and got a definite answer; False before the
    # first post and after a transient failure.
    online: bool


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


def _error_code(exc: BaseException) -> str:
    if isinstance(exc, TimeoutError):
        return "NETWORK_TIMEOUT"
    if isinstance(exc, OSError):
        return "NETWORK_UNREACHABLE"
    return "SENDER_INTERNAL"


class Sender:
    """Background delivery of the outbox at ``outbox_path`` through ``post``."""

    def __init__(
        self,
        outbox_path: Path,
        station_id: str,
        post: Post,
        backoff_cap_s: float = 300.0,
        on_change: Callable[[SenderStatus], None] | None = None,
        *,
        backoff_base_s: float = 1.0,
        rng: random.Random | None = None,
    ) -> None:
        if backoff_cap_s <= 0 or backoff_base_s <= 0:
            raise ValueError("backoff_base_s and backoff_cap_s must be positive")
        self._outbox_path = Path(outbox_path)
        # Checked here, not only when the thread opens the outbox, so a bad config fails at boot.
        self._station_id = check_station_id(station_id)
        self._post = post
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
        """Stop and join the thread. A post already in flight finishes first (its own timeout)."""
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
                        # Opened here because SQLite connections belong to one thread.
                        outbox = Outbox(self._outbox_path, self._station_id)
                    outcome = self._step(outbox)
                except Exception:
                    # Disk full, file locked for too long, a bug: keep the thread alive and try
                    # again later rather than silently stop sending for the rest of the day.
                    log.exception("outbox sender step failed")
                    self._update(last_error_code="SENDER_INTERNAL", online=False)
                    outcome = "transient"
                if outcome is None:
                    self._signal.wait(_IDLE_RECHECK_S)
                elif outcome == "transient":
                    failures += 1
                    delay = backoff_delay(
                        failures, self._backoff_base_s, self._backoff_cap_s, self._rng
                    )
                    log.info("outbox sender retrying in %.2f s (failure %d)", delay, failures)
                    self._signal.wait(delay)
                else:
                    failures = 0
        finally:
            if outbox is not None:
                outbox.close()
            log.info("outbox sender stopped")

    def _step(self, outbox: Outbox) -> Outcome | None:
        """Send the oldest pending row once; None when there was nothing to send."""
        sub = outbox.next_pending()
        if sub is None:
            self._update(depth=0)
            return None
        outcome, code = self._send(sub)
        if outcome == "delivered":
            outbox.mark_delivered(sub.id)
            self._update(
                depth=outbox.depth(),
                last_success_at=datetime.now(UTC),
                last_error_code=None,
                online=True,
            )
        elif outcome == "quarantined":
            outbox.mark_quarantined(sub.id, code)
            self._update(depth=outbox.depth(), last_error_code=code, online=True)
        else:
            outbox.record_attempt(sub.id, code)
            self._update(depth=outbox.depth(), last_error_code=code, online=False)
        return outcome

    def _send(self, sub: QueuedSubmission) -> tuple[Outcome, str]:
        try:
            status_code = self._post(sub.to_body())
        except Exception as exc:
            code = _error_code(exc)
            if code == "SENDER_INTERNAL":
                log.exception("posting submission %s raised unexpectedly", sub.id)
            else:
                log.info("posting submission %s failed: %s", sub.id, code)
            return "transient", code
        code = f"HTTP_{status_code}"
        outcome = classify(status_code)
        log.info("posted submission %s: %s -> %s", sub.id, code, outcome)
        return outcome, code

    def _update(
        self,
        *,
        depth: int | None = None,
        last_success_at: datetime | None = _UNSET,
        last_error_code: str | None = _UNSET,
        online: bool | None = None,
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
            )
            self._status = new
        if new != old and self._on_change is not None:
            try:
                self._on_change(new)
            except Exception:
                log.exception("outbox sender on_change callback failed")
