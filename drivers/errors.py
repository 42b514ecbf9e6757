"""The drivers' error tree. Vendor exceptions are translated into these once, in the backend.

    DeviceError
    ├── CardReaderError
    │   ├── NoCard            no card on the reader (yet)
    │   ├── CardReadFailed    card present but unreadable; lift it and place it again
    │   │   ├── CardRemoved        the card left the reader in the middle of the read
    │   │   ├── CardUnsupported    not a card kind this kiosk reads (or an unknown layout)
    │   │   ├── CardAccessDenied   the card refused access (PIN/key needed)
    │   │   │   └── MrzMismatch    eMRTD: the typed MRZ fields do not open the chip (BAC failed)
    │   │   └── ReaderLinkError    garbled/short/unchecked frames between host and reader
    │   ├── MrzRequired       eMRTD found: the walk-in must type document no., birth, expiry
    │   └── ReaderUnavailable reader unplugged, service down
    │       └── ReaderFault   the reader answers but reports a hardware/SAM fault
    ├── PrinterError
    │   ├── PaperOut
    │   ├── CoverOpen
    │   └── PrinterUnavailable offline, connection refused or dropped
    └── CameraError
        └── CameraUnavailable  unplugged, not opening, or no frame for the watchdog's time
            └── CameraFrozen   frames arrive but are identical or black (driver or sensor hung)

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


class CardRemoved(CardReadFailed):
    """The card left the reader mid-read; place it again and hold it still."""

    code = "CARD_REMOVED"


class CardUnsupported(CardReadFailed):
    code = "CARD_UNSUPPORTED"


class CardAccessDenied(CardReadFailed):
    code = "CARD_ACCESS_DENIED"


class MrzMismatch(CardAccessDenied):
    """BAC mutual authentication failed: document number, birth or expiry date was mistyped."""

    code = "CARD_MRZ_MISMATCH"


class ReaderLinkError(CardReadFailed):
    """Frames between host and reader were corrupt, short or missing (after retries)."""

    code = "CARD_READER_LINK_ERROR"


class MrzRequired(CardReaderError):
    """A passport/permit chip needs the MRZ key; ask the walk-in, then read again with it."""

    code = "CARD_MRZ_REQUIRED"


class ReaderFault(ReaderUnavailable):
    """The reader answers but its security module (SAM) or hardware reports a fault."""

    code = "CARD_READER_FAULT"


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


class CameraFrozen(CameraUnavailable):
    code = "CAMERA_FROZEN"
