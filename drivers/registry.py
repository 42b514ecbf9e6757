"""Backend name -> class, one explicit dict per device kind. Config validates names against these.

Each class offers ``from_options(options: dict) -> instance``; its options are a pydantic model
(``drivers/<kind>/options.py``, listed in the ``*_OPTIONS`` dicts) and a bad one raises
``drivers.options.DriverOptionsError`` (a ValueError) naming the backend, the option, the reason
and the accepted values. `check_options` runs the same model without building anything, which is
how `kiosk.config` reports bad options when it reads the file. Classes are imported lazily so
that choosing a backend never drags in another backend's vendor library.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from typing import Any

from drivers.options import DriverOptions

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
# Speech for care mode (drivers/speech): a simulator records, espeak-ng speaks.
SPEAKER_BACKENDS: dict[str, str] = {
    "simulator": "drivers.speech.simulator:SimulatedSpeaker",
    "espeak_ng": "drivers.speech.espeak:EspeakSpeaker",
}

_CARD = "drivers.card_reader.options"
CARD_READER_OPTIONS: dict[str, str] = {
    "simulator": f"{_CARD}:SimulatedCardReaderOptions",
    "ga467": f"{_CARD}:Ga467CardReaderOptions",
    "ga467_emulator": f"{_CARD}:EmulatedGa467CardReaderOptions",
    "pcsc": f"{_CARD}:PcscCardReaderOptions",
    "pcsc_virtual": f"{_CARD}:VirtualPcscCardReaderOptions",
}
PRINTER_OPTIONS: dict[str, str] = {
    "simulator": "drivers.printer.options:SimulatedPrinterOptions",
    "escpos_network": "drivers.printer.options:EscposOptions",
}
CAMERA_OPTIONS: dict[str, str] = {
    "simulator": "drivers.camera.options:SimulatedCameraOptions",
    "opencv": "drivers.camera.options:OpenCVCameraOptions",
}
SPEAKER_OPTIONS: dict[str, str] = {
    "simulator": "drivers.speech.options:SimulatedSpeakerOptions",
    "espeak_ng": "drivers.speech.options:EspeakSpeakerOptions",
}

# Device kind (the key under [devices] in kiosk.toml) -> (backend classes, option models).
KINDS: dict[str, tuple[dict[str, str], dict[str, str]]] = {
    "card_reader": (CARD_READER_BACKENDS, CARD_READER_OPTIONS),
    "printer": (PRINTER_BACKENDS, PRINTER_OPTIONS),
    "camera": (CAMERA_BACKENDS, CAMERA_OPTIONS),
    "speaker": (SPEAKER_BACKENDS, SPEAKER_OPTIONS),
}


def _load(table: dict[str, str], name: str) -> Any:
    module_name, _, class_name = table[name].partition(":")
    return getattr(importlib.import_module(module_name), class_name)


def options_model(kind: str, name: str) -> type[DriverOptions]:
    model: type[DriverOptions] = _load(KINDS[kind][1], name)
    return model


def check_options(kind: str, name: str, options: Mapping[str, Any]) -> None:
    """Validate a backend's options without building it; raise DriverOptionsError."""
    options_model(kind, name).parse(options, name)


def build_card_reader(name: str, options: dict[str, Any]) -> Any:
    return _load(CARD_READER_BACKENDS, name).from_options(options)


def build_printer(name: str, options: dict[str, Any]) -> Any:
    return _load(PRINTER_BACKENDS, name).from_options(options)


def build_camera(name: str, options: dict[str, Any]) -> Any:
    return _load(CAMERA_BACKENDS, name).from_options(options)


def build_speaker(name: str, options: dict[str, Any]) -> Any:
    return _load(SPEAKER_BACKENDS, name).from_options(options)
