"""ESC/POS receipt printer on python-escpos: network (raw TCP 9100), USB or serial, 58/80 mm.

The driver: it has the receipt laid out for the roll (`drivers.printer.layout`, composed on
python-escpos' `Dummy`), opens a python-escpos printer as the transport (`drivers.printer.ports`),
asks the printer for its real-time status (`DLE EOT 1..4`) before the job, sends the job followed by
`GS r 1` — answered only once everything before it has printed, so the answer means the receipt
came out and was cut — and asks for the status again after it. Chinese text goes in Chinese mode
(`FS &` GB18030 bytes `FS .`) through `_raw`, because python-escpos' `text()` has no GB18030
code page and garbles it; a line with a character the printer's font cannot print (per the
`font_profile` option) goes as a raster image drawn by `drivers.printer.raster`.

A receipt that did not print whole stays pending (one slot) and `reprint_if_pending()` prints it
again in full, once; see `RecoverableReceiptPrinter` in base.py. Socket, pyusb, pyserial and
python-escpos errors become `PrinterUnavailable` here and nowhere else.
"""

from __future__ import annotations

import importlib.util
import logging
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from escpos.exceptions import Error as EscposError

from drivers.errors import CoverOpen, PaperOut, PrinterError, PrinterUnavailable
from drivers.health import Health, HealthLevel
from drivers.printer.base import CutterError, Receipt
from drivers.printer.escpos_decode import (
    PrinterStatus,
    is_status_byte,
    is_transmit_status_byte,
    parse_status,
)
from drivers.printer.layout import (
    COLUMNS_BY_WIDTH_MM,
    DLE,
    EOT,
    JOB_DONE_QUERY,
    PAPER_NEAR_END_CODE,
    build_receipt_job,
)
from drivers.printer.options import EscposOptions
from drivers.printer.ports import (
    CONNECTION_DEPENDENCIES,
    Link,
    NetworkPort,
    PrinterPort,
    UsbPort,
    open_network,
    open_serial,
    open_usb,
)
from drivers.printer.raster import FontProfile

log = logging.getLogger(__name__)


def _health_for(status: PrinterStatus) -> Health:
    if status.cover_open:
        return Health.down(CoverOpen.code, "cover open")
    if status.paper_out:
        return Health.down(PaperOut.code, "paper out")
    if status.cutter_error:
        return Health.down(CutterError.code, "autocutter error")
    if status.error:
        return Health.down(PrinterError.code, "printer reports an error")
    if status.offline:
        return Health.down(PrinterUnavailable.code, "printer offline")
    if status.paper_near_end:
        return Health.degraded(PAPER_NEAR_END_CODE, "paper near end")
    return Health.ok()


def _raise_for(status: PrinterStatus, during_job: bool = False) -> None:
    when = " during the job" if during_job else ""
    if status.cover_open:
        raise CoverOpen(f"printer cover is open{when}")
    if status.paper_out:
        raise PaperOut(f"printer is out of paper{when}")
    if status.cutter_error:
        raise CutterError(f"autocutter error{when}")
    if status.error:
        raise PrinterError(f"printer reports an error (head or mechanism){when}")
    if status.offline:
        raise PrinterUnavailable(f"printer is offline{when}")


@dataclass(frozen=True, slots=True)
class _Pending:
    receipt: Receipt
    since: float


class EscposReceiptPrinter:
    """RecoverableReceiptPrinter for an ESC/POS printer. One connection per job; thread-safe."""

    def __init__(
        self,
        host: str = "",
        port: int = 9100,
        *,
        connection: PrinterPort | None = None,
        width_mm: int = 58,
        timeout_s: float = 5.0,
        font_profile: FontProfile | str = FontProfile.GB18030,
        raster_font: str = "",
        job_timeout_s: float = 30.0,
        reprint_window_s: float = 600.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if connection is None:
            if not host:
                raise ValueError("printer option 'host' must be a host name or address")
            if not 1 <= port <= 65535:
                raise ValueError(f"printer option 'port' must be 1-65535, not {port}")
            connection = NetworkPort(host, port)
        if width_mm not in COLUMNS_BY_WIDTH_MM:
            raise ValueError(
                f"printer option 'width_mm' must be one of {sorted(COLUMNS_BY_WIDTH_MM)}, "
                f"not {width_mm!r}"
            )
        if not 0 < timeout_s <= 60:
            raise ValueError(f"printer option 'timeout_s' must be in (0, 60], not {timeout_s}")
        if not timeout_s <= job_timeout_s <= 600:
            raise ValueError(
                f"printer option 'job_timeout_s' must be in [timeout_s, 600], not {job_timeout_s}"
            )
        if reprint_window_s < 0:
            raise ValueError("printer option 'reprint_window_s' must not be negative")
        try:
            self.font_profile = FontProfile(font_profile)
        except ValueError:
            raise ValueError(
                f"printer option 'font_profile' must be one of "
                f"{', '.join(p.value for p in FontProfile)}, not {font_profile!r}"
            ) from None
        self.connection: PrinterPort = connection
        self.host = connection.host if isinstance(connection, NetworkPort) else ""
        self.port = connection.port if isinstance(connection, NetworkPort) else 0
        self.width_mm = width_mm
        self.timeout_s = timeout_s
        self.job_timeout_s = job_timeout_s
        self.reprint_window_s = reprint_window_s
        self.raster_font = raster_font
        self._clock = clock
        self._lock = threading.Lock()
        self._closed = False
        self._health = Health(HealthLevel.OK, "", "not checked yet")
        self._pending: _Pending | None = None
        self._discards = 0  # bumped by discard_pending(): a job started before it stays discarded
        self._listeners: list[Callable[[Health], None]] = []

    # -- configuration ----------------------------------------------------------------------

    @classmethod
    def from_options(cls, options: Mapping[str, Any]) -> EscposReceiptPrinter:
        """From `[devices.printer.options]`; DriverOptionsError names a bad option."""
        opts = EscposOptions.parse(options)
        dependency = CONNECTION_DEPENDENCIES[opts.connection]
        if dependency is not None and importlib.util.find_spec(dependency[0]) is None:
            installed = [k for k, d in CONNECTION_DEPENDENCIES.items()
                         if d is None or importlib.util.find_spec(d[0]) is not None]  # fmt: skip
            raise EscposOptions.fail(
                "connection",
                f"{opts.connection!r} needs the Python package {dependency[1]} "
                f"(pip install {dependency[1]})",
                "one of " + ", ".join(f'"{k}"' for k in installed) + " on this machine",
            )
        return cls(
            connection=opts.to_port(),
            width_mm=opts.width_mm,
            timeout_s=opts.timeout_s,
            font_profile=opts.font_profile,
            raster_font=opts.raster_font,
            job_timeout_s=opts.job_timeout_s,
            reprint_window_s=opts.reprint_window_s,
        )

    @property
    def columns(self) -> int:
        return COLUMNS_BY_WIDTH_MM[self.width_mm]

    # -- the ReceiptPrinter role ------------------------------------------------------------

    def build_job(self, receipt: Receipt) -> bytes:
        return build_receipt_job(
            receipt, self.width_mm, font_profile=self.font_profile, raster_font=self.raster_font
        )

    def print_receipt(self, receipt: Receipt) -> None:
        """Print one receipt whole, or raise (and keep it pending for `reprint_if_pending`)."""
        job = self.build_job(receipt)  # layout errors are ours, not the printer's
        with self._lock:
            if self._pending is not None and self._pending.receipt != receipt:
                # A new receipt means a new walk-in: the old one must never print for them.
                log.info("pending receipt superseded by a new job; not reprinted")
                self._pending = None
            self._run_job(receipt, job)
        log.info("receipt printed (%d bytes)", len(job))

    def health(self) -> Health:
        """Health from the last status the printer gave (no I/O)."""
        if self._closed:
            return Health.down(PrinterUnavailable.code, "closed")
        return self._health

    def close(self) -> None:
        # Connections live for one job only; closing just refuses further jobs.
        self._closed = True
        self._pending = None

    # -- status and the reprint journal -----------------------------------------------------

    def check_status(self) -> PrinterStatus:
        """Ask the printer for its status without printing (boot self-check, idle polling)."""
        with self._lock:
            return self._conversation(None)

    def pending_reprint(self) -> Receipt | None:
        pending = self._pending
        if pending is None or self._expired(pending):
            return None
        return pending.receipt

    def reprint_if_pending(self) -> bool:
        """Print the pending receipt in full once the printer is ready; see base.py."""
        with self._lock:
            pending = self._pending
            if pending is None:
                return False
            if self._expired(pending):
                log.info(
                    "pending receipt expired after %.0f s; not reprinted", self.reprint_window_s
                )
                self._pending = None
                return False
            self._run_job(pending.receipt, self.build_job(pending.receipt))
        log.info("pending receipt reprinted")
        return True

    def discard_pending(self) -> None:
        """No lock and no I/O, so the GUI thread may call it while a job is running: a reprint
        already under way finishes, but a failure of it no longer makes the receipt pending."""
        self._discards += 1
        if self._pending is not None:
            log.info("pending receipt discarded")
        self._pending = None

    def add_health_listener(self, listener: Callable[[Health], None]) -> Callable[[], None]:
        self._listeners.append(listener)

        def remove() -> None:
            if listener in self._listeners:
                self._listeners.remove(listener)

        return remove

    # -- internals --------------------------------------------------------------------------

    def _expired(self, pending: _Pending) -> bool:
        return self._clock() - pending.since > self.reprint_window_s

    def _set_health(self, health: Health) -> None:
        if health == self._health:
            return
        self._health = health
        for listener in list(self._listeners):
            try:
                listener(health)
            except Exception:  # a broken listener must not fail a print job
                log.exception("printer health listener failed")

    def _run_job(self, receipt: Receipt, job: bytes) -> None:
        """Run one job under the lock; on any printer failure the receipt becomes pending."""
        discards = self._discards
        try:
            self._conversation(job)
        except PrinterError:
            if not self._closed and self._discards == discards:
                self._pending = _Pending(receipt, self._clock())
            raise
        self._pending = None

    def _conversation(self, job: bytes | None) -> PrinterStatus:
        if self._closed:
            raise PrinterUnavailable("printer driver closed")
        where = self.connection.describe()
        try:
            link = self._open()
            try:
                status = self._query_status(link)
                self._set_health(_health_for(status))
                _raise_for(status)
                if job is None:
                    return status
                link.write(job + JOB_DONE_QUERY)
                self._await_job_done(link)
                status = self._query_status(link)  # after the job: near end shows up here
                self._set_health(_health_for(status))
                return status
            finally:
                link.close()
        except PrinterUnavailable as exc:
            self._set_health(Health.down(PrinterUnavailable.code, str(exc)))
            raise
        except PrinterError:
            raise
        except (OSError, EscposError, RuntimeError) as exc:
            # RuntimeError: python-escpos' "needs pyusb/pyserial" guard; USBError is an OSError.
            self._set_health(Health.down(PrinterUnavailable.code, type(exc).__name__))
            raise PrinterUnavailable(f"printer {where}: {type(exc).__name__}: {exc}") from exc

    def _open(self) -> Link:
        connection = self.connection
        if isinstance(connection, NetworkPort):
            return open_network(connection, self.timeout_s)
        kind = "usb" if isinstance(connection, UsbPort) else "serial"
        dependency = CONNECTION_DEPENDENCIES[kind]
        if dependency is not None and importlib.util.find_spec(dependency[0]) is None:
            # Checked before python-escpos builds its printer object: that object's __del__
            # raises when the library is missing.
            raise PrinterUnavailable(f"{connection.describe()}: {dependency[1]} is not installed")
        if isinstance(connection, UsbPort):
            return open_usb(connection, self.timeout_s)
        return open_serial(connection, self.timeout_s)

    def _await_job_done(self, link: Link) -> None:
        """Wait for the GS r 1 answer; while it is missing, ask the real-time status.

        The answer comes only after the cut. A printer that stopped (paper ran out, cover
        opened) says so in its DLE EOT replies, which interrupt the wait at once; one that says
        nothing within `job_timeout_s` leaves the outcome unknown, and the job counts as not
        printed: a duplicate receipt is better than none.
        """
        deadline = self._clock() + self.job_timeout_s
        poll_s = min(self.timeout_s, 0.25)
        while True:
            byte = link.read_byte(poll_s)
            if byte is not None and is_transmit_status_byte(byte):
                return
            if byte is not None:
                continue  # a stray status byte (an earlier query answered late)
            done, status = self._status_while_printing(link)
            if done:
                return
            self._set_health(_health_for(status))
            _raise_for(status, during_job=True)
            if self._clock() > deadline:
                raise PrinterUnavailable(
                    f"the printer did not confirm the job within {self.job_timeout_s:g} s"
                )

    def _status_while_printing(self, link: Link) -> tuple[bool, PrinterStatus]:
        """DLE EOT 1..4 during a job; True first if the job's GS r answer arrived meanwhile."""
        done = False
        replies: list[int] = []
        for n in (1, 2, 3, 4):
            link.write(DLE + EOT + bytes([n]))
            while True:
                byte = self._read_reply(link, n)
                if is_transmit_status_byte(byte):
                    done = True
                    continue
                replies.append(byte)
                break
        return done, self._parse(replies)

    def _query_status(self, link: Link) -> PrinterStatus:
        replies = []
        for n in (1, 2, 3, 4):
            link.write(DLE + EOT + bytes([n]))
            replies.append(self._read_reply(link, n))
        return self._parse(replies)

    def _read_reply(self, link: Link, n: int) -> int:
        byte = link.read_byte(self.timeout_s)
        if byte is None:
            raise PrinterUnavailable(f"no answer to DLE EOT {n} within {self.timeout_s:g} s")
        if not (is_status_byte(byte) or is_transmit_status_byte(byte)):
            raise PrinterUnavailable(f"unexpected status answer 0x{byte:02X} to DLE EOT {n}")
        return byte

    @staticmethod
    def _parse(replies: list[int]) -> PrinterStatus:
        online, offline_cause, error_cause, paper = replies
        try:
            return parse_status(online, offline_cause, paper, error_cause)
        except ValueError as exc:
            raise PrinterUnavailable(f"unexpected status answer: {exc}") from exc
