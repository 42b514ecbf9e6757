"""Tests for kiosk.services.validators: GB 11643 ID numbers, GB 32100 credit codes, and values."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from contracts.ids import is_valid_tracking_number
from kiosk.services.validators import (
    RESIDENT_ID_CHECK_MAP,
    USCC_ALPHABET,
    is_valid_amount,
    is_valid_date,
    is_valid_mobile,
    is_valid_resident_id,
    is_valid_uscc,
    is_valid_whole_number,
    resident_id_birth_date,
    resident_id_check_digit,
    uscc_check_char,
)

TODAY = date(2026, 11, 27)

# The GB 11643-1999 example number, then made-up numbers (Suzhou and Shenzhen region codes)
# whose check characters were computed with this module; the standard's example anchors it.
VALID_IDS = ["11010519491231002X", "32050519900307123X", "320584198511110021", "440304200002290014"]
# Published codes whose check characters match GB 32100-2015: the 91350100M000100Y43 sample
# used in many validator docs, 91110000600037341L, and 914403001922038216 (Huawei Technologies).
VALID_USCCS = ["91350100M000100Y43", "91110000600037341L", "914403001922038216"]


def _with_id_check(first17: str) -> str:
    return first17 + resident_id_check_digit(first17)


# --- resident ID ---------------------------------------------------------------------------------


@pytest.mark.parametrize("number", VALID_IDS)
def test_known_resident_ids_are_valid(number: str) -> None:
    assert is_valid_resident_id(number, today=TODAY)


def test_check_digit_of_the_standard_example() -> None:
    assert resident_id_check_digit("11010519491231002") == "X"


def test_lowercase_x_is_accepted() -> None:
    assert is_valid_resident_id("11010519491231002x", today=TODAY)


@pytest.mark.parametrize(
    "number",
    [
        "110105194912310020",  # check digit flipped
        "110105194912310021",
        "11010519491231002",  # 17 characters
        "11010519491231002XX",  # 19 characters
        "",
        "1101051949123100 2X",
        "X10105194912310020",
        "11010519491231002Y",
        "１１０１０５１９４９１２３１００２Ｘ",  # full-width digits
    ],
)
def test_malformed_resident_ids_are_invalid(number: str) -> None:
    assert not is_valid_resident_id(number, today=TODAY)


@pytest.mark.parametrize(
    ("prefix", "why"),
    [
        ("01010519491231002", "region code starts with 0"),
        ("11010518991231002", "born before 1900"),
        ("11010520270101002", "born in the future"),
        ("11010519490230002", "30 February"),
        ("11010519491301002", "month 13"),
        ("11010519490000002", "month and day zero"),
    ],
)
def test_ids_with_bad_region_or_birth_date_are_invalid(prefix: str, why: str) -> None:
    assert not is_valid_resident_id(_with_id_check(prefix), today=TODAY), why


def test_birth_dates_at_the_edges() -> None:
    assert is_valid_resident_id(_with_id_check("32050519000101123"), today=TODAY)
    assert is_valid_resident_id(_with_id_check("32050520261127123"), today=TODAY)
    assert not is_valid_resident_id(_with_id_check("32050520261128123"), today=TODAY)
    assert is_valid_resident_id(_with_id_check("32050520000229123"), today=TODAY)  # leap day


@pytest.mark.parametrize(
    "bad", ["", "1234", "1101051949123100a", "１１０１０５１９４９１２３１００２", None]
)
def test_resident_id_check_digit_rejects_malformed_prefixes(bad: str) -> None:
    with pytest.raises(ValueError):
        resident_id_check_digit(bad)


@pytest.mark.parametrize("value", [None, 110105194912310029, b"11010519491231002X", ["x"]])
def test_validators_answer_false_for_non_strings(value: object) -> None:
    for check in (
        is_valid_resident_id,
        is_valid_uscc,
        is_valid_mobile,
        is_valid_date,
        is_valid_amount,
        is_valid_whole_number,
    ):
        assert check(value) is False


_id_prefixes = st.builds(
    lambda region, birth, seq: f"{region}{birth:%Y%m%d}{seq}",
    st.from_regex(r"[1-9][0-9]{5}", fullmatch=True),
    st.dates(min_value=date(1900, 1, 1), max_value=TODAY),
    st.from_regex(r"[0-9]{3}", fullmatch=True),
)


@given(_id_prefixes)
def test_generated_ids_with_computed_check_digit_are_valid(prefix: str) -> None:
    assert is_valid_resident_id(_with_id_check(prefix), today=TODAY)


@given(_id_prefixes, st.sampled_from(sorted(set(RESIDENT_ID_CHECK_MAP))))
def test_any_other_check_character_is_invalid(prefix: str, other: str) -> None:
    right = resident_id_check_digit(prefix)
    if other != right:
        assert not is_valid_resident_id(prefix + other, today=TODAY)


@given(_id_prefixes, st.integers(0, 16), st.integers(1, 9))
def test_a_single_digit_change_in_the_body_is_caught(prefix: str, pos: int, delta: int) -> None:
    # MOD 11-2 catches every single-digit substitution; the changed number may also be
    # rejected for its date or region, which is fine: it must never pass.
    number = _with_id_check(prefix)
    changed = number[:pos] + str((int(number[pos]) + delta) % 10) + number[pos + 1 :]
    assert not is_valid_resident_id(changed, today=TODAY)


@given(st.text(max_size=40))
def test_resident_id_never_raises(text: str) -> None:
    assert is_valid_resident_id(text) in (True, False)


# --- unified social credit code ------------------------------------------------------------------


@pytest.mark.parametrize("code", VALID_USCCS)
def test_known_usccs_are_valid(code: str) -> None:
    assert is_valid_uscc(code)
    assert uscc_check_char(code[:17]) == code[17]


def test_lowercase_uscc_is_accepted() -> None:
    assert is_valid_uscc("91350100m000100y43")


@pytest.mark.parametrize(
    "code",
    [
        "91350100M000100Y44",  # check character flipped
        "91110000600037341K",
        "91350100M000100Y4",  # 17 characters
        "91350100M000100Y433",  # 19 characters
        "",
        "91350100M000100I43",  # I is not in the alphabet
        "91350100M000100O43",  # nor O
        "9135010 M000100Y43",
        "９１３５０１００Ｍ０００１００Ｙ４３",  # full-width
    ],
)
def test_malformed_usccs_are_invalid(code: str) -> None:
    assert not is_valid_uscc(code)


@pytest.mark.parametrize("letter", "IOSVZ")
def test_excluded_letters_are_rejected_in_the_prefix(letter: str) -> None:
    with pytest.raises(ValueError):
        uscc_check_char("9132050" + letter + "MA1MXXXXX")


def test_uscc_check_char_needs_17_characters() -> None:
    with pytest.raises(ValueError):
        uscc_check_char("91320505MA1M")


_uscc_prefixes = st.text(alphabet=USCC_ALPHABET, min_size=17, max_size=17)


@given(_uscc_prefixes)
def test_generated_usccs_with_computed_check_are_valid(prefix: str) -> None:
    assert is_valid_uscc(prefix + uscc_check_char(prefix))


@given(_uscc_prefixes, st.sampled_from(USCC_ALPHABET))
def test_any_other_uscc_check_character_is_invalid(prefix: str, other: str) -> None:
    if other != uscc_check_char(prefix):
        assert not is_valid_uscc(prefix + other)


@given(_uscc_prefixes, st.integers(0, 16), st.integers(1, 30))
def test_a_single_character_change_in_the_uscc_body_is_caught(
    prefix: str, pos: int, delta: int
) -> None:
    # 31 is prime and no weight is a multiple of it, so any single substitution moves the sum.
    code = prefix + uscc_check_char(prefix)
    new = USCC_ALPHABET[(USCC_ALPHABET.index(code[pos]) + delta) % 31]
    assert not is_valid_uscc(code[:pos] + new + code[pos + 1 :])


@given(st.text(max_size=40))
def test_uscc_never_raises(text: str) -> None:
    assert is_valid_uscc(text) in (True, False)


# --- mobile, date, numbers, amounts --------------------------------------------------------------


@pytest.mark.parametrize("number", ["13800138000", "19912345678", "15012345678", "16600000000"])
def test_valid_mobiles(number: str) -> None:
    assert is_valid_mobile(number)


@pytest.mark.parametrize(
    "number",
    [
        "12800138000",  # second digit 2
        "10800138000",
        "1380013800",  # 10 digits
        "138001380000",  # 12 digits
        "+8613800138000",
        "138-0013-8000",
        "13800138000\n",
        "１３８００１３８０００",
        "",
    ],
)
def test_invalid_mobiles(number: str) -> None:
    assert not is_valid_mobile(number)


@pytest.mark.parametrize("text", ["2026-11-27", "2024-02-29", "1900-01-01", "2099-12-31"])
def test_valid_dates(text: str) -> None:
    assert is_valid_date(text)


@pytest.mark.parametrize(
    "text", ["2026-02-29", "2026-13-01", "2026-1-5", "2026/11/27", "20261127", "2026-11-27 ", ""]
)
def test_invalid_dates(text: str) -> None:
    assert not is_valid_date(text)


@pytest.mark.parametrize("text", ["0", "1", "160", "100000"])
def test_valid_whole_numbers(text: str) -> None:
    assert is_valid_whole_number(text)


@pytest.mark.parametrize("text", ["", "-1", "01", "1.5", "1e3", "+3", "１６０", " 1"])
def test_invalid_whole_numbers(text: str) -> None:
    assert not is_valid_whole_number(text)


@pytest.mark.parametrize("text", ["0", "0.5", "12", "12.5", "12.50", "100000.01"])
def test_valid_amounts(text: str) -> None:
    assert is_valid_amount(text)


@pytest.mark.parametrize(
    "text",
    ["", "-1", "1.234", "1.", ".5", "01", "1e3", "NaN", "Infinity", "1,000", "１２", "12.5.0"],
)
def test_invalid_amounts(text: str) -> None:
    assert not is_valid_amount(text)


@given(st.integers(min_value=0, max_value=10**12))
def test_generated_amounts_in_fen_are_valid(fen: int) -> None:
    yuan, cents = divmod(fen, 100)
    assert is_valid_amount(f"{yuan}.{cents:02d}")
    assert is_valid_amount(f"{yuan}.{cents % 10}")
    assert is_valid_amount(str(yuan))


@given(st.text(max_size=30))
def test_value_validators_never_raise(text: str) -> None:
    for check in (is_valid_mobile, is_valid_date, is_valid_amount, is_valid_whole_number):
        assert check(text) in (True, False)


# --- birth date, tracking numbers ----------------------------------------------------------------


def test_birth_date_from_a_valid_id() -> None:
    assert resident_id_birth_date("11010519491231002X") == date(1949, 12, 31)
    assert resident_id_birth_date("11010519491231002x") == date(1949, 12, 31)
    assert resident_id_birth_date("110105194912310020") is None  # bad check digit
    assert resident_id_birth_date(None) is None


@pytest.mark.parametrize(
    "number",
    ["QH001-20261127-0003", "QH-SZ-001-20261127-0003", "a_b-20240229-12345", "X-20261231-0001"],
)
def test_valid_tracking_numbers(number: str) -> None:
    assert is_valid_tracking_number(number)


@pytest.mark.parametrize(
    "number",
    [
        "",
        "QH001-20261127",
        "QH001-20261127-03",  # sequence is at least 4 digits
        "QH001-20261327-0003",  # month 13
        "QH001-20250229-0003",  # not a leap year
        "-20261127-0003",
        "QH 001-20261127-0003",
        "QH001-20261127-0003\n",
        "Q" * 33 + "-20261127-0003",
        "QH001-２０２６１１２７-0003",
        None,
    ],
)
def test_invalid_tracking_numbers(number: object) -> None:
    assert not is_valid_tracking_number(number)


@given(st.text(max_size=60))
def test_tracking_number_check_never_raises(text: str) -> None:
    assert is_valid_tracking_number(text) in (True, False)
