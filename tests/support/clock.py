"""The one fake :class:`~contracts.clock.Clock`: wall and monotonic time that move only when told.

``advance`` moves both together, as real time does; ``set`` jumps the wall time alone (an NTP
step, or a test that starts at a given date). The wall time keeps the zone it was given (the
system clock's is UTC; a test may start in CST). Safe to read from a served hall's threads.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

# A Friday morning in Suzhou (10:00 CST), the date most tests and screenshots are set on.
START = datetime(2026, 11, 27, 2, 0, tzinfo=UTC)


class FakeClock:
    def __init__(self, start: datetime = START, *, monotonic: float = 1000.0) -> None:
        _require_aware(start)
        self._now, self._mono = start, monotonic
        self._lock = threading.Lock()

    def now(self) -> datetime:
        with self._lock:
            return self._now

    def monotonic(self) -> float:
        with self._lock:
            return self._mono

    def advance(self, by: timedelta | float) -> datetime:
        """Let ``by`` (a timedelta, or seconds) pass on both clocks; returns the new wall time."""
        delta = by if isinstance(by, timedelta) else timedelta(seconds=by)
        with self._lock:
            self._now += delta
            self._mono += delta.total_seconds()
            return self._now

    def set(self, when: datetime) -> None:
        """Jump the wall time to ``when``; monotonic time does not move."""
        _require_aware(when)
        with self._lock:
            self._now = when


def _require_aware(when: datetime) -> None:
    if when.tzinfo is None:
        raise ValueError("the fake clock takes timezone-aware times only")
