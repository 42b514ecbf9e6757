"""The runtime's hooks for the progress look-up: the hall's document, and the outbox stub for a
filing the hall does not have yet (what a walk-in sees right after an offline submit)."""

from __future__ import annotations

import time
from pathlib import Path

from hall.server import HallServer
from kiosk.config import parse_config
from kiosk.progress import OutboxStub
from kiosk.runtime import KioskRuntime
from tests.hall.helpers import enrolled_runtime


def test_outbox_stub_then_hall_document(tmp_path: Path, hall_server: HallServer) -> None:
    config = parse_config(
        {
            "station": {"id": "SND-SS-001", "name": "狮山街道站"},
            "hall": {"url": hall_server.url, "timeout_s": 2},
            "devices": {"printer": {"backend": "simulator", "options": {"port": 0}}},
            "paths": {"state_dir": str(tmp_path / "kiosk")},
        }
    )
    # Every station enrols: the hall accepts only filings its device signed.
    runtime = enrolled_runtime(config, hall_server, start_sender=False)
    try:
        queued = runtime.queue.enqueue("enterprise_demand", {"form": {"description": "招工难"}})
        stub = runtime.outbox_stub(queued.tracking_number)
        assert isinstance(stub, OutboxStub)
        assert (stub.tracking_number, stub.status) == (queued.tracking_number, "pending")
        assert runtime.outbox_stub("SND-SS-001-20260101-9999") is None
        assert runtime.fetch_progress(queued.tracking_number) is None  # not at the hall yet

        runtime.sender.start()
        runtime.part("monitor").start()
        deadline_doc = None
        for _ in range(200):  # delivery is asynchronous: poll the hall, not the clock
            deadline_doc = runtime.fetch_progress(queued.tracking_number)
            if deadline_doc is not None:
                break
            time.sleep(0.05)
        assert deadline_doc is not None
        assert deadline_doc["tracking_number"] == queued.tracking_number
        assert "招工难" not in str(deadline_doc)  # the public document carries nothing personal
    finally:
        runtime.close()


def test_catalog_comes_from_the_hall_and_survives_going_offline(
    tmp_path: Path, hall_server: HallServer
) -> None:
    config = parse_config(
        {
            "station": {"id": "SND-SS-001", "name": "狮山街道站"},
            "hall": {"url": hall_server.url, "timeout_s": 2},
            "devices": {"printer": {"backend": "simulator", "options": {"port": 0}}},
            "paths": {"state_dir": str(tmp_path / "kiosk")},
        }
    )
    # Enrolled: the station pins the hall's content key and takes only catalogs it signed.
    runtime = enrolled_runtime(config, hall_server, start_sender=False)
    try:
        runtime.refresh_catalog()
        published = runtime.catalog.version
        assert (tmp_path / "kiosk" / "catalog.cache.json").exists()
    finally:
        runtime.close()
    hall_server.stop()
    # Next start, hall down: the last good catalog is used, not only the shipped sample.
    offline = KioskRuntime(config, start_sender=False)
    try:
        offline.refresh_catalog()  # fails quietly: offline
        assert offline.catalog.version == published
    finally:
        offline.close()
