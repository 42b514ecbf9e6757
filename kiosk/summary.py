"""Builds the `FilingSummary` value: what the optional A4 summary of a filing shows.

Qt-free, like the `Receipt` for the roll: `ui/a4_summary.py` lays it out as a PDF and prints it.
Unlike the receipt, the summary lists the answers the walk-in gave (it is their copy of the
filing), so ID, mobile and passport numbers are masked as on the screens: a sheet can lie in
an A4 tray for a while, in a public hall.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from contracts.catalog import ServiceItem
from kiosk.masking import mask_personal

_TEXT = {
    "zh_CN": {
        "title": "办事材料摘要",
        "station": "站点",
        "service": "事项",
        "tracking": "受理编号",
        "time": "受理时间",
        "parts": "办理部门",
        "answers": "填报内容",
        "next": "我们将在{days}个工作日内办结，结果以短信通知。",
        "scan": "扫码或凭受理编号查询办理进度",
        "phone": "服务热线：0512-12345",
        "brand": "苏新办·企航家",
    },
    "en_US": {
        "title": "Filing Summary",
        "station": "Station",
        "service": "Service",
        "tracking": "Tracking no.",
        "time": "Filed at",
        "parts": "Handled by",
        "answers": "Your answers",
        "next": "We will complete it within {days} working days and notify you by SMS.",
        "scan": "Scan the code or use the tracking number to follow progress",
        "phone": "Hotline: 0512-12345",
        "brand": "Qihang Station",
    },
}


@dataclass(frozen=True, slots=True)
class FilingSummary:
    """An A4 summary in domain terms; all text already in the walk-in's language."""

    language: str
    title: str
    labels: Mapping[str, str]  # station, service, tracking, time, parts, answers
    station_name: str
    service_name: str
    tracking_number: str
    issued_at: str
    parts: tuple[tuple[str, str], ...]  # (part name, department)
    answers: tuple[tuple[str, str], ...]  # (field label, value as shown)
    next_steps: str
    scan_hint: str
    hotline: str
    progress_url: str

    def __repr__(self) -> str:  # never log the answers
        return f"FilingSummary(tracking_number={self.tracking_number!r})"


def build_summary(
    *,
    language: str,
    station_name: str,
    service: ServiceItem,
    values: Mapping[str, str],
    tracking_number: str,
    progress_url: str,
    issued_at: dt.datetime,
) -> FilingSummary:
    """The summary of one queued filing. Only fields of the service's form are listed."""
    zh = language != "en_US"
    t = _TEXT["zh_CN" if zh else "en_US"]

    def pick(chinese: str, english: str) -> str:
        return chinese if zh else english

    answers = []
    for spec in service.form.fields:
        value = values.get(spec.name, "")
        if not value:
            continue
        for choice in spec.choices:
            if choice.value == value:
                value = pick(choice.label_zh, choice.label_en)
        value = mask_personal(spec.kind, value)  # the screens' one rule: ID, mobile, passport
        answers.append((pick(spec.label_zh, spec.label_en), value))
    return FilingSummary(
        language="zh_CN" if zh else "en_US",
        title=t["title"],
        labels={k: t[k] for k in ("station", "service", "tracking", "time", "parts", "answers")},
        station_name=f"{t['brand']} {station_name}",
        service_name=pick(service.name_zh, service.name_en),
        tracking_number=tracking_number,
        issued_at=f"{issued_at:%Y-%m-%d %H:%M}",
        parts=tuple(
            (pick(p.name_zh, p.name_en), pick(p.department_zh, p.department_en))
            for p in service.parts
        ),
        answers=tuple(answers),
        next_steps=t["next"].format(days=service.time_limit_days),
        scan_hint=t["scan"],
        hotline=t["phone"],
        progress_url=progress_url,
    )
