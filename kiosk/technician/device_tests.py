"""The technician's device tests: a test page through the real printer driver, a card read that
keeps only masked values, and a network test to the hall (name, TCP connect, ``/healthz``).

Each returns a small result with a failure code (the same codes the walk-in screens use,
``docs/failure_codes.md``) and nothing personal. All of them block: run them off the GUI thread.
"""

from __future__ import annotations

import datetime as dt
import logging
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from kiosk.errors import reason_for
from kiosk.masking import mask_id_number, mask_name

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class DeviceTestResult:
    ok: bool
    code: str = ""  # a FailureReason-style code when not ok


@dataclass(frozen=True, slots=True)
class CardTestResult:
    """What a card read showed, masked: 张*丰, 110105********002X."""

    ok: bool
    code: str = ""
    card_type: str = ""
    masked_name: str = ""
    masked_number: str = ""


@dataclass(frozen=True, slots=True)
class NetworkResult:
    ok: bool
    code: str = ""
    host: str = ""
    resolve_ms: float | None = None
    connect_ms: float | None = None
    healthz_ms: float | None = None


def print_test_page(printer: Any, station_name: str, version: str, now: dt.datetime) -> None:
    """Print the test page through the configured driver (raises the printer's error).

    A failed test page must not linger in the reprint journal and come out after a walk-in's
    receipt, so it is discarded on failure.
    """
    from drivers.printer.base import Receipt

    page = Receipt(
        title="打印测试页",
        station_name=station_name,
        service_name="维护模式 Technician test",
        tracking_number=f"TEST-{now:%Y%m%d-%H%M%S}",
        issued_at=now.strftime("%Y-%m-%d %H:%M"),
        lines=(
            "TEST PAGE",
            f"kiosk {version}",
            "中文字库：企航站点自助终端",
            "ABCDEFGHIJKLMNOPQRSTUVWXYZ 0123456789",
            "|" + "-" * 30 + "|",
        ),
        qr_payload="TEST-PAGE",
        footer=("如能完整看到本页，打印机正常。", "If this page is complete, the printer works."),
    )
    try:
        printer.print_receipt(page)
    except Exception:
        discard = getattr(printer, "discard_pending", None)
        if discard is not None:
            discard()
        raise


def printer_test(
    printer: Any, station_name: str, version: str, now: dt.datetime
) -> DeviceTestResult:
    try:
        print_test_page(printer, station_name, version, now)
    except Exception as exc:
        code = reason_for(exc).value
        log.warning("technician test print failed: %s", code)
        return DeviceTestResult(False, code)
    return DeviceTestResult(True)


def card_test(reader: Any, timeout_s: float) -> CardTestResult:
    """Wait for a card and read it; only masked values leave this function."""
    try:
        identity = reader.read_identity(timeout_s)
    except Exception as exc:
        code = reason_for(exc).value
        log.warning("technician card test failed: %s", code)
        return CardTestResult(False, code)
    result = CardTestResult(
        True,
        card_type=str(identity.card_type),
        masked_name=mask_name(identity.name),
        masked_number=mask_id_number(identity.id_number, hide_short=True),
    )
    del identity
    return result


def network_test(hall_url: str, timeout_s: float, healthy: Callable[[], bool]) -> NetworkResult:
    """Resolve the hall's name, open a TCP connection to it, then ask ``/healthz``."""
    parts = urlsplit(hall_url)
    host = parts.hostname or ""
    port = parts.port or (443 if parts.scheme == "https" else 80)
    t0 = time.monotonic()
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError:
        return NetworkResult(False, "NETWORK_DNS_FAILED", host)
    resolve_ms = (time.monotonic() - t0) * 1000
    family, kind, proto, _, address = infos[0]
    t1 = time.monotonic()
    try:
        with socket.socket(family, kind, proto) as sock:
            sock.settimeout(timeout_s)
            sock.connect(address)
    except TimeoutError:
        return NetworkResult(False, "NETWORK_TIMEOUT", host, round(resolve_ms, 1))
    except OSError:
        return NetworkResult(False, "NETWORK_UNREACHABLE", host, round(resolve_ms, 1))
    connect_ms = (time.monotonic() - t1) * 1000
    t2 = time.monotonic()
    ok = healthy()
    healthz_ms = (time.monotonic() - t2) * 1000
    return NetworkResult(
        ok,
        "" if ok else "HALL_UNHEALTHY",
        host,
        round(resolve_ms, 1),
        round(connect_ms, 1),
        round(healthz_ms, 1),
    )
