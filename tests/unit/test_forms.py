"""Tests for kiosk.services.forms: field specs, keyboards, validate() and normalize()."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from contracts.forms import FIELD_KINDS, Choice, FieldSpec, FormSchema
from kiosk.services.forms import ERROR_KEYS, normalize, validate

TYPES = (
    Choice("llc", "有限责任公司", "Limited liability company"),
    Choice("partnership", "合伙企业", "Partnership"),
)

SCHEMA = FormSchema(
    (
        FieldSpec("name", "text", "姓名", "Name", max_length=10, prefill="identity.name"),
        FieldSpec(
            "id_number", "id_number", "身份证号码", "ID number", prefill="identity.id_number"
        ),
        FieldSpec("uscc", "uscc", "统一社会信用代码", "Unified social credit code"),
        FieldSpec("mobile", "mobile", "手机号码", "Mobile number"),
        FieldSpec("capacity", "number", "容量", "Capacity"),
        FieldSpec("capital", "amount", "注册资本", "Registered capital"),
        FieldSpec("start", "date", "日期", "Date"),
        FieldSpec("type", "choice", "类型", "Type", choices=TYPES),
        FieldSpec("notes", "multiline", "备注", "Notes", required=False, max_length=20),
    )
)

GOOD = {
    "name": "张三",
    "id_number": "11010519491231002X",
    "uscc": "91350100M000100Y43",
    "mobile": "13800138000",
    "capacity": "50",
    "capital": "100.50",
    "start": "2026-12-01",
    "type": "llc",
    "notes": "",
}


def test_good_answers_have_no_errors() -> None:
    assert validate(SCHEMA, GOOD) == {}


def test_missing_required_fields_are_reported_and_optional_ones_are_not() -> None:
    errors = validate(SCHEMA, {})
    assert errors == {name: "required" for name in SCHEMA.names if name != "notes"}


def test_whitespace_only_counts_as_missing() -> None:
    assert validate(SCHEMA, {**GOOD, "name": "  \u3000 "}) == {"name": "required"}


@pytest.mark.parametrize(
    ("name", "value", "error"),
    [
        ("name", "一二三四五六七八九十一", "too_long"),
        ("id_number", "110105194912310020", "id_number_invalid"),
        ("uscc", "91350100M000100Y44", "uscc_invalid"),
        ("mobile", "12800138000", "mobile_invalid"),
        ("capacity", "1.5", "number_invalid"),
        ("capital", "1.234", "amount_invalid"),
        ("start", "2026-02-30", "date_invalid"),
        ("type", "Limited liability company", "choice_invalid"),
        ("notes", "x" * 21, "too_long"),
    ],
)
def test_each_kind_reports_its_error_key(name: str, value: str, error: str) -> None:
    assert validate(SCHEMA, {**GOOD, name: value}) == {name: error}


def test_unknown_field_names_are_reported() -> None:
    assert validate(SCHEMA, {**GOOD, "favourite_colour": "blue"}) == {
        "favourite_colour": "unknown_field"
    }


def test_values_are_judged_after_normalizing() -> None:
    answers = {
        **GOOD,
        "name": " 张三 ",
        "id_number": " 11010519491231002x",
        "uscc": "91350100m000100y43 ",
        "mobile": "１３８００１３８０００",  # full-width digits from a Chinese IME
    }
    assert validate(SCHEMA, answers) == {}
    clean = normalize(SCHEMA, answers)
    assert clean["name"] == "张三"
    assert clean["id_number"] == "11010519491231002X"
    assert clean["uscc"] == "91350100M000100Y43"
    assert clean["mobile"] == "13800138000"


def test_normalize_gives_every_schema_field_in_order_and_drops_unknown_names() -> None:
    clean = normalize(SCHEMA, {"mobile": "13800138000", "stray": "x"})
    assert tuple(clean) == SCHEMA.names
    assert clean["mobile"] == "13800138000"
    assert clean["name"] == ""


def test_text_is_not_case_folded() -> None:
    assert normalize(SCHEMA, {"name": "Zhang x"})["name"] == "Zhang x"


def test_none_means_not_answered_and_other_types_do_not_crash() -> None:
    values: dict[str, object] = {**GOOD, "notes": None, "capacity": 12, "type": None}
    assert validate(SCHEMA, values) == {"type": "required"}


@pytest.mark.parametrize(
    ("kind", "keyboard"),
    [
        ("text", "pinyin"),
        ("multiline", "pinyin"),
        ("id_number", "digits"),
        ("number", "digits"),
        ("amount", "digits"),
        ("date", "digits"),
        ("mobile", "phone"),
        ("uscc", "latin"),
    ],
)
def test_keyboard_follows_kind(kind: str, keyboard: str) -> None:
    spec = FieldSpec("f", kind, "字段", "Field")  # type: ignore[arg-type]
    assert spec.keyboard == keyboard


def test_every_kind_has_a_keyboard() -> None:
    for kind in FIELD_KINDS:
        choices = TYPES if kind == "choice" else ()
        spec = FieldSpec("f", kind, "字段", "Field", choices=choices)  # type: ignore[arg-type]
        assert spec.keyboard in ("pinyin", "digits", "phone", "latin", "none")


def test_schema_lookup() -> None:
    assert SCHEMA.field("mobile").kind == "mobile"
    assert "mobile" in SCHEMA
    with pytest.raises(KeyError):
        SCHEMA.field("nope")


@pytest.mark.parametrize(
    "make",
    [
        lambda: FieldSpec("f", "colour", "字段", "Field"),  # type: ignore[arg-type]
        lambda: FieldSpec("f", "choice", "字段", "Field"),
        lambda: FieldSpec("f", "text", "字段", "Field", choices=TYPES),
        lambda: FieldSpec("f", "text", "字段", "Field", prefill="identity.phone"),  # type: ignore[arg-type]
        lambda: FieldSpec("f", "text", "字段", "Field", max_length=0),
        lambda: FormSchema((FieldSpec("f", "text", "甲", "A"), FieldSpec("f", "text", "乙", "B"))),
    ],
)
def test_content_mistakes_in_specs_raise_value_error(make: object) -> None:
    with pytest.raises(ValueError):
        make()  # type: ignore[operator]


def test_error_keys_are_the_documented_set() -> None:
    assert set(ERROR_KEYS) == {
        "required",
        "too_long",
        "id_number_invalid",
        "uscc_invalid",
        "mobile_invalid",
        "number_invalid",
        "amount_invalid",
        "date_invalid",
        "choice_invalid",
        "unknown_field",
    }


_names = st.one_of(st.sampled_from(SCHEMA.names), st.text(max_size=12))


@given(st.dictionaries(_names, st.text(max_size=60), max_size=12))
def test_validate_never_raises_and_only_returns_known_keys(values: dict[str, str]) -> None:
    errors = validate(SCHEMA, values)
    assert set(errors.values()) <= set(ERROR_KEYS)
    assert set(errors) <= set(SCHEMA.names) | set(values)


@given(st.dictionaries(_names, st.text(max_size=60), max_size=12))
def test_normalize_is_idempotent_and_validation_agrees(values: dict[str, str]) -> None:
    clean = normalize(SCHEMA, values)
    assert normalize(SCHEMA, clean) == clean
    known = {k: v for k, v in values.items() if k in SCHEMA}
    assert validate(SCHEMA, clean) == validate(SCHEMA, known)
