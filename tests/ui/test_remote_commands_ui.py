"""The kiosk UI holds the hall's remote commands while a walk-in is served: the real UI over the
simulators and a real hall; a technician's `set` arrives with a heartbeat mid-session, waits, and
runs once the session ends and the attract screen is back (``KioskUi`` sets the runtime's
``in_session`` from the session flow and calls ``between_sessions`` at idle)."""

from __future__ import annotations

from kiosk.station_file import remote_settings
from tests.hall.helpers import add_staff, login
from tests.ui.conftest import Kiosk


def test_a_command_arriving_mid_session_runs_after_it(kiosk: Kiosk) -> None:
    runtime, flow = kiosk.runtime, kiosk.ui.flow
    assert flow is not None
    kiosk.ui.session.start()  # a walk-in taps the attract screen
    kiosk.robot.wait_until(lambda: flow.state != "idle")
    assert runtime.in_session()
    add_staff(kiosk.hall, "wang.tech", "technician")
    tech = login(kiosk.hall, "wang.tech")
    made = tech.post(
        f"{kiosk.hall.url}/api/v1/stations/{runtime.config.station.id}/commands",
        json={"kind": "set", "key": "speech.volume", "value": 30},
        timeout=5,
    )
    assert made.status_code == 201, made.text
    runtime.send_heartbeat(runtime.part("hall"))
    assert [c.kind for c in runtime.remote.inbox.pending()] == ["set"]
    assert remote_settings(runtime.state_dir) == {}
    kiosk.ui.session.cancel()  # the walk-in leaves: wiped, back to the attract screen
    kiosk.robot.wait_until(lambda: flow.state == "idle")
    kiosk.robot.wait_until(lambda: not runtime.remote.inbox.pending())
    assert remote_settings(runtime.state_dir) == {"speech.volume": 30}
    kiosk.robot.wait_until(lambda: not runtime.remote.inbox.unsent())  # the result reached it
