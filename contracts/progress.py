"""The progress document the hall serves for a tracking number, and the plain words it is shown in.

``GET /api/v1/progress/<tracking number>`` answers (no personal data)::

    {"tracking_number": "QH001-20261127-0003",
     "service_id": "ev_charging_pile",                      # optional
     "parts": [{"id": "power_supply", "status": "in_review", "updated_at": ISO-8601,
                "department"?: "...", "note_zh"?: "...", "note_en"?: "...",
                "steps"?: [{"id": "site_survey", "status": "done", "updated_at": ISO-8601}],
                "events"?: [{"status": "needs_more", "at": ISO-8601, "note_zh"?, "note_en"?,
                             "items"?: [{"material": "id_card", "reason": "..."}],
                             "delivery"?: "pickup" | "ems"}]}]}

Part statuses are :data:`PART_STATUSES` (the filings desk's part model, and the words a demand's
part still uses), step statuses :data:`STEP_STATUSES`. ``events`` are the applicant-facing part
of each move at the hall: the status it moved to, when, the public note, the materials a 补正
asks for and how a result is delivered — never who moved it.
:func:`parse_status` checks a document with the strict :class:`StatusDoc` model (``ValueError``
says what is wrong); :func:`describe` turns it into a :class:`ProgressView` in one language,
naming parts and steps from the catalog: the kiosk's progress screen and the hall's public
progress page show the same words.

Unknown keys are ignored here, unlike the submission wire: a newer hall that adds a key must
not blank the progress screen of a kiosk that does not know it yet.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated, Final, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictStr,
    ValidationError,
    field_validator,
)

from contracts.catalog import Catalog, Material, ServiceItem
from contracts.ids import is_valid_tracking_number

__all__ = [
    "DELIVERIES",
    "PART_STATUSES",
    "STEP_STATUSES",
    "EventStatus",
    "EventView",
    "Language",
    "MaterialAsked",
    "PartStatus",
    "PartView",
    "ProgressView",
    "StatusDoc",
    "StepStatus",
    "StepView",
    "describe",
    "parse_status",
    "service_of",
]

Language = str  # "zh_CN" or "en_US", as elsewhere

# status -> (zh, en). The words say where the filing is and, where the walk-in must act, what to do.
PART_STATUSES: Final[Mapping[str, tuple[str, str]]] = {
    "queued": ("已在本站点保存，等待发送到服务大厅", "Saved at this station, waiting to be sent"),
    "submitted": ("已送达服务大厅，等待部门受理", "At the service hall, waiting to be accepted"),
    "received": ("服务大厅已收到，等待部门受理", "Received at the hall, waiting to be accepted"),
    "accepted": ("部门已受理", "Accepted by the department"),
    "not_accepted": (
        "不予受理：请查看说明，或带上回执到站点咨询",
        "Not accepted: see the note, or bring this receipt to a station",
    ),
    "in_review": ("部门审查中", "Under review by the department"),
    "needs_more": (
        "需要补充材料：请留意短信，或带上回执到站点咨询",
        "More documents needed: watch for a text message, or bring this receipt to a station",
    ),
    "approved": ("已准予，正在制作办理结果", "Approved; the result is being prepared"),
    "refused": (
        "不予许可：请查看说明，或带上回执到站点咨询",
        "Refused: see the note, or bring this receipt to a station",
    ),
    "result_ready": ("办理结果已出", "The result is ready"),
    "closed": ("已办结", "Completed"),
    # A demand's part follows the demand loop and keeps these words.
    "handling": ("正在办理", "Being processed"),
    "completed": ("已办结", "Completed"),
    "rejected": ("未予办理：原因已短信告知，可到站点咨询", "Not approved: see the text message"),
    "cancelled": ("已撤回", "Withdrawn"),
}
# How a ready result reaches the applicant: (zh, en).
DELIVERIES: Final[Mapping[str, tuple[str, str]]] = {
    "pickup": (
        "请带上回执到站点领取办理结果",
        "Collect the result at the station (bring the receipt)",
    ),
    "ems": ("办理结果将通过 EMS 政务专递寄出", "The result will be sent by EMS"),
}
STEP_STATUSES: Final[Mapping[str, tuple[str, str]]] = {
    "pending": ("尚未开始", "Not started"),
    "in_progress": ("进行中", "In progress"),
    "done": ("已完成", "Done"),
    "rejected": ("未通过", "Not passed"),
    "skipped": ("无需办理", "Not needed"),
}
_UNKNOWN_STATUS: Final = (
    "状态更新中，请稍后再查",
    "Status being updated; please check again later",
)
_DONE: Final = frozenset({"completed", "closed"})
_FINISHED: Final = frozenset(
    {"completed", "rejected", "cancelled", "closed", "refused", "not_accepted"}
)


# --- the hall's status document ------------------------------------------------------------------


def _iso_time(value: object) -> object:
    # Only ISO-8601 text: a Unix number or a date object is a hall bug, not a time.
    if value is None or isinstance(value, dt.datetime):
        return value
    if not isinstance(value, str):
        raise ValueError("must be an ISO-8601 time")
    try:
        return dt.datetime.fromisoformat(value)
    except ValueError:
        raise ValueError("must be an ISO-8601 time") from None


_Time = Annotated[dt.datetime | None, BeforeValidator(_iso_time)]
_Name = Annotated[StrictStr, Field(min_length=1)]


class _Doc(BaseModel):
    model_config = ConfigDict(strict=True, frozen=True, extra="ignore")


class StepStatus(_Doc):
    id: _Name
    status: _Name
    updated_at: _Time = None


# JSON brings lists; the parsed document keeps tuples (it is frozen). Lax for the container only:
# its items are still checked strictly.
_Steps = Annotated[tuple[StepStatus, ...], Field(strict=False)]


class MaterialAsked(_Doc):
    """A material a 补正 asks for (a catalog material id) and why."""

    material: StrictStr
    reason: StrictStr = ""


class EventStatus(_Doc):
    """The applicant-facing part of one move of a part at the hall."""

    status: _Name
    at: _Time = None
    note_zh: StrictStr = ""
    note_en: StrictStr = ""
    items: Annotated[tuple[MaterialAsked, ...], Field(strict=False)] = ()
    delivery: StrictStr = ""


class PartStatus(_Doc):
    id: _Name
    status: _Name
    updated_at: _Time = None
    department: StrictStr = ""
    note_zh: StrictStr = ""
    note_en: StrictStr = ""
    steps: _Steps = ()
    events: Annotated[tuple[EventStatus, ...], Field(strict=False)] = ()


class StatusDoc(_Doc):
    tracking_number: StrictStr
    service_id: StrictStr | None = None
    parts: Annotated[tuple[PartStatus, ...], Field(strict=False, min_length=1)]

    @field_validator("tracking_number")
    @classmethod
    def _is_tracking_number(cls, v: str) -> str:
        if not is_valid_tracking_number(v):
            raise ValueError("not a tracking number")
        return v


def parse_status(doc: object) -> StatusDoc:
    """Check the hall's status document; ``ValueError`` names what is wrong."""
    try:
        return StatusDoc.model_validate(doc)
    except ValidationError as exc:
        first = exc.errors(include_url=False)[0]
        where = ".".join(str(p) for p in first["loc"]) or "document"
        raise ValueError(f"{where}: {first['msg']}") from None


# --- what the screen shows -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class StepView:
    id: str
    name: str
    party: str
    status: str
    words: str
    updated_at: str  # "2026-11-27 10:05" or ""


@dataclass(frozen=True, slots=True)
class EventView:
    """One step of a part's history as the applicant reads it."""

    status: str
    words: str
    at: str  # "2026-11-27 10:05" or ""
    note: str
    # (material name, reason) for each material a 补正 asks for.
    items: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class PartView:
    id: str
    name: str
    department: str
    status: str
    words: str
    updated_at: str
    note: str
    steps: tuple[StepView, ...]
    events: tuple[EventView, ...] = ()


@dataclass(frozen=True, slots=True)
class ProgressView:
    """One look-up's answer. ``source`` is ``hall`` (live), ``cache`` (last known, offline) or
    ``outbox`` (not yet at the hall); ``notice`` says so in words when it is not live."""

    tracking_number: str
    service_name: str
    headline: str
    parts: tuple[PartView, ...]
    source: Literal["hall", "cache", "outbox"]
    as_of: dt.datetime | None
    notice: str

    @property
    def live(self) -> bool:
        return self.source == "hall"


def _pick(language: Language, zh: str, en: str) -> str:
    return en if language == "en_US" else zh


def _when(t: dt.datetime | None) -> str:
    # Shown in the station's local time, which is what the walk-in's watch says.
    if t is None:
        return ""
    return (t.astimezone() if t.tzinfo else t).strftime("%Y-%m-%d %H:%M")


def describe(
    doc: StatusDoc,
    catalog: Catalog,
    language: Language = "zh_CN",
    *,
    source: Literal["hall", "cache", "outbox"] = "hall",
    as_of: dt.datetime | None = None,
) -> ProgressView:
    """Turn a status document into plain words, naming parts and steps from the catalog."""
    item = service_of(catalog, doc.service_id)
    catalog_parts = {p.id: p for p in item.parts} if item else {}
    materials = {m.id: m for m in item.materials} if item else {}
    parts = []
    for part in doc.parts:
        known = catalog_parts.get(part.id)
        steps_by_id = {s.id: s for s in known.steps} if known else {}
        steps = []
        for step in part.steps:
            spec = steps_by_id.get(step.id)
            steps.append(
                StepView(
                    step.id,
                    _pick(language, spec.name_zh, spec.name_en) if spec else step.id,
                    _pick(language, spec.party_zh, spec.party_en) if spec else "",
                    step.status,
                    _pick(language, *STEP_STATUSES.get(step.status, _UNKNOWN_STATUS)),
                    _when(step.updated_at),
                )
            )
        parts.append(
            PartView(
                part.id,
                _pick(language, known.name_zh, known.name_en) if known else part.id,
                _pick(language, known.department_zh, known.department_en) if known else "",
                part.status,
                _pick(language, *PART_STATUSES.get(part.status, _UNKNOWN_STATUS)),
                _when(part.updated_at),
                _pick(language, part.note_zh, part.note_en),
                tuple(steps),
                tuple(_event_view(e, materials, language) for e in part.events),
            )
        )
    notice = ""
    if source == "cache":
        notice = _pick(
            language,
            f"暂时无法连接服务大厅，以下是 {_when(as_of)} 的最新已知状态",
            f"The service hall cannot be reached; last known status at {_when(as_of)}",
        )
    elif source == "outbox":
        notice = _pick(
            language,
            "本站点尚未把这份申请发送到服务大厅，联网后会自动发送",
            "This station has not sent the filing to the hall yet; it will once online",
        )
    return ProgressView(
        doc.tracking_number,
        _pick(language, item.name_zh, item.name_en) if item else "",
        _headline(doc, language),
        tuple(parts),
        source,
        as_of,
        notice,
    )


def _event_view(
    event: EventStatus, materials: Mapping[str, Material], language: Language
) -> EventView:
    words = _pick(language, *PART_STATUSES.get(event.status, _UNKNOWN_STATUS))
    if event.delivery in DELIVERIES:
        words = _pick(language, *DELIVERIES[event.delivery])
    items = []
    for asked in event.items:
        known = materials.get(asked.material)
        name = _pick(language, known.name_zh, known.name_en) if known else asked.material
        items.append((name, asked.reason))
    return EventView(
        event.status,
        words,
        _when(event.at),
        _pick(language, event.note_zh, event.note_en),
        tuple(items),
    )


def service_of(catalog: Catalog, service_id: str | None) -> ServiceItem | None:
    """The catalog's service with this id, or None (no id, or a service the catalog dropped)."""
    try:
        return catalog.service(service_id) if service_id else None
    except KeyError:
        return None


def _headline(doc: StatusDoc, language: Language) -> str:
    total = len(doc.parts)
    done = sum(p.status in _DONE for p in doc.parts)
    if done == total:
        return _pick(language, "全部办结", "All done")
    if any(p.status == "needs_more" for p in doc.parts):
        return _pick(language, "需要您补充材料", "Action needed: more documents")
    if all(p.status == "queued" for p in doc.parts):
        return _pick(language, "等待发送", "Waiting to be sent")
    if all(p.status in _FINISHED for p in doc.parts):
        return _pick(language, "已结束", "Finished")
    if total == 1:
        return _pick(language, *PART_STATUSES.get(doc.parts[0].status, _UNKNOWN_STATUS))
    return _pick(
        language, f"办理中（{done}/{total} 项已办结）", f"In progress ({done} of {total} done)"
    )
