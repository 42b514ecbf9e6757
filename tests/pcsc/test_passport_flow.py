"""A walk-in with a passport: the session asks for the MRZ, checks it before any APDU, reads the
chip through BAC behind a real pcscd, and a mistyped key is told apart from a broken card."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from drivers.card_reader.pcsc_virtual import VirtualPcscCardReader
from drivers.card_reader.pcscd import PcscdProcess
from drivers.card_reader.vpcd_card import sample_card
from drivers.printer.simulator import SimulatedPrinter
from kiosk.runtime import SharedOutbox
from kiosk.services.catalog import load_catalog
from kiosk.session.flow import SessionFlow, Timeouts
from tests.support.background import run_inline
from tests.support.clock import FakeClock


@pytest.fixture
def flow(
    pcscd: PcscdProcess, tmp_path: Path
) -> Iterator[tuple[SessionFlow, VirtualPcscCardReader]]:
    reader = VirtualPcscCardReader.from_options({"card": "emrtd", "start_pcscd": False})
    printer = SimulatedPrinter.from_options({"port": 0})
    queue = SharedOutbox(tmp_path / "outbox.sqlite3", "SND-1")
    flow = SessionFlow(
        catalog=load_catalog(),
        reader=reader,
        printer=printer,
        queue=queue,
        background=run_inline,
        timeouts=Timeouts(90, 20, 20, 5),
        station_name="狮山街道站",
        hall_url="http://127.0.0.1:8700",
        clock=FakeClock(),
    )
    try:
        yield flow, reader
    finally:
        queue.close()
        printer.close()
        reader.close()


def test_passport_needs_the_mrz_and_reads_with_it(
    flow: tuple[SessionFlow, VirtualPcscCardReader],
) -> None:
    session, reader = flow
    reader.place_card(sample_card("emrtd"))
    session.start("zh_CN")
    assert session.state == "identifying"
    assert session.card_status == "CARD_MRZ_REQUIRED"

    # Malformed entries are caught before any APDU reaches the chip.
    assert not session.submit_mrz("E1234", "1949-13-31", "")
    assert set(session.context.errors) == {"mrz.birth_date", "mrz.expiry_date"}

    # Well-formed but wrong: the chip refuses BAC.
    assert session.submit_mrz("E12345678", "1949-12-31", "2035-01-02")
    assert session.card_status == "CARD_MRZ_MISMATCH"
    assert session.context.identity is None

    assert session.submit_mrz("E12345678", "1949-12-31", "2035-01-01")
    assert session.state == "choosing_service"
    assert session.context.identity is not None
    assert session.context.identity.card_type == "emrtd"
    session.cancel()
    assert session.context.is_empty()
