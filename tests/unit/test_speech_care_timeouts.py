"""Care mode switched mid-session stretches the running countdown (kiosk/session/inactivity.py):
the time left doubles, the phase is kept, later screens are armed doubled, the session's end
undoes it."""

from __future__ import annotations

from kiosk.session.inactivity import CARE_TIMEOUT_FACTOR, Inactivity, Phase
from tests.support.clock import FakeClock


def test_the_time_left_doubles_and_halves_back() -> None:
    clock = FakeClock()
    timer = Inactivity(clock)
    timer.arm(90, 20)
    clock.advance(30)
    assert timer.poll().seconds_left == 80
    timer.rescale(CARE_TIMEOUT_FACTOR)
    assert timer.poll().seconds_left == 160
    clock.advance(119)  # 2 x 90 idle: the warning starts at 180 s on the stretched clock
    assert timer.poll().phase is Phase.ACTIVE
    clock.advance(2)
    status = timer.poll()
    assert status.phase is Phase.WARNING and status.seconds_left == 39
    timer.rescale(1 / CARE_TIMEOUT_FACTOR)
    status = timer.poll()
    assert status.phase is Phase.WARNING and status.seconds_left == 19.5


def test_later_screens_are_armed_stretched_until_the_session_ends() -> None:
    clock = FakeClock()
    timer = Inactivity(clock)
    timer.arm(90, 20)
    timer.rescale(CARE_TIMEOUT_FACTOR)
    timer.arm(90, 20)  # the next screen
    assert timer.poll().seconds_left == 220
    timer.disarm()  # the session ended
    timer.rescale(CARE_TIMEOUT_FACTOR)  # nothing runs: nothing to stretch
    timer.arm(90, 20)
    assert timer.poll().seconds_left == 110
