"""FailureReason codes: the only way an error reaches a person.

Codes are named ``<STEP>_<WHAT>`` and documented for hall support staff in
``docs/failure_codes.md``. The UI turns a code into translated text plus what to do next, through
one function (``ui/bridge/failures.py``); exception text goes to the log, never to the screen.
"""

from __future__ import annotations

from enum import StrEnum

from drivers.errors import DeviceError
from kiosk.net_json import BadDocument


class FailureReason(StrEnum):
    CARD_NOT_PRESENT = "CARD_NOT_PRESENT"
    CARD_READ_FAILED = "CARD_READ_FAILED"
    CARD_READER_UNAVAILABLE = "CARD_READER_UNAVAILABLE"
    CARD_EXPIRED = "CARD_EXPIRED"
    CARD_REMOVED = "CARD_REMOVED"
    CARD_UNSUPPORTED = "CARD_UNSUPPORTED"
    CARD_ACCESS_DENIED = "CARD_ACCESS_DENIED"
    CARD_MRZ_REQUIRED = "CARD_MRZ_REQUIRED"
    CARD_MRZ_MISMATCH = "CARD_MRZ_MISMATCH"
    CARD_READER_LINK_ERROR = "CARD_READER_LINK_ERROR"
    CARD_READER_FAULT = "CARD_READER_FAULT"
    IDENTITY_REQUIRED = "IDENTITY_REQUIRED"
    FORM_INVALID = "FORM_INVALID"
    SUBMIT_STORAGE_FAILED = "SUBMIT_STORAGE_FAILED"
    PRINTER_PAPER_OUT = "PRINTER_PAPER_OUT"
    PRINTER_COVER_OPEN = "PRINTER_COVER_OPEN"
    PRINTER_UNAVAILABLE = "PRINTER_UNAVAILABLE"
    PRINTER_CUTTER_ERROR = "PRINTER_CUTTER_ERROR"
    PRINTER_FAILED = "PRINTER_FAILED"
    SUMMARY_PRINT_FAILED = "SUMMARY_PRINT_FAILED"
    CAMERA_UNAVAILABLE = "CAMERA_UNAVAILABLE"
    CAMERA_FROZEN = "CAMERA_FROZEN"
    HALL_UNREACHABLE = "HALL_UNREACHABLE"
    HALL_BAD_DOCUMENT = "HALL_BAD_DOCUMENT"
    HALL_RATE_LIMITED = "HALL_RATE_LIMITED"
    # The published catalog's signature (contracts.content_signature): technician codes only.
    CATALOG_UNSIGNED = "CATALOG_UNSIGNED"
    CATALOG_BAD_SIGNATURE = "CATALOG_BAD_SIGNATURE"
    CATALOG_KEY_MISSING = "CATALOG_KEY_MISSING"
    ENROL_CODE_UNKNOWN = "ENROL_CODE_UNKNOWN"
    ENROL_CODE_USED = "ENROL_CODE_USED"
    ENROL_CODE_EXPIRED = "ENROL_CODE_EXPIRED"
    ENROL_TOO_MANY_ATTEMPTS = "ENROL_TOO_MANY_ATTEMPTS"
    ENROL_HALL_UNREACHABLE = "ENROL_HALL_UNREACHABLE"
    ENROL_REFUSED = "ENROL_REFUSED"
    ENROL_STORAGE_FAILED = "ENROL_STORAGE_FAILED"
    INTERNAL_ERROR = "INTERNAL_ERROR"


class HallRateLimited(Exception):
    """The hall refused a request as too frequent (HTTP 429): not an outage, a wait.

    ``retry_after_s`` is the hall's ``Retry-After`` in seconds, None when it sent none. Raised by
    :class:`kiosk.hall_client.HallClient` for the walk-in's look-ups, never retried on its own:
    the walk-in is told how long to wait (``HALL_RATE_LIMITED``).
    """

    def __init__(self, route: str, retry_after_s: float | None) -> None:
        wait = "no Retry-After" if retry_after_s is None else f"retry after {retry_after_s:.0f} s"
        super().__init__(f"hall answered HTTP 429 for {route} ({wait})")
        self.retry_after_s = retry_after_s


def reason_for(exc: BaseException) -> FailureReason:
    """Map an exception to the code shown to people; unknown errors are INTERNAL_ERROR."""
    if isinstance(exc, DeviceError):
        # The most specific code we know: a driver may add a finer error before we name it.
        for cls in type(exc).__mro__:
            code = cls.__dict__.get("code")
            if isinstance(code, str) and code in FailureReason.__members__:
                return FailureReason(code)
        return FailureReason.INTERNAL_ERROR
    if isinstance(exc, BadDocument):
        return FailureReason.HALL_BAD_DOCUMENT
    if isinstance(exc, HallRateLimited):
        return FailureReason.HALL_RATE_LIMITED
    if isinstance(exc, OSError | MemoryError):
        # sqlite3.OperationalError is not an OSError; the flow maps storage errors explicitly.
        return FailureReason.SUBMIT_STORAGE_FAILED
    return FailureReason.INTERNAL_ERROR
