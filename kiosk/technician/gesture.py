"""The hidden way into technician mode: five taps in the attract screen's top-left corner
within three seconds. A walk-in touches the big start button, not an empty corner five times;
even then the PIN pad only asks for a PIN and goes away by itself."""

from __future__ import annotations

from collections import deque

from contracts.clock import SYSTEM_CLOCK, Clock

TAPS = 5
WINDOW_S = 3.0


class CornerTaps:
    def __init__(
        self,
        taps: int = TAPS,
        window_s: float = WINDOW_S,
        clock: Clock = SYSTEM_CLOCK,
    ) -> None:
        self._taps, self._window, self._clock = taps, window_s, clock.monotonic
        self._times: deque[float] = deque(maxlen=taps)

    def tap(self) -> bool:
        """Count one tap; True when it completes the gesture (the count then starts over)."""
        now = self._clock()
        self._times.append(now)
        if len(self._times) == self._taps and now - self._times[0] <= self._window:
            self._times.clear()
            return True
        return False
