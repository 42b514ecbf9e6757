"""Tests for kiosk.services.catalog: the shipped sample loads, and broken documents are refused."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from contracts.catalog import Catalog, CatalogError, fan_out, parse_catalog
from kiosk.services.catalog import DEFAULT_CATALOG_PATH, load_catalog
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


def test_sample_has_a_service_for_every_department_a_demand_goes_to(catalog: Catalog) -> None:
    assert len(catalog.services) >= 40
    owners = {s.department for s in catalog.services}
    # Every handler of the 13 demand categories also has a service a walk-in can file there.
    routed = set(catalog.demand_routes.values())
    assert routed <= owners
    assert owners | routed == {d.id for d in catalog.departments}
    # The seed names these two (issue 18).
    assert catalog.service("director_supervisor_filing").department == "market_regulation"
    bundle = catalog.service("licence_change_power_rename")
    assert [p.department for p in bundle.parts] == ["market_regulation", "state_grid"]
    for service in catalog.services:
        assert service.eligibility_zh and service.eligibility_en, service.id
        assert service.fees_zh and service.fees_en, service.id
        assert service.department_zh == catalog.department(service.department).name_zh
        for part in service.parts:
            assert part.department_zh == catalog.department(part.department).name_zh
            assert part.fields, (service.id, part.id)


def test_ev_charger_is_a_multi_party_flow(catalog: Catalog) -> None:
    ev = catalog.service("ev_charging_pile")
    steps = [step.id for part in ev.parts for step in part.steps]
    assert steps == [
        "applicant_request",
        "property_confirmation",
        "community_confirmation",
        "construction_plan",
        "civil_air_defence_filing",
        "application_acceptance",
        "site_survey",
        "meter_connection",
    ]
    parties = {step.party_zh for part in ev.parts for step in part.steps}
    assert "物业服务企业或业主委员会" in parties
    assert "区人防办" in parties
    assert "所在社区居民委员会" in parties
    # The community and the property manager see no ID number; the power company does.
    assert "applicant_id_number" not in ev.parts[0].fields
    assert "applicant_id_number" in ev.parts[2].fields


def test_materials_say_which_ones_the_camera_captures(catalog: Catalog) -> None:
    startup = catalog.service("company_startup_power")
    ids = {m.id: m for m in startup.materials}
    assert not ids["id_card"].capture  # the card reader reads it
    assert ids["premises_proof"].capture and ids["premises_proof"].required
    assert [m.id for m in startup.captured_materials] == [
        "premises_proof",
        "articles_of_association",
        "property_owner_consent",
    ]


def test_bundle_fans_out_into_separately_tracked_parts(catalog: Catalog) -> None:
    bundle = catalog.service("company_startup_power")
    values = {name: f"v-{name}" for name in bundle.form.names}
    values["smuggled"] = "x"
    parts = fan_out(bundle, values)
    assert [(p.part_id, p.department) for p in parts] == [
        ("company_registration", "market_regulation"),
        ("power_connection", "state_grid"),
    ]
    registration, power = parts
    assert "business_scope" in registration.values and "business_scope" not in power.values
    assert "power_capacity_kw" in power.values and "power_capacity_kw" not in registration.values
    for shared in bundle.shared_fields:
        assert registration.values[shared] == power.values[shared] == f"v-{shared}"
    assert set(bundle.shared_fields) >= {"applicant_name", "mobile", "company_name"}
    assert all("smuggled" not in p.values for p in parts)
    assert power.to_json()["part_id"] == "power_connection"


def test_single_service_fans_out_to_one_part_with_every_field(catalog: Catalog) -> None:
    demand = catalog.service("enterprise_demand")
    (only,) = fan_out(demand, {"description": "x"})
    assert tuple(only.values) == demand.form.names
    assert only.values["description"] == "x" and only.values["uscc"] == ""


def test_services_of_a_department(catalog: Catalog) -> None:
    grid = {s.id for s in catalog.services_of("state_grid")}
    assert {"ev_charging_pile", "company_startup_power", "power_capacity_increase"} <= grid


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


def test_equal_fields_and_materials_are_built_once_and_different_ones_stay_apart(doc: Doc) -> None:
    # The build shares equal fields and materials between services; a field differing in any
    # one attribute (here a label, or a choice's label) must stay its own.
    services = doc["services"]
    first, second, third = (
        copy.deepcopy(services[0]),
        copy.deepcopy(services[0]),
        copy.deepcopy(services[0]),
    )
    second["id"], third["id"] = "copy_same", "copy_relabelled"
    third["form"]["fields"][0]["label_zh"] = "另一个标签"
    choice_field = next(f for f in third["form"]["fields"] if f.get("choices"))
    choice_field["choices"][0]["label_en"] = "Another label"
    third["materials"][0]["required"] = not third["materials"][0].get("required", True)
    doc["services"] = [first, second, third, *services[1:]]
    built = parse_catalog(doc)
    a, b, c = (built.service(s) for s in (first["id"], "copy_same", "copy_relabelled"))
    assert all(x is y for x, y in zip(a.form.fields, b.form.fields, strict=True))
    assert a.materials == b.materials
    assert c.form.fields[0].label_zh == "另一个标签" and a.form.fields[0].label_zh != "另一个标签"
    assert c.form.field(choice_field["name"]).choices[0].label_en == "Another label"
    assert a.form.field(choice_field["name"]).choices[0].label_en != "Another label"
    assert c.materials[0].required != a.materials[0].required


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


def _part_with_unknown_department(d: Doc) -> None:
    _service(d, "company_startup_power")["parts"][1]["department"] = "water_company"


def _part_field_not_on_form(d: Doc) -> None:
    _service(d, "company_startup_power")["parts"][1]["fields"].append("meter_colour")


def _field_nobody_receives(d: Doc) -> None:
    for part in _service(d, "company_startup_power")["parts"]:
        part["fields"] = [f for f in part["fields"] if f != "business_scope"]


def _duplicate_step(d: Doc) -> None:
    steps = _service(d, "ev_charging_pile")["parts"][2]["steps"]
    steps.append(copy.deepcopy(steps[0]))


def _blank_step_party(d: Doc) -> None:
    _service(d, "ev_charging_pile")["parts"][0]["steps"][1]["party_zh"] = ""


def _unknown_service_department(d: Doc) -> None:
    _service(d, "enterprise_demand")["department"] = "weather_bureau"


def _no_eligibility(d: Doc) -> None:
    del _service(d, "enterprise_demand")["eligibility_zh"]


def _capture_as_text(d: Doc) -> None:
    _service(d, "company_startup_power")["materials"][1]["capture"] = "yes"


def _duplicate_department(d: Doc) -> None:
    d["departments"].append(copy.deepcopy(d["departments"][0]))


def _no_departments(d: Doc) -> None:
    d["departments"] = []


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
        (
            _part_with_unknown_department,
            "part 'power_connection': unknown department 'water_company'",
        ),
        (_part_field_not_on_form, "field 'meter_colour' is not on the form"),
        (_field_nobody_receives, "field 'business_scope' is asked but no part receives it"),
        (_duplicate_step, "part 'power_supply': duplicate step id 'application_acceptance'"),
        (_blank_step_party, "parts[0].steps[1].party_zh: must not be blank"),
        (_unknown_service_department, "unknown department 'weather_bureau'"),
        (_no_eligibility, "service 'enterprise_demand': eligibility_zh: Field required"),
        (_capture_as_text, "materials[1].capture"),
        (_duplicate_department, "duplicate department id 'approval'"),
        (_no_departments, "the catalog has no departments"),
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
