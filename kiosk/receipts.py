"""Builds the Receipt value for a queued submission (the printer backend lays it out)."""

from __future__ import annotations

import datetime as dt

from contracts.delivery import METHOD_NAMES, PROVINCE, Delivery, cities, districts
from drivers.printer.base import Receipt, ReceiptCode

_TEXT = {
    "zh_CN": {
        "title": "办事回执",
        "brand": "苏新办·企航家",
        "station": "站点",
        "service": "事项",
        "tracking": "受理编号",
        "time": "时间",
        "next": "我们将在{days}个工作日内办结，结果以短信通知。",
        "scan": "扫码或凭受理编号查询办理进度",
        "keep": "请妥善保管本回执。",
        "phone": "服务热线：0512-12345",
        "delivery": "领取方式：{method}",
        "delivery_to": "领取方式：{method}（{region}）",
    },
    "en_US": {
        "title": "Filing Receipt",
        "brand": "Qihang Station",
        "station": "Station",
        "service": "Service",
        "tracking": "Tracking no.",
        "time": "Time",
        "next": "We will complete it within {days} working days and notify you by SMS.",
        "scan": "Scan the code or use the tracking number to follow progress",
        "keep": "Please keep this receipt.",
        "phone": "Hotline: 0512-12345",
        "delivery": "Result: {method}",
        "delivery_to": "Result: {method} to {region}",
    },
}
# The 一企一码's heading is the same in both languages: staff and walk-ins know it by this name.
# Its caption in phrases: one line on an 80 mm roll, a phrase a line on 58 mm.
CODE_HEADING = "一企一码 / Enterprise code"
_CODE_CAPTION = {
    "zh_CN": ("扫码办理本企业事项", "（遗失可到大厅注销）"),
    "en_US": ("Scan to act for this enterprise ", "(if lost, the hall withdraws it)"),
}


def build_receipt(
    *,
    language: str,
    station_name: str,
    service_name: str,
    tracking_number: str,
    time_limit_days: int,
    progress_url: str,
    issued_at: dt.datetime,
    delivery: Delivery | None = None,
    enterprise_name: str = "",
    enterprise_code: str | None = None,
) -> Receipt:
    """No personal data goes on the receipt: the tracking number is the walk-in's handle. A
    document result's delivery is one line: the method and, for EMS, the region only (no
    street, recipient or mobile on paper).

    Filed for an enterprise from the register whose 一企一码 stands (``enterprise_code``, the
    hall's signed token, never the USCC), the receipt ends with that code as a second, smaller
    QR under its heading, with the enterprise's name (a business, not a person) above it."""
    t = _TEXT.get(language, _TEXT["zh_CN"])
    lines = [t["next"].format(days=time_limit_days)]
    if delivery is not None:
        lines.append(_delivery_line(t, language, delivery))
    codes: tuple[ReceiptCode, ...] = ()
    if enterprise_code:
        name = (enterprise_name,) if enterprise_name else ()
        caption = _CODE_CAPTION.get(language, _CODE_CAPTION["zh_CN"])
        codes = (ReceiptCode(CODE_HEADING, enterprise_code, name, caption),)
    return Receipt(
        title=t["title"],
        station_name=f"{t['station']}: {t['brand']} {station_name}",
        service_name=f"{t['service']}: {service_name}",
        tracking_number=tracking_number,
        issued_at=f"{t['time']}: {issued_at:%Y-%m-%d %H:%M}",
        lines=tuple(lines),
        qr_payload=progress_url,
        footer=(t["scan"], t["keep"], t["phone"]),
        codes=codes,
    )


def _delivery_line(t: dict[str, str], language: str, delivery: Delivery) -> str:
    en = language == "en_US"
    method = METHOD_NAMES[delivery.method][1 if en else 0]
    if delivery.method != "ems":
        return t["delivery"].format(method=method)
    if not en:
        return t["delivery_to"].format(method=method, region=delivery.region_line())
    city = next((c.en for c in cities() if c.zh == delivery.city), delivery.city)
    district = next((d.en for d in districts(delivery.city) if d.zh == delivery.district), "")
    region = ", ".join(p for p in (district, city, PROVINCE[1]) if p)
    return t["delivery_to"].format(method=method, region=region)


def progress_url(hall_url: str, tracking_number: str, access_token: str = "") -> str:
    """The receipt QR's address: ``<hall>/p/<number>?t=<token>`` opens the filing's whole story
    at the hall (hall.applicant_view); without a token, the public status page."""
    if access_token:
        return f"{hall_url.rstrip('/')}/p/{tracking_number}?t={access_token}"
    return f"{hall_url.rstrip('/')}/progress/{tracking_number}"
