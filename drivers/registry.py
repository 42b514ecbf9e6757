"""Backend name -> class, one explicit dict per device kind. Config validates names against these.

Each class offers ``from_options(options: dict) -> instance`` and raises ``ValueError`` with a
readable message for a bad option (reported at boot as a config error). Classes are imported lazily
so that choosing a backend never drags in another backend's vendor library.
"""

from __future__ import annotations

import importlib
from typing import Any

CARD_READER_BACKENDS: dict[str, str] = {
    "simulator": "drivers.card_reader.simulator:SimulatedCardReader",
    # GA/T 467 resident ID reader on a serial port: options port, baud, poll_s, ...
    "ga467": "drivers.card_reader.ga467:Ga467CardReader",
    # The GA/T 467 emulator on a pty, read through the real Ga467CardReader (demo, journeys).
    "ga467_emulator": "drivers.card_reader.ga467_emulator:EmulatedGa467CardReader",
    # PC/SC reader via pcscd: options reader (name filter), mode auto|ssc|emrtd, max_le.
    "pcsc": "drivers.card_reader.pcsc:PcscCardReader",
    # A virtual card on vpcd behind a real pcscd, read through the real PcscCardReader.
    "pcsc_virtual": "drivers.card_reader.pcsc_virtual:VirtualPcscCardReader",
}
PRINTER_BACKENDS: dict[str, str] = {
    "simulator": "drivers.printer.simulator:SimulatedPrinter",
    "escpos_network": "drivers.printer.escpos:EscposReceiptPrinter",
}
CAMERA_BACKENDS: dict[str, str] = {
    "simulator": "drivers.camera.simulator:SimulatedCamera",
    "opencv": "drivers.camera.opencv:OpenCVCamera",
}


def _load(table: dict[str, str], name: str) -> Any:
    module_name, _, class_name = table[name].partition(":")
    return getattr(importlib.import_module(module_name), class_name)


def build_card_reader(name: str, options: dict[str, Any]) -> Any:
    return _load(CARD_READER_BACKENDS, name).from_options(options)


def build_printer(name: str, options: dict[str, Any]) -> Any:
    return _load(PRINTER_BACKENDS, name).from_options(options)


def build_camera(name: str, options: dict[str, Any]) -> Any:
    return _load(CAMERA_BACKENDS, name).from_options(options)
