"""kiosk.masking: one rule for personal numbers on a screen, by field kind."""

from __future__ import annotations

from kiosk.masking import (
    PERSONAL_NUMBER_KINDS,
    mask_id_number,
    mask_mobile,
    mask_passport,
    mask_personal,
)


def test_each_personal_kind_is_masked_as_its_own_rule() -> None:
    assert mask_personal("id_number", "11010519491231002X") == "110105********002X"
    assert mask_personal("mobile", "13800138000") == "138****8000"
    assert mask_personal("passport", "E12345678") == "E1*****78"
    assert set(PERSONAL_NUMBER_KINDS) == {"id_number", "mobile", "passport"}


def test_other_kinds_and_empty_values_are_shown_as_they_are() -> None:
    assert mask_personal("text", "苏州企航科技有限公司") == "苏州企航科技有限公司"
    assert mask_personal("uscc", "91320505MA1XXXXX1Y") == "91320505MA1XXXXX1Y"
    assert mask_personal("mobile", "") == ""


def test_a_passport_number_in_an_id_field_is_masked_too() -> None:
    # A passport holder's identity carries the passport number where a resident's ID goes.
    assert mask_id_number("E12345678") == "E1*****78"
    assert mask_id_number("E12345678", hide_short=True) == "*********"
    assert mask_passport("G123") == "****"


def test_a_partial_mobile_shows_nothing() -> None:
    assert mask_mobile("1391") == "****"
