"""Issue 14, finding 13: what the kiosk reads from the hall is bounded (size, depth, numbers).

A hostile or broken hall is a real ``http.server`` on 127.0.0.1 serving the documents; the kiosk
side is the real :class:`~kiosk.runtime.KioskRuntime` with its :class:`~kiosk.hall_client.
HallClient`, catalog cache and progress look-up. Before the fix a 100,000-deep document raised
``RecursionError`` and a 5,000-digit integer ``ValueError`` out of the catalog refresh (the
monitor swallowed both at DEBUG) and the progress look-up; now each is ``HALL_BAD_DOCUMENT`` at
WARNING, noted in the health history, and the last good catalog / last known status stays.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import logging
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from contracts.content_signature import PIN_FILE, public_of, sign, signed_etag
from kiosk.config import parse_config
from kiosk.hall_client import HallClient
from kiosk.net_json import CATALOG, BadDocument, loads_bounded
from kiosk.progress import ProgressCache, look_up
from kiosk.runtime import HallMonitor, KioskRuntime
from kiosk.services.catalog import DEFAULT_CATALOG_PATH

TN = "QH-SZ-001-20261127-0003"
CODE = "HALL_BAD_DOCUMENT"
DEEP = b"[" * 100_000 + b"]" * 100_000
DEEP_WITHIN_SIZE_CAP = b"[" * 10_000 + b"]" * 10_000  # 20 KB: refused by depth, not by size
HUGE_INT_CATALOG = b'{"version": "2026.12.9", "services": ' + b"9" * 5_000 + b"}"
HUGE_INT_STATUS = b'{"tracking_number": "' + TN.encode() + b'", "parts": ' + b"7" * 5_000 + b"}"
CONTENT_KEY = Ed25519PrivateKey.generate()
GOOD_STATUS = {
    "tracking_number": TN,
    "service_id": "ev_charging_pile",
    "parts": [
        {"id": "power_supply", "status": "handling", "updated_at": "2026-11-27T12:00:00+08:00"}
    ],
}


class HostileHall:
    """Answers per path, changed by the test between requests."""

    def __init__(self) -> None:
        self.bodies: dict[str, bytes] = {}
        self.url = ""

    def serve(self, path: str, body: bytes) -> None:
        self.bodies[path] = body


@pytest.fixture
def hostile() -> Iterator[HostileHall]:
    hall = HostileHall()

    class Handler(BaseHTTPRequestHandler):
        def _answer(self) -> None:
            body = hall.bodies.get(self.path.split("?")[0])
            if body is None:
                self.send_response(404)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            # Signed with the key the station pinned: a hall holding the content key still
            # cannot make the kiosk's parser fall over.
            self.send_header("ETag", signed_etag('"x"', sign(CONTENT_KEY, body)))
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_GET = _answer

        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length", "0")))
            self._answer()

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    hall.url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield hall
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.fixture
def runtime(tmp_path: Path, hostile: HostileHall) -> Iterator[KioskRuntime]:
    config = parse_config(
        {
            "station": {"id": "QH-SZ-001", "name": "测试站"},
            "hall": {"url": hostile.url, "timeout_s": 5},
            "devices": {"printer": {"backend": "simulator", "options": {"port": 0}}},
            "paths": {"state_dir": str(tmp_path / "kiosk")},
        }
    )
    pin = tmp_path / "kiosk" / PIN_FILE
    pin.parent.mkdir(parents=True)
    pin.write_text(json.dumps(public_of(CONTENT_KEY).to_json()), "utf-8")
    rt = KioskRuntime(config, start_sender=False)
    try:
        yield rt
    finally:
        rt.close()


def good_catalog(version: str) -> bytes:
    doc: dict[str, Any] = json.loads(DEFAULT_CATALOG_PATH.read_text(encoding="utf-8"))
    doc = copy.deepcopy(doc)
    doc["version"] = version
    return json.dumps(doc, ensure_ascii=False).encode("utf-8")


def bad_document_warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [
        r.getMessage() for r in caplog.records if r.levelno == logging.WARNING and CODE in r.message
    ]


@pytest.mark.parametrize(
    "hostile_body", [DEEP, HUGE_INT_CATALOG], ids=["100k_deep", "5000_digit_integer"]
)
def test_regression_hostile_catalog_is_hall_bad_document_and_the_cached_catalog_stays(
    runtime: KioskRuntime,
    hostile: HostileHall,
    caplog: pytest.LogCaptureFixture,
    hostile_body: bytes,
) -> None:
    hostile.serve("/api/v1/catalog", good_catalog("2026.12.9"))
    runtime.refresh_catalog()
    assert runtime.catalog.version == "2026.12.9"

    hostile.serve("/api/v1/catalog", hostile_body)
    caplog.clear()
    with caplog.at_level(logging.WARNING):
        runtime.refresh_catalog()  # before the fix: RecursionError / ValueError escaped here
    assert runtime.catalog.version == "2026.12.9"
    assert bad_document_warnings(caplog)
    assert CODE in runtime.health_history.recent_codes(5)
    # The cache on disk still holds the good one: a restart keeps using it.
    assert runtime._catalog_cache().load().catalog.version == "2026.12.9"


@pytest.mark.parametrize(
    "hostile_body",
    [DEEP, DEEP_WITHIN_SIZE_CAP, HUGE_INT_STATUS],
    ids=["100k_deep", "10k_deep", "5000_digit_integer"],
)
def test_regression_hostile_progress_is_hall_bad_document_and_the_last_status_stays(
    runtime: KioskRuntime,
    hostile: HostileHall,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    hostile_body: bytes,
) -> None:
    cache = ProgressCache(tmp_path / "progress.json")
    now = dt.datetime(2026, 11, 28, 9, 0, tzinfo=dt.UTC)

    def ask() -> str:
        view = look_up(
            TN, fetch=runtime.fetch_progress, cache=cache, catalog=runtime.catalog, now=lambda: now
        )
        return view.source

    hostile.serve(f"/api/v1/progress/{TN}", json.dumps(GOOD_STATUS).encode())
    assert ask() == "hall"

    hostile.serve(f"/api/v1/progress/{TN}", hostile_body)
    caplog.clear()
    with caplog.at_level(logging.WARNING):
        source = ask()  # before the fix: RecursionError escaped; the integer passed as "offline"
    assert source == "cache"
    assert bad_document_warnings(caplog)
    assert CODE in runtime.health_history.recent_codes(5)


def test_a_catalog_over_its_size_cap_is_refused_while_reading(
    runtime: KioskRuntime, hostile: HostileHall, caplog: pytest.LogCaptureFixture
) -> None:
    padding = b" " * (CATALOG.max_bytes + 1)
    hostile.serve("/api/v1/catalog", good_catalog("2026.12.9")[:-1] + padding + b"}")
    with caplog.at_level(logging.WARNING):
        runtime.refresh_catalog()
    assert runtime.catalog.version != "2026.12.9"
    assert bad_document_warnings(caplog)


def test_a_hostile_health_answer_is_offline_and_named_at_warning(
    hostile: HostileHall, caplog: pytest.LogCaptureFixture
) -> None:
    hostile.serve("/healthz", DEEP)
    with HallClient(hostile.url, 5) as client, caplog.at_level(logging.WARNING):
        assert client.healthy() is False
    assert bad_document_warnings(caplog)
    hostile.serve("/healthz", b'{"status": "ok"}')
    with HallClient(hostile.url, 5) as client:
        assert client.healthy() is True


def test_an_oversized_status_only_answer_is_a_network_failure(hostile: HostileHall) -> None:
    # A heartbeat answer counts only for its status; a huge one is not read to the end.
    hostile.serve("/api/v1/stations/QH-SZ-001/heartbeat", b"{}" + b" " * (1024 * 1024))
    with HallClient(hostile.url, 5) as client, pytest.raises(ConnectionError, match="larger"):
        client.post_heartbeat("QH-SZ-001", {"version": "x"})


def test_the_monitor_names_a_failing_task_at_warning(caplog: pytest.LogCaptureFixture) -> None:
    def probe() -> None:
        raise BadDocument("nested deeper than 32 levels")

    class Offline:
        def healthy(self) -> bool:
            return False

    monitor = HallMonitor(Offline(), interval_s=60, device_probes=(probe,))  # type: ignore[arg-type]
    with caplog.at_level(logging.WARNING):
        monitor.start()
        try:
            for _ in range(200):
                if bad_document_warnings(caplog):
                    break
                threading.Event().wait(0.01)
        finally:
            monitor.stop()
    assert bad_document_warnings(caplog)


@pytest.mark.parametrize(
    ("document", "reason"),
    [
        (DEEP, "nested deeper"),
        (b'{"a": ' + b"9" * 5_000 + b"}", "a number of 5000 characters"),
        (b"[1, NaN]", "NaN"),
        (b"[-Infinity]", "Infinity"),
        (b"[1e400]", "out of range"),
        (b'{"a": 1, "a": 2}', "duplicate key"),
        (b"\xff\xfe[]", "not UTF-8"),
        (b"[1, 2", "not JSON"),
        (b" " * 101, "more than 100"),
    ],
)
def test_loads_bounded_refuses_with_a_reason(document: bytes, reason: str) -> None:
    with pytest.raises(BadDocument, match=reason):
        loads_bounded(document, max_bytes=100 if len(document) == 101 else 1 << 20, max_depth=32)


def test_loads_bounded_keeps_brackets_inside_strings_out_of_the_depth() -> None:
    doc = json.dumps({"note": "[" * 1000 + "{" * 1000, "n": [[1]]})
    assert loads_bounded(doc, max_bytes=1 << 20, max_depth=3)["n"] == [[1]]


@pytest.mark.parametrize("depth", [1, 2, 5, 32])
def test_loads_bounded_depth_limit_is_exact_for_objects_and_arrays_mixed(depth: int) -> None:
    # Objects and arrays alternate, with the deepest branch beside shallow siblings: a walk
    # that counted only one kind, or only the first branch, would let depth + 1 through.
    def nest(levels: int) -> object:
        value: object = "leaf"
        for level in range(levels):
            value = {"x": value, "s": 1} if level % 2 else [0, value, "]"]
        return value

    for levels in (depth, depth + 1):
        doc = json.dumps({"shallow": [1], "deep": nest(levels - 1)} if levels > 1 else {})
        if levels <= depth:
            assert loads_bounded(doc, max_bytes=1 << 20, max_depth=depth) is not None
        else:
            with pytest.raises(BadDocument, match=f"nested deeper than {depth} levels"):
                loads_bounded(doc, max_bytes=1 << 20, max_depth=depth)
