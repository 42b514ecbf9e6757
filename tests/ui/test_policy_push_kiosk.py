"""Policy push at the kiosk (issue 18), in the real QML against a real hall: after the card is
read the enterprise screen says how many policies the hall pushed to each enterprise ("您有 1 项
可申报政策"); a tap acts for the enterprise and opens the policies screen with its profile from
the register. An enterprise with no push shows no such line."""

from __future__ import annotations

from typing import Any

from tests.hall.test_policy_push import _policies
from tests.hall.test_register import row, workbook
from tests.ui.conftest import Kiosk
from tests.ui.test_register_kiosk import HOLDER, admin_of, text, wait_screen


def test_the_enterprise_screen_counts_the_pushed_policies(kiosk: Kiosk) -> None:
    k, consult = kiosk, kiosk.ui.consult
    holder = {"法定代表人": "张三丰", "法定代表人身份证号": HOLDER}
    # Enterprise 1 (小型, 高新技术企业, 100 万元) qualifies; enterprise 2 (大型) does not.
    data = workbook([row(1, **holder), row(2, 企业规模="大型", **holder)])
    imported = admin_of(k.hall).post(k.hall.url + "/api/v1/register/import", data=data, timeout=60)
    assert imported.status_code == 200, imported.text
    hall: Any = k.hall.app.state
    hall.content_store.publish("policies", _policies("2026.12.06-7"), "an.admin")
    (pending,) = hall.policy_push.policies()
    assert hall.policy_push.confirm(pending["version"], pending["policy_id"], "sue").confirmed == 1

    k.robot.click("startButton")
    wait_screen(k, "Enterprise")
    k.robot.wait_until(lambda: bool(k.robot.visible_items("enterprisePolicies_0")), 10)
    assert "您有 1 项可申报政策" in text(k.robot)
    assert not k.robot.visible_items("enterprisePolicies_1")  # enterprise 2: nothing pushed
    k.robot.click("enterprisePolicies_0")
    wait_screen(k, "Policies")
    k.robot.wait_until(lambda: consult.property("fromRegister"), 10)
    assert consult.property("profile")["size"] == "small"
