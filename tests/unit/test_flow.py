"""SessionFlow over real parts: the card simulator, the ESC/POS printer simulator on 127.0.0.1,
a real SQLite outbox. No Qt; the background runner is inline or held by hand."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from drivers.card_reader.simulator import SimulatedCardReader
from drivers.errors import CardReadFailed
from drivers.printer.simulator import SimulatedPrinter
from kiosk.progress import parse_progress_qr, progress_qr_token
from kiosk.runtime import SharedOutbox
from kiosk.services.catalog import load_catalog
from kiosk.session.context import AssistRef
from kiosk.session.flow import SessionFlow, Timeouts
from offline_queue.outbox import Outbox
from tests.support.background import HeldBackground, run_inline
from tests.support.clock import FakeClock
from tests.support.sealing import open_queued, pin_test_key

HALL_URL = "http://127.0.0.1:8700"

ANSWERS = {
    "mobile": "13912345678",
    "company_name": "苏州企航科技有限公司",
    "enterprise_type": "llc",
    "registered_capital": "100",
    "business_address": "苏州高新区狮山路88号",
    "business_scope": "软件开发",
    "power_capacity_kw": "80",
    "power_start_date": "2026-12-15",
}
TIMEOUTS = Timeouts(idle_s=90, warning_s=20, receipt_s=20, card_read_s=5)


@dataclasses.dataclass
class Parts:
    flow: SessionFlow
    reader: SimulatedCardReader
    printer: SimulatedPrinter
    queue: SharedOutbox
    clock: FakeClock
    outbox_path: Path


@pytest.fixture
def parts(tmp_path: Path) -> Iterator[Parts]:
    yield from _parts(tmp_path, run_inline)


def _parts(tmp_path: Path, background: Any) -> Iterator[Parts]:
    reader = SimulatedCardReader.from_options({"delay_s": 0})
    printer = SimulatedPrinter.from_options({"port": 0})
    pin_test_key(tmp_path)  # an enrolled station: filings are sealed to the hall's key
    queue = SharedOutbox(tmp_path / "outbox.sqlite3", "SND-1")
    clock = FakeClock(monotonic=0.0)
    flow = SessionFlow(
        catalog=load_catalog(),
        reader=reader,
        printer=printer,
        queue=queue,
        background=background,
        timeouts=TIMEOUTS,
        station_name="狮山街道站",
        hall_url=HALL_URL,
        clock=clock,
    )
    try:
        yield Parts(flow, reader, printer, queue, clock, tmp_path / "outbox.sqlite3")
    finally:
        queue.close()
        printer.close()
        reader.close()


def fill_the_disk(queue: SharedOutbox) -> int:
    """A real "database or disk is full" from SQLite: cap the file, then queue until it is full.

    Returns how many filings were queued before the disk filled up.
    """
    db = queue._outbox().db
    pages = db.execute("PRAGMA page_count").fetchone()[0]
    db.execute(f"PRAGMA max_page_count = {pages + 4}")
    queued = 0
    while True:
        try:
            queue.enqueue("enterprise_demand", {"form": {"description": "x" * 50}})
        except sqlite3.OperationalError:
            return queued
        queued += 1


PHOTO = b"\xff\xd8\xff\xe0 a photographed lease contract"


def fill_bundle(flow: SessionFlow) -> None:
    flow.choose_service("company_startup_power")
    for name, value in ANSWERS.items():
        flow.set_field(name, value)
    flow.open_capture("premises_proof")
    flow.accept_capture(bytearray(PHOTO))


def test_happy_path_queues_prints_and_wipes(parts: Parts) -> None:
    flow = parts.flow
    flow.start("zh_CN")
    assert flow.state == "choosing_service"
    fill_bundle(flow)
    # Prefilled from the card.
    assert flow.context.values["applicant_name"] == "张三丰"
    assert flow.context.values["applicant_id_number"] == "11010519491231002X"
    assert flow.complete_form()
    flow.confirm()
    assert flow.state == "printing"
    assert flow.context.print_status == "printed"
    tracking = flow.context.tracking_number
    assert tracking.startswith("SND-1-")
    with Outbox(parts.outbox_path, "SND-1") as box:
        sealed = box.next_pending()
        assert sealed is not None
        queued = open_queued(sealed)  # what the hall will open
        assert queued.tracking_number == tracking
        assert queued.payload["form"]["company_name"] == "苏州企航科技有限公司"
        assert queued.payload["parts"] == ["company_registration", "power_connection"]
        # The filing's access token travels sealed and is printed in the receipt QR only.
        token = queued.payload["access_token"]
        assert re.fullmatch(r"[A-Za-z0-9_-]{22,}", token) and token == flow.context.access_token
    log = parts.printer.server.text_log()
    assert any(tracking in line for line in log)
    assert not any(token in line for line in log)
    qr = f"{HALL_URL}/p/{tracking}?t={token}"
    assert parts.printer.server.decoded_jobs()[0].qr_payloads == [qr] == [flow.context.progress_url]
    assert parse_progress_qr(qr, HALL_URL) == tracking and progress_qr_token(qr) == token
    flow.finish()
    assert flow.state == "idle"
    assert flow.context.is_empty() and flow.context.access_token == ""


def queued_payload(parts: Parts) -> dict[str, Any]:
    with Outbox(parts.outbox_path, "SND-1") as box:
        sealed = box.next_pending()
        assert sealed is not None
        return open_queued(sealed).payload


def test_payload_records_the_co_filling_helper_and_the_confirmation_time(parts: Parts) -> None:
    flow = parts.flow
    flow.start("zh_CN")
    fill_bundle(flow)
    lin = AssistRef(helper="林帮办", session_id="3f0c1a52-assist")
    flow.set_field("business_scope", "软件开发、技术咨询", by_helper=lin)
    flow.set_field("power_capacity_kw", "100", by_helper=lin)
    assert flow.context.assisted_by == lin
    assert flow.complete_form()
    parts.clock.advance(42)  # the walk-in reads the summary, then presses submit
    flow.confirm()
    payload = queued_payload(parts)
    assert payload["helper_filled"] == ["business_scope", "power_capacity_kw"]
    assert payload["assist"] == {"helper": "林帮办", "session_id": "3f0c1a52-assist"}
    assert payload["confirmed_at"] == "2026-11-27T02:00:42.000+00:00"
    flow.finish()
    assert flow.context.assisted_by is None and flow.context.is_empty()


def test_payload_names_no_helper_when_the_walk_in_filled_it_all(parts: Parts) -> None:
    flow = parts.flow
    flow.start("zh_CN")
    fill_bundle(flow)
    # The helper filled one field during a call, then the walk-in typed over it.
    flow.set_field("mobile", "13800000000", by_helper=AssistRef("林帮办", "3f0c1a52-assist"))
    flow.set_field("mobile", ANSWERS["mobile"])
    assert flow.complete_form()
    flow.confirm()
    payload = queued_payload(parts)
    assert payload["helper_filled"] == []
    assert "assist" not in payload
    assert payload["confirmed_at"] == "2026-11-27T02:00:00.000+00:00"


def test_receipt_carries_no_personal_data(parts: Parts) -> None:
    flow = parts.flow
    flow.start("zh_CN")
    fill_bundle(flow)
    flow.complete_form()
    flow.confirm()
    received = parts.printer.server.received
    for secret in ("张三丰", "11010519491231002X", "13912345678"):
        assert secret.encode("gb18030") not in received
        assert secret.encode("utf-8") not in received


def test_timeout_mid_form_wipes_and_queues_nothing(parts: Parts) -> None:
    flow = parts.flow
    flow.start("zh_CN")
    fill_bundle(flow)
    parts.clock.advance(TIMEOUTS.idle_s + 1)
    assert flow.tick().phase.value == "warning"
    parts.clock.advance(TIMEOUTS.warning_s)
    flow.tick()
    assert flow.state == "idle"
    assert flow.context.is_empty()
    with Outbox(parts.outbox_path, "SND-1") as box:
        assert box.depth() == 0


def test_touch_during_warning_keeps_the_session(parts: Parts) -> None:
    flow = parts.flow
    flow.start("zh_CN")
    fill_bundle(flow)
    parts.clock.advance(TIMEOUTS.idle_s + 5)
    flow.tick()
    flow.touch()
    parts.clock.advance(TIMEOUTS.warning_s)
    assert flow.tick().phase.value == "active"
    assert flow.state == "filling_form"


def test_care_mode_doubles_timeouts(parts: Parts) -> None:
    flow = parts.flow
    flow.start("zh_CN", care_mode=True)
    parts.clock.advance(TIMEOUTS.idle_s + 1)
    assert flow.tick().phase.value == "active"
    parts.clock.advance(TIMEOUTS.idle_s)
    assert flow.tick().phase.value == "warning"


def test_required_document_photo_is_asked_for(parts: Parts) -> None:
    flow = parts.flow
    flow.start("zh_CN")
    flow.choose_service("company_startup_power")
    for name, value in ANSWERS.items():
        flow.set_field(name, value)
    assert not flow.complete_form()
    assert flow.context.errors == {"material:premises_proof": "material_required"}
    flow.open_capture("premises_proof")
    assert flow.state == "capturing"
    flow.close_capture()  # changed their mind: back to the form, nothing kept
    assert flow.state == "filling_form" and flow.context.attachments == {}
    flow.open_capture("premises_proof")
    photo = bytearray(PHOTO)
    flow.accept_capture(photo)
    assert flow.context.attachments["premises_proof"] is photo
    assert flow.complete_form()
    flow.cancel()
    assert photo == bytearray(len(photo))  # the pixels are overwritten by the wipe


def test_only_listed_documents_can_be_captured(parts: Parts) -> None:
    flow = parts.flow
    flow.start("zh_CN")
    flow.choose_service("company_startup_power")
    with pytest.raises(KeyError):
        flow.open_capture("id_card")  # read by the card reader, not photographed


def test_invalid_form_stays_with_errors(parts: Parts) -> None:
    flow = parts.flow
    flow.start("zh_CN")
    flow.choose_service("company_startup_power")
    flow.set_field("mobile", "12345")
    assert not flow.complete_form()
    assert flow.state == "filling_form"
    assert flow.context.errors["mobile"] == "mobile_invalid"
    assert flow.context.errors["company_name"] == "required"
    flow.set_field("mobile", "13912345678")
    assert "mobile" not in flow.context.errors


def test_service_needing_identity_is_refused_without_a_card(parts: Parts) -> None:
    flow = parts.flow
    parts.reader.remove_card()
    held = HeldBackground()
    flow._bg = held  # the card read never finishes: the walk-in chooses to skip
    flow.start("zh_CN")
    flow.skip_identity()
    flow.choose_service("company_startup_power")
    assert flow.state == "choosing_service"
    assert flow.notice == "IDENTITY_REQUIRED"
    flow.choose_service("policy_consultation")
    assert flow.state == "filling_form"


def test_unreadable_card_then_retry(parts: Parts) -> None:
    parts.reader.inject_fault(CardReadFailed)
    flow = parts.flow
    flow.start("zh_CN")
    assert flow.state == "identifying"
    assert flow.card_status == "CARD_READ_FAILED"
    flow.retry_card()
    assert flow.state == "choosing_service"


def test_expired_card_is_not_accepted(tmp_path: Path) -> None:
    gen = _parts(tmp_path, run_inline)
    p = next(gen)
    try:
        expired = dataclasses.replace(p.reader.sample_identity, valid_to=dt.date(2020, 1, 1))
        p.reader.place_card(expired)
        p.flow.start("zh_CN")
        assert p.flow.state == "identifying"
        assert p.flow.card_status == "CARD_EXPIRED"
        assert p.flow.context.identity is None
    finally:
        gen.close()


def test_a_late_card_read_never_reaches_the_next_session(tmp_path: Path) -> None:
    held = HeldBackground()
    gen = _parts(tmp_path, held)
    p = next(gen)
    try:
        p.flow.start("zh_CN")
        p.flow.cancel()  # the walk-in leaves while the reader is still busy
        p.flow.start("zh_CN")
        first_read = held.jobs.pop(0)
        run_inline(*first_read)  # the first session's read finishes now
        assert p.flow.state == "identifying"
        assert p.flow.context.identity is None
    finally:
        gen.close()


def test_paper_out_keeps_the_filing_and_shows_the_number(parts: Parts) -> None:
    parts.printer.state.paper_out = True
    flow = parts.flow
    flow.start("zh_CN")
    fill_bundle(flow)
    flow.complete_form()
    flow.confirm()
    assert flow.state == "printing"
    assert flow.context.print_status == "PRINTER_PAPER_OUT"
    assert flow.context.tracking_number
    with Outbox(parts.outbox_path, "SND-1") as box:
        assert box.depth() == 1


def test_storage_full_shows_the_error_and_claims_nothing(parts: Parts) -> None:
    flow = parts.flow
    flow.start("zh_CN")
    fill_bundle(flow)
    flow.complete_form()
    already_queued = fill_the_disk(parts.queue)
    flow.confirm()
    assert flow.state == "error"
    assert flow.context.failure == "SUBMIT_STORAGE_FAILED"
    assert flow.context.tracking_number == ""
    assert parts.printer.server.jobs == []
    with Outbox(parts.outbox_path, "SND-1") as box:  # nothing already queued was lost
        assert box.depth() == already_queued > 0
    flow.acknowledge()
    assert flow.state == "idle" and flow.context.is_empty()
