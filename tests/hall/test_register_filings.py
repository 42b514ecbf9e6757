"""Filings that reference the enterprise register, and its e-archive, against a real hall
(uvicorn; SQLite and PostgreSQL) with real signed station requests.

A filing for an enterprise picked from the register takes the business licence on file instead
of a photograph: the hall checks the reference at intake and the officer sees the licence in the
filing detail, through the audited materials route, as if photographed (or, when the hall holds
no file of it, a note that the register holds it). A reference that does not hold (expired,
another enterprise's, unknown, of another kind, an enterprise this station never opened) refuses
the filing with a reason per material and stores nothing. The e-archive lists the enterprise's
filings, demands, documents and ratings newest first for its legal representative at any
station, prints a document on file (which the sweep of unfiled blobs spares), and gives anyone
else 403 with no enterprise data.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import requests

from contracts.register import (
    ARCHIVE_PATH,
    DOCUMENTS_PATH,
    ON_FILE_REASONS,
    ON_FILE_REFUSED,
    ArchiveAnswer,
    EnterpriseAnswer,
    filing_reference,
)
from hall.blob_store import BlobStore
from hall.register_schema import filing_enterprises, filing_materials_on_file, register_lookups
from hall.store import SubmissionStore, submissions
from hall.tracking import parts
from tests.hall.conftest import ConsoleHall
from tests.hall.helpers import DEMAND_FORM, audit_rows, post_submission, submission
from tests.hall.test_desk_moves import add_member, add_officer
from tests.hall.test_ratings import TOKEN, close_part, rate
from tests.hall.test_register import (
    AGENT,
    LEGAL,
    STRANGER,
    Station,
    import_file,
    refused,
    row,
    rows_of,
    uscc,
    workbook,
)
from tests.support.clock import FakeClock

CHANGE = "company_change_registration"
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
# A change form without the enterprise's name and USCC: the register supplies them.
CHANGE_FORM = {
    "contact_name": "王小明",
    "mobile": "13912345678",
    "change_item": "address",
    "new_value": "苏州高新区狮山路99号",
}


def setup_register(hall: ConsoleHall, *extra: list[str]) -> requests.Session:
    """Three enterprises (the second's licence expired), the first's licence scanned in."""
    admin = add_member(hall, "an.admin", "admin")
    expired = {"营业执照发证日期": "2016-01-01", "营业执照有效期至": "2026-01-01"}
    rows = [row(1), row(2, **expired), row(3), *extra]
    assert import_file(admin, hall, workbook(rows)).status_code == 200
    return admin


def licence(answer: EnterpriseAnswer) -> str:
    [found] = [m.id for m in answer.materials if m.kind == "business_licence"]
    return found


def chosen(station: Station, holder: str = LEGAL) -> dict[str, EnterpriseAnswer]:
    """The holder's enterprises by USCC, as the kiosk's 办理企业 shows them (logged as shown)."""
    return {a.uscc or "": a for a in station.mine(holder)}


def change_filing(
    answer: EnterpriseAnswer,
    on_file: dict[str, str],
    number: str,
    *,
    station: str = "QH001",
    created_at: str = "2026-11-23T00:30:00+00:00",
) -> dict[str, Any]:
    body = submission(CHANGE, CHANGE_FORM, tracking_number=number, created_at=created_at)
    body["station_id"] = station
    body["payload"].update(filing_reference(answer, on_file))
    body["payload"]["access_token"] = TOKEN + number[-1]
    return body


def attach(admin: requests.Session, hall: ConsoleHall, material_id: str, data: bytes) -> Any:
    url = f"{hall.url}/api/v1/register/materials/{material_id}/file"
    return admin.put(url, data=data, headers={"Content-Type": "application/pdf"}, timeout=10)


def test_a_filing_takes_the_licence_on_file_and_the_officer_sees_it(
    console_hall: ConsoleHall,
) -> None:
    hall = console_hall
    admin = setup_register(hall)
    station = Station(hall)
    mine = chosen(station)
    first, third = mine[uscc(1)], mine[uscc(3)]

    # Staff scan the first enterprise's licence into the register (a PDF; nothing else).
    assert attach(admin, hall, licence(first), PDF).status_code == 200
    not_pdf = attach(admin, hall, licence(first), b"plain text, not a document")
    assert not_pdf.status_code == 415 and not_pdf.json()["detail"]["code"] == "not_a_document"
    assert attach(admin, hall, "0" * 32, PDF).status_code == 404
    market = add_officer(hall, "mei.market", "market_regulation")
    assert attach(market, hall, licence(first), PDF).status_code == 403  # admins only

    # The walk-in files the change with no camera step for the licence.
    body = change_filing(first, {"business_licence": licence(first)}, "QH001-20261123-0001")
    answer = post_submission(hall.server, body)
    assert answer.status_code == 201, answer.text
    sub = str(body["id"])
    [part] = [p for p in rows_of(hall, parts) if p.submission_id == sub]
    assert (part.uscc, part.enterprise_name) == (uscc(1), first.name)  # from the register
    referenced = rows_of(hall, filing_materials_on_file)
    assert [(r.material_id, r.enterprise_material_id) for r in referenced] == [
        ("business_licence", licence(first))
    ]
    assert [(r.submission_id, r.enterprise_id) for r in rows_of(hall, filing_enterprises)] == [
        (sub, first.id)
    ]

    # The officer sees the licence as if photographed: its name, where it came from, the file.
    detail = market.get(f"{hall.url}/api/v1/desk/filings/{sub}", timeout=5)
    assert detail.status_code == 200, detail.text
    [shown] = detail.json()["materials"]
    assert shown["id"] == "business_licence@register" and shown["name_zh"] == "营业执照"
    assert shown["on_file"]["note_zh"] == "来自企业档案（签发 2020-03-01，长期有效）"
    assert shown["on_file"]["has_file"] is True and shown["content_type"] == "application/pdf"
    assert shown["size"] == len(PDF)
    got = market.get(hall.url + shown["url"], timeout=5)
    assert got.status_code == 200 and got.content == PDF
    assert got.headers["Cache-Control"] == "no-store"
    assert ("mei.market", "filing.material", f"{sub}/business_licence@register", "ok") in (
        audit_rows(hall.server, subject_kind="filing")
    )
    helper = add_member(hall, "lin.helper", "helper")
    assert helper.get(hall.url + shown["url"], timeout=5).status_code == 403

    # A licence the register holds without a file: the note says so, no picture.
    body = change_filing(third, {"business_licence": licence(third)}, "QH001-20261123-0002")
    assert post_submission(hall.server, body).status_code == 201
    detail = market.get(f"{hall.url}/api/v1/desk/filings/{body['id']}", timeout=5).json()
    [paper] = detail["materials"]
    assert paper["url"] is None and paper["on_file"]["has_file"] is False
    assert "档案存有纸质/电子件" in paper["on_file"]["note_zh"]
    missing = market.get(
        f"{hall.url}/api/v1/desk/filings/{body['id']}/materials/business_licence@register",
        timeout=5,
    )
    assert missing.status_code == 404


def test_references_that_do_not_hold_refuse_the_filing_with_reasons(
    console_hall: ConsoleHall,
) -> None:
    hall = console_hall
    ends_yesterday = {"营业执照发证日期": "2016-01-01", "营业执照有效期至": "2026-11-22"}
    setup_register(hall, row(4, **ends_yesterday))
    station = Station(hall)
    mine = chosen(station)
    first, second, third, fourth = (mine[uscc(n)] for n in (1, 2, 3, 4))
    key = "materials_on_file.business_licence"

    def refusal(body: dict[str, Any]) -> dict[str, str]:
        answer = post_submission(hall.server, body)
        assert answer.status_code == 422, answer.text
        detail = answer.json()["detail"]
        assert detail["msg"] == ON_FILE_REFUSED
        reasons: dict[str, str] = detail["reasons"]
        assert set(reasons.values()) <= set(ON_FILE_REASONS)  # the kiosk has words for each
        return reasons

    number = "QH001-20261123-0001"
    expired = change_filing(second, {"business_licence": licence(second)}, number)
    assert refusal(expired) == {key: "expired"}
    others = change_filing(first, {"business_licence": licence(third)}, number)
    assert refusal(others) == {key: "other_enterprise"}
    unknown = change_filing(first, {"business_licence": "f" * 32}, number)
    assert refusal(unknown) == {key: "unknown"}
    wrong = change_filing(first, {"shareholder_resolution": licence(first)}, number)
    assert refusal(wrong) == {"materials_on_file.shareholder_resolution": "wrong_kind"}
    both = change_filing(
        first, {"business_licence": licence(first), "power_of_attorney": "f" * 32}, number
    )
    assert refusal(both) == {"materials_on_file.power_of_attorney": "unknown"}
    # Another station never opened this enterprise: it may not claim its materials.
    elsewhere = change_filing(
        first, {"business_licence": licence(first)}, "QH002-20261123-0001", station="QH002"
    )
    assert refusal(elsewhere) == {key: "not_looked_up", "enterprise": "not_looked_up"}
    malformed = change_filing(first, {}, number)
    malformed["payload"]["materials_on_file"] = {"business_licence": 7}
    assert refusal(malformed) == {"materials_on_file": "malformed"}
    # Nothing of any of them was kept.
    assert rows_of(hall, submissions) == [] and rows_of(hall, parts) == []
    assert rows_of(hall, filing_materials_on_file) == []

    # Valid on the day the walk-in filed (queued offline), expired when it reaches the hall:
    # judged by the filing's day. Filed today with it, refused.
    late = change_filing(fourth, {"business_licence": licence(fourth)}, number,
                         created_at="2026-11-22T03:00:00+00:00")  # fmt: skip
    assert post_submission(hall.server, late).status_code == 201
    today = change_filing(fourth, {"business_licence": licence(fourth)}, "QH001-20261123-0002")
    assert refusal(today) == {key: "expired"}
    # Naming an enterprise without materials never refuses; unopened, it is not linked.
    plain = change_filing(
        first, {}, "QH002-20261123-0002", station="QH002", created_at="2026-11-23T00:40:00+00:00"
    )
    del plain["payload"]["materials_on_file"]
    assert post_submission(hall.server, plain).status_code == 201
    assert {r.submission_id for r in rows_of(hall, filing_enterprises)} == {str(late["id"])}


def test_the_e_archive_lists_the_enterprises_history_for_its_people_only(
    console_hall: ConsoleHall,
) -> None:
    hall = console_hall
    admin = setup_register(hall)
    station, other = Station(hall), Station(hall, "QH002")
    first = chosen(station)[uscc(1)]
    third = chosen(station)[uscc(3)]
    assert attach(admin, hall, licence(first), PDF).status_code == 200
    market = add_officer(hall, "mei.market", "market_regulation")

    # A change filed with the licence on file, closed and rated; a demand an hour later.
    number = "QH001-20261123-0001"
    body = change_filing(first, {"business_licence": licence(first)}, number)
    assert post_submission(hall.server, body).status_code == 201
    hall.clock.advance(3600)
    demand = submission("enterprise_demand", {**DEMAND_FORM, "uscc": uscc(1)},
                        tracking_number="QH001-20261123-0002")  # fmt: skip
    assert post_submission(hall.server, demand).status_code == 201
    close_part(hall, market, str(body["id"]), CHANGE)
    hall.clock.advance(3600)
    rated = rate(hall, number, part_id=CHANGE, level=5,
                 indicators={"overall": 5, "efficiency": 5, "skill": 5, "attitude": 5})  # fmt: skip
    assert rated.status_code == 200, rated.text

    # The legal representative at another station opens the e-archive: newest first.
    other.mine(LEGAL)  # a kiosk shows the choice first; the archive needs no earlier look-up
    answer = other.ask(ARCHIVE_PATH, LEGAL, enterprise_id=first.id)
    assert answer.status_code == 200, answer.text
    archive = ArchiveAnswer.model_validate(answer.json())
    assert archive.enterprise.id == first.id and archive.enterprise.role == "legal_rep"
    assert archive.enterprise.address == "苏州高新区狮山路99号"  # the approved change
    shown = [(i.kind, i.tracking_number, i.status, i.printable) for i in archive.items]
    assert shown == [
        ("rating", number, "5", False),
        ("demand", "QH001-20261123-0002", "received", False),
        ("filing", number, "closed", False),
        ("document", None, "valid", False),  # the licence the change reissued: no file here
        ("document", None, "valid", True),  # the scanned licence of 2020
    ]
    rating, _, filing, reissued, scanned = archive.items
    assert (rating.title_zh, rating.status_zh) == ("好差评：企业变更登记", "非常满意")
    assert (filing.title_zh, filing.status_zh) == ("企业变更登记", "已办结")
    assert scanned.title_zh == "营业执照" and scanned.material_id == licence(first)
    assert scanned.at.startswith("2020-03-01T00:00:00+08:00")
    assert reissued.material_id is None
    assert "王小明" not in answer.text and "13912345678" not in answer.text  # no form values

    # The document on file, for the A4 printer; nothing to print of one held on paper.
    printed = other.ask(DOCUMENTS_PATH, AGENT, enterprise_id=first.id, material_id=licence(first))
    assert printed.status_code == 200 and printed.content == PDF
    assert printed.headers["content-type"] == "application/pdf"
    # The hall's sweep of unfiled blobs (run a week later) spares a document on file.
    store = SubmissionStore(hall.server.db_path)
    try:
        BlobStore(store, FakeClock(hall.clock.now() + dt.timedelta(days=7))).sweep()
    finally:
        store.close()
    again = other.ask(DOCUMENTS_PATH, LEGAL, enterprise_id=first.id, material_id=licence(first))
    assert again.status_code == 200 and again.content == PDF
    [paper] = [m.id for m in chosen(other)[uscc(1)].materials]  # the newest licence: reissued
    refused(other.ask(DOCUMENTS_PATH, LEGAL, enterprise_id=first.id, material_id=paper),
            404, "no_file")  # fmt: skip
    refused(other.ask(DOCUMENTS_PATH, LEGAL, enterprise_id=first.id, material_id=licence(third)),
            404, "document_not_found")  # fmt: skip

    # Anyone else: 403 and nothing of the enterprise; an unknown id looks the same.
    for response in (
        other.ask(ARCHIVE_PATH, STRANGER, enterprise_id=first.id),
        other.ask(ARCHIVE_PATH, STRANGER, enterprise_id="0" * 32),
        other.ask(DOCUMENTS_PATH, STRANGER, enterprise_id=first.id, material_id=licence(first)),
    ):
        refused(response, 403, "not_authorised")
        for secret in (first.name, "档案测试", uscc(1), number, licence(first)):
            assert secret not in response.text
    unsigned = requests.post(hall.url + ARCHIVE_PATH, json={"holder": "x"}, timeout=5)
    assert unsigned.status_code == 401

    # Every opening logged: how, station, enterprise, the holder's HMAC (never the number).
    logged = [
        (r.how, r.station_id, r.enterprise_id, r.outcome)
        for r in rows_of(hall, register_lookups)
        if r.how in ("archive", "print")
    ]
    assert ("archive", "QH002", first.id, "shown") in logged
    assert ("print", "QH002", first.id, "shown") in logged
    assert ("archive", "QH002", first.id, "not_authorised") in logged
    assert ("archive", "QH002", None, "not_authorised") in logged
    assert all(LEGAL not in repr(r) for r in rows_of(hall, register_lookups))
