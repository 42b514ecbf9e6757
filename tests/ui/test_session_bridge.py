"""SessionBridge before and after its session attaches (just after the first frame), and the
field model it hands to the form screen: no QML here, the bridge over a real SessionFlow."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from drivers.card_reader.simulator import SimulatedCardReader
from drivers.printer.simulator import SimulatedPrinter
from kiosk.runtime import SharedOutbox
from kiosk.services.catalog import load_catalog
from kiosk.session.flow import SessionFlow, Timeouts
from tests.support.background import run_inline
from tests.support.clock import FakeClock
from ui.bridge.field_model import ROLES
from ui.bridge.session_bridge import SessionBridge
from ui.bridge.settings_bridge import SettingsBridge


@pytest.fixture
def flow(tmp_path: Path) -> Iterator[SessionFlow]:
    reader = SimulatedCardReader.from_options({"delay_s": 0})
    printer = SimulatedPrinter.from_options({"port": 0})
    queue = SharedOutbox(tmp_path / "outbox.sqlite3", "SND-1")
    try:
        yield SessionFlow(
            catalog=load_catalog(),
            reader=reader,
            printer=printer,
            queue=queue,
            background=run_inline,
            timeouts=Timeouts(idle_s=90, warning_s=20, receipt_s=20, card_read_s=5),
            station_name="狮山街道站",
            hall_url="http://127.0.0.1:8700",
            clock=FakeClock(),
        )
    finally:
        queue.close()
        printer.close()
        reader.close()


@pytest.fixture
def bridge(qapp: Any) -> Iterator[SessionBridge]:
    settings = SettingsBridge("zh_CN", care_mode=False)
    session = SessionBridge(None, settings)
    try:
        yield session
    finally:
        session.close()
        settings.close()


def test_before_the_session_attaches_it_reads_idle_and_keeps_only_start(
    bridge: SessionBridge, flow: SessionFlow
) -> None:
    assert bridge.property("state") == "idle"
    assert bridge.property("screen") == "Attract"
    assert bridge.property("fields") == []
    bridge.chooseService("company_startup_power")  # no session yet: nothing to act on
    bridge.start()  # a tap on the attract screen in the first moment after power-on
    assert flow.state == "idle"
    bridge.attach(flow)
    # The start ran on attach; the service tap before it did not (it would skip the card).
    assert flow.state == "choosing_service"  # the simulated card was read inline
    assert flow.service is None
    assert bridge.property("screen") == "ServiceHome"


def test_field_rows_follow_the_session_and_go_with_it(
    bridge: SessionBridge, flow: SessionFlow
) -> None:
    bridge.attach(flow)
    bridge.start()
    bridge.chooseService("company_startup_power")
    model = bridge.property("fieldModel")
    assert model.rowCount() == len(flow.service.form.fields)  # type: ignore[union-attr]
    names = [bytes(n.data()).decode() for n in model.roleNames().values()]
    assert names == list(ROLES)
    changed: list[tuple[int, list[int]]] = []
    model.dataChanged.connect(lambda first, last, roles: changed.append((first.row(), roles)))
    bridge.setField("mobile", "139")
    row = [r["name"] for r in bridge.property("fields")].index("mobile")
    assert changed == [(row, [0x0100 + ROLES.index("value")])]
    assert bridge.property("fields")[row]["value"] == "139"
    bridge.cancel()  # the walk-in leaves: the copy of their answers goes with the session
    assert model.rowCount() == 0
    assert bridge.property("fields") == []
