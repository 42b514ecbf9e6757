"""Fills a hall database through the last release before migrations, over its real routes.

Run by ``tests/hall/test_migrations.py`` inside that release's source tree (``git archive`` of
:data:`tests.hall.test_migrations.LAST_RELEASE`), so every import below is that release's code:
its hall under uvicorn, its test helpers, its kiosk's device signing. Usage: ``python
last_release_fill.py DB`` (a SQLite path or a database URL). Prints nothing; fails loudly.
"""

from __future__ import annotations

import hashlib
import sys

import requests

from tests.hall.helpers import (
    BUNDLE_FORM,
    DEMAND_FORM,
    EV_FORM,
    START,
    add_staff,
    enrol_station,
    login,
    signed_session,
    start_hall,
    submission,
)
from tests.support.clock import FakeClock


def _ok(response: requests.Response, *codes: int) -> requests.Response:
    assert response.status_code in codes, (response.status_code, response.text)
    return response


def fill(db: str) -> None:
    server = start_hall(db, FakeClock(START))
    try:
        url = server.url
        add_staff(server, "wu.super", "supervisor")
        add_staff(server, "lin.helper")
        helper = login(server, "lin.helper")
        login(server, "wu.super")
        _ok(requests.post(f"{url}/api/v1/auth/login", json={"name": "x", "password": "y"}), 401)
        station = enrol_station(server, "QH001")
        kiosk = signed_session(station)

        photo = "营业执照照片".encode() * 200
        sha = hashlib.sha256(photo).hexdigest()
        _ok(kiosk.put(f"{url}/api/v1/blobs/{sha}", data=photo, timeout=10), 200, 201)
        bundle = submission("company_startup_power", BUNDLE_FORM)
        bundle["attachments"] = [
            {"sha256": sha, "size": len(photo), "media_type": "image/jpeg", "name": "licence"}
        ]
        ev = submission("ev_charging_pile", EV_FORM, tracking_number="QH001-20261123-0002")
        demand = submission("enterprise_demand", DEMAND_FORM, tracking_number="QH001-20261123-0003")
        for body in (bundle, ev, demand):
            _ok(kiosk.post(f"{url}/api/v1/submissions", json=body, timeout=10), 201)

        # Staff work on what came in: a part's step and status, a demand's first actions.
        part = f"{url}/api/v1/parts/QH001-20261123-0002/power_supply/status"
        _ok(helper.post(part, json={"step": "site_survey", "status": "done"}, timeout=5), 200)
        _ok(helper.post(part, json={"status": "handling"}, timeout=5), 200)
        actions = f"{url}/api/v1/demands/{demand['id']}/actions"
        classify = {"action": "classify", "category": "human_resources"}
        _ok(helper.post(actions, json=classify, timeout=5), 200)
        dispatch = {"action": "dispatch", "department": "hr_social_security"}
        _ok(helper.post(actions, json=dispatch, timeout=5), 200)

        beat = {"version": "1.0", "uptime_s": 5, "outbox_depth": 0, "devices": {}}
        heartbeat = f"{url}/api/v1/stations/QH001/heartbeat"
        _ok(kiosk.post(heartbeat, json=beat, timeout=5), 204)
    finally:
        server.stop()


if __name__ == "__main__":
    fill(sys.argv[1])
