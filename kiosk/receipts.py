"""Builds the Receipt value for a queued submission (the printer backend lays it out)."""

from __future__ import annotations

import datetime as dt

from drivers.printer.base import Receipt

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
    },
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
) -> Receipt:
    """No personal data goes on the receipt: the tracking number is the walk-in's handle."""
    t = _TEXT.get(language, _TEXT["zh_CN"])
    return Receipt(
        title=t["title"],
        station_name=f"{t['station']}: {t['brand']} {station_name}",
        service_name=f"{t['service']}: {service_name}",
        tracking_number=tracking_number,
        issued_at=f"{t['time']}: {issued_at:%Y-%m-%d %H:%M}",
        lines=(t["next"].format(days=time_limit_days),),
        qr_payload=progress_url,
        footer=(t["scan"], t["keep"], t["phone"]),
    )


def progress_url(hall_url: str, tracking_number: str, access_token: str = "") -> str:
    """The receipt QR's address: ``<hall>/p/<number>?t=<token>`` opens the filing's whole story
    at the hall (hall.applicant_view); without a token, the public status page."""
    if access_token:
        return f"{hall_url.rstrip('/')}/p/{tracking_number}?t={access_token}"
    return f"{hall_url.rstrip('/')}/progress/{tracking_number}"
