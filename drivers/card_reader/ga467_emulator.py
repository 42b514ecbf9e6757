"""A GA/T 467 reader emulator on a pty pair, and the registry backend built on it.

Like OctoPrint's virtual printer, `Ga467Emulator` imitates the device at the wire: it owns the
master side of a pseudo-terminal and answers byte-exact frames to whatever opens the slave side
(`.port`, e.g. /dev/pts/7) — so the real `Ga467CardReader` and its pyserial code run unchanged in
the demo, the tests and the benchmark. Replies leave at the configured baud rate (10 bits per
byte, as 8N1 on a real line), so timing is honest too.

Scripting: `place_card` / `remove_card` (a card lifted while a read is in progress makes that read
answer SW3 0x41, as a real reader does), `inject_fault(EmulatorFault.X)` for one-shot faults
(bad checksum, no answer, partial frame, garbage before the frame, card lifted mid-read, read or
select failure) and `sam_fault = 0x60 | 0x66` for a broken security module.

`EmulatedGa467CardReader` (registry name ``ga467_emulator``) starts an emulator in-process and
reads through the real driver; it offers the simulator's driving methods (`place_card`,
`remove_card`, `inject_fault`, `wait_until_reading`) so journeys can switch backends freely.
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import os
import select
import threading
import time
import tty
from collections.abc import Mapping
from enum import StrEnum
from typing import Any

from drivers.card_reader import ga467_codec as codec
from drivers.card_reader.base import CardEventListener, Identity
from drivers.card_reader.ga467 import Ga467CardReader
from drivers.card_reader.options import EmulatedGa467CardReaderOptions, Ga467CardReaderOptions
from drivers.card_reader.simulator import SAMPLE_IDENTITY, sample_with
from drivers.errors import (
    CardReaderError,
    CardReadFailed,
    CardRemoved,
    ReaderFault,
    ReaderLinkError,
    ReaderUnavailable,
)
from drivers.health import Health

log = logging.getLogger(__name__)

# 10 bits per byte on an 8N1 line: start + 8 data + stop.
BITS_PER_BYTE = 10
SAMPLE_SAM_ID = bytes.fromhex("0500010018a13201e9f27b0402f1a43b")


class EmulatorFault(StrEnum):
    BAD_CHECKSUM = "bad_checksum"  # next answer has a wrong CHK
    NO_ANSWER = "no_answer"  # next command is swallowed
    PARTIAL_FRAME = "partial_frame"  # next answer stops half-way
    GARBAGE = "garbage"  # junk bytes on the line before the next answer
    LIFT_MID_READ = "lift_mid_read"  # the card leaves during the next read: SW3 0x41
    READ_FAILED = "read_failed"  # next read answers SW3 0x41, card stays
    SELECT_FAILED = "select_failed"  # next select answers SW3 0x81


_LINK_FAULTS = {
    EmulatorFault.BAD_CHECKSUM,
    EmulatorFault.NO_ANSWER,
    EmulatorFault.PARTIAL_FRAME,
    EmulatorFault.GARBAGE,
}
_READ_COMMANDS = {codec.READ_TEXT_PHOTO, codec.READ_TEXT_PHOTO_FINGERPRINT}


def sample_photo() -> bytes:
    """A stand-in 1024-byte WLT blob (real WLT data is vendor-compressed; we never decode it)."""
    head = b"WLT\x00" + b"qihang-sample-photo"
    return head + bytes((i * 37 + 11) % 256 for i in range(1024 - len(head)))


class Ga467Emulator:
    """A scriptable GA/T 467 reader on the master side of a pty. Thread-safe driving methods."""

    def __init__(
        self,
        *,
        identity: Identity | None = None,
        photo: bytes | None = None,
        card_present: bool = False,
        auto_place: bool = False,
        baud: int = 115200,
        pace: bool = True,
        read_delay_s: float = 0.0,
        appended_address: str = "",
        sam_id: bytes = SAMPLE_SAM_ID,
    ) -> None:
        self.identity = identity if identity is not None else SAMPLE_IDENTITY
        self.photo = photo if photo is not None else sample_photo()
        if len(self.photo) > codec.PHOTO_LEN:
            raise ValueError("photo must be at most 1024 bytes")
        self.baud = baud
        self.pace = pace
        self.read_delay_s = read_delay_s
        self.appended_address = appended_address
        self.sam_id = sam_id
        self.auto_place = auto_place
        self.sam_fault: int | None = None  # 0x60 / 0x66: every command answers with it
        self._cond = threading.Condition()
        self._card = card_present
        self._generation = 0
        self._halted = False  # read out: silent to find-card until lifted
        self._selected = False
        self._reading = False
        self._faults: list[tuple[EmulatorFault, bytes | None]] = []
        self.received: list[bytes] = []  # CMD PARA of every command, for tests
        self._master = -1
        self._slave = -1
        self._port = ""
        self._stop_r, self._stop_w = -1, -1
        self._thread: threading.Thread | None = None

    # -- lifecycle ------------------------------------------------------------------------------

    def start(self) -> Ga467Emulator:
        if self._thread is not None:
            return self
        self._master, self._slave = os.openpty()
        # Raw: no echo of what the host writes, no CR/LF translation, 0x03 is not Ctrl-C.
        tty.setraw(self._slave)
        tty.setraw(self._master)
        self._port = os.ttyname(self._slave)
        self._stop_r, self._stop_w = os.pipe()
        self._thread = threading.Thread(target=self._serve, name="ga467-emulator", daemon=True)
        self._thread.start()
        log.info("GA/T 467 emulator on %s", self._port)
        return self

    def stop(self) -> None:
        thread, self._thread = self._thread, None
        if thread is None:
            return
        with self._cond:
            self._card = False
            self._generation += 1
            self._cond.notify_all()
        os.write(self._stop_w, b"x")
        thread.join()
        for fd in (self._master, self._slave, self._stop_r, self._stop_w):
            with contextlib.suppress(OSError):
                os.close(fd)
        log.info("GA/T 467 emulator stopped")

    def __enter__(self) -> Ga467Emulator:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def port(self) -> str:
        if not self._port:
            raise RuntimeError("emulator not started")
        return self._port

    # -- driving ----------------------------------------------------------------------------------

    def place_card(self, identity: Identity | None = None) -> None:
        with self._cond:
            if identity is not None:
                self.identity = identity
            self._card = True
            self._halted = False
            self._selected = False
            self._generation += 1
            self._cond.notify_all()
        log.info("emulator: card placed")

    def remove_card(self) -> None:
        with self._cond:
            self._card = False
            self._halted = False
            self._selected = False
            self._generation += 1
            self._cond.notify_all()
        log.info("emulator: card removed")

    def inject_fault(self, fault: EmulatorFault | str, *, on: bytes | None = None) -> None:
        """Queue a one-shot fault; `on` (e.g. ga467_codec.READ_TEXT_PHOTO) picks the command.

        Link faults hit the next command (or the next `on` command); card faults the next read
        (LIFT_MID_READ, READ_FAILED) or select (SELECT_FAILED).
        """
        with self._cond:
            self._faults.append((EmulatorFault(fault), on))
            self._cond.notify_all()
        log.info("emulator: fault queued: %s", fault)

    def wait_until_reading(self, timeout_s: float) -> bool:
        """Block until a read command is being processed (to lift the card mid-read)."""
        with self._cond:
            return self._cond.wait_for(lambda: self._reading, timeout_s)

    @property
    def card_on_reader(self) -> bool:
        return self._card

    # -- the serving thread -----------------------------------------------------------------------

    def _serve(self) -> None:
        decoder = codec.FrameDecoder()
        while True:
            ready, _, _ = select.select([self._master, self._stop_r], [], [])
            if self._stop_r in ready:
                return
            try:
                chunk = os.read(self._master, 4096)
            except OSError:
                return
            data = chunk
            while True:
                try:
                    body = decoder.feed(data)
                except ReaderLinkError:
                    # What a reader does with a frame it cannot check: say so.
                    self._send(codec.encode_response(codec.Sw3.CHECKSUM_ERROR))
                    data = b""
                    continue
                if body is None:
                    break
                data = b""
                self._handle(body)

    def _take_fault(self, kinds: set[EmulatorFault], cmd: bytes) -> EmulatorFault | None:
        for i, (fault, on) in enumerate(self._faults):
            if fault in kinds and (on is None or on == cmd):
                del self._faults[i]
                return fault
        return None

    def _handle(self, body: bytes) -> None:
        cmd = bytes(body[:2])
        self.received.append(cmd)
        request_wire = (len(body) + 8) * BITS_PER_BYTE / self.baud
        if self.pace:
            time.sleep(request_wire)  # the command has to arrive over the line first
        with self._cond:
            link_fault = self._take_fault(_LINK_FAULTS, cmd)
        if link_fault is EmulatorFault.NO_ANSWER:
            log.info("emulator: swallowing %s", cmd.hex())
            return
        frame = self._answer(cmd, body[2:])
        if frame is None:
            return
        if link_fault is EmulatorFault.BAD_CHECKSUM:
            frame = frame[:-1] + bytes([frame[-1] ^ 0x5A])
        elif link_fault is EmulatorFault.PARTIAL_FRAME:
            frame = frame[: max(codec.HEADER_LEN + 1, len(frame) // 2)]
        elif link_fault is EmulatorFault.GARBAGE:
            frame = b"\x00\xff\xaa\x96\x13\x37\xaa\xaa" + frame
        self._send(frame)

    def _answer(self, cmd: bytes, data: bytes) -> bytes | None:
        if self.sam_fault is not None:
            return codec.encode_response(self.sam_fault)
        if cmd in (codec.SAM_STATUS, codec.SAM_RESET):
            return codec.encode_response(codec.Sw3.OK)
        if cmd == codec.SAM_ID:
            return codec.encode_response(codec.Sw3.OK, self.sam_id)
        if cmd[0] == codec.SET_BAUD and len(cmd) == 2:
            bauds = {v: k for k, v in codec.BAUD_CODES.items()}
            if cmd[1] not in bauds:
                return codec.encode_response(codec.Sw3.BAD_COMMAND)
            # Answer at the old rate, then switch, as readers do.
            self._send(codec.encode_response(codec.Sw3.OK))
            self.baud = bauds[cmd[1]]
            return None
        with self._cond:
            if cmd == codec.FIND_CARD:
                if self.auto_place and (not self._card or self._halted):
                    self._card, self._halted, self._selected = True, False, False
                    self._generation += 1
                if self._card and not self._halted:
                    return codec.encode_response(codec.Sw3.FOUND, bytes(4))
                return codec.encode_response(codec.Sw3.NO_CARD, bytes(4))
            if cmd == codec.SELECT_CARD:
                if not self._card or self._halted:
                    return codec.encode_response(codec.Sw3.SELECT_FAILED, bytes(8))
                if self._take_fault({EmulatorFault.SELECT_FAILED}, cmd):
                    self._halted = True
                    return codec.encode_response(codec.Sw3.SELECT_FAILED, bytes(8))
                self._selected = True
                return codec.encode_response(codec.Sw3.OK, bytes(8))
            if cmd in _READ_COMMANDS:
                return self._read_card(cmd)
            if cmd == codec.READ_APPENDED_ADDRESS:
                if not (self._card and self._selected):
                    return codec.encode_response(codec.Sw3.READ_FAILED)
                if not self.appended_address:
                    return codec.encode_response(codec.Sw3.NO_CONTENT)
                cell = codec.encode_cell(self.appended_address[:35], 70, "appended_address")
                return codec.encode_response(codec.Sw3.OK, cell)
        return codec.encode_response(codec.Sw3.BAD_COMMAND)

    def _read_card(self, cmd: bytes) -> bytes:
        # Called with self._cond held.
        if not (self._card and self._selected):
            return codec.encode_response(codec.Sw3.READ_FAILED)
        generation = self._generation
        fault = self._take_fault({EmulatorFault.LIFT_MID_READ, EmulatorFault.READ_FAILED}, cmd)
        self._reading = True
        self._cond.notify_all()
        try:
            if fault is EmulatorFault.LIFT_MID_READ:
                self._card = False
                self._generation += 1
            # The RF transfer from the card takes time on a real reader; a lift cuts it short.
            self._cond.wait_for(lambda: self._generation != generation, self.read_delay_s)
            self._halted = True  # read out (or failed): silent until lifted and placed again
            if self._generation != generation or fault is EmulatorFault.READ_FAILED:
                self._selected = False
                return codec.encode_response(codec.Sw3.READ_FAILED)
            text = codec.encode_text_block(self.identity)
            payload = codec.encode_read_payload(
                text, self.photo, bytes(1024) if cmd == codec.READ_TEXT_PHOTO_FINGERPRINT else None
            )
            return codec.encode_response(codec.Sw3.OK, payload)
        finally:
            self._reading = False

    def _send(self, frame: bytes) -> None:
        try:
            if not self.pace:
                os.write(self._master, frame)
                return
            # Pace the bytes at the line rate in small bursts, like a UART draining its FIFO.
            started = time.monotonic()
            per_byte = BITS_PER_BYTE / self.baud
            sent = 0
            burst = 64
            while sent < len(frame):
                piece = frame[sent : sent + burst]
                due = started + (sent + len(piece)) * per_byte
                delay = due - time.monotonic()
                if delay > 0:
                    time.sleep(delay)
                os.write(self._master, piece)
                sent += len(piece)
        except OSError:
            log.debug("emulator: host side gone")


class EmulatedGa467CardReader:
    """Registry backend ``ga467_emulator``: an in-process emulator + the real Ga467CardReader."""

    def __init__(self, emulator: Ga467Emulator, reader: Ga467CardReader) -> None:
        self.emulator = emulator
        self.reader = reader

    @classmethod
    def from_options(cls, options: Mapping[str, Any]) -> EmulatedGa467CardReader:
        """From `[devices.card_reader.options]`; DriverOptionsError names a bad option."""
        opts = EmulatedGa467CardReaderOptions.parse(options)
        identity = sample_with(opts.identity)
        reader_options = Ga467CardReaderOptions(
            port="/dev/null",  # the emulator's pty, once it runs
            baud=opts.baud,
            poll_s=opts.poll_s,
            answer_timeout_s=opts.answer_timeout_s,
            appended_address=bool(opts.appended_address),
        )
        emulator = Ga467Emulator(
            identity=identity,
            auto_place=opts.auto_place,
            card_present=opts.card_present,
            baud=opts.baud,
            pace=opts.pace,
            read_delay_s=opts.read_delay_s,
            appended_address=opts.appended_address,
        ).start()
        for _ in range(opts.fail_next):
            emulator.inject_fault(EmulatorFault.READ_FAILED)
        reader = Ga467CardReader.from_options(
            reader_options.model_copy(update={"port": emulator.port}).model_dump()
        )
        return cls(emulator, reader)

    # -- the simulator's driving methods ---------------------------------------------------------

    @property
    def sample_identity(self) -> Identity:
        photo = self.emulator.photo
        return dataclasses.replace(self.emulator.identity, photo=photo, photo_format="wlt")

    def place_card(self, identity: Identity | None = None) -> None:
        self.emulator.place_card(identity)

    def remove_card(self) -> None:
        self.emulator.remove_card()

    def inject_fault(self, fault: type[CardReaderError] | EmulatorFault | str) -> None:
        """An EmulatorFault, or an error class mapped to the wire fault that produces it."""
        if isinstance(fault, str):
            self.emulator.inject_fault(EmulatorFault(fault))
            return
        if not (isinstance(fault, type) and issubclass(fault, CardReaderError)):
            raise TypeError(f"inject_fault needs a CardReaderError subclass, not {fault!r}")
        if issubclass(fault, ReaderFault):
            self.emulator.sam_fault = codec.Sw3.SAM_SELF_TEST_FAILED
        elif issubclass(fault, ReaderUnavailable):
            for _ in range(self.reader.retries + 1):
                self.emulator.inject_fault(EmulatorFault.NO_ANSWER)
        elif issubclass(fault, CardRemoved):
            self.emulator.inject_fault(EmulatorFault.LIFT_MID_READ)
        elif issubclass(fault, ReaderLinkError):
            for _ in range(self.reader.retries + 1):
                self.emulator.inject_fault(EmulatorFault.BAD_CHECKSUM)
        elif issubclass(fault, CardReadFailed):
            self.emulator.inject_fault(EmulatorFault.READ_FAILED)
        else:
            raise TypeError(f"no wire fault produces {fault.__name__}")

    def wait_until_reading(self, timeout_s: float) -> bool:
        return self.emulator.wait_until_reading(timeout_s)

    # -- CardReader ------------------------------------------------------------------------------

    def set_event_listener(self, listener: CardEventListener | None) -> None:
        self.reader.set_event_listener(listener)

    @property
    def needs_replace(self) -> bool:
        return self.reader.needs_replace

    def read_identity(self, timeout_s: float) -> Identity:
        return self.reader.read_identity(timeout_s)

    def health(self) -> Health:
        return self.reader.health()

    def close(self) -> None:
        self.reader.close()
        self.emulator.stop()
