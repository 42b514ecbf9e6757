"""Masked forms of a walk-in's name and personal numbers, for screens and papers others may see.

One rule for every screen (issue 19): an ID number, a mobile number or a passport number is shown
masked (``110105********002X``, ``139****5678``, ``E1*****78``) everywhere except in its own field
while that field has focus, so the walk-in can correct what they type. :func:`mask_personal` is
that rule, by field kind; the QML reaches it through one bridge (``ui/bridge/masking_bridge.py``)
and the bridges that build screen text from the session call it directly.
"""

from __future__ import annotations

from typing import Final

# Field kinds (the form schema's, plus the MRZ entry's document number) that hold a number
# identifying a person.
PERSONAL_NUMBER_KINDS: Final[frozenset[str]] = frozenset({"id_number", "mobile", "passport"})


def mask_name(name: str) -> str:
    """张三丰 -> 张*丰, 李四 -> 李*: enough to greet, not enough to identify."""
    if len(name) <= 1:
        return "*"
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


def mask_id_number(value: str, *, hide_short: bool = False) -> str:
    """110105********002X: the walk-in recognises it, a passer-by cannot copy it. Numbers of
    ten characters or fewer (passports, travel permits) are masked as passports are, or become
    all stars with ``hide_short`` (a technician's screen, where nobody needs to recognise them)."""
    if len(value) > 10:
        return value[:6] + "*" * (len(value) - 10) + value[-4:]
    return "*" * len(value) if hide_short else mask_passport(value)


def mask_passport(value: str) -> str:
    """E12345678 -> E1*****78: two characters at each end; four or fewer become all stars."""
    if len(value) <= 4:
        return "*" * len(value)
    return value[:2] + "*" * (len(value) - 4) + value[-2:]


def mask_mobile(value: str) -> str:
    """13912345678 -> 139****5678: the walk-in recognises their number, a passer-by cannot
    copy it. Anything shorter than a mobile number becomes all stars."""
    if len(value) < 11:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def mask_personal(kind: str, value: str) -> str:
    """``value`` as a screen shows it when its field has no focus: masked for the personal
    number kinds (:data:`PERSONAL_NUMBER_KINDS`), as it is for any other kind."""
    if not value:
        return value
    if kind == "id_number":
        return mask_id_number(value)
    if kind == "mobile":
        return mask_mobile(value)
    if kind == "passport":
        return mask_passport(value)
    return value
