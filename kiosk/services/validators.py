"""Checks for the identifiers and values a walk-in types at the kiosk.

Resident identity numbers follow GB 11643-1999 (ISO 7064 MOD 11-2 check character), unified
social credit codes (统一社会信用代码) follow GB 32100-2015 (MOD 31 over a 31-character alphabet),
plus mainland mobile numbers, ISO dates, whole numbers and money amounts (receipt tracking
numbers, which the hall checks too, are :func:`contracts.ids.is_valid_tracking_number`). Every
``is_valid_*`` function is total: it answers ``False`` for anything malformed (wrong type
included) and never raises, because its input comes straight from a touchscreen or a helper's
console. The ``*_check_*`` helpers compute check characters for well-formed prefixes and raise
``ValueError`` otherwise; they are for tests, simulators and content tools, not for user input.

Case: the letters in an ID number (``X``) and in a USCC are accepted in lower case too, because
people copy them by hand; :func:`kiosk.services.forms.normalize` stores them upper-cased.
Whitespace is not forgiven here; the form layer strips values before it validates them.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal, InvalidOperation

__all__ = [
    "RESIDENT_ID_CHECK_MAP",
    "RESIDENT_ID_WEIGHTS",
    "USCC_ALPHABET",
    "USCC_WEIGHTS",
    "is_valid_amount",
    "is_valid_date",
    "is_valid_mobile",
    "is_valid_resident_id",
    "is_valid_uscc",
    "is_valid_whole_number",
    "resident_id_birth_date",
    "resident_id_check_digit",
    "uscc_check_char",
]

# GB 11643-1999: weight i is 2**(17 - i) mod 11; the check character maps sum mod 11.
RESIDENT_ID_WEIGHTS: tuple[int, ...] = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
RESIDENT_ID_CHECK_MAP = "10X98765432"

# GB 32100-2015: I, O, S, V, Z are left out so codes cannot be misread as 1, 0, 5, U, 2.
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS: tuple[int, ...] = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_USCC_VALUE = {ch: i for i, ch in enumerate(USCC_ALPHABET)}

# Birth dates before this are treated as typing mistakes, not as very old residents.
_EARLIEST_BIRTH = date(1900, 1, 1)

# re.ASCII keeps \d from accepting full-width or other Unicode digits ("１３８…").
_ASCII_DIGITS17 = re.compile(r"[0-9]{17}", re.ASCII)
_RESIDENT_ID = re.compile(r"[1-9][0-9]{16}[0-9X]", re.ASCII)
_MOBILE = re.compile(r"1[3-9][0-9]{9}", re.ASCII)
_ISO_DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})", re.ASCII)
_WHOLE_NUMBER = re.compile(r"0|[1-9][0-9]*", re.ASCII)
# No leading zeros ("007"), no sign, no exponent, at most two decimals (fen).
_AMOUNT = re.compile(r"(0|[1-9][0-9]*)(\.[0-9]{1,2})?", re.ASCII)


def resident_id_check_digit(first17: str) -> str:
    """Return the GB 11643-1999 check character ("0"-"9" or "X") for 17 ASCII digits."""
    if not isinstance(first17, str) or not _ASCII_DIGITS17.fullmatch(first17):
        raise ValueError("a resident ID prefix is exactly 17 ASCII digits")
    total = sum(int(ch) * w for ch, w in zip(first17, RESIDENT_ID_WEIGHTS, strict=True))
    return RESIDENT_ID_CHECK_MAP[total % 11]


def is_valid_resident_id(s: object, *, today: date | None = None) -> bool:
    """True for an 18-character resident ID number with a valid check character.

    Also requires a region code starting 1-9 and a real birth date (YYYYMMDD at positions 7-14)
    from 1900-01-01 up to ``today`` (the local date unless given; tests pass a fixed one).
    A lower-case ``x`` check character is accepted.
    """
    if not isinstance(s, str):
        return False
    s = s.upper()
    if not _RESIDENT_ID.fullmatch(s):
        return False
    birth = _parse_yyyymmdd(s[6:14])
    if birth is None or birth < _EARLIEST_BIRTH or birth > (today or date.today()):
        return False
    return resident_id_check_digit(s[:17]) == s[17]


def resident_id_birth_date(s: object) -> date | None:
    """The birth date in a valid resident ID number (positions 7-14), or None if it is not valid.

    Used to prefill and cross-check a date of birth; never for display on a public screen.
    """
    if not isinstance(s, str) or not is_valid_resident_id(s):
        return None
    return _parse_yyyymmdd(s[6:14])


def uscc_check_char(first17: str) -> str:
    """Return the GB 32100-2015 check character for the first 17 characters of a USCC."""
    if not isinstance(first17, str) or len(first17) != 17:
        raise ValueError("a USCC prefix is exactly 17 characters")
    try:
        total = sum(_USCC_VALUE[ch] * w for ch, w in zip(first17, USCC_WEIGHTS, strict=True))
    except KeyError as exc:
        raise ValueError(f"{exc.args[0]!r} is not in the USCC alphabet") from None
    return USCC_ALPHABET[(31 - total % 31) % 31]


def is_valid_uscc(s: object) -> bool:
    """True for an 18-character unified social credit code with a valid check character.

    Only the alphabet and the check character are verified: the registration-authority and
    organisation-type codes in positions 1-2 keep gaining values, and rejecting a real new code
    at a kiosk costs more than letting a rare typo through to the hall's own check.
    """
    if not isinstance(s, str) or len(s) != 18:
        return False
    s = s.upper()
    if any(ch not in _USCC_VALUE for ch in s):
        return False
    return uscc_check_char(s[:17]) == s[17]


def is_valid_mobile(s: object) -> bool:
    """True for a mainland China mobile number: 11 digits, ``1`` then ``3``-``9``."""
    return isinstance(s, str) and _MOBILE.fullmatch(s) is not None


def is_valid_date(s: object) -> bool:
    """True for a real calendar date written ``YYYY-MM-DD``."""
    if not isinstance(s, str):
        return False
    m = _ISO_DATE.fullmatch(s)
    if m is None:
        return False
    return _make_date(int(m[1]), int(m[2]), int(m[3])) is not None


def is_valid_whole_number(s: object) -> bool:
    """True for a non-negative integer written in ASCII digits without leading zeros."""
    return isinstance(s, str) and _WHOLE_NUMBER.fullmatch(s) is not None


def is_valid_amount(s: object) -> bool:
    """True for a non-negative decimal amount with at most two decimal places (``12``, ``0.5``)."""
    if not isinstance(s, str) or _AMOUNT.fullmatch(s) is None:
        return False
    try:
        return Decimal(s) >= 0
    except InvalidOperation:  # pragma: no cover - the pattern admits only valid decimals
        return False


def _parse_yyyymmdd(s: str) -> date | None:
    return _make_date(int(s[0:4]), int(s[4:6]), int(s[6:8]))


def _make_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None
