"""This station's most used services, as the hall counted them, cached for the service home.

The hall counts the filings it received per station and service (:mod:`hall.service_usage`,
``GET /api/v1/stations/{station_id}/service-usage``, device-signed): no names, no forms, only
service ids and numbers. The runtime asks on the catalog's schedule
(:meth:`kiosk.runtime.KioskRuntime.refresh_catalog`); :meth:`ServiceUsage.refresh` checks the
answer strictly (pydantic, bounded JSON) and keeps the last good one in ``service_usage.json``
in the state directory, written atomically, so the home's "本站常用" order survives a restart and
a network cut. A bad answer is ignored (the last good counts stay); :meth:`ServiceUsage.load`
gives ``{}`` when there is nothing usable yet, and the home then shows the bundles only.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Final

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from contracts.catalog_checks import ID_PATTERN
from kiosk.net_json import STATUS, BadDocument, loads_bounded
from offline_queue.durable import atomic_write

__all__ = ["USAGE_FILE_NAME", "FetchUsage", "ServiceUsage"]

log = logging.getLogger(__name__)

USAGE_FILE_NAME: Final = "service_usage.json"

# fetch() -> (HTTP status, body); network failures raise ConnectionError/TimeoutError.
FetchUsage = Callable[[], tuple[int, bytes]]


class _Count(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)
    service_id: Annotated[str, StringConstraints(pattern=ID_PATTERN)]
    filings: Annotated[int, Field(ge=0, le=2**53)]


class _UsageDoc(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)
    station_id: Annotated[str, StringConstraints(max_length=32)]
    services: Annotated[list[_Count], Field(max_length=500)]


def _parse(body: bytes) -> dict[str, int]:
    """Counts by service id from the hall's answer; ``ValueError`` when it is not one."""
    try:
        data = loads_bounded(body, max_bytes=STATUS.max_bytes, max_depth=STATUS.max_depth)
        doc = _UsageDoc.model_validate(data)
    except (BadDocument, ValidationError) as exc:
        raise ValueError(str(exc)) from exc
    return {c.service_id: c.filings for c in doc.services}


class ServiceUsage:
    """The cached counts in one state directory; safe to call from any thread."""

    def __init__(self, state_dir: Path) -> None:
        self.path = state_dir / USAGE_FILE_NAME

    def load(self) -> dict[str, int]:
        """The last good counts (``{}``: none yet, or a damaged file)."""
        try:
            return _parse(self.path.read_bytes())
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as exc:
            log.warning("service usage cache unusable: %s", type(exc).__name__)
            return {}

    def refresh(self, fetch: FetchUsage) -> bool:
        """Ask the hall; True when new counts were saved. Offline or a bad answer: False."""
        try:
            status, body = fetch()
        except (ConnectionError, TimeoutError, OSError, BadDocument) as exc:
            log.info("service usage: no answer from the hall (%s)", type(exc).__name__)
            return False
        if status != 200:
            log.warning("service usage: hall answered HTTP %d", status)
            return False
        try:
            _parse(body)
        except ValueError:
            log.warning("service usage: the hall's answer is not a usage document")
            return False
        atomic_write(self.path, body)
        return True
