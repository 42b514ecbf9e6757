"""Issue 14, findings 8 and 9 in the helper's console (real headless Chromium, a real hall, a raw
kiosk socket signed by an enrolled device).

What a kiosk sends — chat, the form's labels, the service's name — is shown as text: a chat line
``<img src=x onerror=...>`` appears as those characters, makes no element and runs nothing. The
console page itself carries a strict Content-Security-Policy. Before the walk-in consents, the
helper's proposal, photo-request and submit buttons are disabled (the hall would refuse them).
"""

from __future__ import annotations

from playwright.sync_api import Page, expect

from remote_assist import protocol as p
from tests.assist.enrolled import STATION, RawKiosk, Station, station
from tests.hall.helpers import PASSWORD

__all__ = ["station"]  # the fixture, imported for pytest

ATTACK = '<img src=x onerror="window.__xss = 1"><script>window.__xss = 2</script>'


def test_kiosk_text_is_shown_as_text_in_the_console(page: Page, station: Station) -> None:
    kiosk = RawKiosk(station)
    try:
        kiosk.send(p.HelpRequested(station_id=STATION, service_id="company_startup_power"))
        kiosk.until(p.SessionOpened)
        kiosk.send(
            p.FormSnapshot(
                service_id="company_startup_power",
                service_name=f"开办{ATTACK}",
                masked=False,
                fields=[{"name": "mobile", "label": f"手机号{ATTACK}", "value": "", "by": ""}],
                materials=[{"id": "id_front", "label": f"身份证{ATTACK}", "captured": ""}],
            )
        )
        response = page.goto(station.hall.url + "/console/#/assist")
        assert response is not None
        policy = response.headers["content-security-policy"]
        assert "default-src 'self'" in policy and "frame-ancestors 'none'" in policy
        page.fill("#login-name", "lin.helper")
        page.fill("#login-password", PASSWORD)
        page.click("#login-submit")
        page.locator("tr.assist-request button.accept").click()
        kiosk.until(p.HelperJoined)

        field = page.locator("tr.assist-field[data-field=mobile]")
        expect(field).to_contain_text(f"手机号{ATTACK}")
        expect(page.locator("#assist-service")).to_have_text(f"开办{ATTACK}")
        # Before consent the hall refuses what would act on the form: the buttons say so.
        expect(field.locator("button.propose")).to_be_disabled()
        expect(page.locator("button.capture-request")).to_be_disabled()
        expect(page.locator("#assist-propose-submit")).to_be_disabled()

        kiosk.send(p.Chat(sender="walk_in", text=ATTACK))
        line = page.locator("#assist-chat li")
        expect(line).to_have_count(1)
        expect(line).to_contain_text(ATTACK)
        kiosk.send(p.ConsentGranted())
        expect(page.locator("#assist-consent")).to_have_text("群众已授权查看内容")
        expect(field.locator("button.propose")).to_be_enabled()
        expect(page.locator("#assist-propose-submit")).to_be_enabled()

        # Markup in any of it made no element and ran nothing.
        assert page.locator("#view img, #view script").count() == 0
        assert page.evaluate("window.__xss") is None
    finally:
        kiosk.close()
