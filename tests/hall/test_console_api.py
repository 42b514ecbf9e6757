"""The hall's staff side over HTTP against a real uvicorn hall (SQLite and PostgreSQL): login and
sessions, roles, the audit log, catalog publication (ETag, 304, 422), fan-out of filings into
tracked parts and steps, staff status changes, and the public progress (JSON and the phone page)
with no personal data in it.
"""

from __future__ import annotations

import io
import json
from datetime import timedelta
from pathlib import Path

import pytest
import requests

from contracts.progress import parse_status
from hall.auth import COOKIE_NAME
from hall.catalog_publish import catalog_etag
from hall.demand_content import load_calendar
from kiosk.services.catalog import DEFAULT_CATALOG_PATH
from tests.hall.conftest import ConsoleHall
from tests.hall.helpers import (
    BUNDLE_FORM,
    DEMAND_FORM,
    EV_FORM,
    PASSWORD,
    SECRETS,
    add_staff,
    audit_rows,
    login,
    post_submission,
    submission,
)

CATALOG = "/api/v1/catalog"


def sample_doc() -> dict[str, object]:
    doc: dict[str, object] = json.loads(DEFAULT_CATALOG_PATH.read_text(encoding="utf-8"))
    return doc


# --- staff sessions ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/api/v1/auth/me"),
        ("GET", "/api/v1/demands"),
        ("GET", "/api/v1/demands/meta"),
        ("GET", "/api/v1/demands/stats"),
        ("GET", "/api/v1/demands/00000000-0000-0000-0000-000000000000"),
        ("POST", "/api/v1/demands/00000000-0000-0000-0000-000000000000/actions"),
        ("POST", "/api/v1/desk/parts/00000000-0000-0000-0000-000000000000/x/moves"),
        ("PUT", CATALOG),
        ("GET", CATALOG + "/versions"),
    ],
)
def test_console_api_without_login_is_401(sqlite_hall: ConsoleHall, method: str, path: str) -> None:
    response = requests.request(method, sqlite_hall.url + path, json={}, timeout=5)
    assert response.status_code == 401


def test_login_logout_and_audit(console_hall: ConsoleHall) -> None:
    add_staff(console_hall.server, "lin.helper")
    session = login(console_hall.server, "lin.helper")
    me = session.get(console_hall.url + "/api/v1/auth/me", timeout=5)
    assert me.json() == {"name": "lin.helper", "role": "helper", "department": None}

    out = session.post(console_hall.url + "/api/v1/auth/logout", timeout=5)
    assert out.status_code == 204
    assert session.get(console_hall.url + "/api/v1/auth/me", timeout=5).status_code == 401
    assert audit_rows(console_hall.server) == [
        ("lin.helper", "auth.login", "lin.helper", "ok"),
        ("lin.helper", "auth.logout", "lin.helper", "ok"),
    ]


def test_wrong_password_and_unknown_name_are_401_and_never_recorded(
    sqlite_hall: ConsoleHall,
) -> None:
    add_staff(sqlite_hall.server, "lin.helper")
    url = sqlite_hall.url + "/api/v1/auth/login"
    wrong = requests.post(url, json={"name": "lin.helper", "password": "nope"}, timeout=5)
    # Someone typing the password into the name field must not find it in the audit log.
    typo = requests.post(url, json={"name": PASSWORD, "password": "x"}, timeout=5)
    assert (wrong.status_code, typo.status_code) == (401, 401)
    assert COOKIE_NAME not in wrong.cookies
    rows = audit_rows(sqlite_hall.server)
    assert rows == [
        ("lin.helper", "auth.login", "lin.helper", "refused"),
        ("?", "auth.login", "?", "refused"),
    ]


def test_repeated_wrong_passwords_lock_the_name_out(sqlite_hall: ConsoleHall) -> None:
    add_staff(sqlite_hall.server, "lin.helper")
    url = sqlite_hall.url + "/api/v1/auth/login"
    statuses = [
        requests.post(url, json={"name": "lin.helper", "password": "guess"}, timeout=5).status_code
        for _ in range(6)
    ]
    assert statuses == [401] * 5 + [429]
    right = {"name": "lin.helper", "password": PASSWORD}
    assert requests.post(url, json=right, timeout=5).status_code == 429
    sqlite_hall.clock.advance(timedelta(minutes=1))
    assert requests.post(url, json=right, timeout=5).status_code == 200


def test_idle_session_expires(sqlite_hall: ConsoleHall) -> None:
    add_staff(sqlite_hall.server, "lin.helper")
    session = login(sqlite_hall.server, "lin.helper")
    sqlite_hall.clock.advance(timedelta(minutes=90))
    assert session.get(sqlite_hall.url + "/api/v1/auth/me", timeout=5).status_code == 200
    sqlite_hall.clock.advance(timedelta(minutes=90))  # 90 min since the last request: still live
    assert session.get(sqlite_hall.url + "/api/v1/auth/me", timeout=5).status_code == 200
    sqlite_hall.clock.advance(timedelta(hours=2, seconds=1))
    assert session.get(sqlite_hall.url + "/api/v1/auth/me", timeout=5).status_code == 401


def test_a_session_is_refreshed_once_a_minute_not_with_every_request(
    sqlite_hall: ConsoleHall,
) -> None:
    # Each refresh is a synced commit that holds every other writer (heartbeats too): a console
    # paging every few seconds refreshes its session once a minute.
    from sqlalchemy import select

    from hall.auth import SESSION_IDLE, SESSION_TOUCH, staff_sessions
    from hall.store import SubmissionStore

    def last_seen() -> str:
        store = SubmissionStore(sqlite_hall.server.db_path)
        try:
            with store.engine.connect() as conn:
                return str(conn.execute(select(staff_sessions.c.last_seen)).scalar_one())
        finally:
            store.close()

    add_staff(sqlite_hall.server, "lin.helper")
    session = login(sqlite_hall.server, "lin.helper")
    me = sqlite_hall.url + "/api/v1/auth/me"
    at_login = last_seen()
    for _ in range(3):
        sqlite_hall.clock.advance(timedelta(seconds=15))
        assert session.get(me, timeout=5).status_code == 200
    assert last_seen() == at_login
    sqlite_hall.clock.advance(SESSION_TOUCH - timedelta(seconds=45))
    assert session.get(me, timeout=5).status_code == 200
    refreshed = last_seen()
    assert refreshed > at_login
    # The idle time runs from the last refresh: a request 59 s after it did not move it.
    sqlite_hall.clock.advance(timedelta(seconds=59))
    assert session.get(me, timeout=5).status_code == 200
    assert last_seen() == refreshed
    sqlite_hall.clock.advance(SESSION_IDLE - timedelta(seconds=58))
    assert session.get(me, timeout=5).status_code == 401


def test_cross_origin_post_is_refused(sqlite_hall: ConsoleHall) -> None:
    add_staff(sqlite_hall.server, "wu.super", "supervisor")
    session = login(sqlite_hall.server, "wu.super")
    response = session.post(
        sqlite_hall.url + "/api/v1/desk/parts/00000000-0000-0000-0000-000000000000/x/moves",
        json={"to": "accepted", "version": 1},
        headers={"Origin": "http://evil.example"},
        timeout=5,
    )
    assert response.status_code == 403


def test_cli_adds_staff_with_the_password_from_stdin(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from hall.cli import main as cli
    from hall.server import HallServer

    db = str(tmp_path / "hall.db")
    assert (
        cli(
            ["--db", db, "staff", "add", "wu.super", "--role", "supervisor"],
            io.StringIO(PASSWORD + "\n"),
        )
        == 0
    )
    assert cli(["--db", db, "staff", "add", "wu.super"], io.StringIO(PASSWORD + "\n")) == 1
    assert cli(["--db", db, "staff", "list"]) == 0
    assert "wu.super\tsupervisor\tactive" in capsys.readouterr().out
    with HallServer(db) as server:
        session = login(server, "wu.super")
        assert session.get(server.url + "/api/v1/auth/me", timeout=5).json()["role"] == (
            "supervisor"
        )


# --- catalog publication -------------------------------------------------------------------------


def test_sample_catalog_is_published_with_a_strong_etag_and_304(console_hall: ConsoleHall) -> None:
    first = requests.get(console_hall.url + CATALOG, timeout=5)
    assert first.status_code == 200
    etag = first.headers["ETag"]
    # The content tag, then the content key's signature (contracts.content_signature).
    assert etag.startswith(catalog_etag(first.content)[:-1] + ".ed25519.")
    assert not etag.startswith("W/")
    assert first.json()["version"] == sample_doc()["version"]

    again = requests.get(console_hall.url + CATALOG, headers={"If-None-Match": etag}, timeout=5)
    assert (again.status_code, again.content, again.headers["ETag"]) == (304, b"", etag)
    weak = requests.get(
        console_hall.url + CATALOG, headers={"If-None-Match": f'"x", W/{etag}'}, timeout=5
    )
    assert weak.status_code == 304
    other = requests.get(console_hall.url + CATALOG, headers={"If-None-Match": '"x"'}, timeout=5)
    assert other.status_code == 200


def test_supervisor_publishes_and_a_bad_bundle_is_rejected_with_reasons(
    console_hall: ConsoleHall,
) -> None:
    add_staff(console_hall.server, "wu.super", "supervisor")
    add_staff(console_hall.server, "lin.helper", "helper")
    boss = login(console_hall.server, "wu.super")
    helper = login(console_hall.server, "lin.helper")
    before = requests.get(console_hall.url + CATALOG, timeout=5).headers["ETag"]

    doc = sample_doc()
    assert helper.put(console_hall.url + CATALOG, json=doc, timeout=5).status_code == 403

    same = boss.put(console_hall.url + CATALOG, json=doc, timeout=5)
    assert (same.status_code, same.json()["outcome"]) == (200, "unchanged")

    bad = json.loads(json.dumps(doc))
    bundle = next(s for s in bad["services"] if s["id"] == "company_startup_power")
    bundle["parts"][1]["department"] = "no_such_department"
    bundle["parts"][0]["fields"].append("not_on_the_form")
    bad["version"] = "2026.12.1"
    rejected = boss.put(console_hall.url + CATALOG, json=bad, timeout=5)
    assert rejected.status_code == 422
    reasons = rejected.json()["detail"]["reasons"]
    assert any("no_such_department" in r for r in reasons)
    assert any("not_on_the_form" in r for r in reasons)
    assert requests.get(console_hall.url + CATALOG, timeout=5).headers["ETag"] == before

    not_json = boss.put(console_hall.url + CATALOG, data=b"{", timeout=5)
    assert not_json.status_code == 422

    clash = json.loads(json.dumps(doc))
    clash["categories"][0]["name_en"] = "Changed without a new version"
    assert boss.put(console_hall.url + CATALOG, json=clash, timeout=5).status_code == 409

    clash["version"] = "2026.12.2"
    published = boss.put(console_hall.url + CATALOG, json=clash, timeout=5)
    assert published.status_code == 201
    now = requests.get(console_hall.url + CATALOG, timeout=5)
    assert now.headers["ETag"] == published.json()["etag"] != before
    assert now.json()["version"] == "2026.12.2"

    versions = boss.get(console_hall.url + CATALOG + "/versions", timeout=5).json()
    assert [v["version"] for v in versions] == ["2026.12.2", "2026.11.3"]
    publishes = [r for r in audit_rows(console_hall.server) if r[1] == "catalog.publish"]
    assert [r[3] for r in publishes] == ["unchanged", "rejected", "rejected", "version_clash",
                                         "published"]  # fmt: skip


# --- fan-out and progress ------------------------------------------------------------------------


def test_bundle_fans_out_into_two_tracked_parts(console_hall: ConsoleHall) -> None:
    from contracts.clock import SYSTEM_CLOCK
    from hall.catalog_publish import CatalogStore
    from hall.store import SubmissionStore
    from hall.tracking import TrackingStore

    body = submission("company_startup_power", BUNDLE_FORM)
    assert post_submission(console_hall.server, body).status_code == 201
    # A re-send is still "already have it" and does not add parts.
    assert post_submission(console_hall.server, body).status_code == 200
    clash = {**body, "payload": {**body["payload"], "form": {"mobile": "13900000000"}}}
    assert post_submission(console_hall.server, clash).status_code == 409

    response = requests.get(
        f"{console_hall.url}/api/v1/progress/{body['tracking_number']}", timeout=5
    )
    assert response.status_code == 200
    doc = response.json()
    assert [(p["id"], p["department"], p["status"]) for p in doc["parts"]] == [
        ("company_registration", "market_regulation", "received"),
        ("power_connection", "state_grid", "received"),
    ]
    status = parse_status(doc)  # the kiosk's own parser accepts it
    assert status.service_id == "company_startup_power"
    for secret in SECRETS:
        assert secret not in response.text

    store = SubmissionStore(console_hall.server.db_path)
    try:
        catalogs = CatalogStore(store.engine, SYSTEM_CLOCK)
        tracking = TrackingStore(store.engine, SYSTEM_CLOCK, catalogs, load_calendar())
        rows = tracking.parts_of(body["id"])
    finally:
        store.close()
    # Each department's part names the fields it receives; the values stay in the submission.
    assert "business_scope" in rows[0].fields and "business_scope" not in rows[1].fields
    assert "power_capacity_kw" in rows[1].fields


def test_ev_pile_parts_have_steps_that_staff_move(console_hall: ConsoleHall) -> None:
    add_staff(console_hall.server, "wu.super", "supervisor")
    body = submission("ev_charging_pile", EV_FORM, tracking_number="QH001-20261123-0002")
    assert post_submission(console_hall.server, body).status_code == 201
    number = body["tracking_number"]
    doc = requests.get(f"{console_hall.url}/api/v1/progress/{number}", timeout=5).json()
    power = next(p for p in doc["parts"] if p["id"] == "power_supply")
    assert [(s["id"], s["status"]) for s in power["steps"]] == [
        ("application_acceptance", "pending"),
        ("site_survey", "pending"),
        ("meter_connection", "pending"),
    ]

    console_hall.clock.advance(timedelta(days=1))
    staff = login(console_hall.server, "wu.super")
    part = f"{console_hall.url}/api/v1/desk/parts/{body['id']}/power_supply"
    step = {"status": "done", "version": 1}
    assert staff.post(f"{part}/steps/site_survey", json=step, timeout=5).status_code == 200
    moved = staff.post(f"{part}/moves", json={"to": "accepted", "version": 2}, timeout=5)
    assert moved.status_code == 200
    bad = staff.post(f"{part}/moves", json={"to": "teleported", "version": 3}, timeout=5)
    assert bad.status_code == 422
    missing = f"{console_hall.url}/api/v1/desk/parts/{body['id']}/no_such_part/moves"
    assert staff.post(missing, json={"to": "accepted", "version": 1}, timeout=5).status_code == 404

    doc = requests.get(f"{console_hall.url}/api/v1/progress/{number}", timeout=5).json()
    power = next(p for p in doc["parts"] if p["id"] == "power_supply")
    steps = {s["id"]: s for s in power["steps"]}
    assert power["status"] == "accepted"
    assert steps["site_survey"]["status"] == "done"
    assert steps["site_survey"]["updated_at"].startswith("2026-11-24")
    assert steps["meter_connection"]["status"] == "pending"
    assert [p["status"] for p in doc["parts"] if p["id"] != "power_supply"] == [
        "received",
        "received",
    ]
    subject = f"{body['id']}/power_supply"
    assert audit_rows(console_hall.server, subject_kind="part") == [
        ("wu.super", "part.step", f"{subject}/site_survey", "received"),
        ("wu.super", "part.move", subject, "accepted"),
        ("wu.super", "part.move", subject, "unknown_status"),
        ("wu.super", "part.move", f"{body['id']}/no_such_part", "not_found"),
    ]


def test_demand_parts_follow_the_demand_loop_not_the_desk(sqlite_hall: ConsoleHall) -> None:
    add_staff(sqlite_hall.server, "wu.super", "supervisor")
    staff = login(sqlite_hall.server, "wu.super")
    body = submission("enterprise_demand", DEMAND_FORM)
    assert post_submission(sqlite_hall.server, body).status_code == 201
    url = f"{sqlite_hall.url}/api/v1/desk/parts/{body['id']}/demand_handling/moves"
    refused = staff.post(url, json={"to": "accepted", "version": 1}, timeout=5)
    assert (refused.status_code, refused.json()["detail"]["code"]) == (409, "managed")


def test_unknown_service_is_tracked_as_one_part(sqlite_hall: ConsoleHall) -> None:
    body = submission("not_in_the_catalog", {"x": "y"}, tracking_number="QH001-20261123-0007")
    assert post_submission(sqlite_hall.server, body).status_code == 201
    doc = requests.get(
        f"{sqlite_hall.url}/api/v1/progress/{body['tracking_number']}", timeout=5
    ).json()
    assert [p["id"] for p in doc["parts"]] == ["not_in_the_catalog"]


@pytest.mark.parametrize("number", ["QH001-20261123-9999", "not-a-number", "QH001-20261399-0001"])
def test_unknown_progress_is_404(sqlite_hall: ConsoleHall, number: str) -> None:
    assert requests.get(f"{sqlite_hall.url}/api/v1/progress/{number}", timeout=5).status_code == 404
    page = requests.get(f"{sqlite_hall.url}/progress/{number}", timeout=5)
    assert page.status_code == 404
    assert "未找到" in page.text


def test_progress_page_is_chinese_first_and_has_no_personal_data(
    sqlite_hall: ConsoleHall,
) -> None:
    body = submission("ev_charging_pile", EV_FORM, tracking_number="QH001-20261123-0003")
    assert post_submission(sqlite_hall.server, body).status_code == 201
    page = requests.get(f"{sqlite_hall.url}/progress/{body['tracking_number']}", timeout=5)
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert "script-src" not in page.headers["content-security-policy"]  # no script at all
    assert "<script" not in page.text
    assert 'name="viewport"' in page.text
    text = page.text
    # Chinese before English for the service and each part, with the steps' parties.
    assert text.index("居民充电桩报装") < text.index("Home EV Charger Connection")
    assert text.index("充电桩用电报装") < text.index("Electricity connection for the charger")
    assert "供电公司" in text or "国网" in text
    assert "尚未开始" in text
    for secret in SECRETS:
        assert secret not in text


def test_logs_never_carry_personal_data(
    sqlite_hall: ConsoleHall, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level("DEBUG")
    add_staff(sqlite_hall.server, "lin.helper")
    staff = login(sqlite_hall.server, "lin.helper")
    for service, form, n in [
        ("company_startup_power", BUNDLE_FORM, 1),
        ("ev_charging_pile", EV_FORM, 2),
        ("enterprise_demand", DEMAND_FORM, 3),
    ]:
        body = submission(service, form, tracking_number=f"QH001-20261123-000{n}")
        assert post_submission(sqlite_hall.server, body).status_code == 201
    demand_id = body["id"]
    assert staff.get(f"{sqlite_hall.url}/api/v1/demands/{demand_id}", timeout=5).status_code == 200
    reply = {"action": "classify", "category": "human_resources"}
    staff.post(f"{sqlite_hall.url}/api/v1/demands/{demand_id}/actions", json=reply, timeout=5)
    assert "lin.helper" in caplog.text
    for secret in (*SECRETS, PASSWORD):
        assert secret not in caplog.text
