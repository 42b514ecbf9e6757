"""The kiosk's side against a real hall: ``HallClient.get_catalog`` feeding
``CatalogCache.refresh`` (update, 304, a bad publish refused at the hall, offline keeps the last
good catalog) and ``HallClient.get_progress`` feeding ``kiosk.progress.look_up`` (live, then the
last known status once the hall is gone). SQLite only: the database kind adds nothing here.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from kiosk.hall_client import HallClient
from kiosk.progress import ProgressCache, ProgressNotFound, look_up
from kiosk.services.catalog import DEFAULT_CATALOG_PATH, load_catalog
from kiosk.services.catalog_cache import CatalogCache
from tests.hall.helpers import (
    EV_FORM,
    START,
    add_staff,
    enrol_station,
    login,
    post_submission,
    start_hall,
    submission,
)
from tests.support.clock import FakeClock


def test_catalog_refresh_through_the_real_hall(tmp_path: Path) -> None:
    hall = start_hall(str(tmp_path / "hall.db"), FakeClock(START))
    client = HallClient(hall.url, timeout_s=5)
    cache = CatalogCache(tmp_path / "kiosk", clock=FakeClock(START))
    try:
        # Enrolment pins the hall's content key: the station takes only catalogs it signed.
        enrol_station(hall, state_dir=tmp_path / "kiosk")
        assert cache.load().source == "sample"
        first = cache.refresh(client.get_catalog)
        assert first.outcome == "updated"
        assert first.current.source == "cache"
        published_etag = first.current.etag
        assert published_etag is not None
        assert cache.refresh(client.get_catalog).outcome == "not_modified"

        add_staff(hall, "wu.super", "supervisor")
        boss = login(hall, "wu.super")
        doc = json.loads(DEFAULT_CATALOG_PATH.read_text(encoding="utf-8"))
        bad = {**doc, "version": "2026.12.9", "services": doc["services"] + doc["services"][:1]}
        assert boss.put(hall.url + "/api/v1/catalog", json=bad, timeout=5).status_code == 422
        # The hall refused it, so the kiosk never sees it: still current.
        assert cache.refresh(client.get_catalog).outcome == "not_modified"

        newer = {**doc, "version": "2026.12.1"}
        assert boss.put(hall.url + "/api/v1/catalog", json=newer, timeout=5).status_code == 201
        updated = cache.refresh(client.get_catalog)
        assert (updated.outcome, updated.current.catalog.version) == ("updated", "2026.12.1")
        assert updated.current.etag != published_etag
    finally:
        hall.stop()

    # The hall is gone: the kiosk keeps working with the last good catalog, also after a restart.
    offline = cache.refresh(client.get_catalog)
    assert (offline.outcome, offline.current.catalog.version) == ("offline", "2026.12.1")
    restarted = CatalogCache(tmp_path / "kiosk")
    assert restarted.load().catalog.version == "2026.12.1"
    client.close()


def test_progress_look_up_online_then_offline(tmp_path: Path) -> None:
    hall = start_hall(str(tmp_path / "hall.db"), FakeClock(START))
    client = HallClient(hall.url, timeout_s=5)
    cache = ProgressCache(tmp_path / "kiosk" / "progress.json")
    catalog = load_catalog()
    number = "QH001-20261123-0004"

    def now() -> dt.datetime:
        return START

    try:
        body = submission("ev_charging_pile", EV_FORM, tracking_number=number)
        assert post_submission(hall, body).status_code == 201
        assert client.get_progress("QH001-20261123-0099") is None
        with pytest.raises(ProgressNotFound):
            look_up("QH001-20261123-0099", fetch=client.get_progress, cache=cache,
                    catalog=catalog, now=now)  # fmt: skip

        add_staff(hall, "wu.super", "supervisor")
        staff = login(hall, "wu.super")
        part = f"{hall.url}/api/v1/desk/parts/{body['id']}/power_supply"
        accept = {"to": "accepted", "version": 1}
        assert staff.post(f"{part}/moves", json=accept, timeout=5).status_code == 200
        step = {"status": "done", "version": 2}
        done = staff.post(f"{part}/steps/application_acceptance", json=step, timeout=5)
        assert done.status_code == 200

        live = look_up(number, fetch=client.get_progress, cache=cache, catalog=catalog, now=now)
        assert live.source == "hall"
        assert [p.id for p in live.parts] == [
            "property_consent",
            "community_coordination",
            "power_supply",
        ]
        power = live.parts[2]
        assert (power.name, power.words) == ("充电桩用电报装", "部门已受理")
        assert (power.steps[0].id, power.steps[0].status) == ("application_acceptance", "done")
        assert live.headline == "办理中（0/3 项已办结）"
    finally:
        hall.stop()

    with pytest.raises(ConnectionError):
        client.get_progress(number)
    offline = look_up(number, fetch=client.get_progress, cache=cache, catalog=catalog, now=now)
    assert offline.source == "cache"
    assert offline.parts[2].steps[0].status == "done"
    assert "暂时无法连接服务大厅" in offline.notice
    client.close()
