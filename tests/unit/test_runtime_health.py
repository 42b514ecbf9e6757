"""The runtime's health history over the real simulators: device changes noted once, failure
codes from the session (never its answers), the heartbeat's new fields, and a restart keeping the
history."""

from __future__ import annotations

from pathlib import Path

import pytest

from drivers.errors import PaperOut
from kiosk.config import parse_config
from kiosk.runtime import KioskRuntime
from kiosk.services.catalog import load_catalog
from kiosk.session.flow import SessionFlow
from tests.support.background import run_inline
from tests.support.clock import FakeClock
from tests.support.sealing import pin_test_key
from tests.unit.test_flow import ANSWERS, TIMEOUTS, fill_bundle


def runtime_at(state_dir: Path) -> KioskRuntime:
    config = parse_config(
        {
            "station": {"id": "SND-SS-001", "name": "狮山街道站"},
            "hall": {"url": "http://127.0.0.1:9", "timeout_s": 1},
            "devices": {"printer": {"backend": "simulator", "options": {"port": 0}}},
            "paths": {"state_dir": str(state_dir)},
        }
    )
    pin_test_key(state_dir)  # enrolled: filings are sealed to the hall's key
    return KioskRuntime(config, start_sender=False)


def test_device_changes_reach_the_history_and_the_heartbeat(tmp_path: Path) -> None:
    runtime = runtime_at(tmp_path / "kiosk")
    try:
        for _ in range(3):  # the status bar polls every second: one entry per device
            runtime.status()
        assert [(e["name"], e["level"]) for e in runtime.health_history.entries()] == [
            ("card_reader", "ok"),
            ("printer", "ok"),
            ("camera", "ok"),
        ]
        runtime.printer.state.paper_near_end = True
        runtime.printer.check_status()  # the monitor thread's idle poll
        runtime.status()
        runtime.printer.state.paper_out = True
        with pytest.raises(PaperOut):
            runtime.printer.check_status()
        beat = runtime.heartbeat()
        runtime.status()
    finally:
        runtime.close()

    printer = [e for e in runtime.health_history.entries() if e["name"] == "printer"]
    assert [(e["level"], e["code"]) for e in printer] == [
        ("ok", ""),
        ("degraded", "PRINTER_PAPER_NEAR_END"),
        ("down", "PRINTER_PAPER_OUT"),
    ]
    assert beat["devices"]["printer"] == {
        "level": "down",
        "code": "PRINTER_PAPER_OUT",
        "backend": "simulator",
    }
    assert beat["last_error_codes"] == ["PRINTER_PAPER_OUT", "PRINTER_PAPER_NEAR_END"]
    assert beat["station_name"] == "狮山街道站"
    assert isinstance(beat["disk_free_bytes"], int) and beat["disk_free_bytes"] > 0
    assert 0 < beat["disk_free_pct"] <= 100

    again = runtime_at(tmp_path / "kiosk")  # a restart: the history is still there
    try:
        assert again.health_history.recent_codes() == beat["last_error_codes"]
    finally:
        again.close()


def test_the_session_reports_failure_codes_once_and_nothing_else(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    runtime = runtime_at(tmp_path / "kiosk")
    clock = FakeClock(monotonic=0.0)
    flow = SessionFlow(
        catalog=load_catalog(),
        reader=runtime.reader,
        printer=runtime.printer,
        queue=runtime.queue,
        background=run_inline,
        timeouts=TIMEOUTS,
        station_name="狮山街道站",
        hall_url="http://127.0.0.1:8700",
        clock=clock,
        on_failure=runtime.health_history.record_failure,
    )
    try:
        runtime.printer.state.paper_out = True
        flow.start("zh_CN")
        fill_bundle(flow)
        assert flow.complete_form()
        flow.confirm()
        assert flow.context.print_status == "PRINTER_PAPER_OUT"
        for _ in range(3):  # the receipt is retried every 3 s while the walk-in waits
            clock.advance(3.5)
            flow.tick()
        assert flow.context.print_status == "PRINTER_PAPER_OUT"
        tries = [r for r in caplog.records if r.getMessage().startswith("receipt not printed")]
        assert len(tries) == 4  # the first print and three reprints all failed
    finally:
        flow.cancel()
        runtime.close()

    failures = [e for e in runtime.health_history.entries() if e["kind"] == "failure"]
    assert [e["code"] for e in failures] == ["PRINTER_PAPER_OUT"]
    stored = (tmp_path / "kiosk" / "health-history.jsonl").read_text(encoding="utf-8")
    for personal in ("张三丰", "11010519491231002X", *ANSWERS.values()):
        assert personal not in stored
