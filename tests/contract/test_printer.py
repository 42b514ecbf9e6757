"""Contract tests for the ReceiptPrinter role, run against every backend present.

Every backend prints into an `EscposSimulatorServer` on a loopback ephemeral port, so the real
driver code runs and the test reads back what would be on paper: `SimulatedPrinter` (the registry
backend) and a plain `EscposReceiptPrinter` pointed at a simulator. The simulator is also checked
against python-escpos as an independent client, so driver and simulator cannot share a mistake
unnoticed.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from escpos.printer import Network
from PIL import Image

from drivers import registry
from drivers.errors import CoverOpen, PaperOut, PrinterError, PrinterUnavailable
from drivers.health import HealthLevel
from drivers.printer.base import Receipt, ReceiptPrinter
from drivers.printer.escpos import (
    COLUMNS_BY_WIDTH_MM,
    EscposReceiptPrinter,
    build_receipt_job,
    text_columns,
)
from drivers.printer.escpos_decode import PrintedLine, decode_escpos
from drivers.printer.simulator import EscposSimulatorServer, SimulatedPrinter

TIMEOUT_S = 0.5  # the driver's socket timeout; only the "silent printer" test waits it out

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
    assert printed.status_queries == [1, 2, 4]
    assert printed.unknown == []
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
    printed = decode_escpos(_settled(rig.server).received)
    assert printed.status_queries, "the driver must have asked for the status"
    assert not printed.prints_anything
    assert printed.unknown == []
    assert rig.printer.health().code == "PRINTER_COVER_OPEN"

    rig.server.state.cover_open = False
    rig.printer.print_receipt(RECEIPT)
    assert RECEIPT.tracking_number in _settled(rig.server).text_log()
    assert rig.printer.health().level is HealthLevel.OK


def test_paper_out_raises_paper_out(rig: PrinterRig) -> None:
    rig.server.state.paper_out = True
    with pytest.raises(PaperOut) as caught:
        rig.printer.print_receipt(RECEIPT)
    assert caught.value.code == "PRINTER_PAPER_OUT"
    assert not decode_escpos(_settled(rig.server).received).prints_anything
    assert rig.printer.health().level is HealthLevel.DOWN
    assert rig.printer.health().code == "PRINTER_PAPER_OUT"


def test_paper_near_end_prints_and_reports_degraded(rig: PrinterRig) -> None:
    rig.server.state.paper_near_end = True
    rig.printer.print_receipt(RECEIPT)
    assert RECEIPT.title in _settled(rig.server).text_log()
    assert rig.printer.health().level is HealthLevel.DEGRADED


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
    assert printed.text_lines == ["ABC", "Total 12.50"]
    assert printed.qr_payloads == ["hello kiosk"]
    assert printed.images == 1
    assert printed.cuts == 1
    assert printed.unknown == []
    total = next(i for i in printed.items if isinstance(i, PrintedLine) and i.text == "Total 12.50")
    assert (total.align, total.bold, total.width, total.height) == ("center", True, 2, 2)


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
