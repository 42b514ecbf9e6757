"""Contract tests for the ReceiptPrinter role, run against every backend present.

Every backend prints into an `EscposSimulatorServer` on a loopback ephemeral port, so the real
driver code runs and the test reads back what would be on paper: `SimulatedPrinter` (the registry
backend) and a plain `EscposReceiptPrinter` pointed at a simulator. The simulator is also checked
against python-escpos as an independent client, so driver and simulator cannot share a mistake
unnoticed: its QR image (a `GS v 0` raster) is decoded back with OpenCV from our render.

Paper running out mid-job, a dropped connection and a cover opened before the job all end with
exactly one complete receipt once the printer is back (`reprint_if_pending`), never two.
"""

from __future__ import annotations

import threading

import pytest

from drivers.errors import CoverOpen, PaperOut, PrinterError, PrinterUnavailable
from drivers.health import Health, HealthLevel
from drivers.printer.base import CutterError, Receipt, ReceiptPrinter, RecoverableReceiptPrinter
from drivers.printer.escpos import EscposReceiptPrinter
from drivers.printer.escpos_decode import decode_escpos
from drivers.printer.layout import build_receipt_job
from drivers.printer.simulator import EscposSimulatorServer
from tests.contract.printer_rig import RECEIPT, STATUS_ONLY, TIMEOUT_S, PrinterRig, settled

# -- contract ---------------------------------------------------------------------------------


def test_is_a_receipt_printer(rig: PrinterRig) -> None:
    assert isinstance(rig.printer, ReceiptPrinter)
    assert isinstance(rig.printer, RecoverableReceiptPrinter)


def _recoverable(rig: PrinterRig) -> RecoverableReceiptPrinter:
    assert isinstance(rig.printer, RecoverableReceiptPrinter)
    return rig.printer


def test_prints_the_receipt_readably(rig: PrinterRig) -> None:
    rig.printer.print_receipt(RECEIPT)

    jobs = settled(rig.server).decoded_jobs()
    assert len(jobs) == 1
    printed = jobs[0]
    for expected in (
        RECEIPT.title,
        RECEIPT.station_name,
        RECEIPT.service_name,
        RECEIPT.tracking_number,
        RECEIPT.issued_at,
        "申请人：张**",
        "谢谢使用 Thank you",
    ):
        assert expected in printed.lines
    assert printed.qr_payloads == [RECEIPT.qr_payload]
    assert printed.cuts == 1
    assert printed.complete
    # Real-time status before and after the job, and GS r 1 behind the job to learn it printed.
    assert printed.status_queries == [1, 2, 3, 4, 1, 2, 3, 4]
    assert printed.status_requests == [1]
    assert printed.unknown == []
    assert printed.raster_images == []  # every character here is in the printer's own font
    assert rig.printer.health().level is HealthLevel.OK


def test_chinese_is_sent_in_chinese_mode(rig: PrinterRig) -> None:
    rig.printer.print_receipt(RECEIPT)
    raw = settled(rig.server).received
    assert b"\x1c&" + RECEIPT.title.encode("gb18030") + b"\x1c." in raw


def test_wrapped_text_is_all_there(rig: PrinterRig) -> None:
    rig.printer.print_receipt(RECEIPT)
    lines = settled(rig.server).text_log()
    start = lines.index("申请人：张**") + 1
    assert "".join(lines[start : start + 2]) == RECEIPT.lines[1]


def test_cover_open_raises_and_prints_nothing(rig: PrinterRig) -> None:
    rig.server.state.cover_open = True
    with pytest.raises(CoverOpen) as caught:
        rig.printer.print_receipt(RECEIPT)
    assert caught.value.code == "PRINTER_COVER_OPEN"
    # Not one byte of the job went out: the status queries were all the printer received.
    assert settled(rig.server).received == STATUS_ONLY
    assert rig.printer.health().code == "PRINTER_COVER_OPEN"
    assert _recoverable(rig).pending_reprint() == RECEIPT

    rig.server.state.cover_open = False
    assert _recoverable(rig).reprint_if_pending() is True
    assert _recoverable(rig).reprint_if_pending() is False  # once, not twice
    assert [job.qr_payloads for job in settled(rig.server).complete_jobs()] == [
        [RECEIPT.qr_payload]
    ]
    assert rig.printer.health().level is HealthLevel.OK


def test_paper_out_raises_paper_out(rig: PrinterRig) -> None:
    rig.server.state.paper_out = True
    with pytest.raises(PaperOut) as caught:
        rig.printer.print_receipt(RECEIPT)
    assert caught.value.code == "PRINTER_PAPER_OUT"
    assert settled(rig.server).received == STATUS_ONLY
    assert rig.printer.health().level is HealthLevel.DOWN
    assert rig.printer.health().code == "PRINTER_PAPER_OUT"


def test_paper_near_end_prints_and_reports_degraded(rig: PrinterRig) -> None:
    rig.server.state.paper_near_end = True
    rig.printer.print_receipt(RECEIPT)
    assert RECEIPT.title in settled(rig.server).text_log()
    assert rig.printer.health().level is HealthLevel.DEGRADED
    assert rig.printer.health().code == "PRINTER_PAPER_NEAR_END"


def test_paper_near_end_reached_during_the_job_shows_in_the_status_after_it(
    rig: PrinterRig,
) -> None:
    items = len(decode_escpos(build_receipt_job(RECEIPT)).items)
    state = rig.server.state
    state.near_end_at_lines = 5
    state.paper_lines_left = items + 3  # above the sensor before the job, below it after
    seen: list[Health] = []
    _recoverable(rig).add_health_listener(seen.append)
    rig.printer.print_receipt(RECEIPT)
    assert [job.complete for job in settled(rig.server).decoded_jobs()] == [True]
    assert [h.code for h in seen] == ["", "PRINTER_PAPER_NEAR_END"]  # ok before, near end after


def test_paper_out_mid_job_reprints_exactly_one_whole_receipt_after_reload(
    rig: PrinterRig,
) -> None:
    printer = _recoverable(rig)
    rig.server.state.paper_lines_left = 6  # runs out a third of the way down the receipt
    with pytest.raises(PaperOut):
        printer.print_receipt(RECEIPT)
    (half,) = settled(rig.server).decoded_jobs()
    assert half.paper_ran_out and not half.complete and len(half.items) == 6
    assert printer.pending_reprint() == RECEIPT
    assert printer.health().code == "PRINTER_PAPER_OUT"

    with pytest.raises(PaperOut):  # not reloaded yet: refused, still pending, nothing printed
        printer.reprint_if_pending()
    assert printer.pending_reprint() == RECEIPT

    rig.server.state.reload_paper()
    assert printer.reprint_if_pending() is True
    assert printer.reprint_if_pending() is False
    assert printer.pending_reprint() is None
    whole = settled(rig.server).complete_jobs()
    assert len(whole) == 1
    assert whole[0].qr_payloads == [RECEIPT.qr_payload]
    assert whole[0].lines == decode_escpos(build_receipt_job(RECEIPT)).lines
    assert printer.health().level is HealthLevel.OK


def test_reprints_from_several_threads_print_once(rig: PrinterRig) -> None:
    printer = _recoverable(rig)
    rig.server.state.cover_open = True
    with pytest.raises(CoverOpen):
        printer.print_receipt(RECEIPT)
    rig.server.state.cover_open = False
    results: list[bool] = []
    threads = [
        threading.Thread(target=lambda: results.append(printer.reprint_if_pending()))
        for _ in range(3)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(5)
    assert sorted(results) == [False, False, True]
    assert len(settled(rig.server).complete_jobs()) == 1


def test_connection_dropped_mid_job_is_retried_once_the_printer_is_back(
    rig: PrinterRig,
) -> None:
    printer = _recoverable(rig)
    rig.server.state.drop_after_bytes = len(STATUS_ONLY) + 200  # well into the job
    with pytest.raises(PrinterUnavailable):
        printer.print_receipt(RECEIPT)
    assert printer.health().code == "PRINTER_UNAVAILABLE"
    assert printer.pending_reprint() == RECEIPT
    (cut_short,) = settled(rig.server).decoded_jobs()
    assert not cut_short.complete

    assert printer.reprint_if_pending() is True
    assert printer.reprint_if_pending() is False
    assert [job.complete for job in settled(rig.server).decoded_jobs()] == [False, True]
    assert printer.health().level is HealthLevel.OK


def test_a_new_receipt_supersedes_a_pending_one(rig: PrinterRig) -> None:
    printer = _recoverable(rig)
    rig.server.state.paper_out = True
    with pytest.raises(PaperOut):
        printer.print_receipt(RECEIPT)
    rig.server.state.reload_paper()
    other = Receipt("回执", "站点", "服务", "QH-NEXT", "now", qr_payload="QH-NEXT")
    printer.print_receipt(other)  # the next walk-in: never print them the last one's receipt
    assert printer.reprint_if_pending() is False
    assert [j.qr_payloads for j in settled(rig.server).complete_jobs()] == [["QH-NEXT"]]


def test_discarded_pending_receipt_never_prints(rig: PrinterRig) -> None:
    printer = _recoverable(rig)
    rig.server.state.paper_out = True
    with pytest.raises(PaperOut):
        printer.print_receipt(RECEIPT)
    printer.discard_pending()
    rig.server.state.reload_paper()
    assert printer.reprint_if_pending() is False
    assert settled(rig.server).complete_jobs() == []


def test_a_discard_during_a_failing_reprint_keeps_it_discarded(rig: PrinterRig) -> None:
    printer = _recoverable(rig)
    rig.server.state.paper_out = True
    with pytest.raises(PaperOut):
        printer.print_receipt(RECEIPT)
    seen: list[Health] = []

    def walk_in_leaves(health: Health) -> None:  # runs inside the reprint's conversation
        seen.append(health)
        printer.discard_pending()

    printer.add_health_listener(walk_in_leaves)
    rig.server.state.paper_out = False
    rig.server.state.cover_open = True  # the reprint fails: a different fault, so health changes
    with pytest.raises(CoverOpen):
        printer.reprint_if_pending()
    assert seen and printer.pending_reprint() is None


def test_cutter_error_is_its_own_failure(rig: PrinterRig) -> None:
    rig.server.state.cutter_error = True
    with pytest.raises(CutterError) as caught:
        rig.printer.print_receipt(RECEIPT)
    assert caught.value.code == "PRINTER_CUTTER_ERROR"
    assert settled(rig.server).received == STATUS_ONLY
    assert rig.printer.health().code == "PRINTER_CUTTER_ERROR"


def test_offline_printer_is_unavailable(rig: PrinterRig) -> None:
    rig.server.state.offline = True
    with pytest.raises(PrinterUnavailable):
        rig.printer.print_receipt(RECEIPT)
    assert not decode_escpos(settled(rig.server).received).prints_anything


def test_printer_error_bit_is_a_printer_error(rig: PrinterRig) -> None:
    rig.server.state.error = True
    with pytest.raises(PrinterError) as caught:
        rig.printer.print_receipt(RECEIPT)
    assert caught.value.code == "PRINTER_FAILED"


def test_silent_printer_is_unavailable(rig: PrinterRig) -> None:
    rig.server.state.silent = True
    with pytest.raises(PrinterUnavailable) as caught:
        rig.printer.print_receipt(RECEIPT)
    assert "no answer" in str(caught.value)
    assert not decode_escpos(settled(rig.server).received).prints_anything
    assert rig.printer.health().code == "PRINTER_UNAVAILABLE"


def test_connection_dropped_is_unavailable(rig: PrinterRig) -> None:
    rig.server.state.drop_connections = True
    with pytest.raises(PrinterUnavailable):
        rig.printer.print_receipt(RECEIPT)


def test_stopped_printer_is_unavailable(rig: PrinterRig) -> None:
    rig.server.stop()
    with pytest.raises(PrinterUnavailable) as caught:
        rig.printer.print_receipt(RECEIPT)
    assert isinstance(caught.value.__cause__, OSError)
    assert rig.printer.health().level is HealthLevel.DOWN
    assert rig.printer.health().code == "PRINTER_UNAVAILABLE"


def test_closed_printer_refuses_jobs(rig: PrinterRig) -> None:
    rig.printer.close()
    with pytest.raises(PrinterUnavailable):
        rig.printer.print_receipt(RECEIPT)
    assert rig.printer.health().level is HealthLevel.DOWN


def test_jobs_from_several_threads_do_not_interleave(rig: PrinterRig) -> None:
    numbers = [f"QH-T{i}" for i in range(4)]
    errors: list[BaseException] = []

    def print_one(number: str) -> None:
        try:
            rig.printer.print_receipt(
                Receipt("回执", "站点", "服务", number, "2024-06-01 10:32", qr_payload=number)
            )
        except BaseException as exc:  # collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=print_one, args=(n,)) for n in numbers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(5)
    assert errors == []
    jobs = settled(rig.server).decoded_jobs()
    assert sorted(job.qr_payloads[0] for job in jobs) == sorted(numbers)
    for job in jobs:  # each job's QR matches its own tracking number: no interleaving
        assert job.qr_payloads[0] in job.lines
        assert job.unknown == []


def test_pending_receipt_expires_after_the_reprint_window() -> None:
    now = [0.0]
    with EscposSimulatorServer(port=0) as server:
        printer = EscposReceiptPrinter(
            "127.0.0.1",
            server.port,
            timeout_s=TIMEOUT_S,
            reprint_window_s=300,
            clock=lambda: now[0],
        )
        server.state.paper_out = True
        with pytest.raises(PaperOut):
            printer.print_receipt(RECEIPT)
        server.state.reload_paper()
        now[0] = 301.0  # the walk-in is long gone: printing now would hand it to a stranger
        assert printer.pending_reprint() is None
        assert printer.reprint_if_pending() is False
        assert server.wait_idle(2.0)
        assert server.complete_jobs() == []


def test_a_broken_health_listener_does_not_fail_the_job(rig: PrinterRig) -> None:
    def broken(_: Health) -> None:
        raise RuntimeError("listener bug")

    remove = _recoverable(rig).add_health_listener(broken)
    rig.server.state.paper_near_end = True
    rig.printer.print_receipt(RECEIPT)
    remove()
    assert len(settled(rig.server).complete_jobs()) == 1
