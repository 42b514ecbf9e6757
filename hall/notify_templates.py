"""The SMS texts the hall sends an applicant, one template per event in Chinese and English.

A text is rendered once, when the notification is queued, from a strict pydantic model per event
that holds only what an SMS may carry: the tracking number, the service name, a short link, and
per event the 补正 material names, a pick-up place or an EMS waybill number. Anything else (an ID
number, a full name, a form answer) has no field to go in: an unknown parameter is refused, and
every value is checked against the shapes of an ID number before it reaches a template. SMS go over
the operator's network in clear and sit on the handset: they must not hold personal data.
"""

from __future__ import annotations

import re
from typing import Annotated, Final, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

Event = Literal[
    "filing_received",
    "needs_more",
    "result_ready",
    "demand_replied",
    "rating_invited",
    "poor_rating_follow_up",
    "policy_push",
]
Language = Literal["zh", "en"]
EVENTS: Final[tuple[Event, ...]] = (
    "filing_received",
    "needs_more",
    "result_ready",
    "demand_replied",
    "rating_invited",
    "poor_rating_follow_up",
    "policy_push",
)

# A resident ID number (18, last may be X), an old 15-digit one, or any run of 15+ digits:
# nothing an SMS legitimately carries looks like that (tracking numbers and waybills are shorter
# or lettered).
_ID_LIKE: Final = re.compile(r"\d{17}[\dXx]|\d{15,}")

_Short = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40)]
_Tracking = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9-]{4,40}$")]
# https anywhere; plain http only to this machine (the demo's hall: hall.notify_wiring).
_Link = Annotated[
    str,
    StringConstraints(
        pattern=r"^(https://[A-Za-z0-9.-]+|http://(127(\.\d{1,3}){3}|localhost|\[::1\]))"
        r"(:\d+)?/[\x21-\x7e]*$"
    ),
]
_Waybill = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9]{8,14}$")]


class TemplateParamsError(ValueError):
    """The parameters do not fit the event's template (unknown, missing or personal data)."""


class _Params(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

    tracking_number: _Tracking
    service_name: _Short
    link: _Link = Field(max_length=80)


class FilingReceived(_Params):
    pass


class NeedsMore(_Params):
    materials: tuple[_Short, ...] = Field(min_length=1, max_length=10)


class ResultReady(_Params):
    # Exactly one of the two: pick-up at a station, or sent by EMS (政务专递) with its waybill.
    pickup_at: _Short | None = None
    waybill: _Waybill | None = None


class DemandReplied(_Params):
    pass


class RatingInvited(_Params):
    pass


class PoorRatingFollowUp(_Params):
    pass


class PolicyPush(_Params):
    """免申即享 (hall.policy_push): ``tracking_number`` is the push's reference, ``service_name``
    the policy's title; the enterprise is never named (the text sits on a handset)."""


PARAMS: Final[dict[Event, type[_Params]]] = {
    "filing_received": FilingReceived,
    "needs_more": NeedsMore,
    "result_ready": ResultReady,
    "demand_replied": DemandReplied,
    "rating_invited": RatingInvited,
    "poor_rating_follow_up": PoorRatingFollowUp,
    "policy_push": PolicyPush,
}

# The sender's signature (【…】) comes first, as Chinese operators require for notification SMS.
_TEMPLATES: Final[dict[tuple[Event, Language], str]] = {
    ("filing_received", "zh"): "【企航政务】您的{service_name}申请已受理，受理号{tracking_number}。"
    "办理进度请查看 {link}",
    ("filing_received", "en"): "[Qihang Services] Your {service_name} filing was received, "
    "number {tracking_number}. Progress: {link}",
    ("needs_more", "zh"): "【企航政务】您的{service_name}申请（{tracking_number}）需补正材料："
    "{materials}。可在任一自助终端扫描回执二维码补交，详情 {link}",
    ("needs_more", "en"): "[Qihang Services] Your {service_name} filing {tracking_number} needs "
    "more material: {materials}. Hand it in at any kiosk by scanning your receipt. {link}",
    ("result_ready", "zh"): "【企航政务】您的{service_name}办理结果（{tracking_number}）已出，"
    "{delivery}。详情 {link}",
    ("result_ready", "en"): "[Qihang Services] The result of your {service_name} filing "
    "{tracking_number} is ready: {delivery}. {link}",
    ("demand_replied", "zh"): "【企航政务】您的诉求（{tracking_number}，{service_name}）已答复，"
    "请查看 {link}",
    ("demand_replied", "en"): "[Qihang Services] Your request {tracking_number} "
    "({service_name}) has been answered: {link}",
    ("rating_invited", "zh"): "【企航政务】请为{service_name}（{tracking_number}）的办理评价，"
    "一次一评：{link}",
    ("rating_invited", "en"): "[Qihang Services] Please rate how {service_name} "
    "({tracking_number}) was handled: {link}",
    ("poor_rating_follow_up", "zh"): "【企航政务】我们已收到您对{service_name}（{tracking_number}）"
    "的评价，相关部门将在15个工作日内整改并回访。进度 {link}",
    ("poor_rating_follow_up", "en"): "[Qihang Services] We received your rating of "
    "{service_name} ({tracking_number}). The department will put it right and call you back "
    "within 15 working days. {link}",
    ("policy_push", "zh"): "【企航政务】经比对企业档案，贵企业符合“{service_name}”的申报条件"
    "（推送编号{tracking_number}），申报方式请查看 {link}",
    ("policy_push", "en"): "[Qihang Services] The register shows your company qualifies for "
    "{service_name} (reference {tracking_number}). How to apply: {link}",
}


def _delivery(params: ResultReady, language: Language) -> str:
    if params.waybill is not None:
        return (
            f"已由EMS政务专递寄出，运单号{params.waybill}"
            if language == "zh"
            else f"sent by EMS, waybill {params.waybill}"
        )
    assert params.pickup_at is not None  # checked in render
    return (
        f"请到{params.pickup_at}领取" if language == "zh" else f"collect it at {params.pickup_at}"
    )


def render(event: Event, language: Language, params: dict[str, object]) -> str:
    """The text of ``event`` in ``language``; raises :class:`TemplateParamsError`."""
    model = PARAMS.get(event)
    if model is None:
        raise TemplateParamsError(f"unknown event {event!r}")
    if language not in ("zh", "en"):
        raise TemplateParamsError(f"unknown language {language!r}")
    try:
        checked = model.model_validate(params)
    except ValidationError as exc:
        # The message names fields and error kinds only, never the values given.
        fields = sorted({".".join(str(p) for p in e["loc"]) for e in exc.errors()})
        raise TemplateParamsError(f"{event}: bad parameters {fields}") from None
    values: dict[str, str] = {
        "tracking_number": checked.tracking_number,
        "service_name": checked.service_name,
        "link": checked.link,
    }
    if isinstance(checked, NeedsMore):
        values["materials"] = ("、" if language == "zh" else ", ").join(checked.materials)
    if isinstance(checked, ResultReady):
        if (checked.pickup_at is None) == (checked.waybill is None):
            raise TemplateParamsError(f"{event}: give pickup_at or waybill, exactly one")
        values["delivery"] = _delivery(checked, language)
    if any(_ID_LIKE.search(v) for v in values.values()):
        raise TemplateParamsError(f"{event}: a value looks like an ID number")
    return _TEMPLATES[(event, language)].format(**values)
