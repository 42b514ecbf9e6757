"""HealthHistory: what went wrong at this station lately, as codes only — for the heartbeat's
"last error codes", the technician's diagnostics bundle and a support call.

Two kinds of entries: a device's health level changing (recorded only when it changes, so a
printer polled every 15 s does not fill the history with "ok") and a failure code the kiosk
showed a walk-in. The API takes device names, levels and codes, all checked against narrow
patterns (upper-case codes, lower-case device names), so nothing personal — a name, an ID number,
a form answer — can be recorded through it. The history is bounded in memory and, when given a
path, kept as a small JSON-lines file in the state directory that survives a restart: appended
per entry and compacted to the newest ``max_entries`` lines when it grows to twice that. Losing
the last line in a power cut costs one entry, so lines are not fsynced. Thread-safe: the GUI
thread, the monitor thread and device callbacks record concurrently. Standard library only, so
building one costs nothing on the kiosk's start path.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
import threading
from collections import deque
from pathlib import Path
from typing import Any

from contracts.clock import SYSTEM_CLOCK, Clock
from offline_queue.durable import atomic_write

log = logging.getLogger(__name__)

LEVELS = frozenset({"ok", "degraded", "down"})
CODE = re.compile(r"[A-Z][A-Z0-9_]{0,63}")
DEVICE_NAME = re.compile(r"[a-z][a-z0-9_]{0,31}")


class HealthHistory:
    """A bounded, optionally persisted log of device level changes and shown failure codes.

    Entries are dicts ``{"at": ISO time (UTC), "kind": "device" | "failure", "name": device
    name ("" for a failure), "level": "ok" | "degraded" | "down" ("" for a failure), "code":
    code ("" when a device is fine)}``, oldest first.
    """

    def __init__(
        self,
        path: Path | None = None,
        max_entries: int = 500,
        *,
        clock: Clock = SYSTEM_CLOCK,
    ) -> None:
        if max_entries < 1:
            raise ValueError("max_entries must be at least 1")
        self._path, self._max, self._clock = path, max_entries, clock
        self._lock = threading.Lock()
        self._entries: deque[dict[str, str]] = deque(maxlen=max_entries)
        self._last_level: dict[str, tuple[str, str]] = {}  # device -> (level, code)
        self._lines_in_file = 0
        if path is not None:
            self._load(path)

    # -- recording -----------------------------------------------------------------------------
    def record_device(self, name: str, level: str, code: str = "") -> bool:
        """Note a device's health; recorded only if it differs from the last one noted for that
        device. Returns whether an entry was added. Raises ValueError for anything that is not a
        device name, a level and a code."""
        _check(DEVICE_NAME, name, "device name")
        if level not in LEVELS:
            raise ValueError(f"level must be one of {sorted(LEVELS)}")
        if code:
            _check(CODE, code, "code")
        with self._lock:
            if self._last_level.get(name) == (level, code):
                return False
            self._last_level[name] = (level, code)
            self._add({"kind": "device", "name": name, "level": level, "code": code})
        return True

    def record_failure(self, code: str) -> None:
        """Note a failure code the kiosk showed (e.g. ``PRINTER_PAPER_OUT``); only the code."""
        _check(CODE, code, "code")
        with self._lock:
            self._add({"kind": "failure", "name": "", "level": "", "code": code})

    # -- reading -------------------------------------------------------------------------------
    def entries(self) -> list[dict[str, str]]:
        """Every entry held, oldest first (copies)."""
        with self._lock:
            return [dict(e) for e in self._entries]

    def recent_codes(self, n: int = 5) -> list[str]:
        """The last ``n`` distinct codes of trouble, newest first: failures shown and devices
        that went degraded or down."""
        found: list[str] = []
        with self._lock:
            for entry in reversed(self._entries):
                code = entry["code"]
                if code and entry["level"] != "ok" and code not in found:
                    found.append(code)
                    if len(found) >= n:
                        break
        return found

    # -- storage -------------------------------------------------------------------------------
    def _add(self, entry: dict[str, str]) -> None:
        # Caller holds the lock.
        full = {"at": self._clock.now().astimezone(dt.UTC).isoformat(timespec="seconds"), **entry}
        self._entries.append(full)
        if self._path is None:
            return
        try:
            if self._lines_in_file >= 2 * self._max:
                self._rewrite(self._path)
            else:
                with self._path.open("a", encoding="utf-8") as f:
                    f.write(json.dumps(full, ensure_ascii=True) + "\n")
                self._lines_in_file += 1
        except OSError as exc:  # a full disk must not stop the kiosk; memory still has it
            log.warning("health history not written: %s", type(exc).__name__)

    def _rewrite(self, path: Path) -> None:
        lines = "".join(json.dumps(entry, ensure_ascii=True) + "\n" for entry in self._entries)
        atomic_write(path, lines.encode("ascii"))
        self._lines_in_file = len(self._entries)

    def _load(self, path: Path) -> None:
        try:
            lines = path.read_text(encoding="utf-8").splitlines()
        except FileNotFoundError:
            return
        except (OSError, UnicodeDecodeError) as exc:
            log.warning("health history not read, starting empty: %s", type(exc).__name__)
            return
        self._lines_in_file = len(lines)
        for line in lines:
            entry = _parse(line)
            if entry is None:
                continue  # a line cut short by a power cut, or not ours
            self._entries.append(entry)
            if entry["kind"] == "device":
                self._last_level[entry["name"]] = (entry["level"], entry["code"])


def _check(pattern: re.Pattern[str], value: str, what: str) -> None:
    if not isinstance(value, str) or pattern.fullmatch(value) is None:
        # The value itself stays out of the message: it might be the very thing we refuse.
        raise ValueError(f"not a {what} (expected {pattern.pattern})")


def _parse(line: str) -> dict[str, str] | None:
    try:
        raw: Any = json.loads(line)
    except ValueError:
        return None
    if not isinstance(raw, dict) or set(raw) != {"at", "kind", "name", "level", "code"}:
        return None
    if not all(isinstance(v, str) for v in raw.values()):
        return None
    try:
        dt.datetime.fromisoformat(raw["at"])
    except ValueError:
        return None
    code_ok = raw["code"] == "" or CODE.fullmatch(raw["code"]) is not None
    if raw["kind"] == "device":
        ok = DEVICE_NAME.fullmatch(raw["name"]) is not None and raw["level"] in LEVELS
    elif raw["kind"] == "failure":
        ok = raw["name"] == "" and raw["level"] == "" and raw["code"] != ""
    else:
        ok = False
    return {k: raw[k] for k in ("at", "kind", "name", "level", "code")} if ok and code_ok else None
