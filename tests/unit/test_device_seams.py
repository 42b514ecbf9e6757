"""The flow asks devices what they can do through runtime-checkable Protocols: which backends
count as an MRZ (passport chip) reader or a printer that keeps a receipt to reprint, and what
the flow does with a reader that cannot open a chip."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from drivers.card_reader.base import CardReader, MrzCardReader
from drivers.card_reader.ga467 import Ga467CardReader
from drivers.card_reader.pcsc import PcscCardReader
from drivers.card_reader.pcsc_virtual import VirtualPcscCardReader
from drivers.card_reader.simulator import SimulatedCardReader
from drivers.printer.base import RecoverableReceiptPrinter
from drivers.printer.escpos import EscposReceiptPrinter
from drivers.printer.simulator import SimulatedPrinter
from kiosk.runtime import SharedOutbox
from kiosk.services.catalog import load_catalog
from kiosk.session.flow import SessionFlow, Timeouts
from tests.support.clock import FakeClock
from tests.support.sealing import pin_test_key

Job = tuple[Callable[[], Any], Callable[[Any], None], Callable[[Exception], None]]


@pytest.mark.parametrize(
    ("backend", "reads_chips"),
    [
        (PcscCardReader, True),
        (VirtualPcscCardReader, True),
        (Ga467CardReader, False),
        (SimulatedCardReader, False),
    ],
)
def test_only_contactless_readers_are_mrz_readers(backend: type, reads_chips: bool) -> None:
    assert issubclass(backend, CardReader)
    assert issubclass(backend, MrzCardReader) is reads_chips


@pytest.mark.parametrize("backend", [EscposReceiptPrinter, SimulatedPrinter])
def test_receipt_printers_keep_a_receipt_to_reprint(backend: type) -> None:
    assert issubclass(backend, RecoverableReceiptPrinter)


def test_mrz_entry_on_a_reader_without_chip_access_is_a_card_failure(tmp_path: Path) -> None:
    jobs: list[Job] = []
    reader = SimulatedCardReader.from_options({"delay_s": 0})
    printer = SimulatedPrinter.from_options({"port": 0})
    pin_test_key(tmp_path)  # an enrolled station: filings are sealed to the hall's key
    queue = SharedOutbox(tmp_path / "outbox.sqlite3", "SND-1")
    flow = SessionFlow(
        catalog=load_catalog(),
        reader=reader,
        printer=printer,
        queue=queue,
        background=lambda job, done, error: jobs.append((job, done, error)),
        timeouts=Timeouts(idle_s=90, warning_s=20, receipt_s=20, card_read_s=5),
        station_name="狮山街道站",
        hall_url="http://127.0.0.1:8700",
        clock=FakeClock(monotonic=0.0),
    )
    try:
        flow.start("zh_CN")
        assert flow.state == "identifying"
        jobs.clear()  # the plain read that start() began: never finishes here
        assert flow.submit_mrz("E12345678", "1949-12-31", "2035-01-02")
        job, done, error = jobs.pop()
        try:
            done(job())
        except Exception as exc:
            error(exc)
        assert flow.card_status == "CARD_UNSUPPORTED"
        assert flow.context.identity is None
    finally:
        queue.close()
        printer.close()
        reader.close()
