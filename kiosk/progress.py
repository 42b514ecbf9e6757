"""Progress look-up on the kiosk: the status of every part of a filing, in plain words.

The walk-in types the tracking number or scans the receipt's QR code (the progress URL
``<hall>/progress/<tracking number>``, see :func:`parse_progress_qr`). The hall answers with a
status document (no personal data), defined and put into words in :mod:`contracts.progress`.
:func:`look_up` asks the hall through an injected ``fetch(tracking_number)`` and remembers the
answer in :class:`ProgressCache` (a small JSON file in the state directory), so when the hall is
unreachable the kiosk shows the *last known status at …*; a filing still waiting in the outbox
is shown from its stub as "waiting to be sent". An answer that is not a usable document
(:class:`kiosk.net_json.BadDocument`: too large, too deep, an over-long number) is logged at
WARNING with ``HALL_BAD_DOCUMENT`` and treated like no answer.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from contracts.catalog import Catalog
from contracts.ids import is_valid_tracking_number
from contracts.progress import (
    Language,
    PartStatus,
    ProgressView,
    StatusDoc,
    describe,
    parse_status,
    service_of,
)
from kiosk.net_json import BAD_DOCUMENT_CODE, STATUS, BadDocument, loads_bounded
from offline_queue.durable import atomic_write

__all__ = [
    "OutboxStub",
    "ProgressCache",
    "ProgressNotFound",
    "look_up",
    "parse_progress_qr",
    "progress_qr_token",
]

log = logging.getLogger(__name__)


class ProgressNotFound(LookupError):
    """Neither the hall, the cache nor this station's outbox knows the tracking number."""


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
            # Documents the hall sent, kept as they came: the same bounds as on the way in.
            data = loads_bounded(
                self.path.read_bytes(),
                max_bytes=self.max_entries * STATUS.max_bytes,
                max_depth=STATUS.max_depth + 2,
            )
        except FileNotFoundError:
            return {}
        except (OSError, BadDocument) as exc:
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
    except BadDocument as exc:
        log.warning("progress %s: %s: %s", tracking_number, BAD_DOCUMENT_CODE, exc)
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
    item = service_of(catalog, stub.service_id)
    part_ids = [p.id for p in item.parts] if item else [stub.service_id]
    return StatusDoc(
        tracking_number=stub.tracking_number,
        service_id=stub.service_id,
        parts=tuple(
            PartStatus(id=pid, status=status, updated_at=stub.created_at) for pid in part_ids
        ),
    )


# --- the receipt's QR code -----------------------------------------------------------------------


def parse_progress_qr(payload: str, hall_url: str | None = None) -> str | None:
    """The tracking number in a receipt QR payload, or None if it is not one of ours.

    Accepts the receipt's URL ``<hall>/p/<tracking number>?t=<token>``, the older progress URL
    ``<hall>/progress/<tracking number>`` (query and fragment ignored, trailing slash allowed)
    and a bare tracking number. When ``hall_url`` is given, a URL must
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
        base = hall.path.rstrip("/")
        if not url.path.startswith((base + "/progress/", base + "/p/")):
            return None
    segments = url.path.rstrip("/").split("/")
    if len(segments) < 3 or segments[-2] not in ("progress", "p"):
        return None
    number = unquote(segments[-1])
    return number if is_valid_tracking_number(number) else None


def progress_qr_token(payload: str) -> str:
    """The access token a receipt QR carries (``?t=``), or "" (an older receipt, a typed number).

    A capability to the filing's whole story at the hall: hand it on, never log it.
    """
    try:
        query = parse_qs(urlsplit(payload.strip()).query)
    except ValueError:
        return ""
    found = query.get("t", [""])[0]
    return found if re.fullmatch(r"[A-Za-z0-9_-]{22,64}", found) else ""
