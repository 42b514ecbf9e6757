"""What the printer contract tests share: a sample receipt, and a "rig" — a receipt printer backend
wired to an ESC/POS simulator on a loopback ephemeral port, so the real driver code runs and the
test reads back what would be on paper."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from drivers.printer.base import Receipt, ReceiptPrinter
from drivers.printer.escpos import EscposReceiptPrinter
from drivers.printer.simulator import EscposSimulatorServer, SimulatedPrinter

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


def settled(server: EscposSimulatorServer) -> EscposSimulatorServer:
    assert server.wait_idle(2.0), "the simulator still holds a connection"
    return server
