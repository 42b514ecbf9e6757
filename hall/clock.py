"""How the hall stores a time; the clock itself is :class:`contracts.clock.Clock`.

Deadlines, overdue flags, session expiry and audit times all read the time through the
:class:`~contracts.clock.Clock` handed to :func:`hall.app.create_app`: production passes
:data:`~contracts.clock.SYSTEM_CLOCK`, tests the fake in ``tests/support/clock.py`` that they set
and advance.
"""

from __future__ import annotations

from datetime import UTC, datetime


def iso(t: datetime) -> str:
    """A stored time: ISO 8601 in UTC with milliseconds (sorts as text on both databases)."""
    return t.astimezone(UTC).isoformat(timespec="milliseconds")
