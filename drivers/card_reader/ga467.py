"""China resident ID card readers (GA/T 467-2019 host protocol) over serial or USB-serial.

`Ga467CardReader` is the CardReader backend for the readers stations buy (Huashi, Synjones,
Kaer, ... all speak the same frames at 115200 8N1). A read is find card (20 01) -> select card
(20 02) -> read text+photo (30 01), optionally the appended address (30 03); codec and status
table live in `ga467_codec`. pyserial is imported only here; its exceptions become
ReaderUnavailable at this boundary.

Hardware quirks this module handles:
- Find-card is polled no faster than every 300 ms by default: faster polling makes several
  readers' SAM miss the card that is being placed (and heats the RF field for nothing).
- After any read, successful or not, the card sits in the "active" ISO 14443-B state and no
  longer answers find-card; it has to be lifted and placed again (`needs_replace`, and a
  REPLACE_CARD event) — the UI shows "remove and re-place the card".
- Line noise (a USB-serial bridge re-enumerating, a reader booting) shows up as junk before a
  preamble, short frames and bad checksums: the decoder resynchronises, and a command whose
  answer was garbled is sent again (`retries`) before ReaderLinkError surfaces.
"""

from __future__ import annotations

import importlib
import logging
import threading
import time
from collections.abc import Mapping
from typing import Any

import serial

from drivers.card_reader import ga467_codec as codec
from drivers.card_reader.base import (
    CardEvent,
    CardEventKind,
    CardEventListener,
    Identity,
    PhotoDecoder,
)
from drivers.card_reader.options import MIN_POLL_S, Ga467CardReaderOptions
from drivers.errors import (
    CardReaderError,
    CardReadFailed,
    NoCard,
    ReaderLinkError,
    ReaderUnavailable,
)
from drivers.health import Health

log = logging.getLogger(__name__)

DEFAULT_BAUD = 115200


class _NoAnswer(Exception):
    """Nothing at all came back before the deadline (internal; becomes ReaderUnavailable)."""


class Ga467CardReader:
    """CardReader for a GA/T 467 reader on a serial port. Thread-safe; one read at a time.

    `transport` lets tests hand in an already opened `serial.Serial`-like object; normally the
    port is opened on first use and reopened after an I/O error (USB replug) on the next read.
    """

    def __init__(
        self,
        port: str,
        *,
        baud: int = DEFAULT_BAUD,
        poll_s: float = 0.3,
        answer_timeout_s: float = 3.0,
        retries: int = 1,
        debounce: int = 2,
        fingerprint: bool = False,
        appended_address: bool = False,
        photo_decoder: PhotoDecoder | None = None,
        check_sam: bool = True,
    ) -> None:
        if baud not in codec.BAUD_CODES:
            raise ValueError(f"card reader option 'baud' must be one of {sorted(codec.BAUD_CODES)}")
        if poll_s < MIN_POLL_S:
            raise ValueError(f"card reader option 'poll_s' must be >= {MIN_POLL_S}")
        if answer_timeout_s <= 0:
            raise ValueError("card reader option 'answer_timeout_s' must be > 0")
        if retries < 0 or debounce < 1:
            raise ValueError("card reader options 'retries' >= 0 and 'debounce' >= 1")
        self.port_name = port
        self.baud = baud
        self.poll_s = poll_s
        self.answer_timeout_s = answer_timeout_s
        self.retries = retries
        self.debounce = debounce
        self.fingerprint = fingerprint
        self.appended_address = appended_address
        self.photo_decoder = photo_decoder
        self.check_sam = check_sam
        self._port: serial.Serial | None = None
        self._io = threading.RLock()
        self._closed = threading.Event()
        self._state = threading.Lock()
        self._health = Health.ok()
        self._listener: CardEventListener | None = None
        self._present = False  # debounced presence as last reported
        self._streak = 0  # consecutive find results disagreeing with _present
        self._needs_replace = False
        self._sam_checked = False
        # Wire accounting for the benchmark: bytes each way since the last reset_stats().
        self.bytes_out = 0
        self.bytes_in = 0
        self.commands = 0

    @classmethod
    def from_options(cls, options: Mapping[str, Any]) -> Ga467CardReader:
        """From `[devices.card_reader.options]`; DriverOptionsError names a bad option."""
        opts = Ga467CardReaderOptions.parse(options)
        decoder = None
        if opts.photo_decoder:
            try:
                decoder = load_photo_decoder(opts.photo_decoder)
            except ValueError as exc:
                raise Ga467CardReaderOptions.fail(
                    "photo_decoder", str(exc), "'package.module:factory' returning a PhotoDecoder"
                ) from exc
        return cls(
            opts.port,
            baud=opts.baud,
            poll_s=opts.poll_s,
            answer_timeout_s=opts.answer_timeout_s,
            retries=opts.retries,
            debounce=opts.debounce,
            fingerprint=opts.fingerprint,
            appended_address=opts.appended_address,
            photo_decoder=decoder,
            check_sam=opts.check_sam,
        )

    # -- public API ---------------------------------------------------------------------------

    def set_event_listener(self, listener: CardEventListener | None) -> None:
        """Receive CardEvents (placed, removed, replace_card) on the reading thread."""
        self._listener = listener

    @property
    def needs_replace(self) -> bool:
        """True after a read until the card has been lifted and placed again."""
        return self._needs_replace

    def read_identity(self, timeout_s: float) -> Identity:
        try:
            identity = self._read(timeout_s)
        except CardReaderError as exc:
            self._note_failure(exc)
            log.info("read failed: %s", exc.code)
            raise
        with self._state:
            self._health = Health.ok()
        log.info("read ok (card_type=%s)", identity.card_type)
        return identity

    def card_present(self) -> bool:
        """One find-card poll through the debounce filter; True while a card is (still) there."""
        found = self._find_card()
        self._observe_presence(found)
        return self._present

    def find_card(self) -> bool:
        """One raw find-card (20 01): True on SW3 0x9F, False on 0x80."""
        return self._find_card()

    def sam_status(self) -> None:
        """SAM status (11 FF); raises ReaderFault if the security module reports a fault."""
        self._ok_or_raise(self._transact(codec.SAM_STATUS), "SAM status")

    def sam_id(self) -> str:
        """The SAM id (12 FF) as printed on readers; for the technician screen."""
        response = self._transact(codec.SAM_ID)
        self._ok_or_raise(response, "SAM id")
        return codec.format_sam_id(response.data)

    def set_baud(self, baud: int) -> None:
        """Switch reader and port to `baud` (60 n). The reader forgets it at power-off."""
        code = codec.BAUD_CODES.get(baud)
        if code is None:
            raise ValueError(f"baud must be one of {sorted(codec.BAUD_CODES)}")
        with self._io:
            response = self._transact(bytes([codec.SET_BAUD, code]))
            self._ok_or_raise(response, "set baud")
            port = self._open()
            try:
                port.baudrate = baud
            except (serial.SerialException, OSError, ValueError) as exc:
                self._drop_port()
                raise ReaderUnavailable(f"cannot switch {self.port_name} to {baud}") from exc
            self.baud = baud
        log.info("reader baud set to %d", baud)

    def reset_stats(self) -> None:
        self.bytes_out = self.bytes_in = self.commands = 0

    def health(self) -> Health:
        if self._closed.is_set():
            return Health.down(ReaderUnavailable.code, "closed")
        with self._state:
            return self._health

    def close(self) -> None:
        """Stop; a read waiting on another thread wakes within one command and raises."""
        self._closed.set()
        with self._io:
            self._drop_port()
        log.info("closed")

    # -- the read -----------------------------------------------------------------------------

    def _read(self, timeout_s: float) -> Identity:
        self._raise_if_closed()
        deadline = time.monotonic() + max(0.0, timeout_s)
        if self.check_sam and not self._sam_checked:
            self.sam_status()
            self._sam_checked = True
        while True:
            found = self._find_card()
            self._observe_presence(found)
            if found:
                break
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise NoCard(f"no card within {timeout_s:g} s")
            if self._closed.wait(min(self.poll_s, remaining)):
                self._raise_if_closed()
        # From here on the card is "used": whatever happens it must be lifted before next time.
        self._needs_replace = True
        try:
            self._ok_or_raise(self._transact(codec.SELECT_CARD), "select card")
            command = (
                codec.READ_TEXT_PHOTO_FINGERPRINT if self.fingerprint else codec.READ_TEXT_PHOTO
            )
            response = self._transact(command)
            self._ok_or_raise(response, "read card")
            record = codec.parse_read_payload(response.data, with_fingerprint=self.fingerprint)
            identity = codec.decode_text_block(record.text, record.photo)
            if self.appended_address:
                identity = self._with_appended_address(identity)
        finally:
            self._emit(CardEventKind.REPLACE_CARD)
        return self._decode_photo(identity)

    def _with_appended_address(self, identity: Identity) -> Identity:
        import dataclasses

        response = self._transact(codec.READ_APPENDED_ADDRESS)
        if response.sw3 == codec.Sw3.NO_CONTENT:
            return identity
        self._ok_or_raise(response, "read appended address")
        return dataclasses.replace(
            identity, appended_address=codec.decode_appended_address(response.data)
        )

    def _decode_photo(self, identity: Identity) -> Identity:
        if self.photo_decoder is None or not identity.photo:
            return identity
        import dataclasses

        try:
            image = self.photo_decoder.decode(identity.photo)
        except ValueError:
            # The identity is still good without a viewable photo; the vendor decoder's
            # message may quote data, so only the fact is logged.
            log.warning("photo decoder could not decode the card photo; kept as WLT")
            return identity
        return dataclasses.replace(
            identity, photo=image, photo_format=self.photo_decoder.output_format
        )

    def _find_card(self) -> bool:
        response = self._transact(codec.FIND_CARD)
        if response.sw3 == codec.Sw3.FOUND:
            return True
        if response.sw3 == codec.Sw3.NO_CARD:
            return False
        self._ok_or_raise(response, "find card")
        return True  # 0x90 from a few firmwares instead of 0x9F

    def _observe_presence(self, found: bool) -> None:
        if found:
            # A read-out card never answers find-card, so an answer means a fresh placement.
            self._needs_replace = False
        if found == self._present:
            self._streak = 0
            return
        self._streak += 1
        # A card slid onto the reader flickers between found/not found for a poll or two, so
        # "removed" needs `debounce` polls in a row; "placed" is acted on at once (it is
        # confirmed by select card anyway).
        if found or self._streak >= self.debounce:
            self._present = found
            self._streak = 0
            if found:
                self._emit(CardEventKind.CARD_PLACED)
            elif not self._needs_replace:
                # After a read the card goes silent whether lifted or not: no claim then.
                self._emit(CardEventKind.CARD_REMOVED)

    def _emit(self, kind: CardEventKind) -> None:
        listener = self._listener
        if listener is None:
            return
        try:
            listener(CardEvent(kind, self.port_name))
        except Exception:  # a broken listener must not break reading
            log.exception("card event listener failed")

    # -- frames on the wire -------------------------------------------------------------------

    def _ok_or_raise(self, response: codec.Response, context: str) -> None:
        if not response.ok:
            raise codec.error_for_sw3(response.sw3, context)

    def _transact(self, cmd_para: bytes, data: bytes = b"") -> codec.Response:
        """Send one command, return its parsed response; resend on a garbled exchange."""
        frame = codec.encode_command(cmd_para, data)
        with self._io:
            self._raise_if_closed()
            last: Exception | None = None
            for attempt in range(self.retries + 1):
                port = self._open()
                try:
                    # Drop what is left of an earlier, abandoned answer before asking again.
                    port.reset_input_buffer()
                    port.write(frame)
                    self.bytes_out += len(frame)
                    self.commands += 1
                    body = self._read_frame(port, time.monotonic() + self.answer_timeout_s)
                    response = codec.parse_response_body(body)
                except (serial.SerialException, OSError) as exc:
                    self._drop_port()
                    raise ReaderUnavailable(f"serial I/O on {self.port_name} failed") from exc
                except (ReaderLinkError, _NoAnswer) as exc:
                    last = exc
                    log.warning(
                        "reader exchange %s failed (attempt %d): %s",
                        cmd_para.hex(),
                        attempt + 1,
                        exc,
                    )
                    continue
                if response.sw3 in (codec.Sw3.CHECKSUM_ERROR, codec.Sw3.LENGTH_ERROR):
                    # The reader saw our frame garbled on the line: just send it again.
                    last = codec.error_for_sw3(response.sw3, cmd_para.hex())
                    continue
                return response
            if isinstance(last, _NoAnswer):
                raise ReaderUnavailable(f"reader on {self.port_name} does not answer") from last
            assert isinstance(last, CardReaderError)
            raise last

    def _read_frame(self, port: serial.Serial, deadline: float) -> bytes:
        decoder = codec.FrameDecoder()
        while True:
            body = decoder.feed(b"")
            if body is not None:
                return body
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                if decoder.pending or decoder.skipped:
                    raise ReaderLinkError("reader frame cut short or unreadable")
                raise _NoAnswer("no answer")
            # Block for exactly what the frame in progress still needs: one wakeup per frame
            # part rather than per byte (1295 bytes of a read arrive in ~113 ms at 115200).
            port.timeout = remaining
            chunk = port.read(decoder.needed())
            self.bytes_in += len(chunk)
            if chunk:
                body = decoder.feed(chunk)
                if body is not None:
                    return body

    def _open(self) -> serial.Serial:
        if self._port is not None:
            return self._port
        try:
            self._port = serial.Serial(
                self.port_name,
                self.baud,
                bytesize=serial.EIGHTBITS,
                parity=serial.PARITY_NONE,
                stopbits=serial.STOPBITS_ONE,
                timeout=self.answer_timeout_s,
                write_timeout=self.answer_timeout_s,
            )
        except (serial.SerialException, OSError, ValueError) as exc:
            raise ReaderUnavailable(f"cannot open {self.port_name}") from exc
        log.info("opened %s at %d baud", self.port_name, self.baud)
        return self._port

    def _drop_port(self) -> None:
        port, self._port = self._port, None
        self._sam_checked = False
        if port is not None:
            try:
                port.close()
            except (serial.SerialException, OSError):
                log.debug("closing %s failed", self.port_name)

    def _raise_if_closed(self) -> None:
        if self._closed.is_set():
            raise ReaderUnavailable("card reader closed")

    def _note_failure(self, exc: CardReaderError) -> None:
        with self._state:
            if isinstance(exc, ReaderUnavailable):
                self._health = Health.down(exc.code, str(exc))
            elif isinstance(exc, CardReadFailed):
                self._health = Health.degraded(exc.code, "last read failed")
            # NoCard leaves health as it was: an empty reader is a healthy reader.


def load_photo_decoder(path: object) -> PhotoDecoder:
    """Import ``package.module:factory`` and call it; the result must be a PhotoDecoder."""
    if not isinstance(path, str) or ":" not in path:
        raise ValueError(f"{path!r} does not look like 'package.module:factory'")
    module_name, _, attr = path.partition(":")
    try:
        factory = getattr(importlib.import_module(module_name), attr)
    except (ImportError, AttributeError) as exc:
        raise ValueError(f"cannot load {path!r}: {exc}") from exc
    decoder = factory()
    if not callable(getattr(decoder, "decode", None)) or not hasattr(decoder, "output_format"):
        raise ValueError(f"{path!r} did not give a PhotoDecoder")
    return decoder  # type: ignore[no-any-return]
