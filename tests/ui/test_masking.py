"""The one masking rule on screen (issue 19): a personal number is masked except in its own
field while that field has focus. Every screen is searched for the clear numbers by
tests/ui/test_accessibility.py; here a form shows what a walk-in sees while typing."""

from __future__ import annotations

from hall.server import HallServer
from tests.support.screenshots import BUNDLE_ANSWERS
from tests.ui.conftest import Kiosk


def _field_text(k: Kiosk, name: str) -> str:
    (shown,) = k.robot.visible_items(name)  # the form's hidden TextArea has the same name
    return str(shown.property("text"))


def test_a_focused_field_shows_its_number_in_clear_and_masks_it_again(
    kiosk: Kiosk, hall_server: HallServer
) -> None:
    k = kiosk
    k.robot.click("startButton")
    k.robot.wait_until(lambda: k.ui.session.property("screen") in ("ServiceHome", "Enterprise"))
    assert k.ui.flow is not None
    k.ui.session.chooseService("company_startup_power")
    k.robot.wait_until(lambda: k.ui.session.property("screen") == "Form")
    k.ui.flow.set_field("mobile", BUNDLE_ANSWERS["mobile"])
    k.robot.settle()
    assert _field_text(k, "field_applicant_id_number") == "110105********002X"
    assert _field_text(k, "field_mobile") == "139****5678"

    k.robot.click("field_mobile")
    assert _field_text(k, "field_mobile") == BUNDLE_ANSWERS["mobile"]  # to correct it
    assert _field_text(k, "field_applicant_id_number") == "110105********002X"
    k.robot.click("field_applicant_id_number")
    assert _field_text(k, "field_applicant_id_number") == "11010519491231002X"
    assert _field_text(k, "field_mobile") == "139****5678"
    # What the walk-in types goes to the session in clear; the field masks it once left.
    k.robot.click("field_company_name")
    assert _field_text(k, "field_applicant_id_number") == "110105********002X"
    assert k.ui.flow.context.values["applicant_id_number"] == "11010519491231002X"
