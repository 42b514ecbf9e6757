"""办理企业 in the real QML against a real hall with an imported register (issue 17, kiosk side).

The card simulator's holder (张三丰) is the legal representative of an enterprise imported into
the hall's register: right after the card the kiosk lists it (the legal representative masked),
the walk-in picks it, and the change-registration form comes pre-filled ("来自企业档案", still
editable) with the licence and the resolution "已有，免提交" instead of a camera step; the filing
reaches the hall carrying the enterprise and its materials on file. An expired licence is asked
for with the camera and the reason. A card holder the register does not name, scanning the
enterprise's real 一企一码, sees the refusal and nothing of the enterprise; a USCC typed with a
wrong check character is refused before the hall is asked, one of another district with its own
words. With the hall stopped the service list says the register cannot be reached and the form
is typed as before.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import requests
from sqlalchemy import select

from contracts.register import MINE_PATH
from contracts.uscc import uscc_check_char
from drivers.camera.scenes import qr_scene
from hall.register_schema import enterprise_materials
from hall.server import HallServer
from hall.store import SubmissionStore, submissions
from tests.hall.helpers import PASSWORD, add_staff, login
from tests.hall.test_register import LEGAL, row, uscc, workbook
from tests.printing.conftest import Cups, cupsd  # noqa: F401  (the private CUPS fixture)
from tests.support.robot import Robot
from tests.ui.conftest import Kiosk, make_kiosk

HOLDER = "11010519491231002X"  # the card simulator's 张三丰
OTHER_DISTRICT = "91320100MA" + "1234567"  # Nanjing: a valid code not in this register
OTHER_DISTRICT += uscc_check_char(OTHER_DISTRICT)
CHANGE = "company_change_registration"


def admin_of(hall: HallServer) -> requests.Session:
    add_staff(hall, "an.admin", "admin")
    return login(hall, "an.admin", PASSWORD)


def seed_register(hall: HallServer, **changes: str) -> requests.Session:
    """The register holds enterprise 1 with the card holder as its legal representative."""
    admin = admin_of(hall)
    data = workbook([row(1, **{"法定代表人": "张三丰", "法定代表人身份证号": HOLDER, **changes})])
    answer = admin.post(hall.url + "/api/v1/register/import", data=data, timeout=60)
    assert answer.status_code == 200, answer.text
    return admin


def file_material(hall: HallServer, kind: str, issued_on: str) -> str:
    """A document the enterprise handed in earlier, on file at the hall (the resolution)."""
    reg: Any = hall.app.state.register
    with reg.engine.begin() as conn:
        from hall.register_schema import enterprises

        enterprise_id = conn.execute(select(enterprises.c.id)).scalar_one()
        return str(reg.add_material(conn, enterprise_id, kind, source="test", issued_on=issued_on))


def wait_screen(k: Kiosk, screen: str, timeout_s: float = 10) -> None:
    k.robot.wait_until(lambda: k.ui.session.property("screen") == screen, timeout_s)


def text(robot: Robot) -> str:
    return "\n".join(robot.texts())


def payload_at_hall(hall: HallServer, service_id: str) -> dict[str, Any]:
    store = SubmissionStore(hall.db_path)
    try:
        with store.engine.connect() as conn:
            rows = conn.execute(
                select(submissions.c.payload).where(submissions.c.service_id == service_id)
            ).all()
    finally:
        store.close()
    assert len(rows) == 1
    found: dict[str, Any] = json.loads(rows[0].payload)
    return found


def filed_at_hall(hall: HallServer, service_id: str) -> bool:
    store = SubmissionStore(hall.db_path)
    try:
        with store.engine.connect() as conn:
            return bool(
                conn.execute(
                    select(submissions.c.id).where(submissions.c.service_id == service_id)
                ).all()
            )
    finally:
        store.close()


def open_change_form(k: Kiosk) -> None:
    k.robot.click("category_market_licences")
    k.robot.click(f"service_{CHANGE}")
    wait_screen(k, "Form")


def test_the_legal_representative_files_a_change_with_no_camera_step(
    kiosk: Kiosk, caplog: pytest.LogCaptureFixture
) -> None:
    k = kiosk
    caplog.set_level(logging.DEBUG)
    seed_register(k.hall)
    resolution = file_material(k.hall, "shareholder_resolution", "2026-11-01")
    k.robot.click("startButton")
    wait_screen(k, "Enterprise")
    k.robot.wait_until(lambda: "苏州档案测试1有限公司" in text(k.robot))
    shown = text(k.robot)
    assert "法定代表人：张*丰" in shown and "法定代表人" in shown
    assert HOLDER not in shown and "张三丰" not in shown
    k.robot.click("enterprise_0")
    wait_screen(k, "ServiceHome")
    k.robot.wait_until(lambda: "办理企业：苏州档案测试1有限公司" in text(k.robot))

    open_change_form(k)
    fields = {f["name"]: f for f in k.ui.session.property("fields")}
    assert fields["enterprise_name"]["value"] == "苏州档案测试1有限公司"
    assert fields["uscc"]["value"] == uscc(1)
    assert fields["enterprise_name"]["fromRegister"] and fields["uscc"]["fromRegister"]
    assert not fields["mobile"]["fromRegister"]
    assert k.robot.visible_items("fromRegister_uscc")
    materials = {m["id"]: m for m in k.ui.session.property("materials")}
    assert materials["business_licence"]["onFile"] == "已有，免提交（签发 2020-03-01）"
    assert materials["shareholder_resolution"]["onFile"] == "已有，免提交（签发 2026-11-01）"
    assert not k.robot.visible_items("capture_business_licence")
    assert not k.robot.visible_items("capture_shareholder_resolution")
    assert "已有，免提交（签发 2020-03-01）" in text(k.robot)

    # Still editable: the walk-in corrects the name; the mark goes with their own words.
    k.robot.type_into("field_enterprise_name", "（改）")
    k.robot.wait_until(
        lambda: (
            not {f["name"]: f for f in k.ui.session.property("fields")}["enterprise_name"][
                "fromRegister"
            ]
        )
    )
    k.robot.type_into("field_mobile", "13912345678")
    k.robot.click("choice_change_item_address")
    k.robot.type_into("field_new_value", "苏州高新区狮山路99号")
    k.robot.click("nextButton")
    wait_screen(k, "Review")  # after the register's fresh look-up
    review = {i["label"]: i["value"] for i in k.ui.session.property("reviewItems")}
    assert review["营业执照"] == "已有，免提交（签发 2020-03-01）"
    assert review["企业名称"] == "苏州档案测试1有限公司（改）"
    k.robot.click("confirmButton")
    wait_screen(k, "Receipt")

    k.robot.wait_until(lambda: filed_at_hall(k.hall, CHANGE), 20)
    payload = payload_at_hall(k.hall, CHANGE)
    assert payload["enterprise"]["uscc"] == uscc(1)
    assert set(payload["materials_on_file"]) == {"business_licence", "shareholder_resolution"}
    assert payload["materials_on_file"]["shareholder_resolution"] == resolution
    k.robot.click("finishButton")
    wait_screen(k, "Attract")
    assert k.ui.flow is not None and k.ui.flow.context.enterprise.chosen is None
    assert k.ui.flow.context.enterprise.items == []
    # Nothing of the register in the kiosk's log: no name, no code, no card number.
    kiosk_log = "\n".join(
        r.getMessage() for r in caplog.records if r.name.startswith(("kiosk", "ui", "offline"))
    )
    for secret in ("档案测试", uscc(1), HOLDER, "张三丰", "张*丰"):
        assert secret not in kiosk_log


def test_an_expired_licence_on_file_is_photographed_again(kiosk: Kiosk) -> None:
    k = kiosk
    seed_register(k.hall, **{"营业执照发证日期": "2016-01-01", "营业执照有效期至": "2026-01-01"})
    k.robot.click("startButton")
    wait_screen(k, "Enterprise")
    k.robot.wait_until(lambda: bool(k.robot.visible_items("enterprise_0")))
    k.robot.click("enterprise_0")
    wait_screen(k, "ServiceHome")
    open_change_form(k)
    materials = {m["id"]: m for m in k.ui.session.property("materials")}
    assert materials["business_licence"]["onFile"] == ""
    assert materials["business_licence"]["expiredOnFile"]
    assert k.robot.visible_items("capture_business_licence")
    assert "档案中的材料已过期，请重新拍摄" in text(k.robot)


def test_a_stranger_scanning_a_real_code_sees_no_enterprise_data(kiosk: Kiosk) -> None:
    k = kiosk
    admin = seed_register(k.hall, **{"法定代表人": "王小明", "法定代表人身份证号": LEGAL})
    code = admin.post(f"{k.hall.url}/api/v1/register/enterprises/{uscc(1)}/code", timeout=10)
    assert code.status_code == 200, code.text
    k.robot.click("startButton")
    wait_screen(k, "ServiceHome")  # nothing to choose: the service list, with 办理企业
    k.robot.click("enterpriseButton")
    wait_screen(k, "Enterprise")
    k.runtime.camera.show(qr_scene(code.json()["code"], np.random.default_rng(3)))
    k.robot.click("enterpriseScanButton")
    k.robot.wait_until(lambda: k.ui.enterprise.property("refusal") == "not_authorised", 20)
    k.robot.wait_until(lambda: "您不是该企业登记的法定代表人或授权经办人" in text(k.robot))
    shown = text(k.robot)
    assert "档案测试" not in shown and uscc(1) not in shown
    assert k.robot.visible_items("enterpriseHelpButton")  # call a helper, or file as individual
    assert k.ui.flow is not None and k.ui.flow.context.enterprise.chosen is None

    # A USCC with a wrong check character: refused here, before the hall is asked.
    wrong = uscc(1)[:17] + ("0" if uscc(1)[17] != "0" else "1")
    k.robot.type_into("enterpriseUsccField", wrong)
    k.robot.click("enterpriseUsccButton")
    k.robot.wait_until(lambda: k.ui.enterprise.property("refusal") == "uscc_check")
    k.robot.wait_until(lambda: "统一社会信用代码的校验位（最后一位）不对" in text(k.robot))
    # Another district's enterprise: its own words and the next step.
    k.robot.find("enterpriseUsccField").setProperty("text", "")
    k.robot.type_into("enterpriseUsccField", OTHER_DISTRICT)
    k.robot.click("enterpriseUsccButton")
    k.robot.wait_until(lambda: k.ui.enterprise.property("refusal") == "other_district", 10)
    assert "其他区" in text(k.robot)
    # A forged code (the real one with another MAC): the hall's reason, in the kiosk's words.
    forged = code.json()["code"][:-4] + "AAAA"
    k.runtime.camera.show(qr_scene(forged, np.random.default_rng(4)))
    k.robot.click("enterpriseScanButton")
    k.robot.wait_until(lambda: k.ui.enterprise.property("refusal") == "code_forged", 20)
    k.robot.wait_until(lambda: "这不是本大厅签发的一企一码" in text(k.robot))
    k.robot.click("asIndividualButton")
    wait_screen(k, "ServiceHome")


def test_without_the_hall_the_walk_in_types_and_photographs(kiosk: Kiosk) -> None:
    k = kiosk
    seed_register(k.hall)
    k.hall.stop()
    k.robot.click("startButton")
    wait_screen(k, "ServiceHome")
    k.robot.wait_until(
        lambda: "暂时无法连接企业档案，可继续手动填写并拍摄材料" in text(k.robot), 20
    )
    open_change_form(k)
    fields = {f["name"]: f for f in k.ui.session.property("fields")}
    assert fields["uscc"]["value"] == "" and not fields["uscc"]["fromRegister"]
    assert k.robot.visible_items("capture_business_licence")


def test_the_register_is_asked_with_the_holder_sealed(kiosk: Kiosk) -> None:
    """The look-up the kiosk makes is the hall's signed route with a sealed holder: the same
    request body replayed by anyone without the device key is refused."""
    k = kiosk
    seed_register(k.hall)
    k.robot.click("startButton")
    wait_screen(k, "Enterprise")
    unsigned = requests.post(k.hall.url + MINE_PATH, json={"holder": "eA=="}, timeout=5)
    assert unsigned.status_code == 401


def choose_the_enterprise(k: Kiosk) -> None:
    k.robot.click("startButton")
    wait_screen(k, "Enterprise")
    k.robot.wait_until(lambda: bool(k.robot.visible_items("enterprise_0")))
    k.robot.click("enterprise_0")
    wait_screen(k, "ServiceHome")


def test_the_policy_profile_comes_from_the_register(kiosk: Kiosk) -> None:
    k, consult = kiosk, kiosk.ui.consult
    seed_register(k.hall)  # 软件和信息技术服务业, 小型, 高新技术企业；科技型中小企业
    choose_the_enterprise(k)
    k.robot.click("consult_policies")
    wait_screen(k, "Policies")
    k.robot.wait_until(lambda: consult.property("fromRegister"), 10)
    profile = consult.property("profile")
    assert profile == {
        "uscc": uscc(1),
        "industry": "I",
        "size": "small",
        "certifications": ["high_tech", "tech_sme"],
    }
    k.robot.wait_until(lambda: "已按企业档案填写" in text(k.robot))
    # The walk-in adjusts it (a district), then matches: 可以申报, with the reasons.
    k.robot.wait_until(lambda: bool(k.robot.items("district_shishan_hengtang")), 10)
    # The results area may still be laying out (the policy set loads in the background) as the
    # finger lands: a tap that landed on the move is tapped again, as a walk-in would.
    for _ in range(3):
        k.robot.click("district_shishan_hengtang")
        try:
            k.robot.wait_until(
                lambda: consult.property("profile").get("district") == "shishan_hengtang", 2
            )
            break
        except TimeoutError:
            continue
    assert consult.property("profile").get("district") == "shishan_hengtang"
    k.robot.click("matchButton")
    k.robot.wait_until(lambda: consult.property("matched"), 10)
    eligible = consult.property("eligible")
    assert any("企业规模为 微型、小型、中型" in p["why"] for p in eligible)  # size: the register's
    assert any("已认定 国家高新技术企业、科技型中小企业 之一" in p["why"] for p in eligible)
    k.robot.wait_until(lambda: "可以申报" in k.robot.texts())


def test_a_material_gone_since_the_form_opened_is_asked_for_before_the_review(
    kiosk: Kiosk,
) -> None:
    """The fresh look-up when the form is complete: the licence expired meanwhile (the register
    was re-imported), so it is photographed now, while the walk-in is there, not refused at the
    hall after they left."""
    k = kiosk
    admin = seed_register(k.hall)
    file_material(k.hall, "shareholder_resolution", "2026-11-01")
    choose_the_enterprise(k)
    open_change_form(k)
    assert not k.robot.visible_items("capture_business_licence")
    expired = {"营业执照发证日期": "2016-01-01", "营业执照有效期至": "2026-01-01"}
    people = {"法定代表人": "张三丰", "法定代表人身份证号": HOLDER}
    data = workbook([row(1, **people, **expired)])
    answer = admin.post(k.hall.url + "/api/v1/register/import", data=data, timeout=60)
    assert answer.status_code == 200, answer.text
    k.robot.type_into("field_mobile", "13912345678")
    k.robot.click("choice_change_item_address")
    k.robot.type_into("field_new_value", "苏州高新区狮山路99号")
    k.robot.click("nextButton")
    k.robot.wait_until(lambda: bool(k.robot.visible_items("capture_business_licence")), 10)
    assert k.ui.session.property("screen") == "Form"
    k.robot.wait_until(lambda: "档案中的材料已过期，请重新拍摄" in text(k.robot))
    assert k.ui.flow is not None
    assert "business_licence" not in k.ui.flow.context.enterprise.on_file


def test_a_qr_or_a_typed_code_is_read_before_the_hall_is_asked() -> None:
    from kiosk.register import in_district, read_qr, uscc_problem

    token = "QHE1.abcdefghijklmnop.ABCDEFGHIJKLMNOP"
    assert read_qr(token) == ("code", token)
    assert read_qr(f"https://hall.example/e?c={token}") == ("code", token)
    assert read_qr(f"https://gsxt.example/lic?uscc={uscc(1)}") == ("uscc", uscc(1))
    assert read_qr("https://example.com/hello") is None
    assert uscc_problem(uscc(1)) == "" and uscc_problem(uscc(1).lower()) == ""
    assert uscc_problem(uscc(1)[:17]) == "uscc_length"
    assert uscc_problem(uscc(1)[:16] + "I" + uscc(1)[17]) == "uscc_characters"
    wrong = uscc(1)[:17] + ("0" if uscc(1)[17] != "0" else "1")
    assert uscc_problem(wrong) == "uscc_check"
    assert in_district(uscc(1)) and not in_district(OTHER_DISTRICT)


PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def test_a_document_on_file_prints_on_the_a4_printer(
    qapp: object,
    tmp_path: Path,
    hall_server: HallServer,
    cupsd: Cups,  # noqa: F811  (the fixture imported above)
) -> None:
    admin = seed_register(hall_server)
    store = SubmissionStore(hall_server.db_path)
    try:
        with store.engine.connect() as conn:
            licence = conn.execute(select(enterprise_materials.c.id)).scalar_one()
    finally:
        store.close()
    url = f"{hall_server.url}/api/v1/register/materials/{licence}/file"
    put = admin.put(url, data=PDF, headers={"Content-Type": "application/pdf"}, timeout=10)
    assert put.status_code == 200, put.text
    ui, runtime, clock = make_kiosk(tmp_path, hall_server, a4_queue=cupsd.queue)
    k = Kiosk(ui, runtime, Robot(ui.window), clock, hall_server)
    try:
        choose_the_enterprise(k)
        k.robot.click("archiveButton")
        wait_screen(k, "Archive")
        k.robot.wait_until(lambda: ui.enterprise.property("archiveStatus") == "done", 10)
        [document] = [e for e in ui.enterprise.property("archive") if e["materialId"]]
        assert document["printable"] and document["title"] == "营业执照"
        k.robot.click(f"archivePrint_{licence}")
        k.robot.wait_until(lambda: ui.enterprise.property("printStatus") == "printed", 30)
        assert cupsd.sink.wait_for_job() == PDF
        k.robot.wait_until(lambda: "已打印，请从A4打印机取件。" in text(k.robot))
        k.robot.click("cancelButton")
        wait_screen(k, "Attract")
        assert ui.flow is not None and ui.flow.context.enterprise.archive == []
    finally:
        ui.close()
        runtime.close()
