"""Departments are data published with the catalog, and the hall's table follows the latest one.

The catalog check refuses a catalog whose services, bundle parts or demand routes name a
department it does not list (at the hall's publication, with the reason); the shipped catalog
routes each of the 13 demand categories; the ``departments`` table takes a newly published
catalog's list, keeping a dropped department (accounts still name it) as no longer listed. On
SQLite and PostgreSQL.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from typing import Any

import pytest

import hall.app  # noqa: F401  # every hall module's tables on the shared metadata
from contracts.catalog import CatalogError, parse_catalog
from hall.auth import StaffError, StaffStore
from hall.catalog_publish import SAMPLE_CATALOG_PATH, CatalogStore
from hall.demand_content import load_taxonomy
from hall.departments import DepartmentStore
from hall.store import SubmissionStore
from tests.hall.helpers import PASSWORD, START, cheap_hasher
from tests.support.clock import FakeClock


def sample() -> dict[str, Any]:
    doc: dict[str, Any] = json.loads(SAMPLE_CATALOG_PATH.read_bytes())
    return doc


def reasons_for(doc: dict[str, Any]) -> tuple[str, ...]:
    with pytest.raises(CatalogError) as refused:
        parse_catalog(doc, source="test")
    return refused.value.reasons


def test_the_shipped_catalog_routes_every_demand_category_to_a_listed_department() -> None:
    catalog = parse_catalog(sample())
    categories = [c.id for c in load_taxonomy().categories]
    assert len(categories) == 13
    assert sorted(catalog.demand_routes) == sorted(categories)
    for category in categories:
        assert catalog.demand_department(category) is not None, category
    assert catalog.demand_department("tax_services") == catalog.department("tax")


def test_a_route_to_an_unknown_department_is_refused_with_the_reason() -> None:
    doc = sample()
    doc["demand_routes"]["finance"] = "treasury"
    bundle = next(s for s in doc["services"] if s["id"] == "company_startup_power")
    bundle["parts"][1]["department"] = "power_bureau"
    owned = next(s for s in doc["services"] if s["id"] == "enterprise_demand")
    owned["department"] = "demands_office"
    reasons = reasons_for(doc)
    assert any(
        r.startswith("demand_routes: demand category 'finance': unknown department 'treasury'; "
                     "use one of: approval, market_regulation,")
        for r in reasons
    ), reasons  # fmt: skip
    assert any("part 'power_connection': unknown department 'power_bureau'" in r for r in reasons)
    assert any("unknown department 'demands_office'" in r for r in reasons)
    # A department nobody lists cannot be removed while a route still names it.
    dropped = sample()
    dropped["departments"] = [d for d in dropped["departments"] if d["id"] != "transport"]
    dropped["services"] = [s for s in dropped["services"] if s["department"] != "transport"]
    assert reasons_for(dropped) == (
        "demand_routes: demand category 'transport': unknown department 'transport'; use one of: "
        + ", ".join(d["id"] for d in dropped["departments"]),
    )


@pytest.fixture
def stores(hall_db: str) -> Iterator[tuple[CatalogStore, DepartmentStore, StaffStore]]:
    store = SubmissionStore(hall_db)
    clock = FakeClock(START)
    try:
        yield (
            CatalogStore(store.engine, clock),
            DepartmentStore(store.engine, clock),
            StaffStore(store.engine, clock, cheap_hasher()),
        )
    finally:
        store.close()


def test_the_table_follows_the_latest_published_catalog(
    stores: tuple[CatalogStore, DepartmentStore, StaffStore],
) -> None:
    catalogs, departments, staff = stores
    assert departments.all() == []  # nothing published yet
    catalogs.publish_sample_if_empty()
    first = departments.all()
    assert [d.id for d in first] == sorted(d["id"] for d in sample()["departments"])
    assert all(d.listed for d in first)
    staff.add("ma.transport", "officer", PASSWORD, "transport")

    # The next catalog: transport's demands go to the enterprise service center, a new bureau.
    doc = copy.deepcopy(sample())
    doc["version"] = "2026.12.1"
    doc["departments"] = [d for d in doc["departments"] if d["id"] != "transport"] + [
        {"id": "data_bureau", "name_zh": "苏州高新区数据局", "name_en": "Data Bureau"}
    ]
    doc["demand_routes"]["transport"] = "enterprise_service"
    doc["services"] = [s for s in doc["services"] if s["department"] != "transport"]
    catalogs.publish(json.dumps(doc, ensure_ascii=False), "wu.super")
    now = {d.id: d for d in departments.all()}
    assert now["data_bureau"].listed and now["data_bureau"].name_zh == "苏州高新区数据局"
    assert not now["transport"].listed  # kept: an account still names it
    assert [d.id for d in departments.all()][-1] == "transport"  # listed ones first
    with pytest.raises(StaffError, match="unknown department 'transport'"):
        staff.add("li.transport", "officer", PASSWORD, "transport")
    assert ("ma.transport", "transport") in {(s.name, s.department) for s, _ in staff.accounts()}
    staff.add("qian.data", "officer", PASSWORD, "data_bureau")
