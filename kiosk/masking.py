"""Masked forms of a walk-in's name and ID number, for screens and papers others may see."""

from __future__ import annotations


def mask_name(name: str) -> str:
    """张三丰 -> 张*丰, 李四 -> 李*: enough to greet, not enough to identify."""
    if len(name) <= 1:
        return "*"
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


def mask_id_number(value: str, *, hide_short: bool = False) -> str:
    """110105********002X: the walk-in recognises it, a passer-by cannot copy it. Numbers of
    ten characters or fewer (passports) stay as they are, or become all stars with
    ``hide_short`` (a technician's screen, where nobody needs to recognise them)."""
    if len(value) > 10:
        return value[:6] + "*" * (len(value) - 10) + value[-4:]
    return "*" * len(value) if hide_short else value


def mask_mobile(value: str) -> str:
    """13912345678 -> 139****5678: the walk-in recognises their number, a passer-by cannot
    copy it. Anything shorter than a mobile number becomes all stars."""
    if len(value) < 11:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]
