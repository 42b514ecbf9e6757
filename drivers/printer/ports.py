"""Where a receipt printer is and how bytes reach it: network (raw TCP 9100), USB and serial ports
(built from the config by `drivers.printer.options`), and one open connection (:class:`Link`)
that writes through python-escpos' printer classes and reads the printer's status bytes with a
timeout, which python-escpos' own `_read()` cannot (see docs/architecture.md, "Receipt printer").

python-escpos' printer classes are imported only when a port is opened: pyusb and pyserial are
optional, and only the port in use needs its own.
"""

from __future__ import annotations

import importlib
import socket
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

# -- where the printer is -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class NetworkPort:
    host: str
    port: int = 9100

    def describe(self) -> str:
        return f"{self.host}:{self.port}"


@dataclass(frozen=True, slots=True)
class UsbPort:
    vendor_id: int
    product_id: int
    in_ep: int = 0x82
    out_ep: int = 0x01

    def describe(self) -> str:
        return f"usb {self.vendor_id:04x}:{self.product_id:04x}"


@dataclass(frozen=True, slots=True)
class SerialPort:
    device: str
    baudrate: int = 9600

    def describe(self) -> str:
        return f"serial {self.device}@{self.baudrate}"


PrinterPort = NetworkPort | UsbPort | SerialPort

# connection option -> (python module python-escpos needs for it, pip package to name).
CONNECTION_DEPENDENCIES: dict[str, tuple[str, str] | None] = {
    "network": None,
    "usb": ("usb", "pyusb"),
    "serial": ("serial", "pyserial"),
}


class Link:
    """One open connection: bytes out through python-escpos' `_raw`, bytes in with a timeout."""

    def __init__(self, printer: Any, read: Callable[[float], bytes | None]) -> None:
        self.printer = printer
        self._read = read
        self._buffer = bytearray()

    def write(self, data: bytes) -> None:
        self.printer._raw(data)

    def read_byte(self, timeout_s: float) -> int | None:
        """The next byte from the printer, or None if none came within `timeout_s`."""
        if not self._buffer:
            chunk = self._read(timeout_s)
            if not chunk:
                return None
            self._buffer += chunk
        return self._buffer.pop(0)

    def close(self) -> None:
        self.printer.close()


def open_network(port: NetworkPort, timeout_s: float) -> Link:
    from escpos.printer import Network  # after drivers.printer.escpos set up its cache

    # We open the socket ourselves and hand it to python-escpos: its Network.open() (3.1)
    # leaves the socket unclosed when connect fails (a ResourceWarning per attempt).
    sock = socket.create_connection((port.host, port.port), timeout=timeout_s)
    try:
        printer = Network(port.host, port.port, timeout=timeout_s)
    except BaseException:
        sock.close()
        raise
    printer.device = sock

    def read(wait_s: float) -> bytes | None:
        sock.settimeout(wait_s)
        try:
            chunk = sock.recv(64)
        except TimeoutError:
            return None
        if not chunk:
            raise ConnectionResetError("the printer closed the connection")
        return chunk

    return Link(printer, read)


def open_usb(port: UsbPort, timeout_s: float) -> Link:
    from escpos.printer import Usb  # pyusb is optional: only a USB printer needs it

    timeout_ms = int(timeout_s * 1000)
    printer = Usb(port.vendor_id, port.product_id, timeout=timeout_ms, in_ep=port.in_ep,
                  out_ep=port.out_ep)  # fmt: skip
    printer.open()

    usb_core: Any = importlib.import_module("usb.core")  # present: printer.open() needed it

    def read(wait_s: float) -> bytes | None:
        try:
            return bytes(printer.device.read(port.in_ep, 64, max(1, int(wait_s * 1000))))
        except usb_core.USBTimeoutError:
            return None

    return Link(printer, read)


def open_serial(port: SerialPort, timeout_s: float) -> Link:
    from escpos.printer import Serial  # pyserial is optional: only a serial printer needs it

    printer = Serial(port.device, baudrate=port.baudrate, timeout=timeout_s)
    printer.open()

    def read(wait_s: float) -> bytes | None:
        printer.device.timeout = wait_s
        return bytes(printer.device.read(64)) or None

    return Link(printer, read)
