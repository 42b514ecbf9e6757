"""PC/SC cards through pyscard and pcscd: social security cards, eMRTDs, contactless UIDs.

`PcscCardReader` is the CardReader backend for PC/SC readers (contact and contactless). It waits
for a card with SCardGetStatusChange in short slices (so `close()` and a vanished pcscd are
noticed), connects, and reads by `mode`:

- ``auto`` (default): a social security card if the 社保 DDF selects, else an eMRTD (which needs
  the MRZ key: without one the read raises MrzRequired and the UI asks for it);
- ``ssc`` / ``emrtd``: only that kind.

`read_uid` returns ATR + contactless UID (``FF CA 00 00 00``) for the technician screen. A
`CardEventListener` set with `set_event_listener` gets reader plugged/unplugged and card
placed/lifted events from a monitor thread with its own PC/SC context.

Recovery: when pcscd stops or restarts, every call on the old context fails with
SCARD_E_NO_SERVICE / SCARD_E_SERVICE_STOPPED / SCARD_E_INVALID_HANDLE (or, from the new pcscd,
SCARD_W_SECURITY_VIOLATION "Access denied" for the old context). The context is then
released and re-established (every 0.25 s while a read waits), so the reader comes back without
restarting the kiosk. pyscard is imported only here; its failures become drivers.errors.

T=0 quirk: many social security cards are T=0 and answer 61xx ("more data, ask with GET
RESPONSE") or 6Cxx ("wrong Le, use xx"); `_transmit` follows both so the card logic never sees
them.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from smartcard import scard

from drivers.card_reader import emrtd as emrtd_mod
from drivers.card_reader import ssc as ssc_mod
from drivers.card_reader.base import CardEvent, CardEventKind, CardEventListener, Identity
from drivers.card_reader.mrz import MrzKey, yymmdd_to_date
from drivers.card_reader.options import PcscCardReaderOptions
from drivers.errors import (
    CardReaderError,
    CardReadFailed,
    CardRemoved,
    CardUnsupported,
    MrzRequired,
    NoCard,
    ReaderUnavailable,
)
from drivers.health import Health

log = logging.getLogger(__name__)

MODES = ("auto", "ssc", "emrtd")
SLICE_S = 0.25


def _u32(hresult: int) -> int:
    return hresult & 0xFFFFFFFF


_SERVICE_LOST = {
    _u32(scard.SCARD_E_NO_SERVICE),
    _u32(scard.SCARD_E_SERVICE_STOPPED),
    _u32(scard.SCARD_E_INVALID_HANDLE),
    _u32(scard.SCARD_F_COMM_ERROR),
}
_ACCESS_DENIED = _u32(scard.SCARD_W_SECURITY_VIOLATION)
_CARD_GONE = {
    _u32(scard.SCARD_W_REMOVED_CARD),
    _u32(scard.SCARD_E_NO_SMARTCARD),
    _u32(scard.SCARD_W_RESET_CARD),
    _u32(scard.SCARD_E_NOT_TRANSACTED),
    _u32(scard.SCARD_W_UNPOWERED_CARD),
    _u32(scard.SCARD_E_READER_UNAVAILABLE),
}
_NO_READERS = {_u32(scard.SCARD_E_NO_READERS_AVAILABLE)}
_TIMEOUT = _u32(scard.SCARD_E_TIMEOUT)
_OK = scard.SCARD_S_SUCCESS


class _ServiceLost(Exception):
    """pcscd went away under a context (internal)."""


def _text(hresult: int) -> str:
    try:
        return str(scard.SCardGetErrorMessage(hresult))
    except Exception:  # pyscard raises odd types for unknown codes
        return f"0x{_u32(hresult):08X}"


@dataclass(frozen=True, slots=True)
class CardInfo:
    """Technician view of a card: not personal data (the UID is a chip serial)."""

    reader: str
    atr: bytes
    uid: bytes | None = field(default=None)


class PcscCardReader:
    """CardReader over PC/SC. Thread-safe; one read at a time."""

    def __init__(
        self,
        *,
        reader_filter: str = "",
        mode: str = "auto",
        max_le: int | None = None,
        read_photo: bool = True,
    ) -> None:
        if mode not in MODES:
            raise ValueError(f"pcsc card reader option 'mode' must be one of {', '.join(MODES)}")
        self.reader_filter = reader_filter
        self.mode = mode
        self.max_le = max_le
        self.read_photo = read_photo
        self._io = threading.Lock()
        self._closed = threading.Event()
        self._context: int | None = None
        self._health = Health.ok()
        self._monitor: _Monitor | None = None
        self.last_emrtd: emrtd_mod.EmrtdRead | None = None  # stats for the benchmark
        self._answered = 0  # APDUs answered on the current connection

    @classmethod
    def from_options(cls, options: Mapping[str, Any]) -> PcscCardReader:
        """From `[devices.card_reader.options]`; DriverOptionsError names a bad option."""
        opts = PcscCardReaderOptions.parse(options)
        return cls(
            reader_filter=opts.reader,
            mode=opts.mode,
            max_le=opts.max_le,
            read_photo=opts.read_photo,
        )

    # -- public API ---------------------------------------------------------------------------

    def read_identity(self, timeout_s: float, mrz: MrzKey | None = None) -> Identity:
        """Wait for a card and read it. For an eMRTD pass `mrz`; without it MrzRequired."""
        try:
            with self._io:
                identity: Identity = self._with_card(
                    timeout_s, lambda h, p, r: self._identify(h, p, mrz)
                )
        except CardReaderError as exc:
            self._note_failure(exc)
            log.info("read failed: %s", exc.code)
            raise
        self._health = Health.ok()
        log.info("read ok (card_type=%s)", identity.card_type)
        return identity

    def read_uid(self, timeout_s: float) -> CardInfo:
        """ATR and contactless UID of the next card (UID None if the reader has none)."""
        with self._io:
            info: CardInfo = self._with_card(timeout_s, self._card_info)
            return info

    def set_event_listener(self, listener: CardEventListener | None) -> None:
        """Start (or with None stop) the monitor thread that reports CardEvents."""
        if self._monitor is not None:
            self._monitor.stop()
            self._monitor = None
        if listener is not None and not self._closed.is_set():
            self._monitor = _Monitor(self.reader_filter, listener)
            self._monitor.start()

    def readers(self) -> list[str]:
        """Reader names matching the filter (re-establishing the context if needed)."""
        with self._io:
            try:
                return self._list_readers(self._ensure_context())
            except _ServiceLost as exc:
                self._drop_context()
                raise ReaderUnavailable("pcscd is not running") from exc

    def health(self) -> Health:
        if self._closed.is_set():
            return Health.down(ReaderUnavailable.code, "closed")
        return self._health

    def close(self) -> None:
        self._closed.set()
        if self._monitor is not None:
            self._monitor.stop()
            self._monitor = None
        with self._io:
            self._drop_context()
        log.info("closed")

    # -- context and waiting ----------------------------------------------------------------------

    def _ensure_context(self) -> int:
        if self._context is not None:
            return self._context
        try:
            hresult, context = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
        except scard.error as exc:
            raise _ServiceLost(str(exc)) from exc
        if hresult != _OK:
            raise _ServiceLost(_text(hresult))
        self._context = int(context)
        log.info("PC/SC context established")
        return self._context

    def _drop_context(self) -> None:
        context, self._context = self._context, None
        if context is not None:
            try:
                scard.SCardReleaseContext(context)
            except scard.error:
                log.debug("releasing a dead PC/SC context failed")

    def _list_readers(self, context: int) -> list[str]:
        hresult, names = scard.SCardListReaders(context, [])
        code = _u32(hresult)
        if code in _NO_READERS:
            return []
        if code in _SERVICE_LOST or code == _ACCESS_DENIED:  # see _card_reader
            raise _ServiceLost(_text(hresult))
        if hresult != _OK:
            raise ReaderUnavailable(f"listing readers failed: {_text(hresult)}")
        return [n for n in names if self.reader_filter in n]

    def _with_card(self, timeout_s: float, action: Any) -> Any:
        """Wait for a card, connect, run action(handle, protocol, reader), disconnect."""
        deadline = time.monotonic() + max(0.0, timeout_s)
        saw_reader = False
        while True:
            if self._closed.is_set():
                raise ReaderUnavailable("card reader closed")
            try:
                context = self._ensure_context()
                reader = self._card_reader(context, min(deadline, time.monotonic() + SLICE_S))
            except _ServiceLost as exc:
                self._drop_context()
                self._health = Health.down(ReaderUnavailable.code, "pcscd not running")
                if time.monotonic() >= deadline:
                    raise ReaderUnavailable(f"pcscd is not running or refuses us: {exc}") from exc
                self._closed.wait(min(SLICE_S, max(0.0, deadline - time.monotonic())))
                continue
            if isinstance(reader, str):
                try:
                    return self._connected(context, reader, action)
                except _CardVanished:
                    pass  # lifted between seeing it and connecting: keep waiting
                except _ServiceLost as exc:
                    self._drop_context()
                    raise ReaderUnavailable("pcscd went away during the read") from exc
            saw_reader = saw_reader or reader is not _NO_READER
            if time.monotonic() >= deadline:
                if not saw_reader:
                    raise ReaderUnavailable("no PC/SC reader connected")
                raise NoCard(f"no card within {timeout_s:g} s")

    def _card_reader(self, context: int, until: float) -> str | object | None:
        """A reader with a card, None if none yet, _NO_READER if no reader; waits until `until`."""
        readers = self._list_readers(context)
        if not readers:
            self._closed.wait(max(0.0, until - time.monotonic()))
            return _NO_READER
        states = [(name, scard.SCARD_STATE_UNAWARE) for name in readers]
        # First ask for the current state (timeout 0), then wait for a change until `until`.
        for timeout_s in (0.0, None):
            wait_ms = 0 if timeout_s == 0.0 else max(0, int((until - time.monotonic()) * 1000))
            hresult, new_states = scard.SCardGetStatusChange(context, wait_ms, states)
            code = _u32(hresult)
            if code in _SERVICE_LOST or code == _ACCESS_DENIED:
                # "Access denied" comes from a restarted pcscd asked about a context the one
                # before it made (seen while a read waited across a restart): a fresh context
                # is the cure, as for a lost service. Should pcscd really refuse this user,
                # every fresh context hears the same and the read ends with its reason.
                raise _ServiceLost(_text(hresult))
            if code == _TIMEOUT:
                return None
            if hresult != _OK:
                if code in _CARD_GONE or code == _u32(scard.SCARD_E_UNKNOWN_READER):
                    return None  # a reader vanished while we looked: list again next slice
                raise ReaderUnavailable(f"waiting for a card failed: {_text(hresult)}")
            for name, event_state, _atr in new_states:
                mute = event_state & scard.SCARD_STATE_MUTE
                if event_state & scard.SCARD_STATE_PRESENT and not mute:
                    return str(name)
            states = [(name, event & ~scard.SCARD_STATE_CHANGED) for name, event, _a in new_states]
        return None

    def _connected(self, context: int, reader: str, action: Any) -> Any:
        try:
            hresult, handle, protocol = scard.SCardConnect(
                context,
                reader,
                scard.SCARD_SHARE_SHARED,
                scard.SCARD_PROTOCOL_T0 | scard.SCARD_PROTOCOL_T1,
            )
        except scard.error as exc:
            raise ReaderUnavailable("SCardConnect failed") from exc
        code = _u32(hresult)
        if code in _SERVICE_LOST:
            raise _ServiceLost(_text(hresult))
        if code in _CARD_GONE:
            raise _CardVanished
        if hresult != _OK:
            raise CardReadFailed(f"connecting to the card failed: {_text(hresult)}")
        self._answered = 0
        try:
            return action(handle, protocol, reader)
        except CardRemoved as exc:
            if self._answered == 0:
                # Quirk: a card swapped within pcscd's ~0.4 s presence poll connects "fine" and
                # fails its first APDU; that is the old card going, not a read failing.
                raise _CardVanished from exc
            raise
        finally:
            try:
                # RESET: the next session starts fresh (an eMRTD's BAC session must not linger).
                scard.SCardDisconnect(handle, scard.SCARD_RESET_CARD)
            except scard.error:
                log.debug("disconnect failed")

    # -- talking to the card ----------------------------------------------------------------------

    def _transmit(self, handle: int, protocol: int, apdu: bytes) -> bytes:
        for _ in range(8):  # bounded: a broken card must not loop us forever
            try:
                hresult, response = scard.SCardTransmit(handle, protocol, list(apdu))
            except scard.error as exc:
                raise CardReadFailed("SCardTransmit failed") from exc
            code = _u32(hresult)
            if code in _SERVICE_LOST:
                raise _ServiceLost(_text(hresult))
            if code in _CARD_GONE:
                raise CardRemoved(f"card left the reader: {_text(hresult)}")
            if hresult != _OK:
                raise CardReadFailed(f"transmit failed: {_text(hresult)}")
            data = bytes(response)
            if len(data) < 2:
                # vpcd (and some contactless readers) return an empty answer when the card
                # leaves the field mid-APDU instead of an error code.
                raise CardRemoved("card gave no answer (lifted mid-read?)")
            self._answered += 1
            if len(data) == 2 and data[0] == 0x61:
                apdu = bytes([0x00, 0xC0, 0x00, 0x00, data[1]])  # GET RESPONSE
                continue
            if len(data) == 2 and data[0] == 0x6C and len(apdu) >= 5:
                apdu = apdu[:-1] + bytes([data[1]])  # same command with the Le it asked for
                continue
            return data
        raise CardReadFailed("card keeps asking for GET RESPONSE")

    def _identify(self, handle: int, protocol: int, mrz: MrzKey | None) -> Identity:
        def transmit(apdu: bytes) -> bytes:
            return self._transmit(handle, protocol, apdu)

        if self.mode in ("auto", "ssc") and ssc_mod.select_ssc(transmit):
            return ssc_mod.read_social_security(transmit, selected=True)
        if self.mode == "ssc":
            raise CardUnsupported("not a social security card")
        if mrz is None:
            reader = emrtd_mod.EmrtdReader(transmit, max_le=self.max_le)
            if reader.is_emrtd():
                raise MrzRequired("eMRTD chip: document number, birth and expiry dates needed")
            raise CardUnsupported("neither a social security card nor an eMRTD")
        reader = emrtd_mod.EmrtdReader(transmit, max_le=self.max_le)
        result = reader.read(mrz, photo=self.read_photo)
        self.last_emrtd = result
        data = result.mrz
        return Identity(
            name=f"{data.surname} {data.given_names}".strip(),
            id_number=data.document_number,
            sex={"M": "男", "F": "女"}.get(data.sex, ""),
            birth_date=yymmdd_to_date(data.birth_date, future=False),
            issuer=data.issuing_state,
            valid_to=yymmdd_to_date(data.expiry_date, future=True),
            card_type="emrtd",
            photo=result.photo,
            photo_format=result.photo_format,
            english_name=f"{data.surname} {data.given_names}".strip(),
            nationality=data.nationality,
        )

    def _card_info(self, handle: int, protocol: int, reader: str) -> CardInfo:
        try:
            hresult, _name, _state, _proto, atr = scard.SCardStatus(handle)
        except scard.error as exc:
            raise CardReadFailed("SCardStatus failed") from exc
        if hresult != _OK:
            raise CardReadFailed(f"card status failed: {_text(hresult)}")
        response = self._transmit(handle, protocol, bytes([0xFF, 0xCA, 0x00, 0x00, 0x00]))
        uid = response[:-2] if response[-2:] == b"\x90\x00" else None
        return CardInfo(reader, bytes(atr), uid)

    def _note_failure(self, exc: CardReaderError) -> None:
        if isinstance(exc, ReaderUnavailable):
            self._health = Health.down(exc.code, str(exc))
        elif isinstance(exc, CardReadFailed):
            self._health = Health.degraded(exc.code, "last read failed")


class _CardVanished(Exception):
    """The card went between seeing it and connecting (internal: keep waiting)."""


_NO_READER = object()


class _Monitor:
    """Reports reader and card changes from its own thread and PC/SC context."""

    def __init__(self, reader_filter: str, listener: CardEventListener) -> None:
        self._filter = reader_filter
        self._listener = listener
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="pcsc-monitor", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive() and self._thread is not threading.current_thread():
            self._thread.join(5)

    def _emit(self, kind: CardEventKind, reader: str) -> None:
        try:
            self._listener(CardEvent(kind, reader))
        except Exception:
            log.exception("card event listener failed")

    def _run(self) -> None:
        context: int | None = None
        known: dict[str, bool] = {}  # reader -> card present
        while not self._stop.is_set():
            try:
                if context is None:
                    hresult, context = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
                    if hresult != _OK:
                        context = None
                        raise _ServiceLost(_text(hresult))
                hresult, names = scard.SCardListReaders(context, [])
                code = _u32(hresult)
                if code in _SERVICE_LOST:
                    raise _ServiceLost(_text(hresult))
                readers = [n for n in names if self._filter in n] if hresult == _OK else []
                for gone in sorted(set(known) - set(readers)):
                    del known[gone]
                    self._emit(CardEventKind.READER_REMOVED, gone)
                for new in readers:
                    if new not in known:
                        known[new] = False
                        self._emit(CardEventKind.READER_ADDED, new)
                if not readers:
                    self._stop.wait(SLICE_S * 2)
                    continue
                states = [(n, scard.SCARD_STATE_UNAWARE) for n in readers]
                hresult, new_states = scard.SCardGetStatusChange(context, 0, states)
                if _u32(hresult) in _SERVICE_LOST:
                    raise _ServiceLost(_text(hresult))
                if hresult == _OK:
                    for name, event_state, _atr in new_states:
                        present = bool(event_state & scard.SCARD_STATE_PRESENT)
                        if known.get(name) != present:
                            known[name] = present
                            kind = (
                                CardEventKind.CARD_PLACED if present else CardEventKind.CARD_REMOVED
                            )
                            self._emit(kind, name)
                    wait_states = [(n, e & ~scard.SCARD_STATE_CHANGED) for n, e, _a in new_states]
                    scard.SCardGetStatusChange(context, int(SLICE_S * 1000), wait_states)
            except (_ServiceLost, scard.error):
                if context is not None:
                    with contextlib.suppress(scard.error):
                        scard.SCardReleaseContext(context)
                    context = None
                for gone in sorted(known):
                    self._emit(CardEventKind.READER_REMOVED, gone)
                known.clear()
                self._stop.wait(SLICE_S)
        if context is not None:
            with contextlib.suppress(scard.error):
                scard.SCardReleaseContext(context)
