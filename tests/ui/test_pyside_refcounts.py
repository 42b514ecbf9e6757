"""Guards the PySide6 pin: calls that return None or a bool must not steal references to them.

PySide6 6.12.0 did (every emit(), QTimer.start(), processEvents() ...): on Python 3.11, where None
and True are ordinary objects, the kiosk died after a few hundred walk-ins with "Fatal Python
error: none_dealloc" (found by `python -m bench soak`). 6.11.3 does not. This fails on a PySide6
that brings the bug back, long before a station would crash.
"""

from __future__ import annotations

import sys
from collections.abc import Callable

import pytest
from PySide6.QtCore import QCoreApplication, QObject, QTimer, Signal

CALLS = 2_000


class _Emitter(QObject):
    changed = Signal()


def _lost(singleton: object, call: Callable[[], object]) -> int:
    before = sys.getrefcount(singleton)
    for _ in range(CALLS):
        call()
    return before - sys.getrefcount(singleton)


@pytest.mark.parametrize("name", ["emit", "timer_start_stop", "process_events"])
def test_calls_keep_their_references(qapp: QCoreApplication, name: str) -> None:
    emitter, timer = _Emitter(), QTimer()
    calls: dict[str, Callable[[], object]] = {
        "emit": emitter.changed.emit,
        "timer_start_stop": lambda: (timer.start(60_000), timer.stop()),
        "process_events": QCoreApplication.processEvents,
    }
    # A few references may come and go with other threads; the bug loses one per call.
    assert _lost(None, calls[name]) < CALLS // 2
    assert _lost(True, calls[name]) < CALLS // 2
