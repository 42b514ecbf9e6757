"""Receipt printing: build + send one receipt to the ESC/POS simulator, bytes per receipt (text
mode vs all-raster), and the round trip of one real-time status poll (DLE EOT 1..4).

Everything runs against an in-process `EscposSimulatorServer` on 127.0.0.1 through the real
driver, so the figures include layout, raster drawing, the TCP conversation and the simulator's
decoding of the job before it answers `GS r` (a real printer answers after printing, which takes
far longer: these are the kiosk's own costs, not a printer's). Medians of `runs` repetitions.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import statistics
import time
from typing import Any

from drivers.printer.base import Receipt
from drivers.printer.escpos import EscposReceiptPrinter, build_receipt_job
from drivers.printer.raster import FontProfile
from drivers.printer.simulator import EscposSimulatorServer
from kiosk.receipts import build_receipt, progress_url

KEYS = (
    "runs",
    "print_receipt_ms",
    "print_receipt_rare_name_ms",
    "status_poll_ms",
    "build_all_raster_ms",
    "bytes_text_mode",
    "bytes_text_mode_rare_name",
    "bytes_all_raster",
    "raster_to_text_ratio",
)


def _receipt() -> Receipt:
    return build_receipt(
        language="zh_CN",
        station_name="狮山街道站",
        service_name="企业开办+用电报装“一件事”",
        tracking_number="QH-20261127-0007",
        time_limit_days=5,
        progress_url=progress_url("http://127.0.0.1:8700", "QH-20261127-0007"),
        issued_at=dt.datetime(2026, 11, 27, 10, 0),
    )


def _median_ms(samples: list[float]) -> float:
    return round(statistics.median(samples) * 1000, 2)


def run(runs: int = 5, *, quick: bool = False) -> dict[str, Any]:
    """``quick``: ``runs`` status polls instead of at least 20."""
    runs = max(1, runs)
    receipt = _receipt()
    # One rare-character line (𠮷, four-byte GB18030) as a name would bring: one raster line.
    rare = dataclasses.replace(receipt, lines=("申请人：𠮷**", *receipt.lines))
    out: dict[str, Any] = {"runs": runs}
    with EscposSimulatorServer(port=0) as server:
        printer = EscposReceiptPrinter("127.0.0.1", server.port, timeout_s=2.0)
        printer.print_receipt(receipt)  # warm: fonts, imports, the first connection
        for name, value in (("print_receipt_ms", receipt), ("print_receipt_rare_name_ms", rare)):
            samples = []
            for _ in range(runs):
                start = time.perf_counter()
                printer.print_receipt(value)
                samples.append(time.perf_counter() - start)
            out[name] = _median_ms(samples)
        polls = []
        for _ in range(runs if quick else max(runs, 20)):
            start = time.perf_counter()
            printer.check_status()
            polls.append(time.perf_counter() - start)
        out["status_poll_ms"] = _median_ms(polls)  # connect + DLE EOT 1..4 + close
        server.wait_idle(5.0)
    builds = []
    for _ in range(runs):
        start = time.perf_counter()
        build_receipt_job(rare, font_profile=FontProfile.RASTER)
        builds.append(time.perf_counter() - start)
    out["build_all_raster_ms"] = _median_ms(builds)
    out["bytes_text_mode"] = len(build_receipt_job(receipt))
    out["bytes_text_mode_rare_name"] = len(build_receipt_job(rare))
    out["bytes_all_raster"] = len(build_receipt_job(receipt, font_profile=FontProfile.RASTER))
    out["raster_to_text_ratio"] = round(out["bytes_all_raster"] / out["bytes_text_mode"], 1)
    return out
