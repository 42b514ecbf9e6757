"""The hall's clock: one injectable callable, so tests move time instead of waiting.

Deadlines, overdue flags, session expiry and audit times all read the time through a
:data:`Clock` handed to :func:`hall.app.create_app`; production passes :func:`utc_now`, tests a
:class:`FakeClock` they set and advance.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    """The real time, timezone-aware in UTC."""
    return datetime.now(UTC)


def iso(t: datetime) -> str:
    """A stored time: ISO 8601 in UTC with milliseconds (sorts as text on both databases)."""
    return t.astimezone(UTC).isoformat(timespec="milliseconds")


class FakeClock:
    """A settable clock for tests and screenshot tools; safe to read from the server's threads."""

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("the fake clock needs a timezone-aware start")
        self._now = start
        self._lock = threading.Lock()

    def __call__(self) -> datetime:
        with self._lock:
            return self._now

    def set(self, when: datetime) -> None:
        if when.tzinfo is None:
            raise ValueError("timezone-aware times only")
        with self._lock:
            self._now = when

    def advance(self, delta: timedelta) -> None:
        with self._lock:
            self._now += delta
