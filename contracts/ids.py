"""Identifiers both sides read: station ids, receipt tracking numbers and submission ids.

A tracking number is ``<station id>-<YYYYMMDD>-<0001..>``: the kiosk's outbox assigns it with
the local date, the receipt prints it, the hall's progress page is looked up by it. A station
only files numbers that start with its own id (:func:`tracking_number_is_stations`), so one
station cannot claim another's future numbers. Submission
ids are client-made UUIDs (v7, :mod:`offline_queue.ids`), compared in their canonical spelling.
"""

from __future__ import annotations

import re
import uuid
from datetime import date
from typing import Final

# It ends up inside printed tracking numbers, URLs and the fleet page: ASCII capitals, digits and
# "-" only (a check with str.isalnum() let fuzzing name stations "Ö").
STATION_ID_PATTERN: Final = r"^[A-Z0-9-]{1,32}$"
_STATION_ID: Final = re.compile(STATION_ID_PATTERN, re.ASCII)

# <station id>-<YYYYMMDD>-<sequence>, as offline_queue.outbox assigns it; the station id may itself
# contain "-", so the date is found from the right.
_TRACKING: Final = re.compile(r"[A-Za-z0-9_-]{1,32}-([0-9]{8})-[0-9]{4,6}", re.ASCII)
_DATE_SEQ: Final = re.compile(r"[0-9]{8}-[0-9]{4,6}", re.ASCII)


def is_valid_tracking_number(s: object) -> bool:
    """True for a receipt tracking number: ``<station id>-<YYYYMMDD>-<0001..>`` with a real date.

    Total: ``False`` for anything malformed (wrong type included), never raises.
    """
    if not isinstance(s, str):
        return False
    m = _TRACKING.fullmatch(s)
    if m is None:
        return False
    day = m[1]
    try:
        date(int(day[0:4]), int(day[4:6]), int(day[6:8]))
    except ValueError:
        return False
    return True


def tracking_number_is_stations(tracking_number: str, station_id: str) -> bool:
    """True when ``tracking_number`` is well formed and its station part is exactly
    ``station_id`` (``A-B-20261206-0001`` belongs to ``A-B``, not to ``A``)."""
    if not is_valid_tracking_number(tracking_number):
        return False
    rest = tracking_number.removeprefix(station_id + "-")
    return rest != tracking_number and _DATE_SEQ.fullmatch(rest) is not None


def is_valid_station_id(s: object) -> bool:
    """True for a station id (:data:`STATION_ID_PATTERN`); total, never raises."""
    return isinstance(s, str) and _STATION_ID.fullmatch(s) is not None


def canonical_uuid(value: str) -> str:
    """The canonical spelling of a UUID (lower case, hyphenated); ``ValueError`` if not one."""
    try:
        return str(uuid.UUID(value))
    except ValueError:
        raise ValueError("must be a UUID") from None
