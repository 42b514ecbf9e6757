"""Issue 17's acceptance journey: 免证办 from the enterprise register, end to end.

The robot walk-in reads the card of a registered legal representative (the card simulator's
张三丰, imported into the hall's register with the business licence on file and the
shareholders' resolution handed in earlier), picks the enterprise, and files a 变更登记 with no
camera step; the station's sender delivers it; the market-regulation officer sees the licence in
the filing detail, 来自企业档案, as if photographed. The same person at another station opens the
enterprise's 电子档案 and finds that filing. Nothing of the register stays on either kiosk.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from sqlalchemy import select

from hall.auth import StaffStore
from hall.server import HallServer
from hall.store import SubmissionStore, submissions
from tests.hall.helpers import PASSWORD, START, cheap_hasher, enrolled_runtime, login
from tests.hall.test_register import uscc
from tests.support.clock import FakeClock
from tests.support.robot import Robot
from tests.support.screenshots import demo_config
from tests.ui.conftest import Kiosk
from tests.ui.test_register_kiosk import (
    CHANGE,
    file_material,
    filed_at_hall,
    open_change_form,
    payload_at_hall,
    seed_register,
    text,
    wait_screen,
)
from ui.app import KioskUi


def station(tmp_path: Path, hall: HallServer, station_id: str, name: str) -> Kiosk:
    config = demo_config(tmp_path / station_id, hall.url, "zh_CN", False)
    config = config.model_copy(
        update={"station": config.station.model_copy(update={"id": station_id, "name": name})}
    )
    runtime = enrolled_runtime(config, hall, start_sender=True)
    clock = FakeClock()
    ui = KioskUi(runtime, clock=clock)
    return Kiosk(ui, runtime, Robot(ui.window), clock, hall)


class Stations:
    """Kiosks at several stations of one hall, opened as the journey needs them."""

    def __init__(self, tmp_path: Path, hall: HallServer) -> None:
        self.tmp_path, self.hall = tmp_path, hall
        self.opened: list[Kiosk] = []

    def open(self, station_id: str, name: str) -> Kiosk:
        k = station(self.tmp_path, self.hall, station_id, name)
        self.opened.append(k)
        return k


@pytest.fixture
def stations(qapp: object, tmp_path: Path, hall_server: HallServer) -> Iterator[Stations]:
    found = Stations(tmp_path, hall_server)
    try:
        yield found
    finally:
        for k in found.opened:
            k.ui.close()
            k.runtime.close()


def submission_id(hall: HallServer, service_id: str) -> str:
    store = SubmissionStore(hall.db_path)
    try:
        with store.engine.connect() as conn:
            found = conn.execute(
                select(submissions.c.id).where(submissions.c.service_id == service_id)
            ).scalar_one()
    finally:
        store.close()
    return str(found)


def officer(hall: HallServer) -> requests.Session:
    store = SubmissionStore(hall.db_path)
    try:
        StaffStore(store.engine, FakeClock(START), cheap_hasher()).add(
            "mei.market", "officer", PASSWORD, "market_regulation"
        )
    finally:
        store.close()
    return login(hall, "mei.market")


def test_a_legal_representative_files_a_change_with_the_licence_on_file(
    stations: Stations,
) -> None:
    k = stations.open("SND-SS-001", "狮山街道站")
    seed_register(k.hall)
    file_material(k.hall, "shareholder_resolution", "2026-11-01")

    # Station 1: the card, the enterprise, the form pre-filled, no camera step.
    k.robot.click("startButton")
    wait_screen(k, "Enterprise")
    k.robot.wait_until(lambda: bool(k.robot.visible_items("enterprise_0")))
    k.robot.click("enterprise_0")
    wait_screen(k, "ServiceHome")
    open_change_form(k)
    assert all(m["onFile"] for m in k.ui.session.property("materials") if m["required"])
    k.robot.type_into("field_mobile", "13912345678")
    k.robot.click("choice_change_item_address")
    k.robot.type_into("field_new_value", "苏州高新区狮山路99号")
    k.robot.click("nextButton")
    wait_screen(k, "Review")
    k.robot.click("confirmButton")
    wait_screen(k, "Receipt")
    number = k.ui.session.property("trackingNumber")
    assert k.ui.flow is not None and not k.ui.flow.context.attachments  # nothing photographed
    k.robot.wait_until(lambda: filed_at_hall(k.hall, CHANGE), 20)
    payload = payload_at_hall(k.hall, CHANGE)
    assert payload["enterprise"]["uscc"] == uscc(1)
    licence_ref = payload["materials_on_file"]["business_licence"]
    k.robot.click("finishButton")
    wait_screen(k, "Attract")
    assert k.ui.flow.context.is_empty()

    # The officer sees the licence in the filing detail, from the register.
    market = officer(k.hall)
    detail = market.get(
        f"{k.hall.url}/api/v1/desk/filings/{submission_id(k.hall, CHANGE)}", timeout=5
    )
    assert detail.status_code == 200, detail.text
    shown = {m["id"]: m for m in detail.json()["materials"]}
    licence = shown["business_licence@register"]
    assert licence["name_zh"] == "营业执照"
    assert licence["on_file"]["enterprise_material_id"] == licence_ref
    assert licence["on_file"]["note_zh"].startswith("来自企业档案（签发 2020-03-01")

    # Station 2: the same person opens the enterprise's e-archive and finds that filing.
    other = stations.open("SND-SS-002", "枫桥街道站")
    other.robot.click("startButton")
    wait_screen(other, "Enterprise")
    other.robot.wait_until(lambda: bool(other.robot.visible_items("enterprise_0")))
    other.robot.click("enterprise_0")
    wait_screen(other, "ServiceHome")
    other.robot.click("archiveButton")
    wait_screen(other, "Archive")
    other.robot.wait_until(lambda: other.ui.enterprise.property("archiveStatus") == "done", 10)
    entries = other.ui.enterprise.property("archive")
    assert number in [e["trackingNumber"] for e in entries]
    other.robot.wait_until(lambda: number in text(other.robot))
    assert [e["date"] for e in entries] == sorted((e["date"] for e in entries), reverse=True)
    other.robot.click("archiveBackButton")
    wait_screen(other, "ServiceHome")
    other.robot.click("cancelButton")
    wait_screen(other, "Attract")
    assert other.ui.flow is not None and other.ui.flow.context.is_empty()
