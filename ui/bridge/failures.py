"""The one function that turns a FailureReason code into words for people.

Every code maps to a title (what happened) and a next step (what to do now), both translated
through Qt Linguist. Technicians see the code itself next to it.
"""

from __future__ import annotations

import math

from PySide6.QtCore import QCoreApplication

from ui.i18n.marks import QT_TRANSLATE_NOOP

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
    "CARD_REMOVED": (
        QT_TRANSLATE_NOOP("Failure", "The card was moved while it was being read"),
        QT_TRANSLATE_NOOP(
            "Failure", "Place it flat on the reader again and keep it still until it is read."
        ),
    ),
    "CARD_UNSUPPORTED": (
        QT_TRANSLATE_NOOP("Failure", "This card cannot be read here"),
        QT_TRANSLATE_NOOP(
            "Failure",
            "Use your resident ID card, residence permit, passport or social security card.",
        ),
    ),
    "CARD_ACCESS_DENIED": (
        QT_TRANSLATE_NOOP("Failure", "This card does not allow its data to be read here"),
        QT_TRANSLATE_NOOP("Failure", "Please use your resident ID card or passport instead."),
    ),
    "CARD_MRZ_REQUIRED": (
        QT_TRANSLATE_NOOP("Failure", "Enter three items from your passport"),
        QT_TRANSLATE_NOOP(
            "Failure",
            "The chip opens with the document number, date of birth and expiry date "
            "printed on the photo page.",
        ),
    ),
    "CARD_MRZ_MISMATCH": (
        QT_TRANSLATE_NOOP("Failure", "Those passport details do not open the chip"),
        QT_TRANSLATE_NOOP(
            "Failure", "Check the document number and both dates against the photo page."
        ),
    ),
    "CARD_READER_LINK_ERROR": (
        QT_TRANSLATE_NOOP("Failure", "The card reader is not answering properly"),
        QT_TRANSLATE_NOOP(
            "Failure", "Lift the card and place it again. If it repeats, ask the station staff."
        ),
    ),
    "CARD_READER_FAULT": (
        QT_TRANSLATE_NOOP("Failure", "The card reader needs a technician"),
        QT_TRANSLATE_NOOP(
            "Failure", "Continue without a card for consultation, or ask the station staff."
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
    "PRINTER_CUTTER_ERROR": (
        QT_TRANSLATE_NOOP("Failure", "The receipt printer's cutter is stuck"),
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
    "SUMMARY_PRINT_FAILED": (
        QT_TRANSLATE_NOOP("Failure", "The A4 summary could not be printed"),
        QT_TRANSLATE_NOOP(
            "Failure", "Your filing is saved; scan the QR code to see it, or ask the station staff."
        ),
    ),
    "CAMERA_UNAVAILABLE": (
        QT_TRANSLATE_NOOP("Failure", "The camera is not working"),
        QT_TRANSLATE_NOOP(
            "Failure", "Go back and continue without the photo, or ask the station staff."
        ),
    ),
    "CAMERA_FROZEN": (
        QT_TRANSLATE_NOOP("Failure", "The camera picture has stopped"),
        QT_TRANSLATE_NOOP(
            "Failure", "Go back and continue without the photo, or ask the station staff."
        ),
    ),
    "HALL_UNREACHABLE": (
        QT_TRANSLATE_NOOP("Failure", "The service hall cannot be reached"),
        QT_TRANSLATE_NOOP("Failure", "Your filing is kept and will be sent automatically."),
    ),
    "HALL_BAD_DOCUMENT": (
        QT_TRANSLATE_NOOP("Failure", "The service hall sent an answer this terminal cannot use"),
        QT_TRANSLATE_NOOP(
            "Failure",
            "The last known information is shown. If this repeats, ask the station staff.",
        ),
    ),
    # The catalog's signature: the walk-in keeps the last good catalog; same words as above.
    "CATALOG_UNSIGNED": (
        QT_TRANSLATE_NOOP("Failure", "The service hall sent an answer this terminal cannot use"),
        QT_TRANSLATE_NOOP(
            "Failure",
            "The last known information is shown. If this repeats, ask the station staff.",
        ),
    ),
    "CATALOG_BAD_SIGNATURE": (
        QT_TRANSLATE_NOOP("Failure", "The service hall sent an answer this terminal cannot use"),
        QT_TRANSLATE_NOOP(
            "Failure",
            "The last known information is shown. If this repeats, ask the station staff.",
        ),
    ),
    "CATALOG_KEY_MISSING": (
        QT_TRANSLATE_NOOP("Failure", "The service hall sent an answer this terminal cannot use"),
        QT_TRANSLATE_NOOP(
            "Failure",
            "The last known information is shown. If this repeats, ask the station staff.",
        ),
    ),
    "HALL_RATE_LIMITED": (
        QT_TRANSLATE_NOOP("Failure", "Too many attempts"),
        QT_TRANSLATE_NOOP("Failure", "Please wait a minute and try again."),
    ),
    "ENROL_CODE_UNKNOWN": (
        QT_TRANSLATE_NOOP("Failure", "The hall does not know this code"),
        QT_TRANSLATE_NOOP(
            "Failure",
            "Check it letter by letter: 16 characters, and never the letters O, I, L "
            "or the digits 0, 1.",
        ),
    ),
    "ENROL_CODE_USED": (
        QT_TRANSLATE_NOOP("Failure", "This code has already been used"),
        QT_TRANSLATE_NOOP("Failure", "Each code works once. Ask the hall for a new code."),
    ),
    "ENROL_CODE_EXPIRED": (
        QT_TRANSLATE_NOOP("Failure", "This code has expired"),
        QT_TRANSLATE_NOOP(
            "Failure", "Codes are valid for 30 minutes. Ask the hall for a new code."
        ),
    ),
    "ENROL_TOO_MANY_ATTEMPTS": (
        QT_TRANSLATE_NOOP("Failure", "Too many wrong codes"),
        QT_TRANSLATE_NOOP("Failure", "Wait 15 minutes, then enter a code from the hall."),
    ),
    "ENROL_HALL_UNREACHABLE": (
        QT_TRANSLATE_NOOP("Failure", "The hall cannot be reached at this address"),
        QT_TRANSLATE_NOOP("Failure", "Check the hall address and the station's network cable."),
    ),
    "ENROL_REFUSED": (
        QT_TRANSLATE_NOOP("Failure", "The hall refused the enrolment"),
        QT_TRANSLATE_NOOP("Failure", "Call the hall's support staff and give them the code below."),
    ),
    "ENROL_STORAGE_FAILED": (
        QT_TRANSLATE_NOOP("Failure", "The terminal could not store its credential"),
        QT_TRANSLATE_NOOP("Failure", "Check the storage of this terminal, then try again."),
    ),
    "INTERNAL_ERROR": (
        QT_TRANSLATE_NOOP("Failure", "Something went wrong"),
        QT_TRANSLATE_NOOP("Failure", "Please start again, or ask the station staff for help."),
    ),
}


_RETRY_IN_SECONDS = QT_TRANSLATE_NOOP("Failure", "Please try again in %1 seconds.")
_RETRY_IN_MINUTES = QT_TRANSLATE_NOOP("Failure", "Please try again in %1 minutes.")


def failure_text(code: str, *, retry_after_s: float | None = None) -> tuple[str, str]:
    """(title, next step) for a FailureReason code, in the current UI language. When the hall
    said how long to wait (``Retry-After``), the next step says it: in seconds up to two minutes,
    in whole minutes (rounded up) beyond."""
    title, step = _TEXTS.get(code, _TEXTS["INTERNAL_ERROR"])
    next_step = QCoreApplication.translate(_CTX, step)
    if retry_after_s is not None:
        seconds = max(1, math.ceil(retry_after_s))
        if seconds <= 120:
            next_step = QCoreApplication.translate(_CTX, _RETRY_IN_SECONDS).replace(
                "%1", str(seconds)
            )
        else:
            minutes = math.ceil(seconds / 60)
            next_step = QCoreApplication.translate(_CTX, _RETRY_IN_MINUTES).replace(
                "%1", str(minutes)
            )
    return QCoreApplication.translate(_CTX, title), next_step


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
    "material_required": QT_TRANSLATE_NOOP("FieldError", "Please photograph this document"),
    "material_on_file_expired": QT_TRANSLATE_NOOP(
        "FieldError", "The document on file has expired; please photograph it again"
    ),
    "year_invalid": QT_TRANSLATE_NOOP("FieldError", "Enter a year such as 2018"),
    "industry_code_invalid": QT_TRANSLATE_NOOP(
        "FieldError", "Not an industry code of the chosen industry, e.g. C3973"
    ),
    "mrz.document_number.format": QT_TRANSLATE_NOOP(
        "FieldError", "Letters and digits only, up to 9, as printed on the photo page"
    ),
    "mrz.document_number.check_digit": QT_TRANSLATE_NOOP(
        "FieldError", "The document number does not match its check digit"
    ),
    "mrz.birth_date.format": QT_TRANSLATE_NOOP("FieldError", "Enter a date as YYYY-MM-DD"),
    "mrz.birth_date.check_digit": QT_TRANSLATE_NOOP(
        "FieldError", "The date of birth does not match its check digit"
    ),
    "mrz.expiry_date.format": QT_TRANSLATE_NOOP("FieldError", "Enter a date as YYYY-MM-DD"),
    "mrz.expiry_date.check_digit": QT_TRANSLATE_NOOP(
        "FieldError", "The expiry date does not match its check digit"
    ),
}


def field_error_text(key: str) -> str:
    """Translated text for a form validation error key."""
    return QCoreApplication.translate(
        "FieldError", _FIELD_ERRORS.get(key, _FIELD_ERRORS["required"])
    )


_GUIDANCE: dict[str, str] = {
    "PAGE_NOT_FOUND": QT_TRANSLATE_NOOP("Guidance", "Move the page into the frame"),
    "PAGE_CUT_OFF": QT_TRANSLATE_NOOP("Guidance", "Show the whole page, all four corners"),
    "HOLD_STILL": QT_TRANSLATE_NOOP("Guidance", "Hold still…"),
    "TOO_DARK": QT_TRANSLATE_NOOP("Guidance", "Too dark: move the page into the light"),
    "BLURRED": QT_TRANSLATE_NOOP("Guidance", "Blurred: keep the page flat and still"),
    "GLARE": QT_TRANSLATE_NOOP("Guidance", "Glare: tilt the page away from the light"),
    "FACE_NOT_FOUND": QT_TRANSLATE_NOOP("Guidance", "Look at the camera"),
    "FACE_MULTIPLE": QT_TRANSLATE_NOOP("Guidance", "Only one person in the picture, please"),
    "FACE_OFF_CENTRE": QT_TRANSLATE_NOOP("Guidance", "Move to the centre"),
    "FACE_TOO_SMALL": QT_TRANSLATE_NOOP("Guidance", "Come a little closer"),
    "FACE_TOO_CLOSE": QT_TRANSLATE_NOOP("Guidance", "Move back a little"),
    "FACE_TOO_DARK": QT_TRANSLATE_NOOP("Guidance", "Too dark: face the light"),
}


def guidance_text(code: str) -> str:
    """Translated capture hint for a camera guidance code (what to do to get a good photo)."""
    return QCoreApplication.translate("Guidance", _GUIDANCE.get(code, _GUIDANCE["PAGE_NOT_FOUND"]))
