"""FailureReason codes: the only way an error reaches a person.

Codes are named ``<STEP>_<WHAT>`` and documented for hall support staff in
``docs/failure_codes.md``. The UI turns a code into translated text plus what to do next, through
one function (``ui/bridge/failures.py``); exception text goes to the log, never to the screen.
"""

from __future__ import annotations

from enum import StrEnum

from drivers.errors import DeviceError


class FailureReason(StrEnum):
    CARD_NOT_PRESENT = "CARD_NOT_PRESENT"
    CARD_READ_FAILED = "CARD_READ_FAILED"
    CARD_READER_UNAVAILABLE = "CARD_READER_UNAVAILABLE"
    CARD_EXPIRED = "CARD_EXPIRED"
    IDENTITY_REQUIRED = "IDENTITY_REQUIRED"
    FORM_INVALID = "FORM_INVALID"
    SUBMIT_STORAGE_FAILED = "SUBMIT_STORAGE_FAILED"
    PRINTER_PAPER_OUT = "PRINTER_PAPER_OUT"
    PRINTER_COVER_OPEN = "PRINTER_COVER_OPEN"
    PRINTER_UNAVAILABLE = "PRINTER_UNAVAILABLE"
    PRINTER_FAILED = "PRINTER_FAILED"
    CAMERA_UNAVAILABLE = "CAMERA_UNAVAILABLE"
    HALL_UNREACHABLE = "HALL_UNREACHABLE"
    INTERNAL_ERROR = "INTERNAL_ERROR"


def reason_for(exc: BaseException) -> FailureReason:
    """Map an exception to the code shown to people; unknown errors are INTERNAL_ERROR."""
    if isinstance(exc, DeviceError):
        try:
            return FailureReason(exc.code)
        except ValueError:
            return FailureReason.INTERNAL_ERROR
    if isinstance(exc, OSError | MemoryError):
        # sqlite3.OperationalError is not an OSError; the flow maps storage errors explicitly.
        return FailureReason.SUBMIT_STORAGE_FAILED
    return FailureReason.INTERNAL_ERROR
