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
from drivers.card_reader.pcsc import CardInfo, PcscCardReader
from drivers.card_reader.pcscd import PcscdProcess
from drivers.card_reader.simulator import SAMPLE_IDENTITY, _identity_from_overrides
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
CARD_KINDS = ("ssc", "emrtd", "uid")


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
        known = {"card", "identity", "card_present", "start_pcscd", "mode", "max_le",
                 "max_response", "port"}  # fmt: skip
        unknown = sorted(set(options) - known)
        if unknown:
            raise ValueError(
                f"pcsc_virtual card reader: unknown option(s) {', '.join(unknown)}; "
                f"use any of: {', '.join(sorted(known))}"
            )
        kind = options.get("card", "ssc")
        if kind not in CARD_KINDS:
            raise ValueError(f"card reader option 'card' must be one of {', '.join(CARD_KINDS)}")
        overrides = options.get("identity")
        if overrides is not None and not isinstance(overrides, Mapping):
            raise ValueError("card reader option 'identity' must be a table of identity fields")
        identity = _identity_from_overrides(overrides) if overrides else SAMPLE_IDENTITY
        flags = {}
        for key, default in (("card_present", True), ("start_pcscd", True)):
            value = options.get(key, default)
            if not isinstance(value, bool):
                raise ValueError(f"card reader option {key!r} must be true or false")
            flags[key] = value
        max_response = options.get("max_response", 4096)
        if isinstance(max_response, bool) or not isinstance(max_response, int) or max_response < 64:
            raise ValueError("card reader option 'max_response' must be a whole number >= 64")
        port = options.get("port", VPCD_PORT)
        if port not in (VPCD_PORT, VPCD_PORT + 1):
            raise ValueError(f"card reader option 'port' must be {VPCD_PORT} or {VPCD_PORT + 1}")
        reader_options: dict[str, Any] = {
            "reader": VIRTUAL_READER if port == VPCD_PORT else "Virtual PCD 00 01",
            "mode": options.get("mode", "auto"),
        }
        if "max_le" in options:
            reader_options["max_le"] = options["max_le"]
        reader = PcscCardReader.from_options(reader_options)
        card = VirtualCard(
            social_security=identity if kind == "ssc" else None,
            emrtd_data=EmrtdData(max_response=max_response) if kind == "emrtd" else None,
        )
        pcscd = PcscdProcess().start() if flags["start_pcscd"] else None
        peer = VpcdCardPeer(port=port)
        made = cls(reader, peer, card, pcscd)
        if flags["card_present"]:
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
