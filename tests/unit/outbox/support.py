"""What the outbox tests share: the station, a sample payload, threads started together."""

from __future__ import annotations

import threading
from collections.abc import Callable

from contracts.wire import SealedSubmission, Submission
from tests.support.sealing import open_queued

STATION = "SND-001"
PAYLOAD = {"company": "苏州某某科技有限公司", "phone": "13800000000", "count": 3}


# A walk-in whose name and ID number must never be found on disk.
WALK_IN_NAME = "张三丰"
WALK_IN_ID = "11010519491231002X"


def walk_in_payload() -> dict[str, object]:
    return {
        "service_id": "company_startup_power",
        "parts": ["company_registration"],
        "form": {
            "applicant_name": WALK_IN_NAME,
            "applicant_id_number": WALK_IN_ID,
            "notes": "x" * 2000,
        },
        "helper_filled": [],
        "language": "zh_CN",
        "catalog_version": "1",
    }


def opened(sealed: SealedSubmission | None) -> Submission | None:
    """What the hall gets from a queued row (opened with the test hall's private key)."""
    return None if sealed is None else open_queued(sealed)


def in_threads(job: Callable[[], None], count: int) -> list[BaseException]:
    """Run ``job`` in ``count`` threads released at the same moment; what they raised."""
    start = threading.Barrier(count)
    failures: list[BaseException] = []

    def run() -> None:
        start.wait()
        try:
            job()
        except BaseException as exc:
            failures.append(exc)

    threads = [threading.Thread(target=run) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return failures
