"""The kiosk uses the demand taxonomy the hall publishes (issue 18), against a real hall.

The station's :class:`kiosk.demands.TaxonomyCache` fetches ``GET /api/v1/published/
demand_taxonomy`` through the kiosk's own client: verified against the content key pinned at
enrolment, 304 when unchanged, a newer version once an admin publishes one from the console's
workbook, kept on disk for the next start (a copy altered on disk is not used). A session's
demand form suggests from the version it took when the form first opened, to the session's end:
a version that arrives mid-session reaches the next walk-in.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import openpyxl  # type: ignore[import-untyped]
import pytest

from hall.server import HallServer
from kiosk.demands import TaxonomyCache, suggest
from kiosk.hall_client import HallClient
from tests.hall.helpers import add_staff, cheap_hasher, enrol_station, login
from tests.hall.test_content_kinds import edit, row_of
from tests.unit.test_consult import make_kit

NEW_WORD = "低空飞行"  # not a keyword of the shipped taxonomy


@pytest.fixture
def hall(tmp_path: Path) -> Iterator[HallServer]:
    server = HallServer(str(tmp_path / "hall.db"), password_hasher=cheap_hasher()).start()
    try:
        yield server
    finally:
        server.stop()


def with_keyword(data: bytes, category: str, word: str) -> bytes:
    """The taxonomy workbook with ``word`` added to the category's keywords."""
    import io

    book = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    sheet = next(s for s in book.worksheets if s.title.endswith("categories"))
    header = [str(c.value).split()[-1] for c in next(sheet.iter_rows(max_row=1))]
    row = row_of(data, "categories", id=category)
    old = next(sheet.iter_rows(min_row=row, max_row=row, values_only=True))[
        header.index("keywords")
    ]
    book.close()
    column = "ABCDEFGHIJ"[header.index("keywords")]
    return edit(data, [("categories", row, column, f"{old}、{word}")])


def test_the_station_suggests_from_the_published_taxonomy_from_the_next_walk_in(
    hall: HallServer, tmp_path: Path
) -> None:
    station = tmp_path / "station"
    enrol_station(hall, state_dir=station)
    client = HallClient(hall.url, timeout_s=5)

    def fetch(etag: str | None) -> tuple[int, str | None, bytes]:
        return client.get_published("demand_taxonomy", etag)

    cache = TaxonomyCache(station)
    assert cache.version is None and cache.taxonomy().categories  # the shipped sample
    first = cache.refresh(fetch)
    assert (first.outcome, first.code) == ("updated", None)
    assert cache.refresh(fetch).outcome == "not_modified"

    # A walk-in opens the demand form: the session takes the version the station has now.
    kit = make_kit(tmp_path / "kiosk", load_taxonomy=cache.taxonomy)
    flow = kit.flow
    flow.start("zh_CN")
    kit.bg.release()  # the simulated ID card is read
    flow.choose_service("enterprise_demand")
    kit.bg.release()  # the taxonomy loads

    # Meanwhile an admin publishes a keyword for 交通运输 and the station fetches it.
    add_staff(hall, "zhao.admin", "admin")
    admin = login(hall, "zhao.admin")
    base = hall.url + "/api/v1/content/demand_taxonomy"
    changed = with_keyword(admin.get(base + "/workbook", timeout=5).content, "transport", NEW_WORD)
    published = admin.post(base + "/publish", data=changed, timeout=10)
    assert published.status_code == 201, published.text
    newer = cache.refresh(fetch)
    assert (newer.outcome, newer.version) == ("updated", published.json()["version"])
    assert suggest(cache.taxonomy(), f"{NEW_WORD}审批")[0].category == "transport"

    # This walk-in keeps the version the form opened with; the next one gets the new one.
    flow.set_field("description", f"{NEW_WORD}审批")
    assert "transport" not in {s.category for s in flow.context.demand_suggestions}
    flow.cancel()
    flow.start("zh_CN")
    kit.bg.release()
    flow.choose_service("enterprise_demand")
    kit.bg.release()
    flow.set_field("description", f"{NEW_WORD}审批")
    assert flow.context.demand_suggestions[0].category == "transport"
    flow.consult.close_resources()

    # A restart reads the verified copy; an altered copy is not used (the shipped sample is).
    assert TaxonomyCache(station).version == published.json()["version"]
    envelope = json.loads(cache.path.read_text("utf-8"))
    envelope["body"] = envelope["body"].replace(NEW_WORD, "高空飞行")
    cache.path.write_text(json.dumps(envelope, ensure_ascii=False), "utf-8")
    assert TaxonomyCache(station).version is None
    client.close()


def test_a_taxonomy_signed_for_another_kind_is_refused(hall: HallServer, tmp_path: Path) -> None:
    """The holidays' signature does not make a taxonomy: the station keeps what it had."""
    station = tmp_path / "station"
    enrol_station(hall, state_dir=station)
    client = HallClient(hall.url, timeout_s=5)
    status, etag, body = client.get_published("holidays", None)
    assert status == 200
    cache = TaxonomyCache(station)
    refused = cache.refresh(lambda _: (200, etag, body))
    assert (refused.outcome, refused.code) == ("rejected", "CATALOG_BAD_SIGNATURE")
    assert cache.version is None
    client.close()
