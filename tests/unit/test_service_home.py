"""The service home's core with the generated 272-service catalog: order, browse, search."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from contracts.catalog import Catalog
from kiosk.services.catalog_synthetic import synthetic_catalog, synthetic_catalog_document
from kiosk.services.home import HomeIndex, HomeOrder, short_department_name


@pytest.fixture(scope="module")
def district() -> Catalog:
    return synthetic_catalog()


@pytest.fixture(scope="module")
def index(district: Catalog) -> Iterator[HomeIndex]:
    found = HomeIndex(district)
    yield found
    found.close()


def test_the_generated_catalog_is_district_sized_and_the_same_every_time(
    district: Catalog,
) -> None:
    assert len(district.services) == 272
    assert synthetic_catalog_document() == synthetic_catalog_document()
    assert len({s.department for s in district.services}) >= 8
    assert len({s.name_zh for s in district.services}) == 272  # no two alike on the screen
    themes_used = {s.category for s in district.services}
    assert themes_used >= {c.id for c in district.categories} - {"progress"}
    # The shipped sample is its first part, unchanged.
    assert district.service("licence_change_power_rename").is_bundle


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("qykb", "company_startup_full"),  # pinyin initials: 企业开办
        ("dj", "director_supervisor_filing"),  # 董监事备案, a two-letter start
        ("董监事", "director_supervisor_filing"),  # a Chinese substring
        ("执照变更", "licence_change_power_rename"),
        ("用电更名", "licence_change_power_rename"),
        ("freight", "road_freight_permit"),  # English
        ("排污", "pollutant_discharge_permit"),  # two characters: no trigram, still found
    ],
)
def test_search_finds_a_service_by_initials_chinese_english_or_department(
    index: HomeIndex, query: str, expected: str
) -> None:
    found = [s.id for s in index.search(query)]
    assert expected in found[:5], (query, found[:5])


def test_search_ranks_what_starts_with_the_initials_first_and_finds_nothing_for_noise(
    index: HomeIndex,
) -> None:
    found = index.search("qykb")
    assert found and all(s.name_zh.startswith("企业开办") for s in found)
    by_department = index.search("交通运输局")  # the department's name
    assert {s.department for s in by_department} == {"transport"}
    assert "road_freight_permit" in {s.id for s in by_department}
    assert index.search("天气预报") == []
    assert index.search("") == []
    assert len(index.search("许可")) <= 60  # a list a walk-in can read; typing more narrows it


def test_bundles_come_first_then_this_stations_most_used(district: Catalog) -> None:
    usage = {"gen_016_tax": 9, "tax_payment_certificate": 4, "unknown_service": 50}
    order = HomeOrder(district, usage)
    featured = [s.id for s in order.featured()]
    bundles = [s.id for s in district.services if s.is_bundle]
    assert featured == [*bundles, "gen_016_tax", "tax_payment_certificate"]
    # Within a theme too: bundles, then used, then the content's order.
    in_tax = [s.id for s in order.in_theme("tax_invoices")]
    assert in_tax[:2] == ["gen_016_tax", "tax_payment_certificate"]
    assert sorted(in_tax) == sorted(s.id for s in district.services_in("tax_invoices"))
    # A department shows the bundles it takes part in, first.
    grid = [s.id for s in order.of_department("state_grid")]
    assert grid[:3] == ["company_startup_power", "ev_charging_pile", "licence_change_power_rename"]
    assert [d.id for d in order.departments()] == [d.id for d in district.departments]
    # A new station has no counts: the bundles only.
    assert [s.id for s in HomeOrder(district, {}).featured()] == bundles


def test_department_names_drop_the_district_on_a_chip() -> None:
    assert short_department_name("苏州高新区市场监督管理局") == "市场监督管理局"
    assert short_department_name("苏州市高新区生态环境局") == "生态环境局"
    assert short_department_name("国网苏州供电公司") == "国网苏州供电公司"
    assert short_department_name("国家税务总局苏州高新技术产业开发区税务局") == "税务局"
    assert short_department_name("Suzhou High-tech District Transport Bureau") == "Transport Bureau"
    assert (
        short_department_name(
            "Suzhou Natural Resources and Planning Bureau, High-tech District Branch"
        )
        == "Natural Resources and Planning Bureau"
    )
