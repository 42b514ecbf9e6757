"""Policy push (免申即享) end to end on a real hall (uvicorn, SQLite and PostgreSQL) with the SMSC
simulator: a policies version published → the eligible enterprises pending → a supervisor
confirms → one text per enterprise reaches the SMSC (confirming again sends nothing) → the phone
page opens with the text's link only → the push is in the enterprise's e-archive and in the
station's answer after the card is read (the kiosk's count)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import requests

from contracts.register import ARCHIVE_PATH, EnterpriseAnswer
from hall.policy_push_schema import policy_pushes
from hall.register_schema import enterprises
from tests.hall.helpers import add_staff, audit_rows, login, post_submission, submission
from tests.hall.test_notify_wiring import SmsHall, sms_hall  # noqa: F401  # the fixture
from tests.hall.test_register import (
    AGENT,
    LEGAL,
    Station,
    import_file,
    row,
    rows_of,
    uscc,
    workbook,
)

SAMPLE = Path(__file__).resolve().parents[2] / "kiosk" / "services" / "content" / "policies.json"


def _policies(version: str, *extra: dict[str, Any]) -> dict[str, Any]:
    sample = json.loads(SAMPLE.read_text(encoding="utf-8"))
    policy = {
        "id": "digital_sme",
        "title_zh": "中小企业数字化转型补贴",
        "title_en": "Digital transformation grant for SMEs",
        "issuer_zh": "苏州高新区工业和信息化局",
        "issuer_en": "District Industry and IT Bureau",
        "benefit_zh": "最高20万元（示例）",
        "benefit_en": "Up to 200,000 CNY (sample)",
        "opens": "2026-11-01",
        "closes": "2026-12-31",
        "all": [
            {"field": "size", "op": "in", "value": ["small", "medium"]},
            {"field": "certifications", "op": "has", "value": "high_tech"},
            {"field": "registered_capital_wan", "op": "gte", "value": 100},
        ],
        "any": [],
    }
    return {**sample, "version": version, "policies": [policy, *extra]}


def _publish(sms: SmsHall, doc: dict[str, Any]) -> None:
    # The content store's publication (what the console's 内容发布 does for every kind).
    sms.hall.server.app.state.content_store.publish("policies", doc, "admin")


def test_a_published_policy_is_pushed_once_to_the_eligible_enterprises(
    sms_hall: SmsHall,  # noqa: F811
) -> None:
    hall = sms_hall.hall
    add_staff(hall.server, "ada", "admin")
    add_staff(hall.server, "sue", "supervisor")
    add_staff(hall.server, "hal", "helper")
    admin, sup = login(hall.server, "ada"), login(hall.server, "sue")
    rows = [row(1), row(2, 企业规模="大型"), row(3, 资质="", 法定代表人身份证号=AGENT)]
    assert import_file(admin, hall, workbook(rows)).status_code == 200
    # The enterprise's latest filing gave a mobile number: the text goes there.
    form = {"enterprise_name": "苏州档案测试1有限公司", "uscc": uscc(1), "contact_name": "赵经理",
            "mobile": "13912345678", "change_item": "address",
            "new_value": "锦峰路 1 号"}  # fmt: skip
    body = submission("company_change_registration", form, tracking_number="QH001-20261123-0007")
    assert post_submission(hall.server, body).status_code == 201
    before = len(sms_hall.texts(1))  # the filing's own receipt text

    _publish(sms_hall, _policies("2026.11.23-1"))
    assert login(hall.server, "hal").get(hall.url + "/api/v1/policy-push").status_code == 403
    listed = sup.get(hall.url + "/api/v1/policy-push", timeout=10).json()["items"]
    assert [(p["policy_id"], p["pending"], p["confirmed"]) for p in listed] == [
        ("digital_sme", 1, 0)
    ]
    page = sup.get(hall.url + "/api/v1/policy-push/2026.11.23-1/digital_sme", timeout=10).json()
    (eligible,) = page["items"]
    assert (eligible["name"], eligible["uscc"]) == ("苏州档案测试1有限公司", uscc(1))
    assert "王" not in json.dumps(page, ensure_ascii=False)  # nobody's name

    url = hall.url + "/api/v1/policy-push/2026.11.23-1/digital_sme/confirm"
    done = sup.post(url, json={"enterprise_ids": None}, timeout=10).json()
    assert done == {"confirmed": 1, "texted": 1, "no_mobile": 0}
    again = sup.post(url, json={}, timeout=10).json()
    assert again["confirmed"] == 0
    texts = sms_hall.texts(before + 1)
    assert len(texts) == before + 1  # once, however often staff confirm
    text = texts[-1].text
    assert "中小企业数字化转型补贴" in text and "苏州档案测试1" not in text
    link = re.search(r"https://hall\.example(/pp/(ZC\d{8})\?t=[A-Za-z0-9_-]{22})", text)
    assert link is not None
    phone = hall.url + link.group(1)
    shown = requests.get(phone, timeout=10)
    assert shown.status_code == 200 and "中小企业数字化转型补贴" in shown.text
    wrong = requests.get(phone.split("?")[0] + "?t=" + "x" * 22, timeout=10)
    assert wrong.status_code == 404
    (confirmed,) = [r for r in rows_of(hall, policy_pushes) if r.state == "confirmed"]
    assert (confirmed.confirmed_by, confirmed.texted) == ("sue", "queued")
    assert any(a[1] == "policy_push.confirm" and a[0] == "sue" for a in audit_rows(hall.server))

    # The kiosk, after the card is read: the enterprise comes with its pushed policy.
    station = Station(hall)
    (mine,) = [a for a in station.mine(LEGAL) if a.uscc == uscc(1)]
    assert [p.title_zh for p in mine.policies] == ["中小企业数字化转型补贴"]
    assert mine.policies[0].reference == link.group(2)
    others = [a for a in station.mine(LEGAL) if a.uscc != uscc(1)]
    assert others and all(a.policies == [] for a in others)
    archive = station.ask(ARCHIVE_PATH, LEGAL, enterprise_id=mine.id).json()
    assert [i["tracking_number"] for i in archive["items"] if i["kind"] == "policy"] == [
        link.group(2)
    ]
    EnterpriseAnswer.model_validate(archive["enterprise"])

    # A changed policy is a new push, against the register as it is now (enterprise 4 imported
    # since, enterprise 2 grown to a medium one: the kept index takes both in place); the old
    # version's pending ones are superseded.
    hall.clock.advance(60)
    more = [row(2, 企业规模="中型"), row(4)]
    assert import_file(admin, hall, workbook(more)).status_code == 200
    changed = _policies("2026.11.23-2")
    changed["policies"][0]["benefit_zh"] = "最高30万元（示例）"
    _publish(sms_hall, changed)
    listed = sup.get(hall.url + "/api/v1/policy-push", timeout=10).json()["items"]
    assert [(p["version"], p["pending"]) for p in listed] == [("2026.11.23-2", 3)]
    # Staff may match the published version again: nothing new, nothing twice.
    rematch = admin.post(hall.url + "/api/v1/policy-push/match", timeout=30).json()
    assert (rematch["matched"], rematch["pushes"]) == (0, 0)
    assert len(rows_of(hall, enterprises)) == 4


def test_hostile_input_is_refused_with_a_reason(sms_hall: SmsHall) -> None:  # noqa: F811
    hall = sms_hall.hall
    add_staff(hall.server, "ada", "admin")
    admin = login(hall.server, "ada")
    base = hall.url + "/api/v1/policy-push"
    assert admin.post(base + "/match", data=b"{not json", timeout=10).status_code == 422
    bad = _policies("v1")
    bad["policies"][0]["all"][0]["op"] = "sounds_like"
    refused = admin.post(base + "/match", json=bad, timeout=10)
    assert refused.status_code == 422 and refused.json()["detail"]["reasons"]
    for odd in (123, "x" * 81, "a/b"):
        wrong = _policies("v1")
        wrong["policies"][0]["id"] = odd
        assert admin.post(base + "/match", json=wrong, timeout=10).status_code == 422
    assert admin.post(base + "/match", json={**_policies("v1"), "version": ""}).status_code == 422
    assert admin.get(base + "/v1/nope", timeout=10).status_code == 404
    assert admin.get(base + "/v1/..%2f..", timeout=10).status_code in (404, 422)
    assert admin.post(base + "/v1/nope/confirm", json={}, timeout=10).status_code == 404
    too_many = {"enterprise_ids": ["x"] * 10_001}
    assert admin.post(base + "/v1/nope/confirm", json=too_many, timeout=10).status_code in (
        413,
        422,
    )
    assert requests.get(hall.url + "/pp/ZC00000001?t=abc", timeout=10).status_code == 404
    assert requests.get(hall.url + "/pp/%00", timeout=10).status_code == 404


def test_staff_match_the_register_as_it_is_now_nothing_twice(
    sms_hall: SmsHall,  # noqa: F811
) -> None:
    """A fresh hall publishes the shipped policies before any enterprise is on its register, and
    enterprises come later (imports, desk approvals): 按最新企业档案比对 matches the published
    version once, then every open policy against the enterprises added or changed since."""
    hall = sms_hall.hall
    add_staff(hall.server, "ada", "admin")
    add_staff(hall.server, "sue", "supervisor")
    admin, sup = login(hall.server, "ada"), login(hall.server, "sue")
    base = hall.url + "/api/v1/policy-push"
    assert sup.post(base + "/match", timeout=30).status_code == 403
    assert sup.get(base, timeout=10).json()["items"] == []  # the shipped set: never matched
    assert import_file(admin, hall, workbook([row(1)])).status_code == 200
    hall.clock.advance(60)
    shipped = admin.post(base + "/match", timeout=120).json()
    assert shipped["matched"] == 2147 and shipped["register_pushes"] == 0

    _publish(sms_hall, _policies("2026.11.24-1"))  # matched at once: enterprise 1 qualifies
    hall.clock.advance(60)
    more = [row(2), row(3, 企业规模="大型"), row(4, 资质="")]  # 2 qualifies, 3 and 4 do not
    assert import_file(admin, hall, workbook(more)).status_code == 200
    hall.clock.advance(60)
    first = admin.post(base + "/match", timeout=120).json()
    assert (first["matched"], first["register_enterprises"], first["register_pushes"]) == (0, 3, 1)
    hall.clock.advance(60)
    again = admin.post(base + "/match", timeout=120).json()
    assert (again["matched"], again["register_enterprises"], again["register_pushes"]) == (0, 0, 0)

    (digital,) = [
        p for p in sup.get(base, timeout=10).json()["items"] if p["policy_id"] == "digital_sme"
    ]
    assert (digital["eligible"], digital["pending"]) == (2, 2)
    hall.clock.advance(60)
    done = sup.post(base + "/2026.11.24-1/digital_sme/confirm", json={}, timeout=10).json()
    assert done["confirmed"] == 2
    # Enterprise 4 gains the certificate: it is listed; 1 and 2, confirmed, are not listed again.
    hall.clock.advance(60)
    assert import_file(admin, hall, workbook([row(4), row(1)])).status_code == 200
    hall.clock.advance(60)
    later = admin.post(base + "/match", timeout=120).json()
    assert (later["register_enterprises"], later["register_pushes"]) == (2, 1)
    pushes = [(r.enterprise_id, r.state) for r in rows_of(hall, policy_pushes)
              if r.policy_id == "digital_sme"]  # fmt: skip
    ids = {r.uscc: r.id for r in rows_of(hall, enterprises)}
    assert sorted(pushes) == sorted([(ids[uscc(1)], "confirmed"), (ids[uscc(2)], "confirmed"),
                                     (ids[uscc(4)], "pending")])  # fmt: skip
    assert later["register_withdrawn"] == 0

    # Enterprise 4 loses the certificate before anyone confirmed it, enterprise 2 grows out of
    # the sizes after its text went out: 4's pending push is withdrawn (no officer can confirm
    # it now), 2's confirmed one stays.
    hall.clock.advance(60)
    changed = workbook([row(4, 资质=""), row(2, 企业规模="大型")])
    assert import_file(admin, hall, changed).status_code == 200
    hall.clock.advance(60)
    withdrawn = admin.post(base + "/match", timeout=120).json()
    assert (withdrawn["register_enterprises"], withdrawn["register_pushes"]) == (2, 0)
    assert withdrawn["register_withdrawn"] == 1
    pushes = [(r.enterprise_id, r.state) for r in rows_of(hall, policy_pushes)
              if r.policy_id == "digital_sme"]  # fmt: skip
    assert sorted(pushes) == sorted([(ids[uscc(1)], "confirmed"), (ids[uscc(2)], "confirmed"),
                                     (ids[uscc(4)], "withdrawn")])  # fmt: skip
    (digital,) = [
        p for p in sup.get(base, timeout=10).json()["items"] if p["policy_id"] == "digital_sme"
    ]
    assert (digital["eligible"], digital["pending"], digital["confirmed"]) == (2, 0, 2)
    page = sup.get(base + "/2026.11.24-1/digital_sme?state=withdrawn", timeout=10).json()
    assert [e["enterprise_id"] for e in page["items"]] == [ids[uscc(4)]]
    assert any(a[1] == "policy_push.match" and a[0] == "ada" for a in audit_rows(hall.server))
