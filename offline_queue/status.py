"""The technician's read-only view of an outbox: counts by status, oldest wait, quarantined rows.

Behind ``python main.py outbox status [--json]``. It opens the file read-only and needs no data
key: only the columns kept in clear (id, tracking number, status, times, reason) are read, so a
technician can see what waits and why without being able to see whose filing it is.
"""

from __future__ import annotations

import sqlite3
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from offline_queue.outbox import STATUSES

OUTBOX_FILE = "outbox.sqlite3"  # the name KioskRuntime gives it under the state folder


def outbox_path_for(state_dir: Path) -> Path:
    return Path(state_dir) / OUTBOX_FILE


def read_status(path: Path, now: datetime | None = None) -> dict[str, Any]:
    """A JSON-ready report on the outbox at ``path``; an absent file reports an empty outbox."""
    now = now or datetime.now(UTC)
    report: dict[str, Any] = {
        "path": str(path),
        "exists": Path(path).exists(),
        "schema_version": None,
        "counts": dict.fromkeys(STATUSES, 0),
        "depth": 0,
        "oldest_pending_age_s": None,
        "last_delivered_at": None,
        "quarantined": [],
    }
    if not report["exists"]:
        return report
    uri = f"{Path(path).resolve().as_uri()}?mode=ro"
    with closing(sqlite3.connect(uri, uri=True, timeout=10.0)) as conn:
        report["schema_version"] = int(conn.execute("PRAGMA user_version").fetchone()[0])
        if report["schema_version"] == 0:
            return report
        for status, n in conn.execute("SELECT status, count(*) FROM submissions GROUP BY status"):
            report["counts"][status] = int(n)
        report["depth"] = report["counts"]["pending"]
        # rowid is insertion order in every schema version (seq is its alias from version 2).
        oldest = conn.execute(
            "SELECT created_at FROM submissions WHERE status = 'pending' ORDER BY rowid LIMIT 1"
        ).fetchone()
        if oldest is not None:
            age = (now - datetime.fromisoformat(oldest[0])).total_seconds()
            report["oldest_pending_age_s"] = round(max(age, 0.0), 3)
        last = conn.execute(
            "SELECT max(delivered_at) FROM submissions WHERE status = 'delivered'"
        ).fetchone()
        report["last_delivered_at"] = last[0] if last else None
        report["quarantined"] = [
            {"id": r[0], "tracking_number": r[1], "reason": r[2], "attempts": int(r[3])}
            for r in conn.execute(
                "SELECT id, tracking_number, last_error, attempts FROM submissions "
                "WHERE status = 'quarantined' ORDER BY rowid"
            )
        ]
    return report


def format_status(report: dict[str, Any]) -> str:
    """The report as a few lines for a terminal."""
    if not report["exists"]:
        return f"outbox {report['path']}: no such file (nothing has been queued yet)"
    counts = report["counts"]
    lines = [
        f"outbox {report['path']} (schema {report['schema_version']})",
        "  " + "  ".join(f"{k}: {v}" for k, v in counts.items()),
    ]
    age = report["oldest_pending_age_s"]
    lines.append(f"  oldest pending: {'-' if age is None else f'{age:.0f} s'}")
    lines.append(f"  last delivered: {report['last_delivered_at'] or '-'}")
    for q in report["quarantined"]:
        lines.append(f"  quarantined {q['tracking_number']} {q['id']}: {q['reason']}")
    return "\n".join(lines)
