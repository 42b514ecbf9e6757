"""The enterprise register against a real hall (uvicorn; SQLite and PostgreSQL).

A workbook is imported whole or not at all: a bad file lists every reason in Chinese with its
sheet, row, column and header, and nothing of it lands. Stations look enterprises up through
the real signed API with the card holder's ID number sealed to the hall: a legal representative
or agent gets the enterprise with its prefill and materials on file; anyone else gets 403 and no
enterprise data, also with a real 一企一码; a forged or revoked code is refused with its reason.
Every look-up is in ``register_lookups`` with the holder's HMAC, never the number. The desk's
approval of a start-up creates the enterprise; an approved change updates it.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import openpyxl  # type: ignore[import-untyped]
import requests
from sqlalchemy import select

from contracts.register import (
    BY_CODE_PATH,
    BY_USCC_PATH,
    MINE_PATH,
    EnterpriseAnswer,
    prefill_form,
    seal_holder,
)
from contracts.uscc import uscc_check_char
from hall.__main__ import main as hall_main
from hall.register import REFUSAL_LIMIT
from hall.register_schema import (
    enterprise_materials,
    enterprise_people,
    enterprises,
    register_lookups,
)
from hall.store import SubmissionStore
from tests.hall.conftest import ConsoleHall
from tests.hall.helpers import (
    BUNDLE_FORM,
    hall_public_key,
    post_submission,
    signed_session,
    station_identity,
    submission,
)
from tests.hall.test_desk_moves import add_member, add_officer, moved

HEADERS = [
    "统一社会信用代码", "企业名称", "企业类型", "注册地址", "所属行业", "企业规模", "资质",
    "法定代表人", "法定代表人身份证号", "经办人", "经办人身份证号", "营业执照发证日期",
    "营业执照有效期至", "注册资本（万元）", "经营范围",
]  # fmt: skip


def uscc(n: int) -> str:
    first = f"91320505MA{n:07d}"
    return first + uscc_check_char(first)


def id_number(n: int) -> str:
    first = f"3205051985{n % 12 + 1:02d}15{n:03d}"[:17]
    total = sum(int(c) * w for c, w in zip(first, (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8,
                                                    4, 2), strict=True))  # fmt: skip
    return first + "10X98765432"[total % 11]


LEGAL, AGENT, STRANGER = id_number(1), id_number(2), id_number(3)


def row(n: int, **changes: str) -> list[str]:
    values = {
        "统一社会信用代码": uscc(n),
        "企业名称": f"苏州档案测试{n}有限公司",
        "企业类型": "llc",
        "注册地址": f"苏州高新区科技城{n}号",
        "所属行业": "软件和信息技术服务业",
        "企业规模": "小型",
        "资质": "高新技术企业；科技型中小企业",
        "法定代表人": "王小明",
        "法定代表人身份证号": LEGAL,
        "经办人": "李四",
        "经办人身份证号": AGENT,
        "营业执照发证日期": "2020-03-01",
        "营业执照有效期至": "长期",
        "注册资本（万元）": "100",
        "经营范围": "软件开发",
        **changes,
    }
    return [values[h] for h in HEADERS]


def workbook(rows: list[list[str]], headers: list[str] = HEADERS) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "企业"
    sheet.append(headers)
    for r in rows:
        sheet.append(r)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def import_file(admin: requests.Session, hall: ConsoleHall, data: bytes) -> requests.Response:
    return admin.post(hall.url + "/api/v1/register/import", data=data, timeout=60)


class Station:
    """A kiosk's side of the look-ups: signed requests, the holder sealed to the hall."""

    def __init__(self, hall: ConsoleHall, station_id: str = "QH001") -> None:
        self.hall, self.station_id = hall, station_id
        self.session = signed_session(station_identity(hall.server, station_id))
        self.key = hall_public_key(hall.server)

    def ask(self, path: str, holder: str, **body: str) -> requests.Response:
        sealed = seal_holder(self.key, self.station_id, holder)
        return self.session.post(self.hall.url + path, json={"holder": sealed, **body}, timeout=10)

    def mine(self, holder: str) -> list[EnterpriseAnswer]:
        answer = self.ask(MINE_PATH, holder)
        assert answer.status_code == 200, answer.text
        return [EnterpriseAnswer.model_validate(a) for a in answer.json()["items"]]


def refused(response: requests.Response, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    detail: dict[str, Any] = response.json()["detail"]
    assert detail["code"] == code, detail
    assert detail["message_zh"] and detail["message_en"], detail
    return detail


def rows_of(hall: ConsoleHall, table: Any) -> list[Any]:
    store = SubmissionStore(hall.server.db_path)
    try:
        with store.engine.connect() as conn:
            return list(conn.execute(select(table)).all())
    finally:
        store.close()


def test_a_bad_workbook_imports_nothing_and_names_every_cell(console_hall: ConsoleHall) -> None:
    hall = console_hall
    admin = add_member(hall, "an.admin", "admin")
    helper = add_member(hall, "lin.helper", "helper")
    bad_uscc = uscc(2)[:17] + ("0" if uscc(2)[17] != "0" else "1")  # a wrong check character
    data = workbook(
        [
            row(1),
            row(2, **{"统一社会信用代码": bad_uscc}),
            row(3, **{"企业名称": ""}),
            row(4, **{"法定代表人身份证号": LEGAL[:17] + ("1" if LEGAL[17] != "1" else "2")}),
            row(1, **{"企业名称": "重复的企业"}),
            row(6, **{"经办人": "李四；张三"}),
            row(7, **{"营业执照发证日期": "2020-02-30"}),
            row(8, **{"企业规模": "超大"}),
            row(9),
        ]
    )
    assert import_file(helper, hall, data).status_code == 403  # admins only
    answer = import_file(admin, hall, data)
    assert answer.status_code == 422, answer.text
    report = answer.json()["detail"]
    assert report["ok"] is False and report["created"] == 0
    found = {(e["row"], e["column"], e["header"]) for e in report["errors"]}
    assert found == {
        (3, "A", "统一社会信用代码"),
        (4, "B", "企业名称"),
        (5, "I", "法定代表人身份证号"),
        (6, "A", "统一社会信用代码"),
        (7, "K", "经办人身份证号"),
        (8, "L", "营业执照发证日期"),
        (9, "F", "企业规模"),
    }
    texts = {e["row"]: e["text"] for e in report["errors"]}
    where = "工作表「企业」第 3 行 A 列（统一社会信用代码）"
    assert texts[3] == f"{where}：校验位不对（或含有不用的字母 I、O、S、V、Z）"
    assert texts[6].endswith("与第 2 行重复")
    assert LEGAL not in answer.text and AGENT not in answer.text  # cells named, never echoed
    # Nothing of the file landed, not even its good rows.
    assert rows_of(hall, enterprises) == []
    # A file without a required column, and one that is not a workbook at all.
    no_column = import_file(admin, hall, workbook([row(1)[1:]], HEADERS[1:]))
    assert no_column.json()["detail"]["errors"][0]["reason"] == "缺少必填列「统一社会信用代码」"
    not_xlsx = import_file(admin, hall, b"uscc,name\n1,2\n")
    assert not_xlsx.status_code == 422
    assert "不是有效的 .xlsx" in not_xlsx.json()["detail"]["errors"][0]["text"]


def test_only_authorised_holders_see_an_enterprise(console_hall: ConsoleHall) -> None:
    hall = console_hall
    admin = add_member(hall, "an.admin", "admin")
    expired = {"营业执照发证日期": "2016-01-01", "营业执照有效期至": "2026-01-01"}
    imported = import_file(admin, hall, workbook([row(1), row(2, **expired)]))
    assert imported.status_code == 200, imported.text
    assert (imported.json()["created"], imported.json()["updated"]) == (2, 0)
    station = Station(hall)

    # The legal representative: both enterprises, pre-fill and materials on file.
    mine = station.mine(LEGAL)
    assert [(a.uscc, a.role) for a in mine] == [(uscc(1), "legal_rep"), (uscc(2), "legal_rep")]
    first = next(a for a in mine if a.uscc == uscc(1))
    assert (first.name, first.address, first.size, first.legal_rep_masked) == (
        "苏州档案测试1有限公司", "苏州高新区科技城1号", "small", "王*明",
    )  # fmt: skip
    assert first.qualifications == ["高新技术企业", "科技型中小企业"]
    fields = ["enterprise_name", "uscc", "contact_name", "mobile"]
    assert prefill_form(first, fields) == {"enterprise_name": first.name, "uscc": uscc(1)}
    assert [(m.kind, m.issued_on, m.valid_until, m.expired) for m in first.materials] == [
        ("business_licence", "2020-03-01", None, False)
    ]
    second = next(a for a in mine if a.uscc == uscc(2))
    assert [(m.valid_until, m.expired) for m in second.materials] == [("2026-01-01", True)]
    # The agent: the same enterprises, as agent.
    assert {(a.uscc, a.role) for a in station.mine(AGENT)} == {
        (uscc(1), "agent"), (uscc(2), "agent"),
    }  # fmt: skip
    # A stranger: nothing, and no enterprise data through the USCC or a real 一企一码.
    assert station.mine(STRANGER) == []
    code = first.code
    assert code is not None and uscc(1) not in code
    for answer in (
        station.ask(BY_USCC_PATH, STRANGER, uscc=uscc(1)),
        station.ask(BY_CODE_PATH, STRANGER, code=code),
    ):
        refused(answer, 403, "not_authorised")
        assert uscc(1) not in answer.text and "档案测试" not in answer.text
    # The holder it names: the enterprise, by code and by USCC (lower case typed too).
    by_code = station.ask(BY_CODE_PATH, AGENT, code=code)
    assert by_code.status_code == 200, by_code.text
    assert by_code.json()["id"] == first.id and by_code.json()["role"] == "agent"
    assert station.ask(BY_USCC_PATH, LEGAL, uscc=uscc(1).lower()).json()["id"] == first.id

    # Bad input, each with its reason.
    forged = code[:-2] + ("AA" if not code.endswith("AA") else "BB")
    refused(station.ask(BY_CODE_PATH, LEGAL, code=forged), 422, "code_forged")
    refused(station.ask(BY_CODE_PATH, LEGAL, code=uscc(1)), 422, "code_forged")
    refused(station.ask(BY_USCC_PATH, LEGAL, uscc=uscc(1)[:17] + "?"), 422, "uscc_invalid")
    refused(station.ask(BY_USCC_PATH, LEGAL, uscc=uscc(99)), 404, "not_registered")
    other = Station(hall, "QH002")  # a holder sealed for another station does not open here
    sealed = seal_holder(other.key, "QH002", LEGAL)
    refused(station.session.post(hall.url + MINE_PATH, json={"holder": sealed}, timeout=5),
            422, "holder_invalid")  # fmt: skip
    for garbage in ("¢", "bm90IHNlYWxlZA=="):  # not base64; base64 of something not sealed
        refused(station.session.post(hall.url + MINE_PATH, json={"holder": garbage}, timeout=5),
                422, "holder_invalid")  # fmt: skip
    unsigned = requests.post(hall.url + MINE_PATH, json={"holder": sealed}, timeout=5)
    assert unsigned.status_code == 401

    # Revoked: refused with its reason; the new code works.
    revoke = admin.post(hall.url + "/api/v1/register/codes/revoke", json={"code": code}, timeout=5)
    assert revoke.status_code == 200, revoke.text
    refused(station.ask(BY_CODE_PATH, LEGAL, code=code), 410, "code_revoked")
    renewed = admin.post(f"{hall.url}/api/v1/register/enterprises/{uscc(1)}/code", timeout=5)
    assert renewed.status_code == 200, renewed.text
    new_code = renewed.json()["code"]
    assert station.ask(BY_CODE_PATH, LEGAL, code=new_code).json()["code"] == new_code

    # Every look-up logged: station, enterprise, the holder's HMAC; never the ID number.
    logged = rows_of(hall, register_lookups)
    outcomes = [(r.how, r.outcome) for r in logged]
    assert ("code", "not_authorised") in outcomes and ("uscc", "not_authorised") in outcomes
    assert ("code", "code_forged") in outcomes and ("code", "code_revoked") in outcomes
    assert ("mine", "none") in outcomes
    refusals = [r for r in logged if r.outcome == "not_authorised"]
    assert {r.enterprise_id for r in refusals} == {first.id}
    assert len({r.holder_hmac for r in refusals}) == 1
    assert all(r.station_id == "QH001" and len(r.holder_hmac) == 64 for r in logged)
    stored = repr(rows_of(hall, enterprise_people)) + repr(logged)
    for number in (LEGAL, AGENT, STRANGER):
        assert number not in stored

    # Importing again updates (the same two, a new name), adds none.
    again = import_file(
        admin, hall, workbook([row(1, **{"企业名称": "苏州新名字有限公司"}), row(2)])
    )
    assert (again.json()["created"], again.json()["updated"]) == (0, 2)
    assert {a.name for a in station.mine(AGENT)} == {"苏州新名字有限公司", "苏州档案测试2有限公司"}
    assert len(rows_of(hall, enterprise_people)) == 4  # replaced, not doubled


def test_a_device_refused_again_and_again_must_wait(sqlite_hall: ConsoleHall) -> None:
    hall = sqlite_hall
    admin = add_member(hall, "an.admin", "admin")
    assert import_file(admin, hall, workbook([row(1)])).status_code == 200
    station, other = Station(hall), Station(hall, "QH002")
    for n in range(REFUSAL_LIMIT):  # a device trying USCCs for a holder who may act for none
        refused(station.ask(BY_USCC_PATH, STRANGER, uscc=uscc(100 + n)), 404, "not_registered")
    paused = station.ask(BY_USCC_PATH, LEGAL, uscc=uscc(1))
    detail = refused(paused, 429, "too_many_refusals")
    assert int(paused.headers["Retry-After"]) == 60 and "message_zh" in detail
    refused(station.ask(BY_CODE_PATH, LEGAL, code="QHE1.x"), 429, "too_many_refusals")
    assert other.ask(BY_USCC_PATH, LEGAL, uscc=uscc(1)).status_code == 200  # per device
    assert station.mine(LEGAL)[0].uscc == uscc(1)  # "mine" is not paused
    hall.clock.advance(61)
    assert station.ask(BY_USCC_PATH, LEGAL, uscc=uscc(1)).status_code == 200


def test_the_desks_approvals_keep_the_register_current(console_hall: ConsoleHall) -> None:
    hall = console_hall
    admin = add_member(hall, "an.admin", "admin")
    market = add_officer(hall, "mei.market", "market_regulation")
    station = Station(hall)
    applicant = BUNDLE_FORM["applicant_id_number"]
    assert station.mine(applicant) == []

    # An approved start-up: the enterprise, its legal representative, the licence on file.
    body = submission("company_startup_power", BUNDLE_FORM, tracking_number="QH001-20261123-0001")
    assert post_submission(hall.server, body).status_code == 201
    for version, to in enumerate(["accepted", "in_review", "approved"], start=1):
        moved(market, hall, str(body["id"]), "company_registration", to=to, version=version)
    [made] = station.mine(applicant)
    assert (made.name, made.address, made.type, made.role, made.uscc) == (
        BUNDLE_FORM["company_name"], BUNDLE_FORM["business_address"], "llc", "legal_rep", None,
    )  # fmt: skip
    assert [(m.kind, m.issued_on, m.expired) for m in made.materials] == [
        ("business_licence", "2026-11-23", False)
    ]
    assert made.code is not None

    # An approved change of address updates the enterprise its USCC names.
    assert import_file(admin, hall, workbook([row(5)])).status_code == 200
    change = {
        "enterprise_name": "苏州档案测试5有限公司",
        "uscc": uscc(5),
        "contact_name": "王小明",
        "mobile": "13912345678",
        "change_item": "address",
        "new_value": "苏州高新区狮山路99号",
    }
    body = submission("company_change_registration", change, tracking_number="QH001-20261123-0002")
    assert post_submission(hall.server, body).status_code == 201
    before = station.ask(BY_USCC_PATH, LEGAL, uscc=uscc(5)).json()
    assert before["address"] == "苏州高新区科技城5号"
    for version, to in enumerate(["accepted", "in_review", "approved"], start=1):
        moved(market, hall, str(body["id"]), "company_change_registration", to=to,
              version=version)  # fmt: skip
    after = station.ask(BY_USCC_PATH, LEGAL, uscc=uscc(5)).json()
    assert after["address"] == "苏州高新区狮山路99号" and after["name"] == before["name"]
    licences = [m for m in after["materials"] if m["kind"] == "business_licence"]
    assert len(licences) == 1 and licences[0]["issued_on"] > "2020-03-01"  # the reissued one
    sources = {r.source for r in rows_of(hall, enterprise_materials)}
    assert "filing:QH001-20261123-0002/company_change_registration" in sources

    # A result document ready (food business licence): filed for the enterprise it names.
    food = {**{k: change[k] for k in ("enterprise_name", "uscc", "contact_name", "mobile")},
            "business_format": "catering", "premises_area": "120"}  # fmt: skip
    body = submission("food_business_licence", food, tracking_number="QH001-20261123-0003")
    assert post_submission(hall.server, body).status_code == 201
    steps = [("accepted", {}), ("in_review", {}), ("approved", {}),
             ("result_ready", {"delivery": "pickup"})]  # fmt: skip
    for version, (to, extra) in enumerate(steps, start=1):
        moved(market, hall, str(body["id"]), "food_business_licence", to=to, version=version,
              **extra)  # fmt: skip
    filed = station.ask(BY_USCC_PATH, AGENT, uscc=uscc(5)).json()["materials"]
    assert {m["kind"] for m in filed} == {"business_licence", "food_business_licence"}


def test_the_cli_imports_a_workbook_or_lists_why_not(tmp_path: Path, capsys: Any) -> None:
    db = str(tmp_path / "hall.db")
    bad = tmp_path / "bad.xlsx"
    wrong = uscc(2)[:17] + ("0" if uscc(2)[17] != "0" else "1")
    bad.write_bytes(workbook([row(1), row(2, **{"统一社会信用代码": wrong})]))
    assert hall_main(["--db", db, "register-import", str(bad)]) == 1
    err = capsys.readouterr().err
    assert "工作表「企业」第 3 行 A 列（统一社会信用代码）" in err
    good = tmp_path / "good.xlsx"
    good.write_bytes(workbook([row(1), row(2)]))
    assert hall_main(["--db", db, "register-import", str(good)]) == 0
    assert "imported 2 row(s): 2 new, 0 updated" in capsys.readouterr().out
    store = SubmissionStore(db)
    try:
        with store.engine.connect() as conn:
            assert len(conn.execute(select(enterprises)).all()) == 2
    finally:
        store.close()
