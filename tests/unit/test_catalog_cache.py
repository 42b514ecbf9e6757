"""Tests for kiosk.services.catalog_cache: last good catalog kept, offline start, bad ones refused.

The hall side is a real ``http.server`` on a loopback port serving the catalog with an ETag and
honouring If-None-Match; the kiosk side fetches it with urllib, the way a hall client would.
"""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
import json
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from contracts.content_signature import PIN_FILE, public_of, sign, signed_etag
from kiosk.services.catalog import DEFAULT_CATALOG_PATH, load_catalog
from kiosk.services.catalog_cache import CACHE_FILE_NAME, CatalogCache, Fetch
from tests.support.clock import FakeClock

NOW = dt.datetime(2026, 11, 27, 9, 30, tzinfo=dt.UTC)


# The fake hall's content key; each test's station has its public half pinned (as enrolment does).
CONTENT_KEY = Ed25519PrivateKey.generate()


@pytest.fixture(autouse=True)
def pinned_content_key(tmp_path: Path) -> None:
    (tmp_path / PIN_FILE).parent.mkdir(parents=True, exist_ok=True)
    (tmp_path / PIN_FILE).write_text(json.dumps(public_of(CONTENT_KEY).to_json()), "utf-8")


def opaque_etag(body: bytes) -> str:
    """The fake hall's ETag: a content tag with the content key's signature, as the hall's."""
    return signed_etag(hashlib.sha256(body).hexdigest()[:16], sign(CONTENT_KEY, body))


class FakeHall:
    """What the hall publishes right now; the handler reads it on every request."""

    def __init__(self) -> None:
        self.body = b""
        self.status = 200
        self.requests: list[str | None] = []

    def publish(self, doc: dict[str, Any]) -> str:
        self.body = json.dumps(doc, ensure_ascii=False).encode("utf-8")
        return opaque_etag(self.body)


@pytest.fixture
def hall() -> Iterator[tuple[FakeHall, str]]:
    state = FakeHall()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            etag = opaque_etag(state.body)
            asked = self.headers.get("If-None-Match")
            state.requests.append(asked)
            if state.status != 200:
                self.send_response(state.status)
                self.end_headers()
            elif asked == etag:
                self.send_response(304)
                self.send_header("ETag", etag)
                self.end_headers()
            else:
                self.send_response(200)
                self.send_header("ETag", etag)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(state.body)))
                self.end_headers()
                self.wfile.write(state.body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield state, f"http://127.0.0.1:{server.server_address[1]}/api/v1/catalog"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def http_fetch(url: str) -> Fetch:
    def fetch(etag: str | None) -> tuple[int, str | None, bytes]:
        request = urllib.request.Request(url, headers={"If-None-Match": etag} if etag else {})
        try:
            with urllib.request.urlopen(request, timeout=5) as response:
                return response.status, response.headers.get("ETag"), response.read()
        except urllib.error.HTTPError as exc:  # urllib raises for 304 and 4xx/5xx
            return exc.code, exc.headers.get("ETag"), b""

    return fetch


@pytest.fixture
def sample_doc() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(DEFAULT_CATALOG_PATH.read_text(encoding="utf-8"))
    return data


def _newer(doc: dict[str, Any], version: str) -> dict[str, Any]:
    new = copy.deepcopy(doc)
    new["version"] = version
    return new


def test_first_start_uses_the_shipped_sample(tmp_path: Path) -> None:
    current = CatalogCache(tmp_path).load()
    assert current.source == "sample"
    assert current.etag is None
    assert current.catalog.version == load_catalog().version


def test_refresh_stores_the_published_catalog_and_survives_a_restart(
    tmp_path: Path, hall: tuple[FakeHall, str], sample_doc: dict[str, Any]
) -> None:
    state, url = hall
    etag = state.publish(_newer(sample_doc, "2026.12.1"))
    cache = CatalogCache(tmp_path, clock=FakeClock(NOW))
    result = cache.refresh(http_fetch(url))
    assert result.outcome == "updated" and result.changed
    assert result.current.catalog.version == "2026.12.1"
    assert result.current.etag == etag
    assert state.requests == [None]

    restarted = CatalogCache(tmp_path).load()  # e.g. after a power cut, now offline
    assert restarted.source == "cache"
    assert restarted.catalog.version == "2026.12.1"
    assert restarted.etag == etag
    assert restarted.saved_at == NOW


def test_unchanged_catalog_is_not_downloaded_again(
    tmp_path: Path, hall: tuple[FakeHall, str], sample_doc: dict[str, Any]
) -> None:
    state, url = hall
    etag = state.publish(_newer(sample_doc, "2026.12.1"))
    cache = CatalogCache(tmp_path)
    cache.refresh(http_fetch(url))
    result = cache.refresh(http_fetch(url))
    assert result.outcome == "not_modified"
    assert state.requests == [None, etag]
    assert result.current.catalog.version == "2026.12.1"


def test_bad_published_catalog_is_rejected_and_the_last_good_one_stays(
    tmp_path: Path, hall: tuple[FakeHall, str], sample_doc: dict[str, Any]
) -> None:
    state, url = hall
    state.publish(_newer(sample_doc, "2026.12.1"))
    cache = CatalogCache(tmp_path)
    cache.refresh(http_fetch(url))
    good_file = (tmp_path / CACHE_FILE_NAME).read_bytes()

    broken = _newer(sample_doc, "2026.12.2")
    bundle = next(s for s in broken["services"] if s["id"] == "company_startup_power")
    bundle["parts"][1]["department"] = "water_company"
    state.publish(broken)
    result = cache.refresh(http_fetch(url))
    assert result.outcome == "rejected"
    assert any("unknown department 'water_company'" in r for r in result.reasons)
    assert result.current.catalog.version == "2026.12.1"
    assert cache.current.catalog.version == "2026.12.1"
    assert (tmp_path / CACHE_FILE_NAME).read_bytes() == good_file
    assert CatalogCache(tmp_path).load().catalog.version == "2026.12.1"


def test_not_json_is_rejected(tmp_path: Path, hall: tuple[FakeHall, str]) -> None:
    state, url = hall
    state.body = b"<html>proxy login</html>"
    result = CatalogCache(tmp_path).refresh(http_fetch(url))
    assert result.outcome == "rejected"
    assert "not JSON" in result.reasons[0]
    assert result.current.source == "sample"
    assert not (tmp_path / CACHE_FILE_NAME).exists()


def test_server_error_changes_nothing(tmp_path: Path, hall: tuple[FakeHall, str]) -> None:
    state, url = hall
    state.status = 503
    result = CatalogCache(tmp_path).refresh(http_fetch(url))
    assert result.outcome == "failed"
    assert "HTTP 503" in result.reasons[0]


def test_unreachable_hall_is_offline(tmp_path: Path) -> None:
    # A port nothing listens on: the real "connection refused" from the OS.
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    result = CatalogCache(tmp_path).refresh(http_fetch(f"http://127.0.0.1:{port}/catalog"))
    assert result.outcome == "offline"
    assert result.current.source == "sample"


def test_corrupt_cache_falls_back_to_the_sample(tmp_path: Path) -> None:
    (tmp_path / CACHE_FILE_NAME).write_text('{"etag": "x", "catalog": {"version": ', "utf-8")
    current = CatalogCache(tmp_path).load()
    assert current.source == "sample"
    assert current.etag is None  # so the next refresh downloads in full


def test_cache_from_an_older_schema_falls_back_to_the_sample(
    tmp_path: Path, sample_doc: dict[str, Any]
) -> None:
    old = _newer(sample_doc, "2025.01.1")
    del old["departments"]
    envelope = {"etag": '"old"', "saved_at": NOW.isoformat(), "catalog": old}
    (tmp_path / CACHE_FILE_NAME).write_text(json.dumps(envelope), "utf-8")
    assert CatalogCache(tmp_path).load().source == "sample"


def test_fetch_callable_receives_the_cached_etag(
    tmp_path: Path, sample_doc: dict[str, Any]
) -> None:
    seen: list[str | None] = []
    body = json.dumps(_newer(sample_doc, "2026.12.9")).encode()

    def fetch(etag: str | None) -> tuple[int, str | None, bytes]:
        seen.append(etag)
        return (304, etag, b"") if etag else (200, opaque_etag(body), body)

    cache = CatalogCache(tmp_path)
    assert cache.refresh(fetch).outcome == "updated"
    assert cache.refresh(fetch).outcome == "not_modified"
    assert seen == [None, opaque_etag(body)]
