"""The drivers' error tree. Vendor exceptions are translated into these once, in the backend.

    DeviceError
    ├── CardReaderError
    │   ├── NoCard            no card on the reader (yet)
    │   ├── CardReadFailed    card present but unreadable; lift it and place it again
    │   └── ReaderUnavailable reader unplugged, service down
    ├── PrinterError
    │   ├── PaperOut
    │   ├── CoverOpen
    │   └── PrinterUnavailable offline, connection refused or dropped
    └── CameraError
        └── CameraUnavailable

Each error carries `code`, the FailureReason code the core shows to people.
"""

from __future__ import annotations


class DeviceError(Exception):
    code = "DEVICE_FAILED"


class CardReaderError(DeviceError):
    code = "CARD_READ_FAILED"


class NoCard(CardReaderError):
    code = "CARD_NOT_PRESENT"


class CardReadFailed(CardReaderError):
    code = "CARD_READ_FAILED"


class ReaderUnavailable(CardReaderError):
    code = "CARD_READER_UNAVAILABLE"


class PrinterError(DeviceError):
    code = "PRINTER_FAILED"


class PaperOut(PrinterError):
    code = "PRINTER_PAPER_OUT"


class CoverOpen(PrinterError):
    code = "PRINTER_COVER_OPEN"


class PrinterUnavailable(PrinterError):
    code = "PRINTER_UNAVAILABLE"


class CameraError(DeviceError):
    code = "CAMERA_FAILED"


class CameraUnavailable(CameraError):
    code = "CAMERA_UNAVAILABLE"
