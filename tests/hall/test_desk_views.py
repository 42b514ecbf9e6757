"""The filings desk's reads through a real hall (uvicorn, SQLite and PostgreSQL): the inbox with
its tabs, counts, filters, search and keyset paging; a filing's detail under the catalog version
it was filed under, masked ID numbers revealed on request, photographed materials; the board;
and the audit trail of every look — with 403 for whoever may not look.

Filings come in through the real intake (sealed, signed by an enrolled station) and parts move
through the desk's real move route (:mod:`hall.desk_moves`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid
from typing import TYPE_CHECKING, Any, ClassVar

import pytest
import requests

from hall.auth import StaffStore
from hall.catalog_publish import SAMPLE_CATALOG_PATH
from hall.store import SubmissionStore
from tests.hall.helpers import (
    BUNDLE_FORM,
    DEMAND_FORM,
    PASSWORD,
    START,
    audit_rows,
    cheap_hasher,
    login,
    post_submission,
    seal_blob,
    signed_session,
    station_identity,
    submission,
)
from tests.support.clock import FakeClock

if TYPE_CHECKING:
    from hall.server import HallServer
    from tests.hall.conftest import ConsoleHall

DESK = "/api/v1/desk"
FOOD_FORM = {
    "enterprise_name": "苏州味道餐饮管理有限公司",
    "uscc": "91320505MA1FOOD01X",
    "contact_name": "钱多多",
    "mobile": "13600002222",
    "business_format": "restaurant",
    "premises_area": "120",
}
TAX_FORM = {
    "enterprise_name": "苏州票据科技有限公司",
    "uscc": "91320505MA1TAXX02Y",
    "contact_name": "孙小姐",
    "mobile": "13500003333",
    "invoice_type": "general",
    "monthly_amount": "10",
}
# A photographed document as the kiosk stores it (the hall serves the bytes it was given).
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(range(256)) * 4 + b"\xff\xd9"


def add_member(server: HallServer, name: str, role: str, department: str | None = None) -> None:
    """An account straight in the hall's database, as ``python -m hall staff add`` makes one."""
    store = SubmissionStore(server.db_path)
    try:
        StaffStore(store.engine, FakeClock(START), cheap_hasher()).add(
            name, role, PASSWORD, department
        )
    finally:
        store.close()


class Members:
    """Logged-in sessions by name: officers of market regulation, State Grid and tax, a helper, a
    supervisor. A session idles out after two hours of the hall's (fake) time, so one is logged
    in again after the test moved the clock."""

    ROLES: ClassVar[dict[str, tuple[str, str | None]]] = {
        "market": ("officer", "market_regulation"),
        "grid": ("officer", "state_grid"),
        "taxman": ("officer", "tax"),
        "helper": ("helper", None),
        "boss": ("supervisor", None),
    }

    def __init__(self, hall: ConsoleHall) -> None:
        self.hall = hall
        self._sessions: dict[str, tuple[dt.datetime, requests.Session]] = {}
        for name, (role, department) in self.ROLES.items():
            add_member(hall.server, name, role, department)

    def __getitem__(self, name: str) -> requests.Session:
        now = self.hall.clock.now()
        found = self._sessions.get(name)
        if found is None or now - found[0] > dt.timedelta(hours=1):
            found = self._sessions[name] = (now, login(self.hall.server, name))
        return found[1]


def staff(hall: ConsoleHall) -> Members:
    return Members(hall)


def file(
    hall: ConsoleHall,
    service: str,
    form: dict[str, str],
    number: int,
    *,
    station: str = "QH001",
    payload: dict[str, Any] | None = None,
    attachments: dict[str, bytes] | None = None,
) -> str:
    """File through the real intake; returns the submission id."""
    body = submission(service, form, tracking_number=f"{station}-20261123-{number:04d}")
    body["station_id"] = station
    body["payload"].update(payload or {})
    identity = station_identity(hall.server, station)
    refs = []
    for material_id, data in (attachments or {}).items():
        sha = hashlib.sha256(data).hexdigest()
        put = signed_session(identity).put(
            f"{hall.url}/api/v1/blobs/{sha}", data=seal_blob(hall.server, data), timeout=10
        )
        assert put.status_code in (200, 201), put.text
        refs.append(
            {"sha256": sha, "size": len(data), "media_type": "image/jpeg", "name": material_id}
        )
    if refs:
        body["attachments"] = refs
    response = post_submission(hall.server, body, identity)
    assert response.status_code == 201, response.text
    return str(body["id"])


def inbox(session: requests.Session, hall: ConsoleHall, **params: Any) -> dict[str, Any]:
    response = session.get(hall.url + DESK + "/inbox", params=params, timeout=10)
    assert response.status_code == 200, response.text
    found: dict[str, Any] = response.json()
    return found


def keys(page: dict[str, Any]) -> list[tuple[str, str]]:
    return [(i["submission_id"], i["part_id"]) for i in page["items"]]


def move(
    session: requests.Session, hall: ConsoleHall, sub: str, part: str, to: str, **extra: Any
) -> dict[str, Any]:
    """Move a part through the desk's move route, at the version it has now."""
    detail = session.get(f"{hall.url}{DESK}/filings/{sub}", timeout=10).json()
    version = next(p["version"] for p in detail["parts"] if p["part_id"] == part)
    response = session.post(
        f"{hall.url}{DESK}/parts/{sub}/{part}/moves",
        json={"to": to, "version": version, **extra},
        timeout=10,
    )
    assert response.status_code == 200, response.text
    found: dict[str, Any] = response.json()
    return found


def test_each_officer_lists_their_departments_parts_with_tabs_counts_and_filters(
    console_hall: ConsoleHall,
) -> None:
    hall = console_hall
    s = staff(hall)
    bundle = file(hall, "company_startup_power", BUNDLE_FORM, 1)
    food = file(hall, "food_business_licence", FOOD_FORM, 2)
    hall.clock.advance(dt.timedelta(days=1))  # received on Tuesday 24 November
    food2 = file(hall, "food_business_licence", FOOD_FORM, 1, station="QH002")
    tax = file(hall, "invoice_first_issue", TAX_FORM, 3)
    # A demand follows the demand loop on its own desk: neither listed nor counted here.
    file(hall, "enterprise_demand", DEMAND_FORM, 4)

    market = inbox(s["market"], hall)
    assert set(keys(market)) == {
        (bundle, "company_registration"),
        (food, "food_business_licence"),
        (food2, "food_business_licence"),
    }
    first = next(i for i in market["items"] if i["submission_id"] == bundle)
    assert first["tracking_number"] == "QH001-20261123-0001"
    assert first["service_name_zh"] == "企业开办+用电报装“一件事”"
    assert (first["department"], first["status"], first["version"]) == (
        "market_regulation",
        "received",
        1,
    )
    assert first["station_id"] == "QH001"
    assert first["due_on"] == "2026-11-26"  # 3 working days after Monday 23 November
    assert (first["overdue"], first["paused"]) == (False, False)
    assert first["enterprise_name"] == BUNDLE_FORM["company_name"]
    # Ordered by the promised-by date: the bundle (3 days) before the food licences (10 days).
    assert keys(market)[0] == (bundle, "company_registration")
    assert market["counts"] == {
        "waiting": 3,
        "in_progress": 0,
        "needs_more": 0,
        "overdue": 0,
        "done": 0,
    }
    # An officer cannot widen the scope: department= is a supervisor's filter.
    assert keys(inbox(s["market"], hall, department="state_grid")) == keys(market)
    assert keys(inbox(s["grid"], hall)) == [(bundle, "power_connection")]
    assert keys(inbox(s["taxman"], hall)) == [(tax, "invoice_first_issue")]
    everything = inbox(s["boss"], hall)
    assert len(everything["items"]) == 5 and everything["counts"]["waiting"] == 5
    assert keys(inbox(s["boss"], hall, department="state_grid")) == [(bundle, "power_connection")]

    # Tabs: accepted is in progress, the rest still waiting.
    move(s["market"], hall, food, "food_business_licence", "accepted")
    market = inbox(s["market"], hall)
    assert market["counts"]["waiting"] == 2 and market["counts"]["in_progress"] == 1
    assert keys(inbox(s["market"], hall, tab="in_progress")) == [(food, "food_business_licence")]
    assert (food, "food_business_licence") not in keys(inbox(s["market"], hall, tab="waiting"))

    # Filters: service, station, status, the day received (the district's date).
    assert keys(inbox(s["market"], hall, service="company_startup_power")) == [
        (bundle, "company_registration")
    ]
    assert keys(inbox(s["market"], hall, station="QH002")) == [(food2, "food_business_licence")]
    assert keys(inbox(s["market"], hall, status="accepted")) == [(food, "food_business_licence")]
    on_monday = inbox(s["market"], hall, **{"from": "2026-11-23", "to": "2026-11-23"})
    assert set(keys(on_monday)) == {
        (bundle, "company_registration"),
        (food, "food_business_licence"),
    }
    assert keys(inbox(s["market"], hall, **{"from": "2026-11-24"})) == [
        (food2, "food_business_licence")
    ]
    # The counts are the department's workload, whatever the list is filtered by.
    filtered = inbox(s["market"], hall, station="QH002", tab="done", q="味道")
    assert filtered["items"] == [] and filtered["counts"] == market["counts"]

    # Search: tracking number (exact, prefix), enterprise name (contains), USCC (exact, prefix).
    assert keys(inbox(s["market"], hall, q="QH001-20261123-0001")) == [
        (bundle, "company_registration")
    ]
    assert set(keys(inbox(s["market"], hall, q="qh002-2026"))) == {(food2, "food_business_licence")}
    assert set(keys(inbox(s["market"], hall, q="味道餐饮"))) == {
        (food, "food_business_licence"),
        (food2, "food_business_licence"),
    }
    assert len(inbox(s["market"], hall, q=FOOD_FORM["uscc"])["items"]) == 2
    assert len(inbox(s["market"], hall, q="91320505MA1FOOD")["items"]) == 2
    assert keys(inbox(s["boss"], hall, q="91320505MA1TAX")) == [(tax, "invoice_first_issue")]
    # Never by an ID number, whole or in part.
    for q in (BUNDLE_FORM["applicant_id_number"], BUNDLE_FORM["applicant_id_number"][:10]):
        assert inbox(s["boss"], hall, q=q)["items"] == []
    assert inbox(s["boss"], hall, q="%")["items"] == []  # LIKE's wildcard is a plain character

    # Overdue: past the promised-by date, open and not paused; listed first, counted on its tab.
    hall.clock.set(dt.datetime(2026, 11, 27, 9, 0, tzinfo=START.tzinfo))
    market = inbox(s["market"], hall)
    assert market["counts"]["overdue"] == 1
    assert keys(market)[0] == (bundle, "company_registration") and market["items"][0]["overdue"]
    assert market["items"][0]["working_days_left"] == -1
    assert keys(inbox(s["market"], hall, tab="overdue")) == [(bundle, "company_registration")]
    # Asked for more material, the part pauses: no longer overdue.
    move(s["market"], hall, bundle, "company_registration", "accepted")
    move(s["market"], hall, bundle, "company_registration", "in_review")
    move(
        s["market"],
        hall,
        bundle,
        "company_registration",
        "needs_more",
        items=[{"material": "premises_proof", "reason": "租赁合同缺页"}],
    )
    market = inbox(s["market"], hall)
    assert market["counts"]["overdue"] == 0 and market["counts"]["needs_more"] == 1
    paused = next(i for i in market["items"] if i["submission_id"] == bundle)
    assert (paused["status"], paused["paused"], paused["overdue"]) == ("needs_more", True, False)
    # The State Grid's part of the same bundle did not pause: it is overdue in its inbox.
    assert inbox(s["grid"], hall)["counts"]["overdue"] == 1

    for bad in ({"tab": "later"}, {"status": "handling"}, {"after": "not-a-cursor"}):
        response = s["market"].get(hall.url + DESK + "/inbox", params=bad, timeout=10)
        assert response.status_code == 422, bad
        assert response.json()["detail"]["message_en"]
    assert s["market"].get(hall.url + DESK + "/inbox?limit=201", timeout=10).status_code == 422
    assert s["helper"].get(hall.url + DESK + "/inbox", timeout=10).status_code == 403


def walk(session: requests.Session, hall: ConsoleHall, **params: Any) -> list[tuple[str, str]]:
    """Every page of an inbox, following the cursor."""
    seen: list[tuple[str, str]] = []
    page = inbox(session, hall, **params)
    while True:
        seen += keys(page)
        if page["next"] is None:
            return seen
        page = inbox(session, hall, **params, after=page["next"])


def test_keyset_pages_cover_the_inbox_once_in_order_while_parts_move(
    console_hall: ConsoleHall,
) -> None:
    hall = console_hall
    s = staff(hall)
    ids = []
    for n in range(1, 8):
        ids.append(file(hall, "food_business_licence", FOOD_FORM, n))
        hall.clock.advance(dt.timedelta(hours=1))
    bundle = file(hall, "company_startup_power", BUNDLE_FORM, 8)
    # A service this hall's catalog does not know: no promised-by date, listed last.
    undated = file(hall, "retired_service", {"enterprise_name": "旧事项公司"}, 9)
    whole = keys(inbox(s["market"], hall, limit=200))
    assert len(whole) == 8 and whole[0] == (bundle, "company_registration")
    # Equal promised-by dates fall back to the time received.
    assert [k[0] for k in whole[1:]] == ids[:7]

    seen: list[tuple[str, str]] = []
    page = inbox(s["market"], hall, limit=3)
    moved = False
    while True:
        seen += keys(page)
        if page["next"] is None:
            break
        if not moved:  # a part moved between pages neither repeats nor hides another
            move(s["market"], hall, ids[0], "food_business_licence", "accepted")
            moved = True
        page = inbox(s["market"], hall, limit=3, after=page["next"])
    assert seen == whole
    assert page["counts"]["in_progress"] == 1

    # Thursday: the bundle's two parts are overdue and come first, the undated part last; pages
    # of any size, for every part and for one tab, give the same list as one long page.
    hall.clock.set(dt.datetime(2026, 11, 27, 9, 0, tzinfo=START.tzinfo))
    everything = keys(inbox(s["boss"], hall, limit=200))
    assert len(everything) == 10
    assert set(everything[:2]) == {(bundle, "company_registration"), (bundle, "power_connection")}
    assert everything[-1] == (undated, "retired_service")
    for limit in (1, 2, 3):
        assert walk(s["boss"], hall, limit=limit) == everything
        assert walk(s["boss"], hall, limit=limit, tab="waiting") == [
            k for k in everything if k != (ids[0], "food_business_licence")
        ]
    assert walk(s["market"], hall, limit=2, tab="in_progress") == [
        (ids[0], "food_business_licence")
    ]


def publish_relabelled(hall: ConsoleHall, boss: requests.Session) -> None:
    """A newer catalog whose bundle form calls its fields differently."""
    doc = json.loads(SAMPLE_CATALOG_PATH.read_text(encoding="utf-8"))
    doc["version"] = "2026.12.1"
    service = next(s for s in doc["services"] if s["id"] == "company_startup_power")
    for spec in service["form"]["fields"]:
        spec["label_zh"] = "新版" + spec["label_zh"]
        spec["label_en"] = "New " + spec["label_en"]
    response = boss.put(
        hall.url + "/api/v1/catalog", data=json.dumps(doc, ensure_ascii=False).encode(), timeout=10
    )
    assert response.status_code == 201, response.text


def test_a_filing_shows_its_own_catalogs_form_masked_ids_materials_and_every_look_is_audited(
    console_hall: ConsoleHall,
) -> None:
    hall = console_hall
    s = staff(hall)
    photos = {"premises_proof": JPEG, "articles_of_association": JPEG[::-1]}
    sub = file(
        hall,
        "company_startup_power",
        BUNDLE_FORM,
        1,
        payload={
            "confirmed_at": "2026-11-23T00:58:00.000+00:00",
            "assist": {"helper": "helper", "session_id": "call-7f3a"},
            "helper_filled": ["business_scope", "power_capacity_kw"],
        },
        attachments=photos,
    )
    publish_relabelled(hall, s["boss"])

    response = s["market"].get(f"{hall.url}{DESK}/filings/{sub}", timeout=10)
    assert response.status_code == 200, response.text
    doc = response.json()
    # The ID number never leaves the hall unmasked without "show".
    assert BUNDLE_FORM["applicant_id_number"] not in response.text
    assert (doc["catalog_version"], doc["catalog_version_known"]) == ("2026.11.3", True)
    assert doc["tracking_number"] == "QH001-20261123-0001" and doc["station_id"] == "QH001"
    assert doc["confirmed_at"] == "2026-11-23T00:58:00.000+00:00"
    form = {f["name"]: f for f in doc["form"]}
    # Market regulation's part receives the company fields, not the power fields.
    assert list(form) == [
        "applicant_name",
        "applicant_id_number",
        "mobile",
        "company_name",
        "enterprise_type",
        "registered_capital",
        "business_address",
        "business_scope",
    ]
    assert form["applicant_id_number"]["label_zh"] == "申请人身份证号码"  # not the newer label
    assert form["applicant_id_number"]["kind"] == "id_number"
    assert form["applicant_id_number"]["value"] == "320***********1234"
    assert form["applicant_id_number"]["masked"] is True
    assert form["company_name"] == {
        "name": "company_name",
        "label_zh": "拟设企业名称",
        "label_en": form["company_name"]["label_en"],
        "kind": "text",
        "value": BUNDLE_FORM["company_name"],
        "masked": False,
        "helper_filled": False,
    }
    assert form["business_scope"]["helper_filled"] is True
    assert doc["co_filled"] == {
        "helper": "helper",
        "assist_session_id": "call-7f3a",
        "fields": ["business_scope"],
    }
    materials = {m["id"]: m for m in doc["materials"]}
    assert set(materials) == set(photos)
    assert materials["premises_proof"]["name_zh"] == "经营场所使用证明（房产证或租赁合同）"
    assert materials["premises_proof"]["content_type"] == "image/jpeg"
    assert materials["premises_proof"]["size"] == len(JPEG)
    for material_id, data in photos.items():
        image = s["market"].get(hall.url + materials[material_id]["url"], timeout=10)
        assert image.status_code == 200
        assert image.headers["content-type"] == "image/jpeg"
        assert image.headers["cache-control"] == "no-store"
        assert image.content == data
    missing = s["market"].get(f"{hall.url}{DESK}/filings/{sub}/materials/floor_plan", timeout=10)
    assert missing.status_code == 404
    # Every part with its holder and status; the caller's own marked.
    holders = {p["part_id"]: (p["department"], p["status"], p["mine"]) for p in doc["parts"]}
    assert holders == {
        "company_registration": ("market_regulation", "received", True),
        "power_connection": ("state_grid", "received", False),
    }
    assert doc["bundle_done"] is False

    grid = s["grid"].get(f"{hall.url}{DESK}/filings/{sub}", timeout=10).json()
    grid_fields = [f["name"] for f in grid["form"]]
    assert "power_capacity_kw" in grid_fields and "business_scope" not in grid_fields
    assert grid["co_filled"]["fields"] == ["power_capacity_kw"]
    boss = s["boss"].get(f"{hall.url}{DESK}/filings/{sub}", timeout=10).json()
    assert len(boss["form"]) == len(BUNDLE_FORM)

    # "Show" gives the value, once asked, and is recorded.
    shown = s["market"].post(
        f"{hall.url}{DESK}/filings/{sub}/reveal", json={"field": "applicant_id_number"}, timeout=10
    )
    assert shown.status_code == 200 and shown.json() == {
        "value": BUNDLE_FORM["applicant_id_number"]
    }
    not_masked = s["market"].post(
        f"{hall.url}{DESK}/filings/{sub}/reveal", json={"field": "company_name"}, timeout=10
    )
    assert not_masked.status_code == 422 and not_masked.json()["detail"]["code"] == "not_masked"
    # A field another department's part receives is not the market officer's to see.
    hidden = s["market"].post(
        f"{hall.url}{DESK}/filings/{sub}/reveal", json={"field": "power_capacity_kw"}, timeout=10
    )
    assert hidden.status_code == 404

    looks = [
        (actor, action, subject, outcome)
        for actor, action, subject, outcome in audit_rows(hall.server, subject_kind="filing")
        if outcome == "ok"
    ]
    assert looks == [
        ("market", "filing.view", sub, "ok"),
        ("market", "filing.material", f"{sub}/premises_proof", "ok"),
        ("market", "filing.material", f"{sub}/articles_of_association", "ok"),
        ("grid", "filing.view", sub, "ok"),
        ("boss", "filing.view", sub, "ok"),
        ("market", "filing.reveal", f"{sub}/applicant_id_number", "ok"),
    ]
    trail = s["boss"].get(f"{hall.url}{DESK}/audit", params={"submission_id": sub}, timeout=10)
    assert trail.status_code == 200
    entries = trail.json()["entries"]
    assert ("market", "filing.reveal", f"{sub}/applicant_id_number") in {
        (e["actor"], e["action"], e["subject_id"]) for e in entries
    }
    assert all(e["at"] and e["subject_id"].startswith(sub) for e in entries)
    assert BUNDLE_FORM["applicant_id_number"] not in trail.text
    for who in ("market", "helper"):
        assert s[who].get(f"{hall.url}{DESK}/audit", timeout=10).status_code == 403

    # A filing naming a version this hall never published renders with the latest labels.
    odd = file(hall, "company_startup_power", BUNDLE_FORM, 2, payload={"catalog_version": "1999.1"})
    odd_doc = s["boss"].get(f"{hall.url}{DESK}/filings/{odd}", timeout=10).json()
    assert (odd_doc["catalog_version"], odd_doc["catalog_version_known"]) == ("2026.12.1", False)
    assert odd_doc["form"][0]["label_zh"] == "新版申请人姓名"
    assert odd_doc["confirmed_at"] is None and odd_doc["co_filled"] is None
    assert s["boss"].get(f"{hall.url}{DESK}/filings/{uuid.uuid4()}", timeout=10).status_code == 404


def test_another_departments_officer_and_helpers_are_refused_everywhere_and_it_is_recorded(
    console_hall: ConsoleHall,
) -> None:
    hall = console_hall
    s = staff(hall)
    sub = file(hall, "company_startup_power", BUNDLE_FORM, 1, attachments={"premises_proof": JPEG})
    base = f"{hall.url}{DESK}/filings/{sub}"
    for who in ("taxman", "helper"):
        session = s[who]
        answers = [
            session.get(base, timeout=10),
            session.post(base + "/reveal", json={"field": "applicant_id_number"}, timeout=10),
            session.get(base + "/materials/premises_proof", timeout=10),
            session.get(hall.url + DESK + "/board", timeout=10),
            session.get(hall.url + DESK + "/audit", timeout=10),
        ]
        assert [a.status_code for a in answers] == [403] * 5, who
        assert all(BUNDLE_FORM["applicant_id_number"] not in a.text for a in answers)
    assert s["market"].get(hall.url + DESK + "/board", timeout=10).status_code == 403
    refusals = [
        row for row in audit_rows(hall.server) if row[0] == "taxman" and row[1] == "auth.refused"
    ]
    assert [r[3] for r in refusals].count("other_department") == 3
    # Nothing was shown, so nothing was recorded as seen.
    assert not [r for r in audit_rows(hall.server, subject_kind="filing") if r[3] == "ok"]


def test_the_board_counts_each_departments_work_and_days_to_close(
    console_hall: ConsoleHall,
) -> None:
    hall = console_hall
    s = staff(hall)
    bundle = file(hall, "company_startup_power", BUNDLE_FORM, 1)
    food = file(hall, "food_business_licence", FOOD_FORM, 2)
    file(hall, "invoice_first_issue", TAX_FORM, 3)
    move(s["market"], hall, bundle, "company_registration", "accepted")
    move(s["market"], hall, bundle, "company_registration", "in_review")
    move(
        s["market"],
        hall,
        bundle,
        "company_registration",
        "needs_more",
        items=[{"material": "articles_of_association", "reason": "未签字"}],
    )
    hall.clock.advance(dt.timedelta(days=1))
    for to in ("accepted", "in_review", "approved"):
        move(s["grid"], hall, bundle, "power_connection", to)
    hall.clock.advance(dt.timedelta(days=1, hours=12))
    move(s["grid"], hall, bundle, "power_connection", "result_ready", delivery="pickup")
    move(s["grid"], hall, bundle, "power_connection", "closed")
    # Friday: the tax part (1 working day, due Tuesday) is overdue; the food one (10) is not.
    hall.clock.set(dt.datetime(2026, 11, 27, 9, 0, tzinfo=START.tzinfo))

    response = s["boss"].get(hall.url + DESK + "/board", timeout=10)
    assert response.status_code == 200, response.text
    board = response.json()
    rows = {d["id"]: d for d in board["departments"]}
    assert {"market_regulation", "state_grid", "tax", "approval"} <= set(rows)
    figures = ("waiting", "in_progress", "needs_more", "overdue", "closed_30d")
    assert [rows["market_regulation"][k] for k in figures] == [1, 0, 1, 0, 0]
    assert [rows["state_grid"][k] for k in figures] == [0, 0, 0, 0, 1]
    assert [rows["tax"][k] for k in figures] == [1, 0, 0, 1, 0]
    assert rows["state_grid"]["avg_days_to_close"] == 2.5
    assert rows["market_regulation"]["avg_days_to_close"] is None
    assert rows["state_grid"]["name_zh"] and rows["state_grid"]["name_en"]
    assert board["total"]["waiting"] == 2 and board["total"]["closed_30d"] == 1
    assert board["total"]["avg_days_to_close"] == 2.5
    # The filing is a bundle: done only when every part is.
    detail = s["boss"].get(f"{hall.url}{DESK}/filings/{bundle}", timeout=10).json()
    assert detail["bundle_done"] is False
    assert food in {i["submission_id"] for i in inbox(s["boss"], hall)["items"]}


def test_a_name_search_finds_the_same_parts_by_key_or_by_reading_the_rows(
    sqlite_hall: ConsoleHall, monkeypatch: pytest.MonkeyPatch
) -> None:
    from hall import desk_views

    hall = sqlite_hall
    s = staff(hall)
    food = [file(hall, "food_business_licence", FOOD_FORM, n) for n in (1, 2, 3)]
    file(hall, "invoice_first_issue", TAX_FORM, 4)
    by_key = keys(inbox(s["boss"], hall, q="味道餐饮"))
    assert sorted(k[0] for k in by_key) == sorted(food)
    # More matches than are fetched by key: the page reads the names in the rows instead.
    monkeypatch.setattr(desk_views, "_NAMED_BY_KEY", 1)
    assert keys(inbox(s["boss"], hall, q="味道餐饮")) == by_key
    assert keys(inbox(s["market"], hall, q="味道餐饮", limit=2)) == by_key[:2]
    assert inbox(s["boss"], hall, q="不存在的公司")["items"] == []
