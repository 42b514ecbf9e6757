"""Failed-attempt limits for guessable secrets (staff passwords, enrolment codes).

An :class:`AttemptLimiter` keeps, per *dimension* (``name``, ``address``, ``prefix`` …), how many
attempts in a row failed for each key. :meth:`AttemptLimiter.reserve` checks every key of an
attempt and counts the attempt as a failure **in one step under one lock, before the secret is
checked**: a hundred parallel guesses see the count the earlier ones left, so no more than
``limit`` of them are ever checked. The attempt that reaches the limit locks its key at once;
if it then turns out right, :meth:`AttemptLimiter.succeeded` takes it back. Locks double per
repeat up to ``max_lock_s`` (never a date out of range, never a ``Retry-After`` of years).

Memory is bounded and never cleared wholesale: each dimension keeps at most ``capacity`` keys
that are merely counting and, apart, at most ``capacity`` keys that have been locked, each in
least-recently-used order. A flood of made-up keys pushes out only other counting keys, never a
locked one. Times are the clock's monotonic seconds, so a wall-clock step changes no lock.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass

from contracts.clock import Clock


@dataclass(frozen=True, slots=True)
class Policy:
    """How one dimension is limited."""

    limit: int  # failed attempts in a row that lock the key
    lock_s: float  # the first lock; each further one doubles ...
    max_lock_s: float  # ... up to this
    forget_after_s: float  # a key with no failure for this long starts over
    capacity: int = 10_000  # keys kept per tier (counting, locked)

    def __post_init__(self) -> None:
        if not (self.limit >= 1 and 0 < self.lock_s <= self.max_lock_s <= self.forget_after_s):
            raise ValueError(f"inconsistent attempt policy {self}")

    def lock_for(self, earlier_locks: int) -> float:
        # The exponent is capped before the power: 2**huge would be the overflow seen in review.
        doubling: int = 2 ** min(earlier_locks, 32)
        return min(self.max_lock_s, self.lock_s * doubling)


class Throttled(Exception):
    """An attempt refused without checking it: ``dimension`` is locked for ``retry_after_s``."""

    def __init__(self, dimension: str, retry_after_s: float) -> None:
        super().__init__(f"{dimension} locked for {retry_after_s:.0f} s")
        self.dimension = dimension
        self.retry_after_s = retry_after_s


@dataclass(slots=True)
class _Entry:
    failures: int = 0
    last_failure: float = 0.0
    locked_until: float = 0.0
    locks: int = 0  # how often the key was locked: the next lock lasts lock_s * 2**locks


@dataclass(frozen=True, slots=True)
class Attempt:
    """A reserved attempt: the keys it was counted against and those it locked."""

    keys: tuple[tuple[str, str], ...]
    locked: frozenset[tuple[str, str]]


class _Table:
    """One dimension's keys: a counting tier and a locked tier, each a bounded LRU."""

    def __init__(self, policy: Policy) -> None:
        self.policy = policy
        self.counting: OrderedDict[str, _Entry] = OrderedDict()
        self.locked: OrderedDict[str, _Entry] = OrderedDict()

    def get(self, key: str, now: float) -> _Entry | None:
        entry = self.locked.get(key) or self.counting.get(key)
        if entry is None:
            return None
        if now - entry.last_failure > self.policy.forget_after_s and entry.locked_until <= now:
            self.drop(key)
            return None
        if entry.locked_until <= now and entry.failures >= self.policy.limit:
            # The lock ran out: one more try, and one more failure locks again (doubled).
            entry.failures = self.policy.limit - 1
        return entry

    def put(self, key: str, entry: _Entry) -> None:
        self.drop(key)
        tier = self.locked if entry.locks else self.counting
        tier[key] = entry
        if len(tier) > self.policy.capacity:
            tier.popitem(last=False)

    def drop(self, key: str) -> None:
        self.locked.pop(key, None)
        self.counting.pop(key, None)

    def __len__(self) -> int:
        return len(self.counting) + len(self.locked)


class AttemptLimiter:
    """Counts failed attempts per key in several dimensions; thread-safe."""

    def __init__(self, clock: Clock, policies: Mapping[str, Policy]) -> None:
        self.clock = clock
        self._tables = {dimension: _Table(policy) for dimension, policy in policies.items()}
        self._lock = threading.Lock()

    def reserve(self, **keys: str) -> Attempt:
        """Count an attempt against ``keys`` (dimension=key) before it is checked.

        Raises :class:`Throttled` (counting nothing) when any of the keys is locked.
        """
        now = self.clock.monotonic()
        with self._lock:
            entries = {dim: self._tables[dim].get(key, now) for dim, key in keys.items()}
            waits = [
                (entry.locked_until - now, dim)
                for dim, entry in entries.items()
                if entry is not None and entry.locked_until > now
            ]
            if waits:
                wait, dim = max(waits)
                raise Throttled(dim, wait)
            locked: set[tuple[str, str]] = set()
            for dim, key in keys.items():
                table = self._tables[dim]
                entry = entries[dim] or _Entry()
                entry.failures += 1
                entry.last_failure = now
                if entry.failures >= table.policy.limit:
                    entry.locked_until = now + table.policy.lock_for(entry.locks)
                    entry.locks += 1
                    locked.add((dim, key))
                table.put(key, entry)
        return Attempt(tuple(keys.items()), frozenset(locked))

    def succeeded(self, attempt: Attempt, *, forget: tuple[str, ...] = ()) -> None:
        """The attempt was right: take its count back; keys of the ``forget`` dimensions start
        over (a right password ends the run of wrong ones for its name)."""
        now = self.clock.monotonic()
        with self._lock:
            for dim, key in attempt.keys:
                table = self._tables[dim]
                entry = table.get(key, now)
                if entry is None:
                    continue
                if dim in forget:
                    table.drop(key)
                    continue
                entry.failures = max(0, entry.failures - 1)
                if (dim, key) in attempt.locked and entry.failures < table.policy.limit:
                    entry.locked_until = 0.0
                    entry.locks = max(0, entry.locks - 1)
                if entry.failures == 0 and entry.locks == 0:
                    table.drop(key)
                else:
                    table.put(key, entry)

    def size(self, dimension: str) -> int:
        """Keys held for ``dimension`` (bounded by twice its capacity)."""
        with self._lock:
            return len(self._tables[dimension])
