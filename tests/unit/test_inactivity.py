"""Inactivity: active, then a warning with a countdown, then expired; a touch restarts it."""

from __future__ import annotations

from kiosk.session.inactivity import Inactivity, InactivityStatus, Phase
from tests.support.clock import FakeClock


def test_phases_and_touch() -> None:
    clock = FakeClock()
    timer = Inactivity(clock)
    timer.arm(idle_s=90, warning_s=20)
    clock.advance(89)
    assert timer.poll().phase is Phase.ACTIVE
    clock.advance(6)
    status = timer.poll()
    assert status.phase is Phase.WARNING
    assert status.seconds_left == 15
    timer.touch()
    assert timer.poll().phase is Phase.ACTIVE
    clock.advance(110)
    assert timer.poll().phase is Phase.EXPIRED


def test_disarmed_never_expires() -> None:
    clock = FakeClock()
    timer = Inactivity(clock)
    timer.arm(10, 5)
    timer.disarm()
    clock.advance(10_000)
    assert timer.poll().phase is Phase.ACTIVE


def test_no_warning_phase() -> None:
    clock = FakeClock(monotonic=0.0)
    timer = Inactivity(clock)
    timer.arm(20, 0)
    clock.advance(19.9)
    assert timer.poll().phase is Phase.ACTIVE
    clock.advance(0.1)
    assert timer.poll().phase is Phase.EXPIRED


def test_a_hold_stops_the_countdown_until_released() -> None:
    clock = FakeClock()
    timer = Inactivity(clock)
    timer.arm(idle_s=90, warning_s=20)
    clock.advance(80)
    timer.hold(900)
    clock.advance(500)  # a long wait for a helper: not idle
    assert timer.poll() == InactivityStatus(Phase.ACTIVE, 110)
    timer.release()
    clock.advance(89)  # the full idle time counts from the release
    assert timer.poll().phase is Phase.ACTIVE
    clock.advance(2)
    assert timer.poll().phase is Phase.WARNING
    timer.release()  # no hold: nothing changes
    assert timer.poll().phase is Phase.WARNING


def test_a_hold_runs_out_and_the_countdown_starts_from_its_end() -> None:
    clock = FakeClock()
    timer = Inactivity(clock)
    timer.arm(idle_s=90, warning_s=20)
    timer.hold(600)
    assert timer.held
    clock.advance(600 + 89)
    assert timer.poll().phase is Phase.ACTIVE and not timer.held
    clock.advance(22)
    assert timer.poll().phase is Phase.EXPIRED


def test_disarming_drops_a_hold() -> None:
    clock = FakeClock()
    timer = Inactivity(clock)
    timer.arm(idle_s=90, warning_s=20)
    timer.hold(600)
    timer.disarm()
    timer.arm(idle_s=90, warning_s=20)  # the next session starts unheld
    clock.advance(111)
    assert timer.poll().phase is Phase.EXPIRED
