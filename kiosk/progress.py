"""Progress look-up on the kiosk: the status of every part of a filing, in plain words.

The walk-in types the tracking number or scans the receipt's QR code (the progress URL
``<hall>/progress/<tracking number>``, see :func:`parse_progress_qr`). The hall answers with a
status document (no personal data)::

    {"tracking_number": "QH001-20261127-0003",
     "service_id": "ev_charging_pile",                      # optional
     "parts": [{"id": "power_supply", "status": "handling", "updated_at": ISO-8601,
                "note_zh"?: "...", "note_en"?: "...",
                "steps"?: [{"id": "site_survey", "status": "done", "updated_at": ISO-8601}]}]}

Part statuses are :data:`PART_STATUSES`, step statuses :data:`STEP_STATUSES`. :func:`look_up`
asks the hall through an injected ``fetch(tracking_number)`` and remembers the answer in
:class:`ProgressCache` (a small JSON file in the state directory), so when the hall is
unreachable the kiosk shows the *last known status at …*; a filing still waiting in the outbox
is shown from its stub as "waiting to be sent". :func:`describe` turns a document into a
:class:`ProgressView` the UI renders as is.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final, Literal
from urllib.parse import unquote, urlsplit

from kiosk.services.catalog import Catalog, ServiceItem
from kiosk.services.validators import is_valid_tracking_number
from offline_queue.durable import atomic_write

__all__ = [
    "PART_STATUSES",
    "STEP_STATUSES",
    "OutboxStub",
    "PartView",
    "ProgressCache",
    "ProgressNotFound",
    "ProgressView",
    "StepView",
    "describe",
    "look_up",
    "parse_progress_qr",
    "parse_status",
]

log = logging.getLogger(__name__)

Language = str  # "zh_CN" or "en_US", as elsewhere in the core

# status -> (zh, en). The words say where the filing is and, where the walk-in must act, what to do.
PART_STATUSES: Final[Mapping[str, tuple[str, str]]] = {
    "queued": ("已在本站点保存，等待发送到服务大厅", "Saved at this station, waiting to be sent"),
    "submitted": ("已送达服务大厅，等待部门受理", "At the service hall, waiting to be accepted"),
    "received": ("部门已受理", "Accepted by the department"),
    "handling": ("正在办理", "Being processed"),
    "needs_more": (
        "需要补充材料：请留意短信，或带上回执到站点咨询",
        "More documents needed: watch for a text message, or bring this receipt to a station",
    ),
    "completed": ("已办结", "Completed"),
    "rejected": ("未予办理：原因已短信告知，可到站点咨询", "Not approved: see the text message"),
    "cancelled": ("已撤回", "Withdrawn"),
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
_FINISHED: Final = frozenset({"completed", "rejected", "cancelled"})


class ProgressNotFound(LookupError):
    """Neither the hall, the cache nor this station's outbox knows the tracking number."""


# --- the hall's status document ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class StepStatus:
    id: str
    status: str
    updated_at: dt.datetime | None


@dataclass(frozen=True, slots=True)
class PartStatus:
    id: str
    status: str
    updated_at: dt.datetime | None
    note_zh: str = ""
    note_en: str = ""
    steps: tuple[StepStatus, ...] = ()


@dataclass(frozen=True, slots=True)
class StatusDoc:
    tracking_number: str
    service_id: str | None
    parts: tuple[PartStatus, ...]


def parse_status(doc: object) -> StatusDoc:
    """Check the hall's status document; ``ValueError`` names what is wrong."""
    if not isinstance(doc, dict):
        raise ValueError("status document must be an object")
    number = doc.get("tracking_number")
    if not is_valid_tracking_number(number):
        raise ValueError(f"bad tracking_number {number!r}")
    service_id = doc.get("service_id")
    if service_id is not None and not isinstance(service_id, str):
        raise ValueError("service_id must be text")
    raw_parts = doc.get("parts")
    if not isinstance(raw_parts, list) or not raw_parts:
        raise ValueError("parts must be a non-empty list")
    parts = []
    for i, raw in enumerate(raw_parts):
        if not isinstance(raw, dict):
            raise ValueError(f"parts[{i}] must be an object")
        raw_steps = raw.get("steps", [])
        if not isinstance(raw_steps, list):
            raise ValueError(f"parts[{i}].steps must be a list")
        steps = tuple(
            StepStatus(
                _str(s, "id", f"parts[{i}].steps[{j}]"),
                _str(s, "status", f"parts[{i}].steps[{j}]"),
                _time(s.get("updated_at"), f"parts[{i}].steps[{j}]"),
            )
            for j, s in enumerate(raw_steps)
            if _is_obj(s, f"parts[{i}].steps[{j}]")
        )
        parts.append(
            PartStatus(
                _str(raw, "id", f"parts[{i}]"),
                _str(raw, "status", f"parts[{i}]"),
                _time(raw.get("updated_at"), f"parts[{i}]"),
                str(raw.get("note_zh", "")),
                str(raw.get("note_en", "")),
                steps,
            )
        )
    return StatusDoc(str(number), service_id, tuple(parts))


def _is_obj(value: object, where: str) -> bool:
    if not isinstance(value, dict):
        raise ValueError(f"{where} must be an object")
    return True


def _str(obj: Mapping[str, Any], key: str, where: str) -> str:
    value = obj.get(key)
    if not isinstance(value, str) or not value:
        raise ValueError(f"{where}.{key} must be non-empty text")
    return value


def _time(value: object, where: str) -> dt.datetime | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValueError(f"{where}.updated_at must be an ISO-8601 time")
    try:
        return dt.datetime.fromisoformat(value)
    except ValueError as exc:
        raise ValueError(f"{where}.updated_at must be an ISO-8601 time") from exc


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
class PartView:
    id: str
    name: str
    department: str
    status: str
    words: str
    updated_at: str
    note: str
    steps: tuple[StepView, ...]


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
    item = _service(catalog, doc.service_id)
    catalog_parts = {p.id: p for p in item.parts} if item else {}
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


def _service(catalog: Catalog, service_id: str | None) -> ServiceItem | None:
    try:
        return catalog.service(service_id) if service_id else None
    except KeyError:
        return None


def _headline(doc: StatusDoc, language: Language) -> str:
    total = len(doc.parts)
    done = sum(p.status == "completed" for p in doc.parts)
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


# --- look-up with an offline fallback ------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class OutboxStub:
    """What this station's outbox still knows about a filing: nothing personal."""

    tracking_number: str
    service_id: str
    status: str  # the outbox's: "pending", "delivered", "quarantined"
    created_at: dt.datetime


class ProgressCache:
    """Last status document seen per tracking number, in one small JSON file; bounded."""

    def __init__(self, path: Path, *, max_entries: int = 500) -> None:
        self.path = path
        self.max_entries = max_entries
        self._lock = threading.Lock()

    def get(self, tracking_number: str) -> tuple[dict[str, Any], dt.datetime] | None:
        entry = self._read().get(tracking_number)
        if not isinstance(entry, dict):
            return None
        try:
            return entry["doc"], dt.datetime.fromisoformat(entry["fetched_at"])
        except (KeyError, TypeError, ValueError):
            return None

    def put(self, tracking_number: str, doc: Mapping[str, Any], fetched_at: dt.datetime) -> None:
        with self._lock:
            entries = self._read()
            entries.pop(tracking_number, None)
            entries[tracking_number] = {"doc": dict(doc), "fetched_at": fetched_at.isoformat()}
            # Oldest first (insertion order): drop the oldest when over the bound.
            while len(entries) > self.max_entries:
                entries.pop(next(iter(entries)))
            self.path.parent.mkdir(parents=True, exist_ok=True)
            atomic_write(self.path, json.dumps(entries, ensure_ascii=False).encode("utf-8"))

    def _read(self) -> dict[str, Any]:
        try:
            data = json.loads(self.path.read_bytes())
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as exc:
            log.warning("progress cache unreadable, starting empty: %s", exc)
            return {}
        return data if isinstance(data, dict) else {}


# fetch(tracking_number) -> the hall's status document, or None when the hall does not know it
# (HTTP 404). Raises ConnectionError / TimeoutError / OSError when the hall cannot be reached.
FetchStatus = Callable[[str], Mapping[str, Any] | None]


def look_up(
    tracking_number: str,
    *,
    fetch: FetchStatus,
    cache: ProgressCache,
    catalog: Catalog,
    now: Callable[[], dt.datetime],
    language: Language = "zh_CN",
    outbox_stub: Callable[[str], OutboxStub | None] = lambda _: None,
) -> ProgressView:
    """Live status from the hall; else the last known one; else the outbox stub.

    Raises :class:`ProgressNotFound` when nobody knows the number and ``ValueError`` when it is
    not a tracking number at all (the UI says "check the number").
    """
    if not is_valid_tracking_number(tracking_number):
        raise ValueError(f"not a tracking number: {tracking_number!r}")
    try:
        raw = fetch(tracking_number)
        if raw is not None:
            doc = parse_status(raw)
            if doc.tracking_number != tracking_number:
                raise ValueError("the hall answered for another tracking number")
            fetched_at = now()
            cache.put(tracking_number, raw, fetched_at)
            return describe(doc, catalog, language, source="hall", as_of=fetched_at)
    except (ConnectionError, TimeoutError, OSError) as exc:
        log.info("progress %s: hall unreachable (%s)", tracking_number, type(exc).__name__)
    except ValueError as exc:
        # A malformed answer is treated like no answer: the last known status is still true.
        log.warning("progress %s: bad status document: %s", tracking_number, exc)
    cached = cache.get(tracking_number)
    if cached is not None:
        try:
            doc = parse_status(cached[0])
        except ValueError:
            log.warning("progress %s: cached document no longer valid", tracking_number)
        else:
            return describe(doc, catalog, language, source="cache", as_of=cached[1])
    stub = outbox_stub(tracking_number)
    if stub is not None:
        return describe(_stub_doc(stub, catalog), catalog, language, source="outbox", as_of=None)
    raise ProgressNotFound(tracking_number)


def _stub_doc(stub: OutboxStub, catalog: Catalog) -> StatusDoc:
    # Delivered but unknown to the hall (or offline with no cached answer): "submitted".
    status = "queued" if stub.status == "pending" else "submitted"
    item = _service(catalog, stub.service_id)
    part_ids = [p.id for p in item.parts] if item else [stub.service_id]
    return StatusDoc(
        stub.tracking_number,
        stub.service_id,
        tuple(PartStatus(pid, status, stub.created_at) for pid in part_ids),
    )


# --- the receipt's QR code -----------------------------------------------------------------------


def parse_progress_qr(payload: str, hall_url: str | None = None) -> str | None:
    """The tracking number in a receipt QR payload, or None if it is not one of ours.

    Accepts the progress URL ``<hall>/progress/<tracking number>`` (query and fragment ignored,
    trailing slash allowed) and a bare tracking number. When ``hall_url`` is given, a URL must
    point at that hall: a QR code from elsewhere is not silently looked up here.
    """
    text = payload.strip()
    if is_valid_tracking_number(text):
        return text
    try:
        url = urlsplit(text)
    except ValueError:
        return None
    if url.scheme not in ("http", "https") or not url.netloc:
        return None
    if hall_url is not None:
        hall = urlsplit(hall_url.rstrip("/"))
        if (url.scheme, url.netloc.lower()) != (hall.scheme, hall.netloc.lower()):
            return None
        if not url.path.startswith(hall.path.rstrip("/") + "/progress/"):
            return None
    segments = url.path.rstrip("/").split("/")
    if len(segments) < 3 or segments[-2] != "progress":
        return None
    number = unquote(segments[-1])
    return number if is_valid_tracking_number(number) else None
