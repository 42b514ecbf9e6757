"""The last log lines, kept in memory for the technician's diagnostics bundle.

Installed on the root logger when the UI starts (stdlib only, nothing on the start path); the
journal keeps everything else. Scrubbed when a bundle is made (``diagnostics.py``).
"""

from __future__ import annotations

import collections
import logging
import threading

LOG_LINES = 2000
_LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class RecentLogs(logging.Handler):
    """The last ``capacity`` log lines, in memory only (the journal keeps the rest)."""

    def __init__(self, capacity: int = LOG_LINES) -> None:
        super().__init__(logging.INFO)
        self._lines: collections.deque[str] = collections.deque(maxlen=capacity)
        self.setFormatter(logging.Formatter(_LOG_FORMAT))

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self._lines.append(self.format(record))
        except Exception:  # a bad format argument must not break the caller's logging
            self.handleError(record)

    def lines(self) -> list[str]:
        return list(self._lines)


_installed: RecentLogs | None = None
_install_lock = threading.Lock()


def install_log_buffer() -> RecentLogs:
    """The process's RecentLogs on the root logger (installed once)."""
    global _installed
    with _install_lock:
        if _installed is None:
            _installed = RecentLogs()
            logging.getLogger().addHandler(_installed)
        return _installed
