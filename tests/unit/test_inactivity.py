"""Inactivity: active, then a warning with a countdown, then expired; a touch restarts it."""

from __future__ import annotations

from kiosk.session.inactivity import Inactivity, Phase


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_phases_and_touch() -> None:
    clock = Clock()
    timer = Inactivity(clock)
    timer.arm(idle_s=90, warning_s=20)
    clock.now = 89
    assert timer.poll().phase is Phase.ACTIVE
    clock.now = 95
    status = timer.poll()
    assert status.phase is Phase.WARNING
    assert status.seconds_left == 15
    timer.touch()
    assert timer.poll().phase is Phase.ACTIVE
    clock.now = 95 + 110
    assert timer.poll().phase is Phase.EXPIRED


def test_disarmed_never_expires() -> None:
    clock = Clock()
    timer = Inactivity(clock)
    timer.arm(10, 5)
    timer.disarm()
    clock.now = 10_000
    assert timer.poll().phase is Phase.ACTIVE


def test_no_warning_phase() -> None:
    clock = Clock()
    timer = Inactivity(clock)
    timer.arm(20, 0)
    clock.now = 19.9
    assert timer.poll().phase is Phase.ACTIVE
    clock.now = 20
    assert timer.poll().phase is Phase.EXPIRED
