"""The one clock seam: every component that reads the time takes a :class:`Clock`.

Kiosk, outbox and hall read wall time (``now``: aware, UTC; stored, sent, compared with the
other side) and elapsed time (``monotonic``: seconds for timeouts, immune to NTP steps) through
one injected object. Production passes :data:`SYSTEM_CLOCK`; tests pass the fake in
``tests/support/clock.py``, which moves only when the test advances it. It lives here because
both the kiosk and the hall use it and neither may import the other.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Final, Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """The wall time, timezone-aware in UTC (``.astimezone()`` for the station's local)."""
        ...

    def monotonic(self) -> float:
        """Seconds from an arbitrary start that never go backwards (timeouts, intervals)."""
        ...


class SystemClock:
    """The real time."""

    def now(self) -> datetime:
        return datetime.now(UTC)

    def monotonic(self) -> float:
        return time.monotonic()


SYSTEM_CLOCK: Final = SystemClock()
