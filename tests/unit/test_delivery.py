"""The delivery contract (contracts/delivery.py): the check both the kiosk and the hall run on a
walk-in's pick-up or EMS choice, each field's refusal code, and the EMS waybill number's check
(the UPU S10 check digit); the kiosk's draft of it wipes to empty and never prints itself."""

from __future__ import annotations

from typing import Any

import pytest

from contracts.delivery import (
    METHOD_NAMES,
    Delivery,
    DeliveryError,
    check_waybill,
    cities,
    districts,
    parse_delivery,
)
from kiosk.masking import mask_mobile
from kiosk.session.delivery import DeliveryDraft

GOOD: dict[str, str] = {
    "method": "ems",
    "province": "江苏省",
    "city": "苏州市",
    "district": "虎丘区",
    "street": "狮山路88号3幢502室",
    "recipient": "王芳",
    "mobile": "13912345678",
}


def refused(value: Any) -> dict[str, str]:
    with pytest.raises(DeliveryError) as caught:
        parse_delivery(value)
    return caught.value.reasons


def test_a_good_address_is_taken_trimmed_and_round_trips() -> None:
    delivery = parse_delivery({**GOOD, "street": "  狮山路88号3幢502室 ", "recipient": " 王芳"})
    assert delivery == Delivery("ems", *list(GOOD.values())[1:])
    assert delivery.to_json() == GOOD
    assert parse_delivery(delivery.to_json()) == delivery
    assert delivery.region_line() == "江苏省苏州市虎丘区"


def test_pickup_has_the_method_only() -> None:
    assert parse_delivery({"method": "pickup"}) == Delivery("pickup")
    assert Delivery("pickup").to_json() == {"method": "pickup"}
    assert refused({"method": "pickup", "street": "x"}) == {"street": "unexpected"}
    assert set(METHOD_NAMES) == {"pickup", "ems"}


def test_the_pickers_offer_jiangsus_13_cities_and_their_districts() -> None:
    names = [c.zh for c in cities()]
    assert len(names) == 13 and names[0] == "南京市" and "苏州市" in names
    assert "虎丘区" in {d.zh for d in districts("苏州市")}
    assert districts("杭州市") == ()


@pytest.mark.parametrize(
    ("change", "reasons"),
    [
        ({"province": ""}, {"province": "required"}),
        ({"province": "浙江省"}, {"province": "outside_jiangsu"}),
        ({"city": ""}, {"city": "required"}),
        ({"city": "杭州市"}, {"city": "unknown_city"}),
        ({"district": ""}, {"district": "required"}),
        ({"district": "西湖区"}, {"district": "unknown_district"}),
        ({"street": "  "}, {"street": "required"}),
        ({"street": "狮山路"}, {"street": "too_short"}),
        ({"street": "路" * 81}, {"street": "too_long"}),
        ({"street": "狮山路\n88号"}, {"street": "control_character"}),
        ({"recipient": ""}, {"recipient": "required"}),
        ({"recipient": "王" * 21}, {"recipient": "too_long"}),
        ({"recipient": "王芳1"}, {"recipient": "bad_name"}),
        ({"recipient": "<b>"}, {"recipient": "bad_name"}),
        ({"mobile": ""}, {"mobile": "required"}),
        ({"mobile": "12912345678"}, {"mobile": "bad_mobile"}),
        ({"mobile": "1391234567"}, {"mobile": "bad_mobile"}),
        ({"mobile": 13912345678}, {"mobile": "not_text"}),
    ],
)
def test_each_field_is_refused_with_its_code(
    change: dict[str, Any], reasons: dict[str, str]
) -> None:
    assert refused({**GOOD, **change}) == reasons


def test_names_of_minorities_and_latin_names_are_taken() -> None:
    for name in ("阿依古丽·买买提", "Wang Fang", "O'Neil"):
        assert parse_delivery({**GOOD, "recipient": name}).recipient == name


def test_unknown_keys_methods_and_shapes_are_refused() -> None:
    assert refused({**GOOD, "postcode": "215000"}) == {"postcode": "unexpected"}
    assert refused({"method": "courier"}) == {"method": "unknown_method"}
    assert refused({}) == {"method": "unknown_method"}
    assert refused(["ems"]) == {"delivery": "not_an_object"}
    # Every wrong field at once, so the screen marks them all.
    assert set(refused({"method": "ems"})) == {
        "province",
        "city",
        "district",
        "street",
        "recipient",
        "mobile",
    }


def test_personal_data_stays_out_of_reprs_and_errors() -> None:
    delivery = parse_delivery(GOOD)
    draft = DeliveryDraft(
        method="ems", street=GOOD["street"], recipient="王芳", mobile="13912345678"
    )
    text = repr(delivery) + repr(draft) + str(refused({**GOOD, "mobile": "12345"}))
    for secret in ("狮山路", "王芳", "13912345678", "12345"):
        assert secret not in text


def test_the_draft_wipes_to_pickup_and_nothing() -> None:
    draft = DeliveryDraft(method="ems", city="苏州市", street="狮山路88号", mobile="13912345678")
    draft.confirmed = parse_delivery(GOOD)
    errors = draft.errors
    errors["street"] = "too_short"
    draft.wipe()
    assert draft == DeliveryDraft() and draft.chosen() == Delivery("pickup")
    assert errors == {}  # cleared in place: no alias keeps it


def test_only_a_confirmed_ems_address_is_chosen() -> None:
    draft = DeliveryDraft(method="ems")  # EMS without an address that passed the check
    assert draft.chosen() == Delivery("pickup")
    draft.confirmed = parse_delivery(GOOD)
    assert draft.chosen() == draft.confirmed
    draft.method = "pickup"
    assert draft.chosen() == Delivery("pickup")


def test_mobile_masking() -> None:
    assert mask_mobile("13912345678") == "139****5678"
    assert mask_mobile("1391") == "****"


@pytest.mark.parametrize(
    ("raw", "number"),
    [
        ("1234567890123", "1234567890123"),
        ("1234 5678 90123", "1234567890123"),
        ("ea123456785cn", "EA123456785CN"),
        ("EA 123 456 785 CN", "EA123456785CN"),
        ("RR000000005CN", "RR000000005CN"),  # sum 0: check 11 -> 5
        ("EE000000014CN", "EE000000014CN"),  # 1 x 7: check 11 - 7 = 4
        ("EE000600000CN", "EE000600000CN"),  # 6 x 2 = 12, 12 mod 11 = 1: check 10 -> 0
    ],
)
def test_good_waybills_are_normalised(raw: str, number: str) -> None:
    assert check_waybill(raw) == number


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("EA123456784CN", "bad_check_digit"),
        ("RR000000000CN", "bad_check_digit"),
        ("123456789012", "bad_waybill"),
        ("E1234567895CN", "bad_waybill"),
        ("EA12345678CN", "bad_waybill"),
        ("", "bad_waybill"),
    ],
)
def test_bad_waybills_are_refused_with_a_code(raw: str, code: str) -> None:
    with pytest.raises(ValueError, match=rf"^{code}$"):
        check_waybill(raw)


def test_a_waybill_must_be_text() -> None:
    with pytest.raises(ValueError, match=r"^not_text$"):
        check_waybill(1234567890123)
