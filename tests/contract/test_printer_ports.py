"""The ESC/POS printer simulator checked against python-escpos as an independent client (so driver
and simulator cannot share a mistake), its renders (QR read back with OpenCV), and the USB and
serial connections with their option checks."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import cv2
import numpy as np
import pytest
from escpos.printer import Network
from PIL import Image

from drivers.errors import PrinterUnavailable
from drivers.options import DriverOptionsError
from drivers.printer.base import Receipt
from drivers.printer.escpos import EscposReceiptPrinter
from drivers.printer.escpos_decode import PrintedLine
from drivers.printer.options import EscposOptions
from drivers.printer.ports import NetworkPort, SerialPort, UsbPort
from drivers.printer.simulator import EscposSimulatorServer, SimulatedPrinter, raster_to_pil
from tests.contract.printer_rig import RECEIPT

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
    def port(options: dict[str, object]) -> object:
        return EscposOptions.parse(options).to_port()

    usb = {"connection": "usb", "vendor_id": "0x0416", "product_id": 0x5011}
    assert port(usb) == UsbPort(0x0416, 0x5011)
    with pytest.raises(DriverOptionsError, match="out_ep"):
        port({**usb, "out_ep": 0x100})
    with pytest.raises(DriverOptionsError, match="product_id"):
        port({"connection": "usb", "vendor_id": 1})
    assert port({"host": "10.0.0.9"}) == NetworkPort("10.0.0.9", 9100)
