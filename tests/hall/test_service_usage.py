"""The hall's count of what each station files (hall.service_usage), over a real uvicorn hall.

A station reads its own counts only, signed by its enrolled device; the counts come from the
filings the hall received, most first, and say nothing but service ids and numbers.
"""

from __future__ import annotations

from pathlib import Path

import requests

from hall.server import HallServer
from kiosk.services.service_usage import ServiceUsage
from tests.hall.helpers import post_submission, signed_session, station_identity, submission


def file_at(hall: HallServer, station: str, service_id: str, n: int) -> None:
    number = f"{station}-20261206-{n:04d}"
    body = submission(service_id, {"mobile": "13800000000"}, tracking_number=number)
    body["station_id"] = station
    answer = post_submission(hall, body)
    assert answer.status_code in (200, 201), answer.text


def usage_url(hall: HallServer, station: str) -> str:
    return f"{hall.url}/api/v1/stations/{station}/service-usage"


def test_a_station_reads_its_own_counts_and_no_other(
    hall_server: HallServer, tmp_path: Path
) -> None:
    n = 0
    for station, service_id, times in [
        ("QH001", "tax_payment_certificate", 1),
        ("QH001", "company_startup_power", 3),
        ("QH001", "food_business_licence", 1),
        ("QH002", "tax_payment_certificate", 5),  # another station's walk-ins
    ]:
        for _ in range(times):
            n += 1
            file_at(hall_server, station, service_id, n)
    session = signed_session(station_identity(hall_server, "QH001"))
    answer = session.get(usage_url(hall_server, "QH001"), timeout=5)
    assert answer.status_code == 200, answer.text
    assert answer.json() == {
        "station_id": "QH001",
        "services": [
            {"service_id": "company_startup_power", "filings": 3},
            {"service_id": "food_business_licence", "filings": 1},  # ties by id
            {"service_id": "tax_payment_certificate", "filings": 1},
        ],
    }
    # The kiosk keeps the answer: the same counts after a restart, and offline.
    usage = ServiceUsage(tmp_path)
    assert usage.refresh(lambda: (answer.status_code, answer.content))
    assert ServiceUsage(tmp_path).load() == {
        "company_startup_power": 3,
        "food_business_licence": 1,
        "tax_payment_certificate": 1,
    }

    def offline() -> tuple[int, bytes]:
        raise ConnectionError("no route to the hall")

    assert not usage.refresh(offline)
    assert not usage.refresh(lambda: (200, b'{"station_id": "QH001", "services": [{"x": 1}]}'))
    assert not usage.refresh(lambda: (503, b""))
    assert usage.load()["company_startup_power"] == 3  # the last good counts stay

    # Another station's counts, unsigned or malformed requests: refused with a reason.
    other = session.get(usage_url(hall_server, "QH002"), timeout=5)
    assert other.status_code == 403, other.text
    unsigned = requests.get(usage_url(hall_server, "QH001"), timeout=5)
    assert unsigned.status_code == 401, unsigned.text
    bad = session.get(usage_url(hall_server, "qh001;drop"), timeout=5)
    assert bad.status_code == 422, bad.text
    assert "bad station id" in bad.json()["detail"]
    # A station with no filings yet: an empty list, not an error.
    fresh = signed_session(station_identity(hall_server, "QH003"))
    empty = fresh.get(usage_url(hall_server, "QH003"), timeout=5)
    assert empty.json() == {"station_id": "QH003", "services": []}
