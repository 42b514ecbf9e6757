"""The technician's audit log: one JSON line per action, appended and fsynced, never rewritten.

Each entry is ``{"seq", "at", "who", "action", "outcome", "detail"}``; ``who`` names the
technician whose one-time code opened the mode (:mod:`kiosk.technician.codes`), or is
``technician`` when the station's fallback PIN did. ``detail``
takes codes and counts only (a failure code, an outbox row id, a file name): anything else is
refused, so no caller can slip a name or an ID number into it. Entries reach the hall in order
(``unsent()`` / ``mark_sent()``; the hall keeps them idempotently by ``seq``) and travel inside
every diagnostics bundle.
"""

from __future__ import annotations

import json
import logging
import os
import re
import threading
from pathlib import Path
from typing import Any

from contracts.clock import SYSTEM_CLOCK, Clock
from offline_queue.durable import atomic_write

log = logging.getLogger(__name__)

WHO = "technician"
_TOKEN = re.compile(r"^[A-Za-z0-9_.:/=-]{0,120}$")  # codes, ids, counts, file names
_WHO = re.compile(r"[A-Za-z0-9_.-]{2,64}", re.ASCII)  # hall staff names (hall.auth)
_OUTCOMES = frozenset({"ok", "failed", "refused", "locked_out", "started"})


class AuditLog:
    """``<state>/technician/audit.jsonl`` plus ``audit.sent`` (how many reached the hall)."""

    def __init__(self, path: Path, clock: Clock = SYSTEM_CLOCK) -> None:
        self.path = Path(path)
        self._sent_path = self.path.with_suffix(".sent")
        self._clock = clock
        self._lock = threading.Lock()

    def record(self, action: str, outcome: str, detail: str = "", who: str = WHO) -> dict[str, Any]:
        """Append one entry (durably) and return it; ``who`` is the technician whose one-time
        code opened the mode (a staff name), or ``technician`` for the fallback PIN."""
        if _WHO.fullmatch(who) is None:
            raise ValueError("audit who must be a staff account name")
        if not _TOKEN.match(action) or not action:
            raise ValueError(f"audit action must be a code, not {action!r}")
        if outcome not in _OUTCOMES:
            raise ValueError(f"audit outcome must be one of {sorted(_OUTCOMES)}")
        if not _TOKEN.match(detail):
            raise ValueError("audit detail takes codes and ids only")
        with self._lock:
            entry = {
                "seq": self._count() + 1,
                "at": self._clock.now().isoformat(timespec="seconds"),
                "who": who,
                "action": action,
                "outcome": outcome,
                "detail": detail,
            }
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            with os.fdopen(fd, "a", encoding="utf-8") as f:
                f.write(json.dumps(entry, ensure_ascii=True) + "\n")
                f.flush()
                os.fsync(f.fileno())
        log.info("technician audit: %s %s %s %s", who, action, outcome, detail)
        return entry

    def entries(self) -> list[dict[str, Any]]:
        try:
            lines = self.path.read_text(encoding="utf-8").splitlines()
        except FileNotFoundError:
            return []
        out = []
        for line in lines:
            try:
                out.append(json.loads(line))
            except ValueError:
                log.warning("skipping a damaged technician audit line")  # a torn last write
        return out

    def _count(self) -> int:
        entries = self.entries()
        return int(entries[-1]["seq"]) if entries else 0

    def sent_upto(self) -> int:
        try:
            return int(self._sent_path.read_text(encoding="ascii").strip() or 0)
        except (FileNotFoundError, ValueError):
            return 0

    def unsent(self) -> list[dict[str, Any]]:
        done = self.sent_upto()
        return [e for e in self.entries() if int(e["seq"]) > done]

    def mark_sent(self, seq: int) -> None:
        with self._lock:
            done = str(max(seq, self.sent_upto())).encode("ascii")
            atomic_write(self._sent_path, done)
