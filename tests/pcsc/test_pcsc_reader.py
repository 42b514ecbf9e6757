"""The real PcscCardReader through Debian's pcscd + vpcd, against the virtual card."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

from drivers.card_reader.base import CardEvent, CardEventKind
from drivers.card_reader.mrz import MrzKey
from drivers.card_reader.pcsc_virtual import VirtualPcscCardReader
from drivers.card_reader.pcscd import PcscdProcess
from drivers.card_reader.vpcd_card import SAMPLE_MRZ_KEY, sample_card, wait_until
from drivers.errors import CardRemoved, MrzMismatch, MrzRequired, NoCard, ReaderUnavailable
from drivers.health import HealthLevel

T = 5.0


@pytest.fixture
def rig(pcscd: PcscdProcess) -> Iterator[VirtualPcscCardReader]:
    made = VirtualPcscCardReader.from_options({"start_pcscd": False, "card_present": False})
    yield made
    made.close()


def test_social_security_card(rig: VirtualPcscCardReader) -> None:
    rig.place_card()
    identity = rig.read_identity(T)
    assert identity.name == "张三丰" and identity.card_type == "social_security"


def test_atr_and_contactless_uid(rig: VirtualPcscCardReader) -> None:
    rig.place_card()
    info = rig.read_uid(T)
    assert info.uid == bytes.fromhex("04A23B7C")
    assert info.atr.startswith(b"\x3b") and info.reader == "Virtual PCD 00 00"


def test_emrtd_needs_the_mrz_then_reads_dg1_and_dg2(rig: VirtualPcscCardReader) -> None:
    rig.place_card(sample_card("emrtd"))
    with pytest.raises(MrzRequired) as caught:
        rig.read_identity(T)
    assert caught.value.code == "CARD_MRZ_REQUIRED"
    with pytest.raises(MrzMismatch):
        rig.read_identity(T, MrzKey("E12345678", "491231", "350102"))
    identity = rig.read_identity(T, SAMPLE_MRZ_KEY)
    assert (identity.name, identity.id_number, identity.nationality) == (
        "ZHANG SANFENG", "E12345678", "CHN",
    )  # fmt: skip
    assert identity.card_type == "emrtd" and identity.photo.startswith(b"\xff\xd8")
    stats = rig.reader.last_emrtd
    assert stats is not None and stats.apdus == 5 + sum(stats.file_apdus.values())


def test_card_removed_mid_read_then_retry(rig: VirtualPcscCardReader) -> None:
    rig.place_card()
    rig.peer.lift_after(4)  # in the middle of reading EF05
    with pytest.raises(CardRemoved):
        rig.read_identity(T)
    rig.remove_card()
    rig.place_card()
    assert rig.read_identity(T).name == "张三丰"


def test_no_card_times_out(rig: VirtualPcscCardReader) -> None:
    rig.remove_card()  # pcscd's view first: the slot is empty
    try:
        got = rig.read_identity(0.3)
    except NoCard:
        return
    # Seen when another worker's pcscd served the same vpcd port (tests/support/xdist_groups.py).
    pytest.fail(
        f"a {got.card_type} card was read with none placed (this rig's peer connected: "
        f"{rig.peer.connected}; pcscd owned by the tests: {rig.pcscd is not None})"
    )


def test_events_card_placed_and_removed(rig: VirtualPcscCardReader) -> None:
    events: list[CardEvent] = []
    lock = threading.Lock()

    def listen(event: CardEvent) -> None:
        with lock:
            events.append(event)

    def kinds() -> list[CardEventKind]:
        with lock:
            return [e.kind for e in events]

    rig.set_event_listener(listen)
    assert wait_until(lambda: CardEventKind.READER_ADDED in kinds(), T)
    rig.place_card()
    assert wait_until(lambda: CardEventKind.CARD_PLACED in kinds(), T)
    rig.remove_card()
    assert wait_until(lambda: kinds()[-1] is CardEventKind.CARD_REMOVED, T)
    rig.set_event_listener(None)


def test_pcscd_killed_and_restarted_mid_session(
    rig: VirtualPcscCardReader, pcscd: PcscdProcess
) -> None:
    if not pcscd.owned:
        pytest.skip("pcscd was started outside the tests; not killing it")
    rig.place_card()
    assert rig.read_identity(T).name == "张三丰"
    pcscd.kill()  # as a crash would
    with pytest.raises(ReaderUnavailable):
        rig.read_identity(0.3)
    assert rig.health().level is HealthLevel.DOWN
    pcscd.start()
    # The card peer reconnects to the new vpcd by itself (the card still lies on the reader);
    # the reader re-establishes its context without any restart of the app.
    rig.remove_card()
    rig.place_card()
    assert rig.read_identity(T).name == "张三丰"
    assert rig.health().level is HealthLevel.OK


def test_pcscd_restart_while_a_read_waits(rig: VirtualPcscCardReader, pcscd: PcscdProcess) -> None:
    if not pcscd.owned:
        pytest.skip("pcscd was started outside the tests; not killing it")
    outcome: list[object] = []

    def read() -> None:
        try:
            outcome.append(rig.read_identity(15.0))
        except Exception as exc:  # recorded for the assertion below
            outcome.append(exc)

    thread = threading.Thread(target=read)
    thread.start()
    pcscd.kill()
    pcscd.start()
    rig.place_card()
    thread.join(20)
    assert len(outcome) == 1 and getattr(outcome[0], "name", None) == "张三丰", outcome
