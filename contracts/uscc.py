"""The unified social credit code (统一社会信用代码, GB 32100-2015) check, for kiosk and hall.

A pure copy of :func:`kiosk.services.validators.is_valid_uscc` and its check-character helper:
the hall's enterprise register validates every USCC it takes in (spreadsheet import, approved
filings, station look-ups) and may not import the kiosk. The kiosk can move to this module;
both must agree on what a valid code is.
"""

from __future__ import annotations

from typing import Final

# GB 32100-2015: I, O, S, V, Z are left out so codes cannot be misread as 1, 0, 5, U, 2.
USCC_ALPHABET: Final = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS: Final[tuple[int, ...]] = (
    1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
)  # fmt: skip
_USCC_VALUE: Final = {ch: i for i, ch in enumerate(USCC_ALPHABET)}


def uscc_check_char(first17: str) -> str:
    """The GB 32100-2015 check character for the first 17 characters of a USCC; ``ValueError``
    for anything else (for tests, simulators and tools, not for user input)."""
    if not isinstance(first17, str) or len(first17) != 17:
        raise ValueError("a USCC prefix is exactly 17 characters")
    try:
        total = sum(_USCC_VALUE[ch] * w for ch, w in zip(first17, USCC_WEIGHTS, strict=True))
    except KeyError as exc:
        raise ValueError(f"{exc.args[0]!r} is not in the USCC alphabet") from None
    return USCC_ALPHABET[(31 - total % 31) % 31]


def is_valid_uscc(s: object) -> bool:
    """True for an 18-character code with a valid check character (lower case accepted).

    Only the alphabet and the check character are verified: the registration-authority and
    organisation-type codes in positions 1-2 keep gaining values.
    """
    if not isinstance(s, str) or len(s) != 18:
        return False
    s = s.upper()
    if any(ch not in _USCC_VALUE for ch in s):
        return False
    return uscc_check_char(s[:17]) == s[17]
