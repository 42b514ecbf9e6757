"""The service home with the district's 272 services, in real QML offscreen over a real hall.

The hall publishes the generated 272-service catalog and holds filings from this station; the
kiosk fetches both over its device-signed channel (catalog: signed, verified; counts:
``hall.service_usage``) before its UI starts, as a running station has them by then. Then a
walk-in: the home opens on the bundles and this station's most used, finds services by pinyin
initials and Chinese, and browses by theme and by department, in Chinese and in English.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtQuick import QQuickItem
from PySide6.QtTest import QTest

from hall.server import HallServer
from kiosk.runtime import KioskRuntime
from kiosk.services.catalog_synthetic import synthetic_catalog_document
from tests.hall.helpers import enrolled_runtime, post_submission, submission
from tests.support.clock import FakeClock
from tests.support.robot import Robot
from tests.support.screenshots import demo_config
from ui.app import KioskUi

# Filed at this station: most first. A bundle filed once still comes before them all.
FILINGS = {"tax_payment_certificate": 3, "gen_060_transport": 2, "food_business_licence": 1}


@dataclass
class Home:
    ui: KioskUi
    runtime: KioskRuntime
    robot: Robot
    hall: HallServer


def _publish_and_file(hall: HallServer, runtime: KioskRuntime, station_id: str) -> None:
    doc = synthetic_catalog_document()
    hall.app.state.catalog_store.publish(json.dumps(doc, ensure_ascii=False), "admin")
    n = 0
    for service_id, times in FILINGS.items():
        for _ in range(times):
            n += 1
            number = f"{station_id}-20261206-{n:04d}"
            body = submission(service_id, {"mobile": "13800000000"}, tracking_number=number)
            body["station_id"] = station_id
            answer = post_submission(hall, body, identity=runtime.identity)
            assert answer.status_code in (200, 201), answer.text


@pytest.fixture
def home(qapp: object, tmp_path: Path, hall_server: HallServer) -> Iterator[Home]:
    config = demo_config(tmp_path / "kiosk", hall_server.url, "zh_CN", False)
    runtime = enrolled_runtime(config, hall_server)
    ui: KioskUi | None = None
    try:
        _publish_and_file(hall_server, runtime, config.station.id)
        runtime.refresh_catalog()  # the signed catalog and this station's counts, over HTTP
        assert len(runtime.catalog.services) == 272
        ui = KioskUi(runtime, clock=FakeClock())
        robot = Robot(ui.window)
        robot.click("startButton")
        robot.wait_until(lambda: ui is not None and ui.session.property("screen") == "ServiceHome")
        yield Home(ui, runtime, robot, hall_server)
    finally:
        if ui is not None:
            ui.close()
        runtime.close()


def shown_ids(h: Home) -> list[str]:
    return [row["id"] for row in h.ui.service_home.property("services")]


def show_tile(h: Home, service_id: str) -> QQuickItem:
    """Scroll the home's list as a finger would until the service's tile exists, and return it."""
    listing = h.robot.find("serviceList")
    for _ in range(40):
        found = h.robot.visible_items(f"service_{service_id}")
        if found:
            h.robot.scroll_into_view(found[0])
            return found[0]
        end = float(listing.property("contentHeight")) - listing.height()
        step = float(listing.property("contentY")) + listing.height() / 2
        listing.setProperty("contentY", min(step, end))
        h.robot.settle()
    raise LookupError(f"no tile for {service_id}")


def is_within(item: QQuickItem, ancestor: QQuickItem) -> bool:
    parent = item.parentItem()
    while parent is not None and parent is not ancestor:
        parent = parent.parentItem()
    return parent is ancestor


def wait_ready(h: Home) -> None:
    h.robot.wait_until(lambda: bool(h.ui.service_home.property("ready")), 10)


def test_the_home_orders_bundles_first_then_this_stations_most_used(home: Home) -> None:
    h = home
    wait_ready(h)
    ids = shown_ids(h)
    bundles = [s.id for s in h.runtime.catalog.services if s.is_bundle]
    assert ids[: len(bundles)] == bundles
    assert ids[len(bundles) :] == list(FILINGS)  # counted at the hall, most first
    # On screen, in that order, the used ones marked.
    h.robot.wait_for(f"service_{bundles[0]}")
    tile = show_tile(h, "tax_payment_certificate")
    assert [b for b in h.robot.items("usedBadge") if b.isVisible() and is_within(b, tile)]
    assert h.robot.find("browse_featured").property("label") == "本站常用"


def test_pinyin_initials_and_chinese_find_the_service_a_keystroke_at_a_time(home: Home) -> None:
    h = home
    wait_ready(h)
    h.robot.type_into("homeSearchField", "qykb")
    h.robot.wait_until(lambda: not h.ui.service_home.property("searching"))
    found = shown_ids(h)
    assert found and all(
        h.runtime.catalog.service(i).name_zh.startswith("企业开办") for i in found
    ), found
    h.robot.wait_for("service_company_startup_full")
    assert h.ui.service_home.property("view") == "search"
    # Clearing goes back to the first view.
    h.robot.click("homeSearchClear")
    assert h.ui.service_home.property("view") == "featured"
    # Chinese through the bridge (the test keyboard types ASCII only): 董监事 → 董监事备案.
    h.ui.service_home.setQuery("董监事")
    h.robot.wait_until(lambda: shown_ids(h) == ["director_supervisor_filing"])
    h.robot.wait_for("service_director_supervisor_filing")
    h.ui.service_home.setQuery("天气预报")
    h.robot.wait_until(lambda: not h.ui.service_home.property("searching"))
    assert shown_ids(h) == []
    assert any("没有找到" in t for t in h.robot.texts()), h.robot.texts()
    # The walk-in leaves mid-search: the next one starts on the home's first view, box empty.
    h.robot.click("cancelButton")
    h.robot.wait_until(lambda: h.ui.session.property("state") == "idle", 10)
    h.robot.click("startButton")
    h.robot.wait_until(lambda: h.ui.session.property("screen") == "ServiceHome", 10)
    assert h.ui.service_home.property("view") == "featured"
    assert h.robot.find("homeSearchField").property("displayText") == ""


def test_browse_by_theme_and_by_department_in_chinese_and_english(home: Home) -> None:
    h = home
    catalog = h.runtime.catalog
    wait_ready(h)
    h.robot.click("category_environment_transport")
    in_theme = {s.id for s in catalog.services_in("environment_transport")}
    assert set(shown_ids(h)) == in_theme and len(in_theme) >= 10
    h.robot.click("browse_department")
    h.robot.click("department_transport")
    assert set(shown_ids(h)) == {s.id for s in catalog.services_of("transport")}
    assert h.robot.find("department_transport").property("label") == "交通运输局"
    h.robot.wait_for("service_road_freight_permit")
    # The bundle of two departments shows under each of them, first.
    h.robot.click("department_state_grid")
    assert shown_ids(h)[0] == "company_startup_power"
    assert "licence_change_power_rename" in shown_ids(h)
    h.ui.settings.setLanguage("en_US")
    h.robot.settle()
    assert h.robot.find("department_state_grid").property("label") == (
        "State Grid Suzhou Power Supply Company"
    )
    names = {row["name"] for row in h.ui.service_home.property("services")}
    assert "Licence Change + Electricity Account Rename (one-stop bundle)" in names
    h.ui.service_home.setQuery("freight")
    h.robot.wait_until(lambda: "road_freight_permit" in shown_ids(h))


def test_new_counts_wait_for_the_next_walk_in_a_finger_on_a_tile_keeps_it(home: Home) -> None:
    """The station's counts are read again at each session end on the home's worker, and the
    answer may come while the next walk-in is already on the home (seen in the soak walk: the
    tiles were rebuilt in another order under the walker's finger and its tap was lost). New
    counts now wait for the next walk-in; counts that change nothing rebuild nothing."""
    h = home
    wait_ready(h)
    bridge = h.ui.service_home
    before = shown_ids(h)
    rebuilt: list[int] = []
    bridge.servicesChanged.connect(lambda: rebuilt.append(1))
    # Meanwhile the station filed food licences five more times: food is its most used now.
    for n in range(5):
        body = submission(
            "food_business_licence",
            {"mobile": "13800000000"},
            tracking_number=f"{h.runtime.config.station.id}-20261206-{90 + n:04d}",
        )
        body["station_id"] = h.runtime.config.station.id
        assert post_submission(h.hall, body, identity=h.runtime.identity).status_code == 201
    h.runtime.refresh_catalog()
    tile = show_tile(h, "tax_payment_certificate")
    centre = tile.mapToScene(QPointF(tile.width() / 2, tile.height() / 2))
    at = QPoint(round(centre.x()), round(centre.y()))
    QTest.mousePress(h.ui.window, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, at)
    bridge._prepare()  # the counts' answer arrives mid-tap
    bridge._worker.submit(lambda: None).result(timeout=10)  # the counts were read
    h.robot.settle()  # and their answer delivered to the GUI thread
    assert rebuilt == [] and shown_ids(h) == before  # held while the walk-in is here
    QTest.mouseRelease(h.ui.window, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, at)
    h.robot.settle()
    h.robot.wait_until(lambda: h.ui.session.property("screen") != "ServiceHome", 10)
    (chosen,) = [s for s in h.runtime.catalog.services if s.id == "tax_payment_certificate"]
    assert h.ui.session.property("serviceName") == chosen.name_zh
    # Off the home, the counts apply: the next walk-in sees the new order.
    h.ui.session.cancel()
    h.robot.wait_until(lambda: h.ui.session.property("state") == "idle", 10)
    h.robot.click("startButton")
    h.robot.wait_until(lambda: h.ui.session.property("screen") == "ServiceHome", 10)
    bundles = sum(1 for s in h.runtime.catalog.services if s.is_bundle)
    h.robot.wait_until(lambda: shown_ids(h)[bundles] == "food_business_licence", 10)
    assert rebuilt
