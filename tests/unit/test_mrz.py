"""MRZ check digits, the typed BAC key, and whole-MRZ parsing (ICAO 9303 specimens)."""

from __future__ import annotations

import contextlib
import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from drivers.card_reader.mrz import (
    MrzError,
    MrzKey,
    check_digit,
    format_td3,
    parse_mrz,
    validate_entry,
    yymmdd_to_date,
)

TD3 = "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE184226B<<<<<10"
TD1 = (
    "I<UTOD231458907<<<<<<<<<<<<<<<\n7408122F1204159UTO<<<<<<<<<<<6\nERIKSSON<<ANNA<MARIA<<<<<<<<<<"
)


def test_check_digits() -> None:
    assert check_digit("L898902C<") == "3"
    assert check_digit("690806") == "1"
    assert check_digit("940623") == "6"
    assert check_digit("D23145890") == "7"


def test_bac_key_information_of_the_worked_example() -> None:
    key = MrzKey.from_entry("L898902C", "690806", "940623")
    assert key.mrz_information() == "L898902C<369080619406236"
    assert "L898902C" not in repr(key)


def test_entry_accepts_full_dates_and_check_digits() -> None:
    key = MrzKey.from_entry(
        "l898902c", "1969-08-06", "19940623", document_check="3", birth_check="1"
    )
    assert (key.document_number, key.birth_date, key.expiry_date) == (
        "L898902C",
        "690806",
        "940623",
    )


@pytest.mark.parametrize(
    ("args", "kwargs", "key"),
    [
        (
            ("L898902C", "690806", "940623"),
            {"document_check": "4"},
            "mrz.document_number.check_digit",
        ),
        (("L898902C", "690806", "940623"), {"expiry_check": "0"}, "mrz.expiry_date.check_digit"),
        (("L8989-02C!", "690806", "940623"), {}, "mrz.document_number.format"),
        (("L898902C", "691306", "940623"), {}, "mrz.birth_date.format"),
        (("L898902C", "690806", "9406"), {}, "mrz.expiry_date.format"),
    ],
)
def test_bad_entries_are_caught_before_any_apdu(
    args: tuple[str, str, str], kwargs: dict[str, str], key: str
) -> None:
    with pytest.raises(MrzError) as caught:
        MrzKey.from_entry(*args, **kwargs)
    assert caught.value.error_key == key
    assert key in validate_entry(*args, **kwargs).values()


def test_validate_entry_ok() -> None:
    assert validate_entry("E12345678", "491231", "350101") == {}


def test_parse_td3_and_td1() -> None:
    td3 = parse_mrz(TD3)
    assert (td3.surname, td3.given_names, td3.document_number) == (
        "ERIKSSON",
        "ANNA MARIA",
        "L898902C3",
    )
    assert (td3.nationality, td3.sex, td3.birth_date, td3.expiry_date) == (
        "UTO",
        "F",
        "740812",
        "120415",
    )
    td1 = parse_mrz(TD1)
    assert td1.document_number == "D23145890" and td1.given_names == "ANNA MARIA"
    assert td1.key().mrz_information().startswith("D231458907")


def test_format_td3_round_trip() -> None:
    text = format_td3(
        surname="ERIKSSON", given_names="ANNA MARIA", document_number="L898902C3",
        nationality="UTO", birth_date="740812", sex="F", expiry_date="120415",
        optional_data="ZE184226B",
    )  # fmt: skip
    assert text == TD3


def test_tampered_mrz_fails_its_check_digit() -> None:
    with pytest.raises(MrzError):
        parse_mrz(TD3.replace("7408122", "7408132"))


def test_two_digit_years() -> None:
    today = dt.date(2025, 6, 1)
    assert yymmdd_to_date("491231", future=False, today=today) == dt.date(1949, 12, 31)
    assert yymmdd_to_date("350101", future=True, today=today) == dt.date(2035, 1, 1)
    assert yymmdd_to_date("991301", future=True, today=today) is None


@given(st.text(max_size=100))
def test_parse_mrz_fuzz(text: str) -> None:
    with contextlib.suppress(MrzError):
        parse_mrz(text)
