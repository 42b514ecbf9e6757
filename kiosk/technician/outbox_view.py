"""The outbox as a technician sees it: counts by status, quarantined rows with their reason
codes — never a payload, an attachment or a decrypted column — and the retry of one row.

Reads go through ``offline_queue.status`` (the file opened read-only, no data key); a reason
that is not a plain code (``HTTP_422``, ``TAMPERED``, …) is not shown as it is.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

_CODE = re.compile(r"^[A-Z0-9_]{1,64}$")


def outbox_view(path: Path) -> dict[str, Any]:
    """``{"counts": {status: n}, "depth", "oldest_pending_age_s", "quarantined": [...]}``."""
    from offline_queue.status import read_status

    report = read_status(path)
    return {
        "counts": dict(report["counts"]),
        "depth": report["depth"],
        "oldest_pending_age_s": report["oldest_pending_age_s"],
        "last_delivered_at": report["last_delivered_at"],
        "quarantined": [
            {
                "id": str(q["id"]),
                "tracking_number": str(q["tracking_number"]),
                "reason": q["reason"] if _CODE.match(str(q["reason"] or "")) else "OTHER",
                "attempts": q["attempts"],
            }
            for q in report["quarantined"]
        ],
    }


def retry_quarantined(path: Path, station_id: str, sub_id: str) -> None:
    """Put one quarantined row back in the queue (KeyError: no such row)."""
    from offline_queue.outbox import Outbox

    with Outbox(path, station_id) as box:
        box.requeue(sub_id)
