"""Hostile input against a real hall gets a 4xx with a reason, never a 500: NaN and Infinity in
JSON bodies (with and without credentials), integers past the database's 64-bit range in paths
and bodies, station ids outside ASCII ``A-Z 0-9 -``.
"""

from __future__ import annotations

import base64
import json
from typing import TYPE_CHECKING
from urllib.parse import quote

import pytest
import requests
from hypothesis import given
from hypothesis import strategies as st

from contracts.ids import is_valid_station_id
from contracts.wire import submission_context
from hall.store import SubmissionStore
from tests.hall.helpers import add_staff, enrol_station, login, signed_session, submission
from tests.support.sealing import hall_keys

if TYPE_CHECKING:
    from tests.hall.conftest import ConsoleHall

NON_FINITE = ("NaN", "Infinity", "-Infinity", "1e999")
DB_INT_OVERFLOW = 2**63


def raw_json(value: object, constant: str) -> bytes:
    """``value`` as JSON with the placeholder string ``"@@"`` replaced by a bare ``constant``."""
    return json.dumps(value).replace('"@@"', constant).encode()


@pytest.mark.parametrize("constant", NON_FINITE)
def test_non_finite_numbers_are_refused_422_without_credentials(
    sqlite_hall: ConsoleHall, constant: str
) -> None:
    body = submission("company_startup_power", {"company_name": "启航"})
    body["payload"]["score"] = "@@"
    for path, data in (
        ("/api/v1/submissions", raw_json(body, constant)),
        ("/api/v1/auth/login", raw_json({"name": "@@", "password": "x"}, constant)),
    ):
        response = requests.post(
            sqlite_hall.url + path,
            data=data,
            headers={"Content-Type": "application/json"},
            timeout=10,
        )
        assert response.status_code == 422, (path, response.status_code, response.text)
        assert "NaN and Infinity" in response.json()["detail"]


@pytest.mark.parametrize("constant", NON_FINITE)
def test_non_finite_numbers_in_a_signed_submission_are_refused_422(
    sqlite_hall: ConsoleHall, constant: str
) -> None:
    """In the clear part of the body, and inside the sealed part (which only the hall sees
    after opening it: the body guard in front of the app cannot)."""
    identity = enrol_station(sqlite_hall.server)
    body = submission("company_startup_power", {"company_name": "启航"})
    body["payload"]["score"] = "@@"
    outer = {k: v for k, v in body.items() if k != "payload"}
    clear = ("id", "station_id", "service_id", "tracking_number", "created_at")
    context = submission_context(*(outer[k] for k in clear))
    envelope = hall_keys(sqlite_hall.server.db_path).public.seal(
        raw_json({"payload": body["payload"]}, constant), context
    )
    sealed = {**outer, "sealed": base64.b64encode(envelope).decode()}
    for data in (raw_json({**sealed, "score": "@@"}, constant), json.dumps(sealed).encode()):
        response = signed_session(identity).post(
            sqlite_hall.url + "/api/v1/submissions",
            data=data,
            headers={"Content-Type": "application/json"},
            timeout=10,
        )
        assert response.status_code == 422, response.text
        assert "NaN and Infinity" in json.dumps(response.json()["detail"]), response.text
    assert SubmissionStore(sqlite_hall.server.db_path).count() == 0


def test_a_diagnostics_id_past_64_bits_is_refused_422(sqlite_hall: ConsoleHall) -> None:
    add_staff(sqlite_hall.server, "wang.supervisor", "supervisor")
    staff = login(sqlite_hall.server, "wang.supervisor")
    for bundle_id in (DB_INT_OVERFLOW, -1, 0):
        response = staff.get(f"{sqlite_hall.url}/api/v1/diagnostics/{bundle_id}", timeout=10)
        assert response.status_code == 422, (bundle_id, response.text)
    assert staff.get(f"{sqlite_hall.url}/api/v1/diagnostics/1", timeout=10).status_code == 404


def test_an_audit_seq_past_64_bits_is_refused_422(sqlite_hall: ConsoleHall) -> None:
    identity = enrol_station(sqlite_hall.server)
    entry = {"seq": DB_INT_OVERFLOW, "at": "2026-11-23T01:00:00+00:00", "who": "technician"}
    entry |= {"action": "printer.test", "outcome": "ok", "detail": ""}
    response = signed_session(identity).post(
        sqlite_hall.url + "/api/v1/stations/QH001/technician-audit",
        json={"entries": [entry]},
        timeout=10,
    )
    assert response.status_code == 422, response.text


BAD_STATION_IDS = ("Ö", "站点一", "ＱＨ００１", "QH 001", "qh001", "QH_001", "Q" * 33)


@pytest.mark.parametrize("station_id", BAD_STATION_IDS)
def test_station_ids_outside_ascii_capitals_digits_and_dash_are_refused_422(
    sqlite_hall: ConsoleHall, station_id: str
) -> None:
    identity = enrol_station(sqlite_hall.server)
    session = signed_session(identity)
    station = quote(station_id, safe="")
    beat = {"version": "1.0", "uptime_s": 5, "outbox_depth": 0, "devices": {}}
    for path, payload in (
        (f"/api/v1/stations/{station}/heartbeat", beat),
        (f"/api/v1/stations/{station}/technician-audit", {"entries": []}),
    ):
        response = session.post(sqlite_hall.url + path, json=payload, timeout=10)
        assert response.status_code == 422, (path, response.status_code, response.text)
        assert "station id" in response.json()["detail"]
    add_staff(sqlite_hall.server, "wang.supervisor", "supervisor")
    staff = login(sqlite_hall.server, "wang.supervisor")
    code = staff.post(
        sqlite_hall.url + "/api/v1/enrolment/codes", json={"station_id": station_id}, timeout=10
    )
    assert code.status_code == 422, code.text


@given(st.text(max_size=40))
def test_the_station_id_rule_is_ascii_capitals_digits_and_dash(candidate: str) -> None:
    expected = 1 <= len(candidate) <= 32 and all(
        ch in "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-" for ch in candidate
    )
    assert is_valid_station_id(candidate) == expected
