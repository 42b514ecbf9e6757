"""The receipt printer under the real SessionFlow (no Qt): a fault before the job leaves the walk-in
with the tracking number and progress QR on screen and sends the printer nothing but status
queries; once the printer is back, the pending receipt prints exactly once."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from drivers.printer.base import RecoverableReceiptPrinter
from tests.support.background import run_inline
from tests.unit.test_flow import Parts, _parts, fill_bundle

STATUS_ONLY = b"\x10\x04\x01\x10\x04\x02\x10\x04\x03\x10\x04\x04"


@pytest.fixture
def parts(tmp_path: Path) -> Iterator[Parts]:
    yield from _parts(tmp_path, run_inline)


@pytest.mark.parametrize(
    ("fault", "code"),
    [
        ("cover_open", "PRINTER_COVER_OPEN"),
        ("paper_out", "PRINTER_PAPER_OUT"),
        ("offline", "PRINTER_UNAVAILABLE"),
        ("cutter_error", "PRINTER_CUTTER_ERROR"),
    ],
)
def test_a_fault_before_the_job_shows_the_alternative_and_sends_no_job(
    parts: Parts, fault: str, code: str
) -> None:
    setattr(parts.printer.state, fault, True)
    flow = parts.flow
    flow.start("zh_CN")
    fill_bundle(flow)
    flow.complete_form()
    flow.confirm()
    # The receipt screen stays, with what the walk-in can photograph instead of a receipt.
    assert flow.state == "printing"
    assert flow.context.print_status == code
    assert flow.context.tracking_number
    # The receipt QR opens the filing's whole story: the number and its 128-bit access token.
    assert len(flow.context.access_token) >= 22
    assert flow.context.progress_url.endswith(
        f"/p/{flow.context.tracking_number}?t={flow.context.access_token}"
    )
    server = parts.printer.server
    assert server.wait_idle(2.0)
    assert server.received == STATUS_ONLY  # not one byte of the receipt went out
    assert parts.printer.health().code == code  # what the status bar and the hall see

    # The printer comes back while the walk-in is still there: the receipt prints, once.
    printer = parts.printer
    assert isinstance(printer, RecoverableReceiptPrinter)
    setattr(printer.state, fault, False)
    assert printer.reprint_if_pending() is True
    assert printer.reprint_if_pending() is False
    (receipt,) = server.complete_jobs()
    assert flow.context.tracking_number in receipt.lines
    assert receipt.qr_payloads == [flow.context.progress_url]


def test_paper_out_mid_job_is_reprinted_once_while_the_walk_in_waits(parts: Parts) -> None:
    """The session retries the kept receipt: reload the paper, one whole receipt comes out."""
    printer, flow = parts.printer, parts.flow
    printer.state.paper_lines_left = 4  # the roll ends in the middle of the receipt
    flow.start("zh_CN")
    fill_bundle(flow)
    flow.complete_form()
    flow.confirm()
    assert flow.state == "printing"
    assert flow.context.print_status == "PRINTER_PAPER_OUT"
    assert printer.server.complete_jobs() == []  # half a receipt is not a receipt

    parts.clock.advance(5)  # still out of paper: the retry fails and is kept
    flow.tick()
    assert flow.context.print_status == "PRINTER_PAPER_OUT"

    printer.state.reload_paper()
    parts.clock.advance(5)
    flow.tick()
    assert flow.context.print_status == "printed"
    parts.clock.advance(5)
    flow.tick()  # nothing pending any more: no second copy
    (receipt,) = printer.server.complete_jobs()
    assert flow.context.tracking_number in receipt.lines
    flow.finish()
    assert printer.pending_reprint() is None


def test_a_kept_receipt_is_dropped_when_the_walk_in_leaves(parts: Parts) -> None:
    printer, flow = parts.printer, parts.flow
    printer.state.cover_open = True
    flow.start("zh_CN")
    fill_bundle(flow)
    flow.complete_form()
    flow.confirm()
    assert printer.pending_reprint() is not None
    flow.finish()  # they photographed the number and left
    printer.state.cover_open = False
    assert printer.reprint_if_pending() is False
    assert printer.server.complete_jobs() == []
