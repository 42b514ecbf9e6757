"""The applicant's access token and view, through a real hall (uvicorn; SQLite and PostgreSQL).

A filing carries the kiosk's token (``access_token`` in the sealed payload); the hall keeps it at
intake. The tracking number alone shows the status, as before; with the token (``?t=`` or the
``X-Access-Token`` header, the API and the phone page ``/p/...``) the applicant's story: what is
missing and why, the pick-up station or EMS waybill, a demand's reply text. A wrong, malformed or
expired token shows exactly the status view — never an error, never why — and no token reaches
the log.
"""

from __future__ import annotations

import json
import logging
import secrets
from datetime import timedelta
from typing import Any

import pytest
import requests
from sqlalchemy import select, update

from hall.applicant_schema import applicant_access
from hall.applicant_view import ACCESS_DAYS, RedactTokens, link
from hall.store import SubmissionStore
from hall.tracking import parts, status_only
from tests.hall.conftest import ConsoleHall
from tests.hall.helpers import (
    BUNDLE_FORM,
    DEMAND_FORM,
    SECRETS,
    add_staff,
    login,
    post_submission,
    submission,
)
from tests.hall.test_desk_moves import add_officer, moved

BUNDLE = "company_startup_power"
NUMBER = "QH001-20261123-0001"
ITEMS = [
    {"material": "premises_proof", "reason": "租赁合同缺少出租方盖章页"},
    {"material": "articles_of_association", "reason": "章程未签字"},
]


def file_with_token(
    hall: ConsoleHall, service: str, form: dict[str, str], number: str, token: str | None
) -> str:
    body = submission(service, form, tracking_number=number)
    if token is not None:
        body["payload"]["access_token"] = token
    assert post_submission(hall.server, body).status_code == 201
    return str(body["id"])


def api(hall: ConsoleHall, number: str, **kw: Any) -> requests.Response:
    return requests.get(f"{hall.url}/api/v1/progress/{number}", timeout=5, **kw)


def phone(hall: ConsoleHall, number: str, token: str | None = None) -> requests.Response:
    params = {"t": token} if token is not None else None
    return requests.get(f"{hall.url}/p/{number}", params=params, timeout=5)


def status_view(doc: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in doc.items() if k != "access"}


def test_the_token_opens_the_story_and_nothing_else_does(
    console_hall: ConsoleHall, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    hall = console_hall
    token = secrets.token_urlsafe(16)
    sub = file_with_token(hall, BUNDLE, BUNDLE_FORM, NUMBER, token)
    market = add_officer(hall, "mei.market", "market_regulation")
    moved(market, hall, sub, "company_registration", to="accepted", version=1)
    moved(market, hall, sub, "company_registration", to="in_review", version=2)
    moved(
        market, hall, sub, "company_registration", to="needs_more", version=3, items=ITEMS,
        note_zh="请补交盖章页", note_en="Please hand in the stamped page",
    )  # fmt: skip

    public = api(hall, NUMBER).json()
    assert "access" not in public  # the number alone: the status document, as before
    full = api(hall, NUMBER, params={"t": token}).json()
    assert full["access"] == "full"
    company, power = full["parts"]
    assert company["missing"] == [
        {**ITEMS[0], "name_zh": "经营场所使用证明（房产证或租赁合同）",
         "name_en": "Proof of use of the premises (title deed or lease)"},
        {**ITEMS[1], "name_zh": "公司章程（可使用标准模板）",
         "name_en": "Articles of association (the standard template may be used)"},
    ]  # fmt: skip
    assert "missing" not in power and power["status"] == "received"
    # The header does what the query does; the story is the status document plus the story.
    assert api(hall, NUMBER, headers={"X-Access-Token": token}).json() == full
    story = {k: v for k, v in company.items() if k != "missing"}
    assert status_only({"parts": [story]})["parts"][0] == public["parts"][0]
    # The number alone shows the status only: no material, no reason, no officer's note.
    shown = json.dumps(public, ensure_ascii=False)
    for detail in ("premises_proof", ITEMS[0]["reason"], "请补交盖章页", "stamped page"):
        assert detail in json.dumps(full, ensure_ascii=False) and detail not in shown

    # Wrong, malformed, another filing's, far too long: the status view, 200, no word why.
    other = secrets.token_urlsafe(16)
    file_with_token(hall, BUNDLE, BUNDLE_FORM, "QH001-20261123-0002", other)
    for wrong in (secrets.token_urlsafe(16), token[:-1] + ("A" if token[-1] != "A" else "B"),
                  "short", other, "x" * 5000, token + "'--", ""):  # fmt: skip
        answer = api(hall, NUMBER, params={"t": wrong})
        assert answer.status_code == 200
        doc = answer.json()
        assert status_view(doc) == public and doc.get("access", "status") == "status"
        page = phone(hall, NUMBER, wrong)
        assert page.status_code == 200 and "需要补交的材料" not in page.text
        assert "可查看完整办理详情" in page.text or wrong == ""
    # An unknown number stays 404 with or without a token.
    assert api(hall, "QH001-20261123-0099", params={"t": token}).status_code == 404

    # The phone page with the token: material names, the officer's reasons, where to hand in.
    page = phone(hall, NUMBER, token)
    assert page.status_code == 200
    assert page.headers["cache-control"] == "no-store"
    assert "form-action 'self'" in page.headers["content-security-policy"]
    for text in ("需要补交的材料", "经营场所使用证明", "租赁合同缺少出租方盖章页", "章程未签字",
                 "任一自助终端"):  # fmt: skip
        assert text in page.text
    bare = phone(hall, NUMBER)
    assert "可查看完整办理详情" in bare.text and "需要补交的材料" not in bare.text
    for text in (page.text, bare.text, str(full)):
        assert "mei.market" not in text
        for secret in SECRETS:
            assert secret not in text

    # Two years on the token no longer opens it: the status view again.
    hall.clock.advance(timedelta(days=ACCESS_DAYS + 1))
    assert status_view(api(hall, NUMBER, params={"t": token}).json()) == public
    assert "需要补交的材料" not in phone(hall, NUMBER, token).text
    # The hall's own log (this test's HTTP client logs its URLs: not the hall's).
    hall_log = "\n".join(
        r.getMessage() for r in caplog.records if r.name.startswith(("hall", "uvicorn"))
    )
    assert hall_log and token not in hall_log and other not in hall_log


def test_the_result_and_how_to_get_it(sqlite_hall: ConsoleHall) -> None:
    hall = sqlite_hall
    token = secrets.token_urlsafe(16)
    sub = file_with_token(hall, BUNDLE, BUNDLE_FORM, NUMBER, token)
    market = add_officer(hall, "mei.market", "market_regulation")
    grid = add_officer(hall, "zhou.grid", "state_grid")
    for to, version in (("accepted", 1), ("in_review", 2), ("approved", 3)):
        moved(market, hall, sub, "company_registration", to=to, version=version)
        moved(grid, hall, sub, "power_connection", to=to, version=version)
    moved(market, hall, sub, "company_registration", to="result_ready", version=4, delivery="ems")
    moved(grid, hall, sub, "power_connection", to="result_ready", version=4, delivery="pickup")

    company, power = api(hall, NUMBER, params={"t": token}).json()["parts"]
    assert (company["delivery"], "waybill" in company) == ("ems", False)
    # The demo station enrolled as QH001 (tests.hall.helpers): its name is the pick-up place.
    assert (power["delivery"], power["pickup_at"]) == ("pickup", "QH001")
    page = phone(hall, NUMBER, token).text
    assert "寄出后短信告知运单号" in page and "请带上回执到 QH001 领取" in page

    # The waybill once recorded (the part row's column) is the applicant's to see.
    store = SubmissionStore(hall.server.db_path)
    try:
        with store.engine.begin() as conn:
            conn.execute(
                update(parts)
                .where(parts.c.submission_id == sub, parts.c.part_id == "company_registration")
                .values(waybill="1180123456789")
            )
    finally:
        store.close()
    company = api(hall, NUMBER, params={"t": token}).json()["parts"][0]
    assert company["waybill"] == "1180123456789"
    assert "运单号 <b>1180123456789</b>" in phone(hall, NUMBER, token).text
    # Without the token: the delivery words the status always had, never the waybill.
    assert "1180123456789" not in phone(hall, NUMBER).text
    assert "1180123456789" not in api(hall, NUMBER).text


def test_a_demands_reply_text_is_the_token_holders(sqlite_hall: ConsoleHall) -> None:
    hall = sqlite_hall
    token = secrets.token_urlsafe(16)
    demand = file_with_token(hall, "enterprise_demand", DEMAND_FORM, NUMBER, token)
    add_staff(hall.server, "lin.helper")
    desk = login(hall.server, "lin.helper")
    actions = f"{hall.url}/api/v1/demands/{demand}/actions"
    for body in (
        {"action": "classify", "category": "human_resources"},
        {"action": "dispatch", "department": "hr_social_security"},
        {"action": "accept"},
        {"action": "reply", "note": "已对接区人才市场专场招聘会，12月5日举行"},
    ):
        assert desk.post(actions, json=body, timeout=5).status_code == 200
    full = api(hall, NUMBER, params={"t": token}).json()
    assert [r["text"] for r in full["replies"]] == ["已对接区人才市场专场招聘会，12月5日举行"]
    assert "已对接区人才市场" in phone(hall, NUMBER, token).text
    assert "已对接区人才市场" not in phone(hall, NUMBER).text
    assert "replies" not in api(hall, NUMBER).json()


def test_a_filing_without_a_usable_token_is_stored_and_shows_its_status(
    sqlite_hall: ConsoleHall,
) -> None:
    hall = sqlite_hall
    file_with_token(hall, BUNDLE, BUNDLE_FORM, NUMBER, None)  # an older kiosk
    file_with_token(hall, BUNDLE, BUNDLE_FORM, "QH001-20261123-0002", "not a token!")
    store = SubmissionStore(hall.server.db_path)
    try:
        with store.engine.connect() as conn:
            assert conn.execute(select(applicant_access)).all() == []
    finally:
        store.close()
    for number in (NUMBER, "QH001-20261123-0002"):
        assert api(hall, number).status_code == 200
        doc = api(hall, number, params={"t": "not a token!"}).json()
        assert doc["access"] == "status"


def test_the_access_log_never_holds_a_token(caplog: pytest.LogCaptureFixture) -> None:
    token = secrets.token_urlsafe(16)
    access = logging.getLogger("uvicorn.access")
    access.addFilter(RedactTokens())
    with caplog.at_level(logging.INFO, logger="uvicorn.access"):
        # The shape of uvicorn's own access line (uvicorn.protocols.http.*).
        access.info(
            '%s - "%s %s HTTP/%s" %d',
            "127.0.0.1:5000",
            "GET",
            f"/p/{NUMBER}?lang=zh&t={token}",
            "1.1",
            200,
        )
    assert token not in caplog.text and f"/p/{NUMBER}?lang=zh&t=***" in caplog.text
    assert (
        link("https://hall.example/", NUMBER, token) == f"https://hall.example/p/{NUMBER}?t={token}"
    )
