"""Registry backend ``pcsc_virtual``: the real PcscCardReader against a virtual card on vpcd.

It starts pcscd if none is serving (`start_pcscd`, default true; Debian's pcscd with
vsmartcard-vpcd installed), connects a `VirtualCard` through `VpcdCardPeer`, and reads it
through the same `PcscCardReader` a real station uses — so the demo and the tests exercise
pyscard, pcscd and the driver end to end. Tests drive it like the simulator: `place_card`,
`remove_card`, `inject_fault`.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from typing import Any

from drivers.card_reader.base import CardEventListener, Identity
from drivers.card_reader.mrz import MrzKey
from drivers.card_reader.options import VirtualPcscCardReaderOptions
from drivers.card_reader.pcsc import CardInfo, PcscCardReader
from drivers.card_reader.pcscd import PcscdProcess
from drivers.card_reader.simulator import SAMPLE_IDENTITY, sample_with
from drivers.card_reader.vpcd_card import (
    VPCD_PORT,
    EmrtdData,
    VirtualCard,
    VpcdCardPeer,
)
from drivers.errors import CardReaderError, CardReadFailed, ReaderUnavailable
from drivers.health import Health

log = logging.getLogger(__name__)

VIRTUAL_READER = "Virtual PCD 00 00"  # vpcd reader 0, port 35963


class VirtualPcscCardReader:
    """pcscd (owned or shared) + a virtual card + the real PC/SC driver."""

    def __init__(
        self,
        reader: PcscCardReader,
        peer: VpcdCardPeer,
        card: VirtualCard,
        pcscd: PcscdProcess | None = None,
    ) -> None:
        self.reader = reader
        self.peer = peer
        self.card = card
        self.pcscd = pcscd
        self._inserted_at = -1  # pcscd's event count when the card was last seen placed

    @classmethod
    def from_options(cls, options: Mapping[str, Any]) -> VirtualPcscCardReader:
        """From `[devices.card_reader.options]`; DriverOptionsError names a bad option."""
        opts = VirtualPcscCardReaderOptions.parse(options)
        identity = sample_with(opts.identity)
        reader = PcscCardReader(
            reader_filter=VIRTUAL_READER if opts.port == VPCD_PORT else "Virtual PCD 00 01",
            mode=opts.mode,
            max_le=opts.max_le,
        )
        card = VirtualCard(
            social_security=identity if opts.card == "ssc" else None,
            emrtd_data=EmrtdData(max_response=opts.max_response) if opts.card == "emrtd" else None,
        )
        pcscd = PcscdProcess().start() if opts.start_pcscd else None
        peer = VpcdCardPeer(port=opts.port)
        made = cls(reader, peer, card, pcscd)
        if opts.card_present:
            made.place_card()
        return made

    # -- driving ----------------------------------------------------------------------------------

    @property
    def sample_identity(self) -> Identity:
        return SAMPLE_IDENTITY

    def place_card(self, card: VirtualCard | None = None) -> None:
        """Insert the card and wait (up to 3 s) until pcscd reports it present."""
        if card is not None:
            self.card = card
        self.peer.insert(self.card)
        self._wait_for_state(present=True)

    def remove_card(self) -> None:
        """Lift the card and wait until pcscd has noticed.

        pcscd polls vpcd for presence every ~0.4 s; a card lifted and another placed between two
        polls is never seen to leave, and pcscd keeps the slot "present but mute" with the new
        card unpowered — a swap faster than any hand, so the harness waits it out.
        """
        self.peer.remove()
        self._wait_for_state(present=False, newer_than=self._inserted_at)

    def _wait_for_state(
        self, *, present: bool, newer_than: int = -1, timeout_s: float = 3.0
    ) -> bool:
        """Wait for pcscd's view of the slot. `newer_than`: an event count it must exceed.

        The upper 16 bits of a reader's event state count insertions and removals; after a
        failed transaction pcscd may briefly report "not present" without having seen the
        card go, so a removal only counts once that counter has moved.
        """
        from smartcard import scard

        hresult, context = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
        if hresult != scard.SCARD_S_SUCCESS:
            return False
        try:
            deadline = time.monotonic() + timeout_s
            states = [(self.reader.reader_filter, scard.SCARD_STATE_UNAWARE)]
            while time.monotonic() < deadline:
                hresult, new_states = scard.SCardGetStatusChange(context, 100, states)
                if hresult == scard.SCARD_S_SUCCESS:
                    event = new_states[0][1]
                    there = bool(event & scard.SCARD_STATE_PRESENT)
                    counted = (event >> 16) > newer_than
                    # In: present and answering. Out: gone altogether — a mute card is still
                    # "there" to pcscd, and a new card would be left unpowered behind it.
                    if present and there and not event & scard.SCARD_STATE_MUTE:
                        self._inserted_at = event >> 16
                        return True
                    if not present and not there and counted:
                        return True
                    states = [(n, e & ~scard.SCARD_STATE_CHANGED) for n, e, _a in new_states]
                elif hresult & 0xFFFFFFFF != scard.SCARD_E_TIMEOUT & 0xFFFFFFFF:
                    return False
            log.warning("pcscd did not report the virtual card %s", "in" if present else "out")
            return False
        finally:
            scard.SCardReleaseContext(context)

    def inject_fault(self, fault: type[CardReaderError] = CardReadFailed) -> None:
        """CardReadFailed (and CardRemoved): the card is lifted in the middle of the next read."""
        if not (isinstance(fault, type) and issubclass(fault, CardReaderError)):
            raise TypeError(f"inject_fault needs a CardReaderError subclass, not {fault!r}")
        if issubclass(fault, CardReadFailed):
            self.peer.lift_after(2)  # after SELECT DDF and SELECT EF05: mid-read
        elif issubclass(fault, ReaderUnavailable):
            raise TypeError("stop pcscd (PcscdProcess.kill) to make the reader unavailable")
        else:
            raise TypeError(f"no virtual fault produces {fault.__name__}")

    # -- CardReader ------------------------------------------------------------------------------

    def read_identity(self, timeout_s: float, mrz: MrzKey | None = None) -> Identity:
        return self.reader.read_identity(timeout_s, mrz)

    def read_uid(self, timeout_s: float) -> CardInfo:
        return self.reader.read_uid(timeout_s)

    def set_event_listener(self, listener: CardEventListener | None) -> None:
        self.reader.set_event_listener(listener)

    def health(self) -> Health:
        return self.reader.health()

    def close(self) -> None:
        self.reader.close()
        self.remove_card()
        if self.pcscd is not None:
            self.pcscd.stop()
