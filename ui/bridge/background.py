"""Runs blocking jobs (devices, storage) off the GUI thread and calls back on it.

The core's SessionFlow takes this as its ``Background``: jobs run in a small thread pool; their
results cross back to the GUI thread through a queued Qt signal, so core callbacks always run on
the thread that owns the UI.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import Any

from PySide6.QtCore import QObject, Signal, Slot

log = logging.getLogger(__name__)


class QtBackground(QObject):
    _deliver = Signal(object)

    def __init__(self, workers: int = 4, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="kiosk-job")
        self._deliver.connect(self._on_deliver)
        self._pending = 0

    def __call__(
        self,
        job: Callable[[], Any],
        on_done: Callable[[Any], None],
        on_error: Callable[[Exception], None],
    ) -> None:
        self._pending += 1

        def run() -> None:
            try:
                result = job()
            except Exception as exc:  # handed to the core, which maps it to a FailureReason
                self._deliver.emit(partial(on_error, exc))
            else:
                self._deliver.emit(partial(on_done, result))

        self._pool.submit(run)

    @property
    def pending(self) -> int:
        return self._pending

    @Slot(object)
    def _on_deliver(self, callback: Callable[[], None]) -> None:
        self._pending -= 1
        try:
            callback()
        except Exception:
            log.exception("a job callback failed")

    def shutdown(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
