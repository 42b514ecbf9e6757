"""Contract tests for the CardReader role, run against every backend present.

Each backend comes with a rig: how a test lays a card down, lifts it and injects a fault for that
backend — the simulator's own methods, the GA/T 467 emulator on a pty read through the real
serial driver, and a virtual social security card on vpcd behind a real pcscd read through the
real PC/SC driver. The simulator's own options are tested at the end.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest

from drivers.card_reader.base import CardReader, Identity
from drivers.card_reader.ga467_emulator import EmulatedGa467CardReader, sample_photo
from drivers.card_reader.pcscd import PcscdProcess
from drivers.card_reader.simulator import SAMPLE_IDENTITY, SimulatedCardReader
from drivers.errors import CardReaderError, CardReadFailed, NoCard, ReaderUnavailable
from drivers.health import HealthLevel

READ_TIMEOUT_S = 2.0  # generous: only reached when a test is failing


@dataclass
class ReaderRig:
    reader: CardReader
    place_card: Callable[[], None]
    remove_card: Callable[[], None]
    inject_fault: Callable[[type[CardReaderError]], None]
    expected: Identity


def _simulator_rig() -> ReaderRig:
    reader = SimulatedCardReader(delay_s=0.01, auto_place=False)
    return ReaderRig(
        reader, reader.place_card, reader.remove_card, reader.inject_fault, SAMPLE_IDENTITY
    )


def _ga467_emulator_rig() -> ReaderRig:
    reader = EmulatedGa467CardReader.from_options(
        {"auto_place": False, "poll_s": 0.02, "pace": False}
    )
    expected = dataclasses.replace(SAMPLE_IDENTITY, photo=sample_photo(), photo_format="wlt")
    return ReaderRig(reader, reader.place_card, reader.remove_card, reader.inject_fault, expected)


def _pcsc_virtual_rig() -> ReaderRig:
    from drivers.card_reader.pcsc_virtual import VirtualPcscCardReader

    reader = VirtualPcscCardReader.from_options({"start_pcscd": False, "card_present": False})
    expected = dataclasses.replace(
        SAMPLE_IDENTITY,
        address="",
        issuer="",
        card_type="social_security",
        card_number="A12345678",
    )
    return ReaderRig(reader, reader.place_card, reader.remove_card, reader.inject_fault, expected)


RIGS: dict[str, Callable[[], ReaderRig]] = {
    "simulator": _simulator_rig,
    "ga467_emulator": _ga467_emulator_rig,
    "pcsc_virtual": _pcsc_virtual_rig,
}


@pytest.fixture(scope="module")
def pcscd_for_contract() -> Iterator[PcscdProcess]:
    # Started only when a pcsc rig runs; fails (never skips) with the apt command if missing.
    with PcscdProcess() as process:
        yield process


@pytest.fixture(params=sorted(RIGS))
def rig(request: pytest.FixtureRequest) -> Iterator[ReaderRig]:
    if request.param.startswith("pcsc"):
        request.getfixturevalue("pcscd_for_contract")
    made = RIGS[request.param]()
    yield made
    made.reader.close()


def _read_in_thread(reader: CardReader, timeout_s: float) -> tuple[threading.Thread, list[object]]:
    outcome: list[object] = []

    def run() -> None:
        try:
            outcome.append(reader.read_identity(timeout_s))
        except CardReaderError as exc:
            outcome.append(exc)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread, outcome


# -- contract ---------------------------------------------------------------------------------


def test_is_a_card_reader(rig: ReaderRig) -> None:
    assert isinstance(rig.reader, CardReader)
    assert rig.reader.health().level is HealthLevel.OK


def test_read_returns_the_identity_on_the_card(rig: ReaderRig) -> None:
    rig.place_card()
    identity = rig.reader.read_identity(READ_TIMEOUT_S)
    assert identity == rig.expected
    assert identity.name == "张三丰"
    assert identity.id_number == "11010519491231002X"
    assert identity.birth_date == dt.date(1949, 12, 31)
    assert identity.valid_to == dt.date(2035, 1, 1)


def test_no_card_until_the_timeout_raises_no_card(rig: ReaderRig) -> None:
    started = time.monotonic()
    with pytest.raises(NoCard) as caught:
        rig.reader.read_identity(0.05)
    # It must have waited for a card rather than giving up at once.
    assert time.monotonic() - started >= 0.04
    assert caught.value.code == "CARD_NOT_PRESENT"


def test_a_card_placed_while_waiting_is_read(rig: ReaderRig) -> None:
    thread, outcome = _read_in_thread(rig.reader, READ_TIMEOUT_S)
    rig.place_card()
    thread.join(READ_TIMEOUT_S + 1)
    assert outcome == [rig.expected]


def test_an_injected_fault_raises_card_read_failed_once(rig: ReaderRig) -> None:
    rig.place_card()
    rig.inject_fault(CardReadFailed)
    with pytest.raises(CardReadFailed) as caught:
        rig.reader.read_identity(READ_TIMEOUT_S)
    # Subclasses say more (CARD_REMOVED: lifted mid-read); all are "lift it and place it again".
    assert caught.value.code in ("CARD_READ_FAILED", "CARD_REMOVED")
    # As on real readers, a card that failed must be lifted and placed again before a retry.
    rig.remove_card()
    rig.place_card()
    assert rig.reader.read_identity(READ_TIMEOUT_S) == rig.expected


def test_a_read_card_can_be_read_again_after_replacing_it(rig: ReaderRig) -> None:
    rig.place_card()
    assert rig.reader.read_identity(READ_TIMEOUT_S) == rig.expected
    rig.remove_card()
    rig.place_card()
    assert rig.reader.read_identity(READ_TIMEOUT_S) == rig.expected


def test_reader_logs_no_personal_data(rig: ReaderRig, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    rig.place_card()
    identity = rig.reader.read_identity(READ_TIMEOUT_S)
    for forbidden in (identity.name, identity.id_number):
        assert forbidden not in caplog.text
    assert identity.id_number not in repr(identity)


def test_close_wakes_a_waiting_read(rig: ReaderRig) -> None:
    thread, outcome = _read_in_thread(rig.reader, timeout_s=30.0)
    rig.reader.close()
    thread.join(READ_TIMEOUT_S)
    assert not thread.is_alive(), "close() did not wake the waiting read"
    assert len(outcome) == 1 and isinstance(outcome[0], ReaderUnavailable)
    assert rig.reader.health().level is HealthLevel.DOWN
    assert rig.reader.health().code == "CARD_READER_UNAVAILABLE"


def test_read_after_close_raises_reader_unavailable(rig: ReaderRig) -> None:
    rig.place_card()
    rig.reader.close()
    with pytest.raises(ReaderUnavailable):
        rig.reader.read_identity(READ_TIMEOUT_S)


# -- the simulator itself ---------------------------------------------------------------------


def test_simulator_defaults_place_the_sample_card_on_every_read() -> None:
    reader = SimulatedCardReader.from_options({"delay_s": 0.0})
    try:
        assert reader.read_identity(0.5) == SAMPLE_IDENTITY
        assert reader.read_identity(0.5) == SAMPLE_IDENTITY
    finally:
        reader.close()


def test_simulator_identity_option_overrides_fields() -> None:
    reader = SimulatedCardReader.from_options(
        {"delay_s": 0, "identity": {"name": "李四", "valid_to": "2040-06-30"}}
    )
    try:
        identity = reader.read_identity(0.5)
    finally:
        reader.close()
    assert identity.name == "李四"
    assert identity.valid_to == dt.date(2040, 6, 30)
    assert identity.id_number == SAMPLE_IDENTITY.id_number


def test_simulator_fail_next_option_fails_that_many_reads() -> None:
    reader = SimulatedCardReader.from_options({"delay_s": 0, "fail_next": 2})
    try:
        for _ in range(2):
            with pytest.raises(CardReadFailed):
                reader.read_identity(0.5)
        assert reader.health().level is HealthLevel.DEGRADED
        assert reader.read_identity(0.5) == SAMPLE_IDENTITY
        assert reader.health().level is HealthLevel.OK
    finally:
        reader.close()


def test_simulator_card_lifted_mid_read_fails_the_read() -> None:
    reader = SimulatedCardReader(delay_s=30.0, auto_place=False)
    reader.place_card()
    thread, outcome = _read_in_thread(reader, READ_TIMEOUT_S)
    assert reader.wait_until_reading(READ_TIMEOUT_S)
    reader.remove_card()
    thread.join(READ_TIMEOUT_S)
    reader.close()
    assert len(outcome) == 1 and isinstance(outcome[0], CardReadFailed)
    assert "place it again" in str(outcome[0])


def test_simulator_injected_reader_unavailable_keeps_the_reader_down() -> None:
    reader = SimulatedCardReader(delay_s=0.0)
    try:
        reader.inject_fault(ReaderUnavailable)
        for _ in range(2):
            with pytest.raises(ReaderUnavailable):
                reader.read_identity(0.5)
        assert reader.health().code == "CARD_READER_UNAVAILABLE"
    finally:
        reader.close()


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"delay_s": "slow"}, "delay_s"),
        ({"delay_s": -1}, "delay_s"),
        ({"identity": {"shoe_size": 42}}, "shoe_size"),
        ({"identity": {"birth_date": "31.12.1949"}}, "birth_date"),
        ({"auto_place": "yes"}, "auto_place"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_simulator_rejects_bad_options(options: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        SimulatedCardReader.from_options(options)


def test_inject_fault_needs_a_card_reader_error() -> None:
    reader = SimulatedCardReader()
    with pytest.raises(TypeError):
        reader.inject_fault(ValueError)  # type: ignore[arg-type]
    reader.close()


def test_simulator_never_logs_personal_data(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    reader = SimulatedCardReader(delay_s=0.0)
    identity = reader.read_identity(0.5)
    reader.close()
    assert caplog.records, "expected the reader to log its steps"
    for forbidden in (identity.name, identity.id_number, identity.address):
        assert forbidden not in caplog.text
    assert identity.id_number not in repr(identity)
