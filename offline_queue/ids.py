"""Client-generated submission ids: UUIDv7 (RFC 9562), the idempotency key the hall dedups on.

A UUIDv7 starts with the 48-bit Unix time in milliseconds, so ids sort by creation time and keep
the outbox's primary-key index append-mostly. Within one process the ids are strictly increasing
(RFC 9562 §6.2 method 1, a 42-bit counter seeded randomly each millisecond), even when the wall
clock steps backwards (NTP on a station PC that was powered off for a week does exactly that).
"""

from __future__ import annotations

import os
import threading
import time
import uuid

_COUNTER_BITS = 42
_COUNTER_MAX = (1 << _COUNTER_BITS) - 1
_TS_MASK = (1 << 48) - 1

_lock = threading.Lock()
_last_ms = -1
_last_counter = 0


def _fresh_counter() -> int:
    # The top bit starts at zero so the counter has at least 2**41 increments of headroom
    # inside one millisecond before it has to borrow the next one.
    return int.from_bytes(os.urandom(6)) & (_COUNTER_MAX >> 1)


def uuid7() -> uuid.UUID:
    """Return a new UUIDv7; each call in this process returns a larger id than the one before."""
    global _last_ms, _last_counter
    with _lock:
        ms = time.time_ns() // 1_000_000
        if ms > _last_ms:
            counter = _fresh_counter()
        else:
            # Same millisecond, or the clock went back: stay on the last timestamp and count up,
            # so ordering never breaks.
            ms = _last_ms
            counter = _last_counter + 1
            if counter > _COUNTER_MAX:
                ms += 1
                counter = _fresh_counter()
        _last_ms = ms
        _last_counter = counter
    tail = int.from_bytes(os.urandom(4))

    # Layout (MSB first): unix_ts_ms:48 | ver:4 | rand_a:12 | var:2 | rand_b:62, where rand_a and
    # the top 30 bits of rand_b hold the counter and the low 32 bits of rand_b are random.
    value = (ms & _TS_MASK) << 80
    value |= 0x7 << 76
    value |= (counter >> 30) << 64
    value |= 0b10 << 62
    value |= (counter & 0x3FFF_FFFF) << 32
    value |= tail
    return uuid.UUID(int=value)
