"""Technician mode's core over real parts: the PIN gate and its counter file, the audit log, the
test print at the ESC/POS simulator, the masked card test, the outbox view on a real outbox file,
and the diagnostics bundle of a station with a walk-in's filing in progress. No Qt."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import json
import logging
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from argon2 import PasswordHasher

from drivers.errors import PaperOut
from kiosk.config import parse_config
from kiosk.runtime import KioskRuntime
from kiosk.services.catalog import load_catalog
from kiosk.session.flow import SessionFlow, Timeouts
from kiosk.technician.audit import AuditLog
from kiosk.technician.diagnostics import Scrubber, config_without_secrets
from kiosk.technician.gesture import CornerTaps
from kiosk.technician.log_buffer import RecentLogs
from kiosk.technician.pin import MAX_FAILURES, PinGate, hash_pin
from kiosk.technician.service import TechnicianService, session_personal_values
from offline_queue.outbox import Outbox
from tests.support.background import run_inline
from tests.support.clock import FakeClock
from tests.support.sealing import open_queued, pin_test_key

PIN = "246810"
NAME = "张三丰"
ID_NUMBER = "11010519491231002X"
MOBILE = "13912345678"
HALL_TOKEN = "station-secret-7f3a9c"
START = dt.datetime(2026, 11, 27, 9, 0, tzinfo=dt.UTC)


def cheap_hash(pin: str) -> str:
    # The production hash uses argon2-cffi's defaults; the verify path is the same.
    return PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1).hash(pin)


def station(tmp_path: Path, **technician: Any) -> KioskRuntime:
    config = parse_config(
        {
            "station": {"id": "SND-SS-001", "name": "狮山街道站"},
            # Nothing listens on port 9: the hall is away (the upload tests use a real one).
            "hall": {"url": "http://127.0.0.1:9", "timeout_s": 1, "token": HALL_TOKEN},
            "devices": {
                "card_reader": {"backend": "simulator", "options": {"delay_s": 0}},
                "printer": {"backend": "simulator", "options": {"port": 0}},
            },
            "paths": {"state_dir": str(tmp_path / "kiosk")},
            "technician": {
                "pin_hash": cheap_hash(PIN),
                "export_dir": str(tmp_path / "usb"),
                "lockout_minutes": 15,
                **technician,
            },
        }
    )
    pin_test_key(tmp_path / "kiosk")  # enrolled: filings are sealed to the hall's key
    return KioskRuntime(config, start_sender=False)


@pytest.fixture
def runtime(tmp_path: Path) -> Iterator[KioskRuntime]:
    rt = station(tmp_path)
    try:
        yield rt
    finally:
        rt.close()


def service(rt: KioskRuntime, clock: FakeClock | None = None, **kw: Any) -> TechnicianService:
    return TechnicianService(rt, clock=clock or FakeClock(START), recent_logs=lambda: [], **kw)


# -- PIN ---------------------------------------------------------------------------------------


def test_the_right_pin_opens_and_a_wrong_one_counts_down(
    runtime: KioskRuntime, caplog: pytest.LogCaptureFixture
) -> None:
    svc = service(runtime)
    caplog.set_level(logging.INFO)
    wrong = svc.enter("111111")
    assert (wrong.ok, wrong.code, wrong.status.attempts_left) == (False, "TECH_PIN_WRONG", 4)
    right = svc.enter(PIN)
    assert right.ok and right.status.attempts_left == MAX_FAILURES  # success resets the count
    assert [(e["action"], e["outcome"], e["detail"]) for e in svc.audit.entries()] == [
        ("enter", "refused", "TECH_PIN_WRONG"),
        ("enter", "ok", ""),
    ]
    assert "111111" not in caplog.text and PIN not in caplog.text
    assert "refused (1 of 5)" in caplog.text


def test_five_wrong_pins_lock_the_pad_even_against_the_right_pin(
    runtime: KioskRuntime, caplog: pytest.LogCaptureFixture
) -> None:
    clock = FakeClock(START)
    svc = service(runtime, clock)
    caplog.set_level(logging.INFO)
    codes = [svc.enter(f"00000{i}").code for i in range(MAX_FAILURES)]
    assert codes == ["TECH_PIN_WRONG"] * 4 + ["TECH_PIN_LOCKED"]
    status = svc.pin_status()
    assert status.attempts_left == 0
    assert status.locked_until == START + dt.timedelta(minutes=15)
    assert svc.enter(PIN).code == "TECH_PIN_LOCKED"  # the right PIN too, while locked
    assert "locked until" in caplog.text
    assert not any(f"00000{i}" in caplog.text for i in range(MAX_FAILURES))
    outcomes = [e["outcome"] for e in svc.audit.entries()]
    assert outcomes == ["refused"] * 4 + ["locked_out", "locked_out"]
    clock.advance(dt.timedelta(minutes=15, seconds=1))
    assert svc.pin_status().attempts_left == MAX_FAILURES
    assert svc.enter(PIN).ok


def test_the_lockout_survives_a_restart(tmp_path: Path) -> None:
    clock = FakeClock(START)
    first = station(tmp_path)
    try:
        svc = service(first, clock)
        for _ in range(MAX_FAILURES):
            svc.enter("999999")
    finally:
        first.close()
    # The kiosk restarts (power cut, or a technician pulling the plug to reset the counter).
    again = station(tmp_path)
    try:
        svc = service(again, clock)
        assert svc.pin_status().locked_until is not None
        assert svc.enter(PIN).code == "TECH_PIN_LOCKED"
        clock.advance(dt.timedelta(minutes=16))
        assert svc.enter(PIN).ok
    finally:
        again.close()


def test_the_failure_count_survives_a_restart_too(tmp_path: Path) -> None:
    state = tmp_path / "pin.json"
    hashed = cheap_hash(PIN)
    for _ in range(3):
        PinGate(state, hashed).check("1234")
    assert PinGate(state, hashed).status().attempts_left == 2
    state.write_text("{not json", encoding="utf-8")  # a damaged counter locks, never opens
    assert PinGate(state, hashed).check(PIN).code == "TECH_PIN_LOCKED"


def test_no_pin_hash_means_no_technician_mode(tmp_path: Path) -> None:
    gate = PinGate(tmp_path / "pin.json", "")
    assert gate.check("1234").code == "TECH_PIN_NOT_SET"
    assert not gate.status().configured


def test_the_pin_command_hashes_digits_only() -> None:
    hashed = hash_pin("482913")
    assert hashed.startswith("$argon2id$")
    assert PasswordHasher().verify(hashed, "482913")
    for bad in ("12", "abcd12", "1234567890123"):
        with pytest.raises(ValueError):
            hash_pin(bad)
    with pytest.raises(Exception, match="argon2"):
        parse_config(
            {"station": {"id": "A", "name": "a"}, "hall": {"url": "http://h"},
             "technician": {"pin_hash": "123456"}}
        )  # fmt: skip


def test_the_hidden_gesture_needs_five_quick_taps() -> None:
    clock = FakeClock(START, monotonic=0.0)
    taps = CornerTaps(clock=clock)
    assert [taps.tap() for _ in range(5)] == [False] * 4 + [True]
    for _ in range(4):
        taps.tap()
        clock.advance(1.0)  # five taps over four seconds: a walk-in idly tapping
    assert not taps.tap()


# -- audit -------------------------------------------------------------------------------------


def test_the_audit_log_takes_codes_only_and_appends(tmp_path: Path) -> None:
    audit = AuditLog(tmp_path / "audit.jsonl", FakeClock(START))
    audit.record("test_print", "failed", "PRINTER_PAPER_OUT")
    for personal in (NAME, ID_NUMBER + " x", "name=张三丰"):
        with pytest.raises(ValueError):
            audit.record("test_card", "ok", personal)
    audit.record("test_card", "ok", "resident_id")
    entries = AuditLog(tmp_path / "audit.jsonl").entries()
    assert [(e["seq"], e["who"], e["action"]) for e in entries] == [
        (1, "technician", "test_print"),
        (2, "technician", "test_card"),
    ]
    assert entries[0]["at"] == START.isoformat(timespec="seconds")
    assert [e["seq"] for e in audit.unsent()] == [1, 2]
    audit.mark_sent(1)
    assert [e["seq"] for e in audit.unsent()] == [2]


# -- device tests ------------------------------------------------------------------------------


def test_a_test_page_reaches_the_printer_simulator(runtime: KioskRuntime) -> None:
    svc = service(runtime)
    assert svc.print_test().ok
    (job,) = runtime.printer.server.complete_jobs()
    text = "\n".join(job.lines)
    assert "打印测试页" in text and "TEST PAGE" in text and "中文字库" in text
    runtime.printer.state.paper_out = True
    failed = svc.print_test()
    assert (failed.ok, failed.code) == (False, "PRINTER_PAPER_OUT")
    # The failed test page must not come out later behind a walk-in's receipt.
    assert runtime.printer.printer.pending_reprint() is None
    assert [(e["action"], e["outcome"], e["detail"]) for e in svc.audit.entries()] == [
        ("test_print", "ok", ""),
        ("test_print", "failed", "PRINTER_PAPER_OUT"),
    ]


def test_a_card_test_shows_only_masked_values(runtime: KioskRuntime) -> None:
    svc = service(runtime)
    result = svc.card_test(timeout_s=5)
    assert (result.ok, result.masked_name, result.masked_number) == (
        True,
        "张*丰",
        "110105********002X",
    )
    shown = json.dumps(dataclasses.asdict(result), ensure_ascii=False)
    assert NAME not in shown and ID_NUMBER not in shown
    assert svc.audit.entries()[-1]["detail"] == "resident_id"
    with pytest.raises(PaperOut):  # the printer is untouched by a card test
        runtime.printer.state.paper_out = True
        runtime.printer.check_status()


def test_the_network_test_names_an_unreachable_hall(runtime: KioskRuntime) -> None:
    result = service(runtime).network_test()
    assert (result.ok, result.code) == (False, "NETWORK_UNREACHABLE")
    assert result.resolve_ms is not None


# -- outbox ------------------------------------------------------------------------------------


def test_the_outbox_view_shows_reasons_never_payloads_and_retry_requeues(
    runtime: KioskRuntime,
) -> None:
    payload = {"name": NAME, "id_number": ID_NUMBER, "mobile": MOBILE}
    refused = runtime.queue.enqueue("company_startup_power", payload)
    waiting = runtime.queue.enqueue("company_startup_power", payload)
    with Outbox(runtime.outbox_path, "SND-SS-001") as box:
        box.mark_quarantined(refused.id, "HTTP_422")
    svc = service(runtime)
    view = svc.outbox()
    assert view["counts"] == {"pending": 1, "delivered": 0, "quarantined": 1}
    (row,) = view["quarantined"]
    assert (row["id"], row["reason"], row["tracking_number"]) == (
        str(refused.id),
        "HTTP_422",
        refused.tracking_number,
    )
    shown = json.dumps(view, ensure_ascii=False)
    assert not any(v in shown for v in payload.values())
    assert svc.retry(str(refused.id))
    assert not svc.retry("no-such-row")
    with Outbox(runtime.outbox_path, "SND-SS-001") as box:
        assert box.counts() == {"pending": 2, "delivered": 0, "quarantined": 0}
        pending = box.next_pending()
        assert pending is not None and pending.id == str(refused.id)
        assert open_queued(pending).payload == payload  # the content is untouched
        assert box.get(str(waiting.id))["status"] == "pending"
    assert [(e["action"], e["outcome"]) for e in svc.audit.entries()] == [
        ("outbox_view", "ok"),
        ("outbox_retry", "ok"),
        ("outbox_retry", "failed"),
    ]


# -- diagnostics -------------------------------------------------------------------------------

ENCODINGS = ("utf-8", "gbk", "gb18030", "utf-16-le", "utf-16-be", "utf-32-le")


def needles(*values: str) -> dict[str, bytes]:
    """Every way a value could sit in a file: each encoding, and JSON's \\u escapes."""
    out = {}
    for value in values:
        for enc in ENCODINGS:
            out[f"{value} ({enc})"] = value.encode(enc)
        escaped = json.dumps(value, ensure_ascii=True)[1:-1]
        out[f"{value} (json escape)"] = escaped.encode("ascii")
        out[f"{value} (json escape, lower)"] = escaped.lower().encode("ascii")
    return out


def files_of(bundle: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(bundle)) as zf:
        assert zf.testzip() is None
        return {name: zf.read(name) for name in zf.namelist()}


def find(files: dict[str, bytes], values: dict[str, bytes]) -> list[str]:
    found = []
    for name, data in files.items():
        for label, needle in values.items():
            if needle in data:
                found.append(f"{label} in {name}")
    return found


@pytest.fixture
def log_buffer() -> Iterator[RecentLogs]:
    root = logging.getLogger()
    buffer, level = RecentLogs(), root.level
    root.addHandler(buffer)
    root.setLevel(logging.INFO)
    try:
        yield buffer
    finally:
        root.removeHandler(buffer)
        root.setLevel(level)


def live_session(runtime: KioskRuntime) -> SessionFlow:
    """A walk-in 张三丰 (the card simulator's sample) half-way through a filing."""
    flow = SessionFlow(
        catalog=load_catalog(),
        reader=runtime.reader,
        printer=runtime.printer,
        queue=runtime.queue,
        background=run_inline,
        timeouts=Timeouts(90, 20, 20, 5),
        station_name="狮山街道站",
        hall_url="http://127.0.0.1:9",
        clock=FakeClock(START, monotonic=0.0),
    )
    flow.start("zh_CN")
    assert flow.context.identity is not None and flow.context.identity.name == NAME
    flow.choose_service("company_startup_power")
    for name, value in {
        "mobile": MOBILE,
        "company_name": "苏州企航科技有限公司",
        "enterprise_type": "llc",
        "registered_capital": "100",
        "business_address": "苏州高新区狮山路88号",
        "business_scope": "软件开发",
        "power_capacity_kw": "80",
        "power_start_date": "2026-12-15",
    }.items():
        flow.set_field(name, value)
    return flow


def test_the_diagnostics_bundle_holds_no_personal_data_and_no_secrets(
    runtime: KioskRuntime, log_buffer: RecentLogs
) -> None:
    flow = live_session(runtime)
    # A careless line from some library: the second line of defence must catch it.
    logging.getLogger("some.library").warning(
        "retrying for %s (%s), phone %s", NAME, ID_NUMBER, MOBILE
    )
    assert any(NAME in line for line in log_buffer.lines())  # the test can fail
    refused = runtime.queue.enqueue("company_startup_power", {"name": NAME, "id": ID_NUMBER})
    with Outbox(runtime.outbox_path, "SND-SS-001") as box:
        box.mark_quarantined(refused.id, "HTTP_422")
    svc = TechnicianService(
        runtime,
        clock=FakeClock(START),
        recent_logs=log_buffer.lines,
        session_values=lambda: session_personal_values(flow.context),
    )
    svc.print_test()
    svc.card_test(timeout_s=5)

    name, bundle = svc.bundle()
    files = files_of(bundle)
    assert name == "qihang-diagnostics-SND-SS-001-20261127-090000.zip"
    assert set(files) == {
        "manifest.json", "versions.json", "config.json", "health.json", "failure_codes.json",
        "outbox.json", "audit.jsonl", "logs.txt",
    }  # fmt: skip
    secrets = {
        "hall token": HALL_TOKEN.encode(),
        "pin hash": runtime.config.technician.pin_hash.encode(),
        "pin hash body": runtime.config.technician.pin_hash.split("$")[-1].encode(),
    }
    personal = needles(NAME, ID_NUMBER, MOBILE, "江苏省苏州市高新区狮山路88号", "110105194912")
    assert find(files, personal) == []
    assert find(files, secrets) == []
    # ...and it is still useful to support.
    config = json.loads(files["config.json"])
    assert config["hall"]["token"] == "<set>" and config["technician"]["pin_hash"] == "<set>"
    assert config["station"]["id"] == "SND-SS-001"
    outbox = json.loads(files["outbox.json"])
    assert outbox["quarantined"][0]["reason"] == "HTTP_422"
    assert json.loads(files["versions.json"])["packages"]["pydantic"]
    audit = [json.loads(line) for line in files["audit.jsonl"].decode().splitlines()]
    assert [e["action"] for e in audit] == ["test_print", "test_card"]
    assert "retrying for [REDACTED] ([REDACTED]), phone [REDACTED]" in files["logs.txt"].decode()
    assert "PRINTER" in files["health.json"].decode() or "printer" in files["health.json"].decode()

    # After the walk-in leaves, the scrubber no longer knows the values: the patterns still hold.
    flow.cancel()
    assert session_personal_values(flow.context) == []
    _, later = svc.bundle()
    assert find(files_of(later), needles(NAME, ID_NUMBER, MOBILE)) == []


def test_the_scrubber_patterns() -> None:
    scrub = Scrubber()
    assert scrub.text("id 11010519491231002X and 110105491231002 ok") == (
        "id [ID-NUMBER] and [ID-NUMBER] ok"
    )
    assert scrub.text("call 13912345678") == "call [MOBILE]"
    assert scrub.text("submission 01a21d45-eb31-71ab-a8fd-9c8caa6f89b7 HTTP_422") == (
        "submission 01a21d45-eb31-71ab-a8fd-9c8caa6f89b7 HTTP_422"
    )
    assert scrub.text("walk-in 李四 at 狮山", cjk=True) == "walk-in [CJK] at [CJK]"
    assert config_without_secrets(
        {"hall": {"url": "https://u:pw@hall.example:8443/x?k=1", "token": "t"},
         "devices": {"printer": {"options": {"api_key": "k", "host": "10.0.0.9"}}}}
    ) == {
        "hall": {"url": "https://hall.example:8443/x", "token": "<set>"},
        "devices": {"printer": {"options": {"api_key": "<set>", "host": "10.0.0.9"}}},
    }  # fmt: skip


def test_export_writes_the_bundle_to_the_usb_folder(runtime: KioskRuntime, tmp_path: Path) -> None:
    from kiosk.technician.diagnostics import ExportError

    svc = service(runtime)
    with pytest.raises(ExportError) as missing:
        svc.export()  # the stick is not in
    assert missing.value.code == "TECH_EXPORT_NO_DIR"
    (tmp_path / "usb").mkdir()
    written = svc.export()
    assert (tmp_path / "usb" / written).is_file()
    assert not list((tmp_path / "usb").glob("*.part"))
    files_of((tmp_path / "usb" / written).read_bytes())
    assert [(e["action"], e["outcome"]) for e in svc.audit.entries()] == [
        ("diagnostics_export", "failed"),
        ("diagnostics_export", "ok"),
    ]


def test_an_upload_without_a_hall_is_a_failure_code_and_audited(runtime: KioskRuntime) -> None:
    svc = service(runtime)
    assert svc.upload() == "NETWORK_UNREACHABLE"
    assert svc.ship_audit() == "NETWORK_UNREACHABLE"
    assert [e["seq"] for e in svc.audit.unsent()] == [1]  # kept for the next try
    assert svc.restart_requested() == 75
    assert svc.audit.entries()[-1]["action"] == "restart"
