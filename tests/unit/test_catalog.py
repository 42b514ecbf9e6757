"""Tests for kiosk.services.catalog: the shipped sample loads, and broken documents are refused."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from kiosk.services.catalog import (
    DEFAULT_CATALOG_PATH,
    Catalog,
    CatalogError,
    load_catalog,
    parse_catalog,
)
from kiosk.services.forms import normalize, validate

Doc = dict[str, Any]


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog()


@pytest.fixture
def doc() -> Doc:
    data: Doc = json.loads(DEFAULT_CATALOG_PATH.read_text(encoding="utf-8"))
    return data


def _service(doc: Doc, service_id: str) -> Doc:
    found: Doc = next(s for s in doc["services"] if s["id"] == service_id)
    return found


def _field(doc: Doc, service_id: str, name: str) -> Doc:
    found: Doc = next(f for f in _service(doc, service_id)["form"]["fields"] if f["name"] == name)
    return found


def _reasons_for(tmp_path: Path, doc: Doc) -> str:
    path = tmp_path / "catalog.json"
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(CatalogError) as info:
        load_catalog(path)
    assert info.value.reasons, "a CatalogError must say why"
    assert str(path) in str(info.value)
    return "\n".join(info.value.reasons)


# --- the shipped sample --------------------------------------------------------------------------


def test_sample_catalog_loads(catalog: Catalog) -> None:
    assert catalog.version
    assert {c.id for c in catalog.categories} >= {
        "enterprise_startup",
        "power_energy",
        "enterprise_demands",
        "policy_services",
        "progress",
    }


def test_ids_are_unique(catalog: Catalog) -> None:
    service_ids = [s.id for s in catalog.services]
    assert len(service_ids) == len(set(service_ids))
    category_ids = [c.id for c in catalog.categories]
    assert len(category_ids) == len(set(category_ids))
    for service in catalog.services:
        part_ids = [p.id for p in service.parts]
        assert len(part_ids) == len(set(part_ids)), service.id


def test_every_service_is_complete(catalog: Catalog) -> None:
    for service in catalog.services:
        assert service.form.fields, service.id
        assert service.parts, service.id
        assert catalog.category(service.category)
        for spec in service.form.fields:
            assert spec.label_zh.strip() and spec.label_en.strip(), (service.id, spec.name)
            if spec.kind == "choice":
                assert spec.choices, (service.id, spec.name)
            if spec.prefill:
                assert service.requires_identity, (service.id, spec.name)


def test_form_categories_have_services(catalog: Catalog) -> None:
    # "progress" is a lookup screen, not a form service.
    for category in catalog.categories:
        if category.id != "progress":
            assert catalog.services_in(category.id), category.id
    assert catalog.services_in("no_such_category") == ()


def test_startup_bundle_fans_out_to_two_departments(catalog: Catalog) -> None:
    bundle = catalog.service("company_startup_power")
    assert bundle.is_bundle
    assert bundle.requires_identity
    assert bundle.time_limit_days == 3
    assert [p.department_zh for p in bundle.parts] == [
        "苏州高新区市场监督管理局",
        "国网苏州供电公司",
    ]
    form = bundle.form
    assert form.field("applicant_name").prefill == "identity.name"
    assert form.field("applicant_id_number").prefill == "identity.id_number"
    assert form.field("applicant_id_number").keyboard == "digits"
    assert {c.label_zh for c in form.field("enterprise_type").choices} == {
        "有限责任公司",
        "个人独资企业",
        "合伙企业",
    }
    assert form.field("registered_capital").kind == "amount"
    assert form.field("power_capacity_kw").kind == "number"
    assert form.field("power_start_date").kind == "date"


def test_enterprise_demand_form(catalog: Catalog) -> None:
    demand = catalog.service("enterprise_demand")
    assert not demand.is_bundle
    assert demand.time_limit_days == 5
    assert demand.form.field("uscc").keyboard == "latin"
    assert demand.form.field("description").max_length == 500
    assert len(demand.form.field("demand_category").choices) == 13


def test_ev_charger_has_three_parts(catalog: Catalog) -> None:
    assert len(catalog.service("ev_charging_pile").parts) == 3


def test_policy_enquiry_is_anonymous(catalog: Catalog) -> None:
    assert not catalog.service("policy_consultation").requires_identity


def test_sample_answers_pass_the_startup_form(catalog: Catalog) -> None:
    form = catalog.service("company_startup_power").form
    answers = {
        "applicant_name": "张三",
        "applicant_id_number": "11010519491231002x",
        "mobile": "13800138000",
        "company_name": "苏州启航示例科技有限公司",
        "enterprise_type": "llc",
        "registered_capital": "100",
        "business_address": "苏州高新区狮山路 1 号 1 幢 101 室",
        "business_scope": "软件开发；信息技术咨询服务",
        "power_capacity_kw": "50",
        "power_start_date": "2026-12-01",
    }
    assert validate(form, answers) == {}
    assert normalize(form, answers)["applicant_id_number"] == "11010519491231002X"


def test_unknown_service_is_a_key_error(catalog: Catalog) -> None:
    with pytest.raises(KeyError):
        catalog.service("no_such_service")


# --- broken documents ----------------------------------------------------------------------------


def _unknown_category(d: Doc) -> None:
    _service(d, "enterprise_demand")["category"] = "weather"


def _duplicate_service(d: Doc) -> None:
    d["services"].append(copy.deepcopy(_service(d, "enterprise_demand")))


def _duplicate_category(d: Doc) -> None:
    d["categories"].append(copy.deepcopy(d["categories"][0]))


def _empty_form(d: Doc) -> None:
    _service(d, "policy_consultation")["form"]["fields"] = []


def _bad_kind(d: Doc) -> None:
    _field(d, "enterprise_demand", "mobile")["kind"] = "telephone"


def _choice_without_choices(d: Doc) -> None:
    _field(d, "enterprise_demand", "demand_category")["choices"] = []


def _unknown_prefill(d: Doc) -> None:
    _field(d, "enterprise_demand", "contact_name")["prefill"] = "identity.address"


def _prefill_without_identity(d: Doc) -> None:
    _service(d, "enterprise_demand")["requires_identity"] = False


def _duplicate_field(d: Doc) -> None:
    fields = _service(d, "enterprise_demand")["form"]["fields"]
    fields.append(copy.deepcopy(fields[0]))


def _no_parts(d: Doc) -> None:
    _service(d, "enterprise_demand")["parts"] = []


def _string_for_bool(d: Doc) -> None:
    _service(d, "enterprise_demand")["requires_identity"] = "true"


def _misspelt_key(d: Doc) -> None:
    _service(d, "enterprise_demand")["time_limit"] = 5


def _blank_label(d: Doc) -> None:
    _field(d, "enterprise_demand", "mobile")["label_en"] = "  "


def _bad_id(d: Doc) -> None:
    _service(d, "enterprise_demand")["id"] = "Enterprise Demand"


def _negative_time_limit(d: Doc) -> None:
    _service(d, "enterprise_demand")["time_limit_days"] = -1


@pytest.mark.parametrize(
    ("breakage", "expected"),
    [
        (_unknown_category, "unknown category 'weather'"),
        (_duplicate_service, "duplicate service id 'enterprise_demand'"),
        (_duplicate_category, "duplicate category id 'enterprise_startup'"),
        (_empty_form, "service 'policy_consultation': the form is empty"),
        (_bad_kind, "field 'mobile': unknown field kind 'telephone'"),
        (_choice_without_choices, "field 'demand_category': a choice field needs"),
        (_unknown_prefill, "unknown prefill key 'identity.address'"),
        (_prefill_without_identity, "needs requires_identity true"),
        (_duplicate_field, "duplicate field name 'enterprise_name'"),
        (_no_parts, "service 'enterprise_demand': parts is empty"),
        (_string_for_bool, "service 'enterprise_demand': requires_identity"),
        (_misspelt_key, "service 'enterprise_demand': time_limit"),
        (_blank_label, "form.fields[3].label_en: must not be blank"),
        (_bad_id, "service 'Enterprise Demand': id: must be 1-64 lower-case ASCII letters"),
        (_negative_time_limit, "time_limit_days"),
    ],
)
def test_broken_catalogs_are_rejected_with_a_reason(
    tmp_path: Path, doc: Doc, breakage: Callable[[Doc], None], expected: str
) -> None:
    breakage(doc)
    assert expected in _reasons_for(tmp_path, doc)


def test_every_problem_is_listed_at_once(tmp_path: Path, doc: Doc) -> None:
    _unknown_category(doc)
    _bad_kind(doc)
    _empty_form(doc)
    reasons = _reasons_for(tmp_path, doc)
    assert "unknown category" in reasons
    assert "unknown field kind" in reasons
    assert "the form is empty" in reasons


def test_unreadable_and_malformed_files(tmp_path: Path) -> None:
    with pytest.raises(CatalogError, match="cannot read"):
        load_catalog(tmp_path / "missing.json")
    bad = tmp_path / "bad.json"
    bad.write_text('{"version": "1",', encoding="utf-8")
    with pytest.raises(CatalogError, match="not valid JSON"):
        load_catalog(bad)
    binary = tmp_path / "binary.json"
    binary.write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(CatalogError):
        load_catalog(binary)


@pytest.mark.parametrize("data", [None, [], "catalog", {"version": "1"}, {}])
def test_wrong_top_level_shapes_are_rejected(data: object) -> None:
    with pytest.raises(CatalogError):
        parse_catalog(data)


def test_parse_catalog_accepts_the_decoded_document(doc: Doc) -> None:
    assert parse_catalog(doc, source="hall").version == doc["version"]
