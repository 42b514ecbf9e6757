"""The real Ga467CardReader against the GA/T 467 emulator on a pty: faults, retries, events."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

from drivers.card_reader import ga467_codec as codec
from drivers.card_reader.base import CardEvent, CardEventKind
from drivers.card_reader.ga467 import Ga467CardReader
from drivers.card_reader.ga467_emulator import EmulatedGa467CardReader, EmulatorFault
from drivers.card_reader.simulator import SAMPLE_IDENTITY
from drivers.card_reader.vpcd_card import wait_until
from drivers.errors import (
    CardReadFailed,
    CardRemoved,
    NoCard,
    ReaderFault,
    ReaderLinkError,
    ReaderUnavailable,
)
from drivers.health import HealthLevel

T = 3.0


@pytest.fixture
def rig() -> Iterator[EmulatedGa467CardReader]:
    made = EmulatedGa467CardReader.from_options(
        {"auto_place": False, "poll_s": 0.02, "answer_timeout_s": 0.3, "pace": False}
    )
    yield made
    made.close()


def test_full_read_sends_find_select_read(rig: EmulatedGa467CardReader) -> None:
    rig.place_card()
    identity = rig.read_identity(T)
    assert identity.name == SAMPLE_IDENTITY.name
    assert identity.photo_format == "wlt" and len(identity.photo) == 1024
    assert rig.emulator.received[-3:] == [codec.FIND_CARD, codec.SELECT_CARD, codec.READ_TEXT_PHOTO]
    assert rig.emulator.received[0] == codec.SAM_STATUS  # SAM checked once on first use


def test_card_must_be_replaced_after_a_read(rig: EmulatedGa467CardReader) -> None:
    rig.place_card()
    rig.read_identity(T)
    assert rig.needs_replace
    with pytest.raises(NoCard):  # still lying there, but silent until lifted and placed again
        rig.read_identity(0.1)
    rig.remove_card()
    rig.place_card()
    rig.read_identity(T)


@pytest.mark.parametrize(
    "fault",
    [
        EmulatorFault.BAD_CHECKSUM,
        EmulatorFault.GARBAGE,
        EmulatorFault.PARTIAL_FRAME,
        EmulatorFault.NO_ANSWER,
    ],
)
def test_line_faults_on_the_read_are_retried(
    rig: EmulatedGa467CardReader, fault: EmulatorFault
) -> None:
    rig.place_card()
    rig.emulator.inject_fault(fault, on=codec.READ_TEXT_PHOTO)
    assert rig.read_identity(T).id_number == SAMPLE_IDENTITY.id_number
    # Junk before a preamble is skipped without asking again; the rest cost one resend.
    expected_reads = 1 if fault is EmulatorFault.GARBAGE else 2
    assert rig.emulator.received.count(codec.READ_TEXT_PHOTO) == expected_reads


def test_persistent_bad_checksums_raise_link_error(rig: EmulatedGa467CardReader) -> None:
    rig.place_card()
    rig.inject_fault(ReaderLinkError)
    with pytest.raises(ReaderLinkError) as caught:
        rig.read_identity(T)
    assert caught.value.code == "CARD_READER_LINK_ERROR"


def test_silent_reader_is_unavailable(rig: EmulatedGa467CardReader) -> None:
    rig.place_card()
    rig.inject_fault(ReaderUnavailable)
    with pytest.raises(ReaderUnavailable):
        rig.read_identity(T)
    assert rig.health().level is HealthLevel.DOWN


def test_sam_fault(rig: EmulatedGa467CardReader) -> None:
    rig.emulator.sam_fault = codec.Sw3.SAM_NOT_AUTHORISED
    with pytest.raises(ReaderFault) as caught:
        rig.read_identity(T)
    assert caught.value.code == "CARD_READER_FAULT"
    assert rig.health().code == "CARD_READER_FAULT"


def test_select_failure(rig: EmulatedGa467CardReader) -> None:
    rig.place_card()
    rig.inject_fault(EmulatorFault.SELECT_FAILED)
    with pytest.raises(CardReadFailed):
        rig.read_identity(T)
    assert rig.health().level is HealthLevel.DEGRADED


def test_card_lifted_mid_read_then_retry() -> None:
    rig = EmulatedGa467CardReader.from_options(
        {"auto_place": False, "poll_s": 0.02, "pace": False, "read_delay_s": 30.0}
    )
    try:
        rig.place_card()
        outcome: list[object] = []

        def read() -> None:
            try:
                outcome.append(rig.read_identity(T))
            except CardReadFailed as exc:
                outcome.append(exc)

        thread = threading.Thread(target=read)
        thread.start()
        assert rig.wait_until_reading(T)
        rig.remove_card()  # lifted while the reader is fetching the text and photo
        thread.join(T)
        assert len(outcome) == 1 and isinstance(outcome[0], CardRemoved)
        assert outcome[0].code == "CARD_REMOVED"
        rig.emulator.read_delay_s = 0.0
        rig.place_card()
        assert rig.read_identity(T).name == SAMPLE_IDENTITY.name
    finally:
        rig.close()


def test_events_placed_replace_removed(rig: EmulatedGa467CardReader) -> None:
    events: list[CardEvent] = []
    rig.set_event_listener(events.append)
    rig.place_card()
    rig.read_identity(T)
    kinds = [e.kind for e in events]
    assert kinds == [CardEventKind.CARD_PLACED, CardEventKind.REPLACE_CARD]
    rig.remove_card()
    rig.reader.card_present()
    rig.reader.card_present()
    rig.place_card()
    assert rig.reader.card_present()
    assert events[-1].kind is CardEventKind.CARD_PLACED
    assert not rig.needs_replace


def test_removal_is_debounced() -> None:
    rig = EmulatedGa467CardReader.from_options({"auto_place": False, "pace": False})
    try:
        rig.reader.debounce = 3
        events: list[CardEvent] = []
        rig.set_event_listener(events.append)
        rig.place_card()
        assert rig.reader.card_present()
        rig.remove_card()
        assert rig.reader.card_present() and rig.reader.card_present()  # flicker tolerated
        assert not rig.reader.card_present()
        assert [e.kind for e in events] == [CardEventKind.CARD_PLACED, CardEventKind.CARD_REMOVED]
    finally:
        rig.close()


def test_appended_address_fingerprint_sam_id_and_baud() -> None:
    rig = EmulatedGa467CardReader.from_options(
        {"auto_place": True, "pace": False, "appended_address": "江苏省苏州市新区1号"}
    )
    try:
        assert rig.read_identity(T).appended_address == "江苏省苏州市新区1号"
        rig.reader.fingerprint = True
        assert rig.read_identity(T).name == SAMPLE_IDENTITY.name
        assert rig.reader.sam_id().startswith("05.01-")
        rig.reader.set_baud(57600)
        # The emulator switches its end after its answer has left, on its own thread (seen
        # behind by a moment on a loaded machine): bounded wait, then the read at the new rate.
        assert wait_until(lambda: rig.emulator.baud == 57600, T) and rig.reader.baud == 57600
        assert rig.read_identity(T).name == SAMPLE_IDENTITY.name
    finally:
        rig.close()


def test_missing_port_is_unavailable() -> None:
    reader = Ga467CardReader("/dev/does-not-exist", poll_s=0.02)
    with pytest.raises(ReaderUnavailable):
        reader.read_identity(0.1)
    assert reader.health().level is HealthLevel.DOWN


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({}, "port"),
        ({"port": "/dev/ttyUSB0", "baud": 1200}, "baud"),
        ({"port": "/dev/ttyUSB0", "poll_s": 0}, "poll_s"),
        ({"port": "/dev/ttyUSB0", "photo_decoder": "nope"}, "photo_decoder"),
        ({"port": "/dev/ttyUSB0", "colour": "red"}, "colour"),
    ],
)
def test_bad_options(options: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Ga467CardReader.from_options(options)


class _FakeDecoder:
    output_format = "bmp"

    def decode(self, data: bytes) -> bytes:
        return b"BM" + data[:10]


def fake_decoder() -> _FakeDecoder:
    return _FakeDecoder()


def test_photo_decoder_plugs_in() -> None:
    rig = EmulatedGa467CardReader.from_options({"pace": False})
    try:
        rig.reader.photo_decoder = Ga467CardReader.from_options(
            {"port": "x", "photo_decoder": f"{__name__}:fake_decoder"}
        ).photo_decoder
        identity = rig.read_identity(T)
        assert identity.photo_format == "bmp" and identity.photo.startswith(b"BM")
    finally:
        rig.close()
