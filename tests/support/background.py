"""Background runners for tests and tools: run a job now, or hold it until the test says.

The product runs jobs on a worker thread and calls back on the GUI thread (``ui.app``); these
stand-ins satisfy the same :class:`~kiosk.session.flow.Background` seam without threads, so a test
decides when a slow device answers.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def run_inline(
    job: Callable[[], Any], on_done: Callable[[Any], None], on_error: Callable[[Exception], None]
) -> None:
    """Run the job now, on the caller's thread."""
    try:
        result = job()
    except Exception as exc:
        on_error(exc)
    else:
        on_done(result)


class HeldBackground:
    """Holds jobs until :meth:`release`: a slow device, on demand.

    Used by tests (late results) and the screenshot tool (screens shown while a job is running).
    """

    def __init__(self) -> None:
        self.jobs: list[
            tuple[Callable[[], Any], Callable[[Any], None], Callable[[Exception], None]]
        ] = []

    def __call__(
        self,
        job: Callable[[], Any],
        on_done: Callable[[Any], None],
        on_error: Callable[[Exception], None],
    ) -> None:
        self.jobs.append((job, on_done, on_error))

    def release(self) -> None:
        """Run every held job (and any job their callbacks start) now, in order."""
        while self.jobs:
            run_inline(*self.jobs.pop(0))
