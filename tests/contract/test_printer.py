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

import importlib.util
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
import pytest
from escpos.printer import Network
from PIL import Image, ImageChops, ImageDraw

from drivers import registry
from drivers.errors import CoverOpen, PaperOut, PrinterError, PrinterUnavailable
from drivers.health import Health, HealthLevel
from drivers.printer.base import CutterError, Receipt, ReceiptPrinter, RecoverableReceiptPrinter
from drivers.printer.escpos import (
    COLUMNS_BY_WIDTH_MM,
    DOTS_BY_WIDTH_MM,
    EscposReceiptPrinter,
    NetworkPort,
    SerialPort,
    UsbPort,
    build_receipt_job,
    text_columns,
)
from drivers.printer.escpos_decode import PrintedLine, decode_escpos
from drivers.printer.raster import FontProfile, has_glyph, load_font, render_text
from drivers.printer.simulator import EscposSimulatorServer, SimulatedPrinter, raster_to_pil

TIMEOUT_S = 0.5  # the driver's socket timeout; only the "silent printer" test waits it out
STATUS_ONLY = b"\x10\x04\x01\x10\x04\x02\x10\x04\x03\x10\x04\x04"  # DLE EOT 1..4, nothing else

RECEIPT = Receipt(
    title="企航站点受理回执",
    station_name="苏州高新区企航站点",
    service_name="营业执照变更登记",
    tracking_number="QH-20240601-0042",
    issued_at="2024-06-01 10:32",
    lines=("申请人：张**", "请保存本回执，凭受理编号在大厅或网站查询办理进度。"),
    qr_payload="https://hall.example.cn/t/QH-20240601-0042",
    footer=("谢谢使用 Thank you",),
)


@dataclass
class PrinterRig:
    printer: ReceiptPrinter
    server: EscposSimulatorServer
    stop: Callable[[], None]


def _simulated_printer_rig() -> PrinterRig:
    printer = SimulatedPrinter.from_options({"timeout_s": TIMEOUT_S})
    return PrinterRig(printer, printer.server, printer.close)


def _escpos_network_rig() -> PrinterRig:
    server = EscposSimulatorServer("127.0.0.1", 0).start()
    printer = EscposReceiptPrinter("127.0.0.1", server.port, timeout_s=TIMEOUT_S)

    def stop() -> None:
        printer.close()
        server.stop()

    return PrinterRig(printer, server, stop)


RIGS: dict[str, Callable[[], PrinterRig]] = {
    "simulator": _simulated_printer_rig,
    "escpos_network": _escpos_network_rig,
}


@pytest.fixture(params=sorted(RIGS))
def rig(request: pytest.FixtureRequest) -> Iterator[PrinterRig]:
    made = RIGS[request.param]()
    yield made
    made.stop()


def _settled(server: EscposSimulatorServer) -> EscposSimulatorServer:
    assert server.wait_idle(2.0), "the simulator still holds a connection"
    return server


# -- contract ---------------------------------------------------------------------------------


def test_is_a_receipt_printer(rig: PrinterRig) -> None:
    assert isinstance(rig.printer, ReceiptPrinter)
    assert isinstance(rig.printer, RecoverableReceiptPrinter)


def _recoverable(rig: PrinterRig) -> RecoverableReceiptPrinter:
    assert isinstance(rig.printer, RecoverableReceiptPrinter)
    return rig.printer


def test_prints_the_receipt_readably(rig: PrinterRig) -> None:
    rig.printer.print_receipt(RECEIPT)

    jobs = _settled(rig.server).decoded_jobs()
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
    raw = _settled(rig.server).received
    assert b"\x1c&" + RECEIPT.title.encode("gb18030") + b"\x1c." in raw


def test_wrapped_text_is_all_there(rig: PrinterRig) -> None:
    rig.printer.print_receipt(RECEIPT)
    lines = _settled(rig.server).text_log()
    start = lines.index("申请人：张**") + 1
    assert "".join(lines[start : start + 2]) == RECEIPT.lines[1]


def test_cover_open_raises_and_prints_nothing(rig: PrinterRig) -> None:
    rig.server.state.cover_open = True
    with pytest.raises(CoverOpen) as caught:
        rig.printer.print_receipt(RECEIPT)
    assert caught.value.code == "PRINTER_COVER_OPEN"
    # Not one byte of the job went out: the status queries were all the printer received.
    assert _settled(rig.server).received == STATUS_ONLY
    assert rig.printer.health().code == "PRINTER_COVER_OPEN"
    assert _recoverable(rig).pending_reprint() == RECEIPT

    rig.server.state.cover_open = False
    assert _recoverable(rig).reprint_if_pending() is True
    assert _recoverable(rig).reprint_if_pending() is False  # once, not twice
    assert [job.qr_payloads for job in _settled(rig.server).complete_jobs()] == [
        [RECEIPT.qr_payload]
    ]
    assert rig.printer.health().level is HealthLevel.OK


def test_paper_out_raises_paper_out(rig: PrinterRig) -> None:
    rig.server.state.paper_out = True
    with pytest.raises(PaperOut) as caught:
        rig.printer.print_receipt(RECEIPT)
    assert caught.value.code == "PRINTER_PAPER_OUT"
    assert _settled(rig.server).received == STATUS_ONLY
    assert rig.printer.health().level is HealthLevel.DOWN
    assert rig.printer.health().code == "PRINTER_PAPER_OUT"


def test_paper_near_end_prints_and_reports_degraded(rig: PrinterRig) -> None:
    rig.server.state.paper_near_end = True
    rig.printer.print_receipt(RECEIPT)
    assert RECEIPT.title in _settled(rig.server).text_log()
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
    assert [job.complete for job in _settled(rig.server).decoded_jobs()] == [True]
    assert [h.code for h in seen] == ["", "PRINTER_PAPER_NEAR_END"]  # ok before, near end after


def test_paper_out_mid_job_reprints_exactly_one_whole_receipt_after_reload(
    rig: PrinterRig,
) -> None:
    printer = _recoverable(rig)
    rig.server.state.paper_lines_left = 6  # runs out a third of the way down the receipt
    with pytest.raises(PaperOut):
        printer.print_receipt(RECEIPT)
    (half,) = _settled(rig.server).decoded_jobs()
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
    whole = _settled(rig.server).complete_jobs()
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
    assert len(_settled(rig.server).complete_jobs()) == 1


def test_connection_dropped_mid_job_is_retried_once_the_printer_is_back(
    rig: PrinterRig,
) -> None:
    printer = _recoverable(rig)
    rig.server.state.drop_after_bytes = len(STATUS_ONLY) + 200  # well into the job
    with pytest.raises(PrinterUnavailable):
        printer.print_receipt(RECEIPT)
    assert printer.health().code == "PRINTER_UNAVAILABLE"
    assert printer.pending_reprint() == RECEIPT
    (cut_short,) = _settled(rig.server).decoded_jobs()
    assert not cut_short.complete

    assert printer.reprint_if_pending() is True
    assert printer.reprint_if_pending() is False
    assert [job.complete for job in _settled(rig.server).decoded_jobs()] == [False, True]
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
    assert [j.qr_payloads for j in _settled(rig.server).complete_jobs()] == [["QH-NEXT"]]


def test_discarded_pending_receipt_never_prints(rig: PrinterRig) -> None:
    printer = _recoverable(rig)
    rig.server.state.paper_out = True
    with pytest.raises(PaperOut):
        printer.print_receipt(RECEIPT)
    printer.discard_pending()
    rig.server.state.reload_paper()
    assert printer.reprint_if_pending() is False
    assert _settled(rig.server).complete_jobs() == []


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
    assert _settled(rig.server).received == STATUS_ONLY
    assert rig.printer.health().code == "PRINTER_CUTTER_ERROR"


def test_offline_printer_is_unavailable(rig: PrinterRig) -> None:
    rig.server.state.offline = True
    with pytest.raises(PrinterUnavailable):
        rig.printer.print_receipt(RECEIPT)
    assert not decode_escpos(_settled(rig.server).received).prints_anything


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
    assert not decode_escpos(_settled(rig.server).received).prints_anything
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
    jobs = _settled(rig.server).decoded_jobs()
    assert sorted(job.qr_payloads[0] for job in jobs) == sorted(numbers)
    for job in jobs:  # each job's QR matches its own tracking number: no interleaving
        assert job.qr_payloads[0] in job.lines
        assert job.unknown == []


# -- layout -----------------------------------------------------------------------------------


@pytest.mark.parametrize("width_mm", sorted(COLUMNS_BY_WIDTH_MM))
def test_no_printed_line_is_wider_than_the_paper(width_mm: int) -> None:
    long = Receipt(
        title="企业开办一窗通办综合受理回执单",
        station_name="苏州高新区企航站点（狮山路88号）",
        service_name="营业执照变更登记（法定代表人、注册资本、经营范围）",
        tracking_number="QH-20240601-000000042",
        issued_at="2024-06-01 10:32",
        lines=("说明：" + "办理结果将以短信通知，" * 6 + "see https://hall.example.cn/help",),
        qr_payload="https://hall.example.cn/t/QH-20240601-000000042",
        footer=("谢谢使用",),
    )
    decoded = decode_escpos(build_receipt_job(long, width_mm))
    assert decoded.unknown == []
    columns = COLUMNS_BY_WIDTH_MM[width_mm]
    for item in decoded.items:
        if isinstance(item, PrintedLine):
            assert text_columns(item.text) * item.width <= columns, item.text


def test_control_characters_in_receipt_text_cannot_inject_commands() -> None:
    sneaky = Receipt("回执", "站点", "服务", "QH-1", "now", lines=("a\x1b@b\x1dV\x00c",))
    decoded = decode_escpos(build_receipt_job(sneaky))
    assert "a@bVc" in decoded.lines  # the control bytes are gone, the letters stay
    assert decoded.cuts == 1
    assert decoded.unknown == []


def test_too_long_qr_payload_is_refused_before_printing() -> None:
    with EscposSimulatorServer(port=0) as server:
        printer = EscposReceiptPrinter("127.0.0.1", server.port, timeout_s=TIMEOUT_S)
        with pytest.raises(ValueError, match="QR payload"):
            printer.print_receipt(
                Receipt("回执", "站点", "服务", "QH-1", "now", qr_payload="x" * 2000)
            )
        assert server.wait_idle(2.0)
        assert server.jobs == []


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({}, "host"),
        ({"host": "10.0.0.9", "width_mm": 57}, "width_mm"),
        ({"host": "10.0.0.9", "port": "9100"}, "port"),
        ({"host": "10.0.0.9", "port": 70000}, "port"),
        ({"host": "10.0.0.9", "timeout_s": 0}, "timeout_s"),
        ({"host": "10.0.0.9", "paper": "A4"}, "paper"),
    ],
)
def test_escpos_printer_rejects_bad_options(options: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        EscposReceiptPrinter.from_options(options)


def test_registry_builds_both_backends() -> None:
    simulated = registry.build_printer("simulator", {})
    try:
        assert isinstance(simulated, SimulatedPrinter)
        networked = registry.build_printer(
            "escpos_network", {"host": "127.0.0.1", "port": simulated.server.port, "width_mm": 80}
        )
        assert isinstance(networked, EscposReceiptPrinter)
        assert networked.columns == 48
    finally:
        simulated.close()


# -- the simulator ----------------------------------------------------------------------------


def test_simulated_printer_renders_each_job(tmp_path: Path) -> None:
    printer = SimulatedPrinter.from_options({"render_dir": str(tmp_path), "width_mm": 80})
    try:
        printer.print_receipt(RECEIPT)
    finally:
        printer.close()
    text = (tmp_path / "job-0001.txt").read_text(encoding="utf-8")
    assert RECEIPT.title in text.splitlines()
    with Image.open(tmp_path / "job-0001.png") as image:
        assert image.width > 576  # 80 mm: 576 printable dots plus the paper margins
        assert image.height > image.width  # receipt-shaped


def test_simulator_decodes_python_escpos_as_an_independent_client() -> None:
    with EscposSimulatorServer(port=0) as server:
        client = Network("127.0.0.1", server.port, timeout=2)
        client.text("ABC\n")
        client.set(align="center", bold=True, double_height=True, double_width=True)
        client.text("Total 12.50\n")
        client.qr("hello kiosk", native=True)
        client.qr("as an image")  # rendered by python-escpos into a GS v 0 raster image
        client.cut()
        client.close()
        # wait_idle() is not enough here: this client never waited for an answer, so the
        # simulator may not even have accepted the connection yet.
        assert server.wait_for_jobs(1, 2.0)
        (printed,) = server.decoded_jobs()
    (image,) = printed.raster_images
    assert printed.text_lines == ["ABC", "Total 12.50", image.label]
    assert printed.qr_payloads == ["hello kiosk"]
    assert printed.images == 1
    assert printed.cuts == 1
    assert printed.unknown == []
    total = next(i for i in printed.items if isinstance(i, PrintedLine) and i.text == "Total 12.50")
    assert (total.align, total.bold, total.width, total.height) == ("center", True, 2, 2)
    # python-escpos drew that QR itself and sent it as GS v 0 dots: if our raster decoding were
    # off by a bit, a row or a byte order, OpenCV could not read it back.
    assert _decode_qr(raster_to_pil(image)) == "as an image"


def _decode_qr(image: Image.Image) -> str:
    """The QR payload OpenCV finds in `image` (given a white quiet zone and enlarged 4x)."""
    grey = image.convert("L")
    framed = Image.new("L", (grey.width + 32, grey.height + 32), 255)
    framed.paste(grey, (16, 16))
    framed = framed.resize((framed.width * 4, framed.height * 4), Image.Resampling.NEAREST)
    payload, _, _ = cv2.QRCodeDetector().detectAndDecode(np.asarray(framed))
    return str(payload)


@pytest.mark.parametrize(
    ("flags", "online", "paper"),
    [
        ({}, True, 2),
        ({"paper_near_end": True}, True, 1),
        ({"paper_out": True}, False, 0),
        ({"cover_open": True}, False, 2),
    ],
)
def test_simulator_status_answers_python_escpos(
    flags: dict[str, bool], online: bool, paper: int
) -> None:
    with EscposSimulatorServer(port=0) as server:
        for name, value in flags.items():
            setattr(server.state, name, value)
        client = Network("127.0.0.1", server.port, timeout=2)
        try:
            assert client.is_online() is online
            assert client.paper_status() == paper
        finally:
            client.close()


def test_simulator_answers_a_status_query_split_across_packets() -> None:
    import socket

    with EscposSimulatorServer(port=0) as server:
        server.state.paper_out = True
        with socket.create_connection(("127.0.0.1", server.port), timeout=2) as sock:
            sock.sendall(b"\x10")
            sock.sendall(b"\x04")
            sock.sendall(b"\x04")
            assert sock.recv(1) == bytes([0x7E])


def test_simulator_text_log_spans_jobs() -> None:
    printer = SimulatedPrinter.from_options({})
    try:
        printer.print_receipt(RECEIPT)
        printer.print_receipt(Receipt("第二张", "站点", "服务", "QH-2", "now"))
        log = printer.server.text_log()
    finally:
        printer.close()
    assert log.index(RECEIPT.title) < log.index("第二张")
    assert len(printer.server.jobs) == 2


def test_receipt_qr_read_back_from_the_rendered_png_is_the_progress_url(tmp_path: Path) -> None:
    printer = SimulatedPrinter.from_options({"render_dir": str(tmp_path)})
    try:
        printer.print_receipt(RECEIPT)
    finally:
        printer.close()
    pixels = cv2.imread(str(tmp_path / "job-0001.png"), cv2.IMREAD_GRAYSCALE)
    assert pixels is not None
    payload, points, _ = cv2.QRCodeDetector().detectAndDecode(pixels)
    assert points is not None
    assert payload == RECEIPT.qr_payload


# -- characters the printer's font cannot print: the raster path ------------------------------

RARE = Receipt(
    title="办事回执",
    station_name="站点：苏新办·企航家 狮山街道站",
    service_name="事项：营业执照变更登记",
    tracking_number="QH-20261127-0007",
    issued_at="时间：2026-11-27 10:00",
    lines=("申请人：𠮷**", "经办人：王䶮（代办）", "Contact：镕喆 Li"),
    qr_payload="http://127.0.0.1:8700/progress/QH-20261127-0007",
    footer=("谢谢使用",),
)


def _expected_dots(text: str) -> Image.Image:
    """The line drawn straight with Pillow in the documented raster font and metrics (a 24 px
    em box on a 30-dot line, baseline 24), not through the driver's raster code."""
    font = load_font()
    width = -(-int(np.ceil(font.getlength(text))) // 8) * 8
    canvas = Image.new("L", (width, 30), 255)
    ImageDraw.Draw(canvas).text((0, 24), text, fill=0, font=font, anchor="ls")
    return canvas.point(lambda v: 0 if v < 128 else 255, mode="1")


def _same_dots(a: Image.Image, b: Image.Image) -> bool:
    return (
        a.size == b.size and ImageChops.difference(a.convert("L"), b.convert("L")).getbbox() is None
    )


@pytest.mark.parametrize(
    ("profile", "raster_lines"),
    [
        # 𠮷 is a four-byte GB18030 code; 䶮 sits in the GBK/5 area GBK-era fonts print blank.
        (FontProfile.GB18030, ["申请人：𠮷**", "经办人：王䶮（代办）"]),
        # A GB2312-only head also lacks 镕 and 喆 (GBK, not GB2312), and its A1A4 is the
        # katakana middle dot, not the · in the brand name.
        (
            FontProfile.GB2312,
            [
                "站点：苏新办·企航家 狮山街道站",
                "申请人：𠮷**",
                "经办人：王䶮（代办）",
                "Contact：镕喆 Li",
            ],
        ),
    ],
)
def test_lines_the_printer_font_cannot_print_go_as_raster_images(
    rig: PrinterRig, profile: FontProfile, raster_lines: list[str]
) -> None:
    printer = rig.printer
    assert isinstance(printer, SimulatedPrinter | EscposReceiptPrinter)
    driver = printer.printer if isinstance(printer, SimulatedPrinter) else printer
    driver.font_profile = profile
    printer.print_receipt(RARE)
    (job,) = _settled(rig.server).decoded_jobs()
    assert job.complete and job.unknown == []
    images = job.raster_images
    assert len(images) == len(raster_lines)
    for image, text in zip(images, raster_lines, strict=True):
        # The dots are the expected line's, drawn independently with Pillow.
        assert _same_dots(raster_to_pil(image), _expected_dots(text)), text
    # The text log shows what the printer prints, in place: an image where the printer got dots
    # (a raster carries no text to show), the text elsewhere.
    labels = {text: image.label for image, text in zip(images, raster_lines, strict=True)}
    expected_log = [labels.get(line, line) for line in RARE.lines]
    after_rule = job.lines.index("-" * 32) + 1
    assert job.lines[after_rule : after_rule + len(RARE.lines)] == expected_log
    # Every other line is still text, in Chinese mode, exactly.
    for text in (RARE.station_name, RARE.service_name, RARE.footer[0]):
        assert (text in job.lines) is (text not in raster_lines)
    assert "?" not in "".join(job.text_lines)


def test_rare_characters_really_are_drawn_not_boxes() -> None:
    """The raster test above would pass with tofu on both sides: show the glyphs are real."""
    font = load_font()
    for char in "𠮷䶮镕喆：（）":
        assert has_glyph(char, font), f"{char} (U+{ord(char):04X}) has no glyph in the font"
    # 𠮷 (U+20BB7) and 吉 differ only in the top stroke; the dots must tell them apart.
    assert not _same_dots(_expected_dots("申请人：𠮷**"), _expected_dots("申请人：吉**"))
    rendered = render_text("申请人：𠮷**").to_pil()
    assert _same_dots(rendered, _expected_dots("申请人：𠮷**"))
    assert not _same_dots(rendered, _expected_dots("申请人：吉**"))


def test_all_raster_profile_prints_every_line_as_an_image() -> None:
    job = decode_escpos(build_receipt_job(RARE, font_profile=FontProfile.RASTER))
    assert [item for item in job.items if isinstance(item, PrintedLine) and item.text] == []
    assert job.qr_payloads == [RARE.qr_payload]  # the QR stays native: the printer draws it
    assert len(build_receipt_job(RARE, font_profile=FontProfile.RASTER)) > 5 * len(
        build_receipt_job(RARE)
    )


@pytest.mark.parametrize("width_mm", sorted(COLUMNS_BY_WIDTH_MM))
def test_raster_lines_fit_the_paper_and_keep_their_style(width_mm: int) -> None:
    wide = Receipt(
        "𠮷" * 20,
        "站点",
        "服务",
        "QH-𠮷-0001",
        "now",
        lines=("申请人：𠮷" * 12 + " WWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWW",),
    )
    job = decode_escpos(build_receipt_job(wide, width_mm, font_profile=FontProfile.GB18030))
    dots = DOTS_BY_WIDTH_MM[width_mm]
    assert job.unknown == []
    for image in job.raster_images:
        assert image.width <= dots
    title, tracking = (
        job.raster_images[0],
        next(i for i in job.raster_images if i.height == 60 and i.width < dots // 2),
    )
    assert title.height == 60  # double height: 2 x 30 dots
    assert tracking.align == "left" or tracking.align == "center"


def test_simulator_writes_an_honest_text_log_and_png(tmp_path: Path) -> None:
    printer = SimulatedPrinter.from_options({"render_dir": str(tmp_path)})
    try:
        printer.print_receipt(RARE)
    finally:
        printer.close()
    log = (tmp_path / "job-0001.txt").read_text(encoding="utf-8").splitlines()
    assert "站点：苏新办·企航家 狮山街道站" in log
    assert log[-1] == "[cut]"
    assert sum(line.startswith("[image ") for line in log) == 2
    with Image.open(tmp_path / "job-0001.png") as png:
        page = png.convert("L")
    # The raster line's dots are on the page as sent (found by exact template match).
    target = _expected_dots("申请人：𠮷**").convert("L")
    found = cv2.matchTemplate(np.asarray(page), np.asarray(target), cv2.TM_SQDIFF)
    assert float(found.min()) == 0.0


# -- more connections: USB and serial -----------------------------------------------------------


def test_usb_and_serial_printers_are_built_without_touching_the_device() -> None:
    usb = EscposReceiptPrinter(connection=UsbPort(0x0416, 0x5011))
    serial = EscposReceiptPrinter(connection=SerialPort("/dev/ttyUSB0", 115200), width_mm=80)
    assert usb.health().detail == "not checked yet"
    assert serial.columns == 48
    for printer in (usb, serial):
        with pytest.raises(PrinterUnavailable):  # no such device here (or no pyusb/pyserial)
            printer.print_receipt(RECEIPT)
        assert printer.health().code == "PRINTER_UNAVAILABLE"
        assert printer.pending_reprint() == RECEIPT


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"connection": "bluetooth"}, "connection"),
        ({"connection": "usb", "host": "10.0.0.9"}, "host"),
        ({"connection": "serial", "device": "COM3"}, "device"),
        ({"connection": "serial", "device": "/dev/ttyS0", "baudrate": 1234}, "baudrate"),
        ({"host": "10.0.0.9", "font_profile": "big5"}, "font_profile"),
        ({"host": "10.0.0.9", "job_timeout_s": 0.1}, "job_timeout_s"),
        ({"host": "10.0.0.9", "vendor_id": 1}, "vendor_id"),
    ],
)
def test_connection_options_are_checked(options: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        EscposReceiptPrinter.from_options(options)


@pytest.mark.parametrize(
    ("options", "module", "package"),
    [
        ({"connection": "usb", "vendor_id": "0x0416", "product_id": "0x5011"}, "usb", "pyusb"),
        (
            {"connection": "serial", "device": "/dev/ttyUSB0", "baudrate": 38400},
            "serial",
            "pyserial",
        ),
    ],
)
def test_usb_and_serial_options_build_or_name_the_missing_package(
    options: dict[str, object], module: str, package: str
) -> None:
    if importlib.util.find_spec(module) is None:
        with pytest.raises(ValueError, match=package):
            EscposReceiptPrinter.from_options(options)
        return
    printer = EscposReceiptPrinter.from_options(options)
    assert isinstance(printer.connection, UsbPort | SerialPort)


def test_usb_ids_and_endpoints_are_range_checked() -> None:
    from drivers.printer.escpos import _port_from_options

    assert _port_from_options("usb", {"vendor_id": "0x0416", "product_id": 0x5011}) == UsbPort(
        0x0416, 0x5011
    )
    with pytest.raises(ValueError, match="out_ep"):
        _port_from_options("usb", {"vendor_id": 1, "product_id": 2, "out_ep": 0x100})
    with pytest.raises(ValueError, match="product_id"):
        _port_from_options("usb", {"vendor_id": 1})
    assert _port_from_options("network", {"host": "10.0.0.9"}) == NetworkPort("10.0.0.9", 9100)


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
    assert len(_settled(rig.server).complete_jobs()) == 1
