"""Inactivity tracking with a warning phase, driven by an injected clock (no Qt, no threads).

The UI calls ``touch()`` on every user interaction and ``poll()`` from a timer; ``poll`` says
whether the walk-in is active, being warned (with the seconds left) or has timed out. ``hold``
stops the countdown for a bounded time (a walk-in waiting for, or talking with, a remote helper
is not idle); after ``release`` or at the hold's end, the countdown starts afresh. It reads the
clock's monotonic time, so a wall clock stepped by NTP never ends a walk-in's session.

``rescale`` stretches the running countdown and every later ``arm`` of the session: care mode
(关怀版, timeouts doubled) switched on or off in the middle of a session applies at once, the time
left included, and to the screens that follow. ``disarm`` (the session's end) undoes it.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from contracts.clock import Clock

# Care mode doubles the session's timeouts (SessionFlow.start scales them by this at the start).
CARE_TIMEOUT_FACTOR = 2.0


class Phase(StrEnum):
    ACTIVE = "active"
    WARNING = "warning"
    EXPIRED = "expired"


@dataclass(frozen=True, slots=True)
class InactivityStatus:
    phase: Phase
    seconds_left: float


class Inactivity:
    def __init__(self, clock: Clock) -> None:
        self._clock = clock.monotonic
        self._last = self._clock()
        self._idle_s = 0.0
        self._warning_s = 0.0
        self._held_until: float | None = None
        self._factor = 1.0

    def arm(self, idle_s: float, warning_s: float) -> None:
        """Restart the countdown with new limits (per state; warning_s 0 = no warning phase)."""
        self._idle_s, self._warning_s = idle_s * self._factor, warning_s * self._factor
        self._last = self._clock()

    def disarm(self) -> None:
        self._idle_s = self._warning_s = 0.0
        self._held_until = None
        self._factor = 1.0

    def rescale(self, factor: float) -> None:
        """Stretch the limits by ``factor``, now and for the rest of the session: the time left
        is multiplied by it, the phase kept (a walk-in being warned is warned for longer).
        Nothing while disarmed: a session started afterwards gets its limits from ``arm``."""
        if not self.armed or factor <= 0:
            return
        now = self._clock()
        elapsed = now - self._last
        self._factor *= factor
        self._idle_s, self._warning_s = self._idle_s * factor, self._warning_s * factor
        self._last = now - elapsed * factor

    def hold(self, max_s: float) -> None:
        """Count no idle time for up to ``max_s`` seconds from now (until :meth:`release`)."""
        self._held_until = self._clock() + max_s
        self._last = self._clock()

    def release(self) -> None:
        """End a hold: the walk-in gets the full idle time from now."""
        if self._held_until is not None:
            self._held_until = None
            self._last = self._clock()

    @property
    def held(self) -> bool:
        return self._held_until is not None and self._clock() < self._held_until

    @property
    def armed(self) -> bool:
        return self._idle_s > 0

    def touch(self) -> None:
        self._last = self._clock()

    def poll(self) -> InactivityStatus:
        if not self.armed:
            return InactivityStatus(Phase.ACTIVE, 0.0)
        if self._held_until is not None:
            now = self._clock()
            if now < self._held_until:
                self._last = now
                return InactivityStatus(Phase.ACTIVE, self._idle_s + self._warning_s)
            # The hold ran out (a call that outlived its cap): idle time counts from its end.
            self._last = max(self._last, self._held_until)
            self._held_until = None
        elapsed = self._clock() - self._last
        left = self._idle_s + self._warning_s - elapsed
        if left <= 0:
            return InactivityStatus(Phase.EXPIRED, 0.0)
        if elapsed >= self._idle_s:
            return InactivityStatus(Phase.WARNING, left)
        return InactivityStatus(Phase.ACTIVE, left)
