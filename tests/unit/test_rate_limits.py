"""AttemptLimiter: counted before the check, locks capped, bounded tables that keep their locks."""

from __future__ import annotations

import pytest

from hall.rate_limits import AttemptLimiter, Policy, Throttled
from tests.support.clock import FakeClock

POLICY = Policy(limit=3, lock_s=30, max_lock_s=120, forget_after_s=600, capacity=4)


def limiter() -> tuple[AttemptLimiter, FakeClock]:
    clock = FakeClock()
    return AttemptLimiter(clock, {"name": POLICY, "address": POLICY}), clock


def test_the_attempt_reaching_the_limit_locks_and_a_right_one_takes_it_back() -> None:
    limits, _ = limiter()
    limits.reserve(name="a", address="x")
    limits.reserve(name="a", address="y")
    third = limits.reserve(name="a", address="z")  # reaches the limit: locked while checked
    with pytest.raises(Throttled) as refused:
        limits.reserve(name="a", address="w")
    assert refused.value.dimension == "name" and refused.value.retry_after_s == 30
    limits.succeeded(third, forget=("name",))
    limits.reserve(name="a", address="w")  # the right password ended the run


def test_locks_double_up_to_the_cap_and_never_overflow() -> None:
    limits, clock = limiter()
    for _ in range(3):
        limits.reserve(name="a", address=f"x{clock.monotonic()}")
    waits = []
    for i in range(100):
        with pytest.raises(Throttled) as refused:
            limits.reserve(name="a", address=f"y{i}")
        waits.append(refused.value.retry_after_s)
        clock.advance(refused.value.retry_after_s)
        limits.reserve(name="a", address=f"z{i}")  # one more try, which fails again
    assert waits[:3] == [30, 60, 120] and set(waits[3:]) == {120}


def test_a_flood_of_counting_keys_never_evicts_a_lock() -> None:
    limits, _ = limiter()
    for _ in range(3):
        limits.reserve(name="locked", address="a")
    for i in range(1000):
        limits.reserve(name=f"ghost{i}", address=f"b{i}")
    assert limits.size("name") <= 2 * POLICY.capacity
    with pytest.raises(Throttled):
        limits.reserve(name="locked", address="c")


def test_a_quiet_key_is_forgotten() -> None:
    limits, clock = limiter()
    limits.reserve(name="a", address="x")
    limits.reserve(name="a", address="x")
    clock.advance(601)
    limits.reserve(name="a", address="x")
    limits.reserve(name="a", address="x")  # would be the fourth without forgetting


def test_an_inconsistent_policy_is_refused() -> None:
    with pytest.raises(ValueError):
        Policy(limit=3, lock_s=300, max_lock_s=60, forget_after_s=600)
