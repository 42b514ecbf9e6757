"""The one function that turns a FailureReason code into words for people.

Every code maps to a title (what happened) and a next step (what to do now), both translated
through Qt Linguist. Technicians see the code itself next to it.
"""

from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication

_CTX = "Failure"

# QT_TRANSLATE_NOOP marks the strings for lupdate; translate() looks them up at run time.
_TEXTS: dict[str, tuple[str, str]] = {
    "CARD_NOT_PRESENT": (
        QT_TRANSLATE_NOOP("Failure", "No card found"),
        QT_TRANSLATE_NOOP("Failure", "Place your ID card flat on the reader."),
    ),
    "CARD_READ_FAILED": (
        QT_TRANSLATE_NOOP("Failure", "The card could not be read"),
        QT_TRANSLATE_NOOP("Failure", "Lift the card, then place it flat on the reader again."),
    ),
    "CARD_READER_UNAVAILABLE": (
        QT_TRANSLATE_NOOP("Failure", "The card reader is not working"),
        QT_TRANSLATE_NOOP(
            "Failure", "Continue without a card for consultation, or ask the station staff."
        ),
    ),
    "CARD_EXPIRED": (
        QT_TRANSLATE_NOOP("Failure", "This ID card has expired"),
        QT_TRANSLATE_NOOP(
            "Failure", "Filings need a valid ID card. Please renew it at a police service centre."
        ),
    ),
    "IDENTITY_REQUIRED": (
        QT_TRANSLATE_NOOP("Failure", "This service needs your ID card"),
        QT_TRANSLATE_NOOP("Failure", "Go back and place your ID card on the reader."),
    ),
    "FORM_INVALID": (
        QT_TRANSLATE_NOOP("Failure", "Some answers need correcting"),
        QT_TRANSLATE_NOOP("Failure", "Fix the fields marked in red, then continue."),
    ),
    "SUBMIT_STORAGE_FAILED": (
        QT_TRANSLATE_NOOP("Failure", "Your filing could not be saved"),
        QT_TRANSLATE_NOOP(
            "Failure",
            "Nothing was submitted. Please ask the station staff or call 0512-12345.",
        ),
    ),
    "PRINTER_PAPER_OUT": (
        QT_TRANSLATE_NOOP("Failure", "The receipt printer is out of paper"),
        QT_TRANSLATE_NOOP(
            "Failure", "Your filing is saved. Take a photo of the tracking number and QR code."
        ),
    ),
    "PRINTER_COVER_OPEN": (
        QT_TRANSLATE_NOOP("Failure", "The receipt printer cover is open"),
        QT_TRANSLATE_NOOP(
            "Failure", "Your filing is saved. Take a photo of the tracking number and QR code."
        ),
    ),
    "PRINTER_UNAVAILABLE": (
        QT_TRANSLATE_NOOP("Failure", "The receipt printer is not responding"),
        QT_TRANSLATE_NOOP(
            "Failure", "Your filing is saved. Take a photo of the tracking number and QR code."
        ),
    ),
    "PRINTER_FAILED": (
        QT_TRANSLATE_NOOP("Failure", "The receipt could not be printed"),
        QT_TRANSLATE_NOOP(
            "Failure", "Your filing is saved. Take a photo of the tracking number and QR code."
        ),
    ),
    "CAMERA_UNAVAILABLE": (
        QT_TRANSLATE_NOOP("Failure", "The camera is not working"),
        QT_TRANSLATE_NOOP("Failure", "Please ask the station staff for help."),
    ),
    "HALL_UNREACHABLE": (
        QT_TRANSLATE_NOOP("Failure", "The service hall cannot be reached"),
        QT_TRANSLATE_NOOP("Failure", "Your filing is kept and will be sent automatically."),
    ),
    "INTERNAL_ERROR": (
        QT_TRANSLATE_NOOP("Failure", "Something went wrong"),
        QT_TRANSLATE_NOOP("Failure", "Please start again, or ask the station staff for help."),
    ),
}


def failure_text(code: str) -> tuple[str, str]:
    """(title, next step) for a FailureReason code, in the current UI language."""
    title, step = _TEXTS.get(code, _TEXTS["INTERNAL_ERROR"])
    return QCoreApplication.translate(_CTX, title), QCoreApplication.translate(_CTX, step)


def known_codes() -> frozenset[str]:
    return frozenset(_TEXTS)


_FIELD_ERRORS: dict[str, str] = {
    "required": QT_TRANSLATE_NOOP("FieldError", "Required"),
    "too_long": QT_TRANSLATE_NOOP("FieldError", "Too long"),
    "id_number_invalid": QT_TRANSLATE_NOOP(
        "FieldError", "Not a valid ID number: check the 18 characters"
    ),
    "uscc_invalid": QT_TRANSLATE_NOOP(
        "FieldError", "Not a valid unified social credit code: check the 18 characters"
    ),
    "mobile_invalid": QT_TRANSLATE_NOOP("FieldError", "Enter an 11-digit mobile number"),
    "number_invalid": QT_TRANSLATE_NOOP("FieldError", "Enter a whole number"),
    "amount_invalid": QT_TRANSLATE_NOOP("FieldError", "Enter an amount, e.g. 100 or 12.5"),
    "date_invalid": QT_TRANSLATE_NOOP("FieldError", "Enter a date as YYYY-MM-DD"),
    "choice_invalid": QT_TRANSLATE_NOOP("FieldError", "Choose one of the options"),
    "unknown_field": QT_TRANSLATE_NOOP("FieldError", "Unexpected field"),
}


def field_error_text(key: str) -> str:
    """Translated text for a form validation error key."""
    return QCoreApplication.translate(
        "FieldError", _FIELD_ERRORS.get(key, _FIELD_ERRORS["required"])
    )
