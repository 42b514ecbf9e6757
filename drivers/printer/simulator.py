"""The receipt printer simulator: a fake network ESC/POS printer on a loopback TCP port.

Like OctoPrint's virtual printer, it imitates the device at the wire, so the real driver
(`EscposReceiptPrinter`) runs unchanged in the demo and in tests. `EscposSimulatorServer` records
the bytes of each connection (one connection = one job), answers `DLE EOT n` at once and `GS r n`
once the job has printed up to it, from a scriptable `SimulatorState` (paper near end, paper out
after N more lines, cover open, cutter error, silent, drop the connection after N bytes), and
decodes what would have printed; a job counts as complete only when it was cut. `render_png`
draws a job as a receipt image (text in a CJK font, QR symbols, raster images dot for dot), and
each job also gets a text log, where a raster image shows as `[image WxH]`: the simulator sees
dots, not text. `SimulatedPrinter` is the registry backend: an in-process server plus the real
driver pointed at it.

When paper runs out mid-job the simulator drops the rest of that job, as the printers we target
clear their buffer when the cover is opened to reload; the driver then reprints the receipt whole.
"""

from __future__ import annotations

import contextlib
import logging
import socket
import socketserver
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from drivers.health import Health
from drivers.printer.base import Receipt
from drivers.printer.escpos import EscposReceiptPrinter
from drivers.printer.escpos_decode import (
    ERROR_AUTOCUTTER,
    GS_R_NEAR_END,
    GS_R_PAPER_END,
    OFFLINE_COVER_OPEN,
    OFFLINE_ERROR,
    OFFLINE_PAPER_END_STOP,
    ONLINE_OFFLINE,
    PAPER_END,
    PAPER_NEAR_END,
    STATUS_BASE,
    DecodedReceipt,
    PrintedImage,
    PrintedLine,
    PrintedQr,
    PrinterStatus,
    decode_escpos,
)
from drivers.printer.layout import DOTS_BY_WIDTH_MM
from drivers.printer.options import SimulatedPrinterOptions

log = logging.getLogger(__name__)

CJK_FONT = Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")


@dataclass
class SimulatorState:
    """What the simulated printer reports; tests flip these at any time (reads are atomic)."""

    paper_near_end: bool = False
    paper_out: bool = False
    cover_open: bool = False
    offline: bool = False
    error: bool = False
    cutter_error: bool = False
    silent: bool = False  # accepts bytes but never answers a status query (a hung printer)
    drop_connections: bool = False  # closes every connection at once (a printer resetting)
    # The roll holds this many more printed items (text lines, images, QR symbols); the next one
    # runs out: printing stops, paper_out turns on. None = plenty.
    paper_lines_left: int | None = None
    # The near-end sensor trips when this few lines are left on a counted roll.
    near_end_at_lines: int = 20
    # One-shot: the next connection is closed after this many bytes (a printer rebooting or a
    # cable pulled mid-job); the printer is back for the connection after it.
    drop_after_bytes: int | None = None

    def reload_paper(self) -> None:
        """A technician puts in a new roll and closes the cover."""
        self.paper_lines_left = None
        self.paper_out = False
        self.paper_near_end = False
        self.cover_open = False

    @property
    def near_end(self) -> bool:
        left = self.paper_lines_left
        return self.paper_near_end or (left is not None and left <= self.near_end_at_lines)

    def status_reply(self, n: int) -> int | None:
        """The byte a printer answers to DLE EOT n, or None if it would not answer."""
        if self.silent:
            return None
        error = self.error or self.cutter_error
        stopped = self.offline or self.cover_open or self.paper_out or error
        if n == 1:
            return STATUS_BASE | (ONLINE_OFFLINE if stopped else 0)
        if n == 2:
            return (
                STATUS_BASE
                | (OFFLINE_COVER_OPEN if self.cover_open else 0)
                | (OFFLINE_PAPER_END_STOP if self.paper_out else 0)
                | (OFFLINE_ERROR if error else 0)
            )
        if n == 3:
            return STATUS_BASE | (ERROR_AUTOCUTTER if self.cutter_error else 0)
        if n == 4:
            return (
                STATUS_BASE
                | (PAPER_NEAR_END if self.near_end or self.paper_out else 0)
                | (PAPER_END if self.paper_out else 0)
            )
        return None  # real printers ignore other n

    def transmit_status_reply(self, n: int) -> int | None:
        """The answer to GS r n (1/49: paper sensor), or None for kinds not simulated."""
        if self.silent or n not in (1, 49):
            return None
        return (GS_R_NEAR_END if self.near_end or self.paper_out else 0) | (
            GS_R_PAPER_END if self.paper_out else 0
        )


class _TcpServer(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = False  # server_close() joins connection threads: stop() leaves none behind

    def __init__(self, address: tuple[str, int], simulator: EscposSimulatorServer) -> None:
        self.simulator = simulator
        super().__init__(address, _Handler)


class _Handler(socketserver.BaseRequestHandler):
    server: _TcpServer

    def handle(self) -> None:
        self.server.simulator._serve_connection(self.request)


class EscposSimulatorServer:
    """A threaded TCP listener that behaves like a network ESC/POS printer. Port 0 = ephemeral."""

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 9100,
        *,
        state: SimulatorState | None = None,
        render_dir: str | Path | None = None,
        width_mm: int = 58,
    ) -> None:
        self.host = host
        self._requested_port = port
        self.state = state if state is not None else SimulatorState()
        self.render_dir = Path(render_dir) if render_dir is not None else None
        self.width_mm = width_mm
        self._cond = threading.Condition()
        self._jobs: list[bytes] = []
        self._decoded: list[DecodedReceipt] = []
        self._active: set[socket.socket] = set()
        self._server: _TcpServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle --------------------------------------------------------------------------

    def start(self) -> EscposSimulatorServer:
        if self._server is not None:
            return self
        self._server = _TcpServer((self.host, self._requested_port), self)
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"escpos-sim-{self.port}",
            daemon=True,
        )
        self._thread.start()
        log.info("printer simulator listening on %s:%d", self.host, self.port)
        return self

    def stop(self) -> None:
        server, self._server = self._server, None
        if server is None:
            return
        server.shutdown()  # ends serve_forever: no new connections
        with self._cond:
            active = list(self._active)
        for sock in active:  # wake connection threads blocked in recv()
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
        server.server_close()
        if self._thread is not None:
            self._thread.join()
        log.info("printer simulator stopped")

    def __enter__(self) -> EscposSimulatorServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("simulator not started")
        return int(self._server.server_address[1])

    # -- what arrived -----------------------------------------------------------------------

    @property
    def jobs(self) -> list[bytes]:
        """The bytes of every finished connection that sent anything, oldest first."""
        with self._cond:
            return list(self._jobs)

    @property
    def received(self) -> bytes:
        return b"".join(self.jobs)

    def decoded_jobs(self) -> list[DecodedReceipt]:
        with self._cond:
            return list(self._decoded)

    def text_log(self) -> list[str]:
        """The printed lines of all jobs, in order (an image is its `[image WxH]` label)."""
        return [line for decoded in self.decoded_jobs() for line in decoded.lines]

    def complete_jobs(self) -> list[DecodedReceipt]:
        """The jobs that printed to their cut: the receipts a walk-in could take away whole."""
        return [decoded for decoded in self.decoded_jobs() if decoded.complete]

    def clear(self) -> None:
        with self._cond:
            self._jobs.clear()
            self._decoded.clear()

    def wait_idle(self, timeout_s: float = 5.0) -> bool:
        """Wait until every accepted connection has been closed and recorded; False on timeout.

        A connection still in the listen backlog is not seen: use it after a client has had an
        answer (as the driver has, to its status queries), or use `wait_for_jobs`.
        """
        with self._cond:
            return self._cond.wait_for(lambda: not self._active, timeout_s)

    def wait_for_jobs(self, count: int, timeout_s: float = 5.0) -> bool:
        """Wait until at least `count` jobs are recorded; False on timeout."""
        with self._cond:
            return self._cond.wait_for(lambda: len(self._jobs) >= count, timeout_s)

    # -- the connection thread --------------------------------------------------------------

    def _serve_connection(self, sock: socket.socket) -> None:
        with self._cond:
            self._active.add(sock)
        buffer = bytearray()
        state = self.state
        paper_at_start = state.paper_lines_left
        decoded: DecodedReceipt | None = None
        printed = 0
        try:
            if state.drop_connections:
                return
            drop_after, state.drop_after_bytes = state.drop_after_bytes, None
            scanned = 0
            answered = 0
            printed = 0
            while True:
                try:
                    chunk = sock.recv(4096)
                except OSError:
                    break
                if not chunk:
                    break
                if drop_after is not None and len(buffer) + len(chunk) >= drop_after:
                    buffer += chunk[: drop_after - len(buffer)]
                    log.info("simulator: dropping the connection after %d bytes", drop_after)
                    break
                buffer += chunk
                # "Print" what has arrived first, so a status query behind the job already sees
                # paper that ran out while printing it.
                decoded = decode_escpos(bytes(buffer), paper_lines=paper_at_start, final=False)
                printed = self._use_paper(decoded, printed)
                answered = self._answer_transmit_status(sock, decoded, answered)
                scanned = self._answer_status_queries(sock, buffer, scanned)
        finally:
            with contextlib.suppress(OSError):
                sock.close()  # a drop closes at once; otherwise the client has already closed
            data = bytes(buffer)
            decoded = decode_escpos(data, paper_lines=paper_at_start) if data else None
            if decoded is not None:
                self._use_paper(decoded, printed)
            if decoded is not None and decoded.prints_anything and self.render_dir is not None:
                self._write_render(decoded)
            with self._cond:
                if decoded is not None:
                    self._jobs.append(data)
                    self._decoded.append(decoded)
                self._active.discard(sock)
                self._cond.notify_all()
            if data:
                log.info("job received: %d bytes", len(data))

    def _use_paper(self, decoded: DecodedReceipt, already: int) -> int:
        """Take what printed since the last look off the roll; returns the items printed so far.

        Counted by difference, not set from the count at the start of the connection: a reload
        while this connection is still closing must not be undone by it.
        """
        state = self.state
        left = state.paper_lines_left
        if left is not None:
            state.paper_lines_left = max(0, left - (len(decoded.items) - already))
        if decoded.paper_ran_out:
            state.paper_out = True
        return len(decoded.items)

    def _answer_transmit_status(
        self, sock: socket.socket, decoded: DecodedReceipt, answered: int
    ) -> int:
        # GS r is answered when the printer reaches it, i.e. after all before it has printed;
        # the interpreter lists only the requests it reached before any paper-out.
        for n in decoded.status_requests[answered:]:
            reply = self.state.transmit_status_reply(n)
            if reply is not None:
                with contextlib.suppress(OSError):
                    sock.sendall(bytes([reply]))
        return len(decoded.status_requests)

    def _answer_status_queries(self, sock: socket.socket, buffer: bytearray, start: int) -> int:
        # A real printer acts on DLE EOT as soon as it arrives, even with a job queued before it,
        # so answer from the raw stream rather than after decoding a whole job.
        pos = start
        while True:
            found = buffer.find(b"\x10\x04", pos)
            if found < 0:
                # Keep a trailing DLE: its EOT may come in the next chunk.
                return max(pos, len(buffer) - 1)
            if found + 2 >= len(buffer):
                return found
            reply = self.state.status_reply(buffer[found + 2])
            if reply is not None:
                # If the client went away, the recv loop ends the connection.
                with contextlib.suppress(OSError):
                    sock.sendall(bytes([reply]))
            pos = found + 3

    def _write_render(self, decoded: DecodedReceipt) -> None:
        assert self.render_dir is not None
        with self._cond:
            number = len(self._jobs) + 1
        stem = self.render_dir / f"job-{number:04d}"
        try:
            self.render_dir.mkdir(parents=True, exist_ok=True)
            ending = "[cut]" if decoded.complete else "[job ended without a cut: incomplete]"
            stem.with_suffix(".txt").write_text(
                "\n".join([*decoded.lines, ending]) + "\n", encoding="utf-8"
            )
            render_png(decoded, stem.with_suffix(".png"), DOTS_BY_WIDTH_MM.get(self.width_mm, 384))
        except OSError:
            # A render is a convenience; a full disk must not take the printer down.
            log.exception("could not write the render of job %d", number)


def render_png(decoded: DecodedReceipt, path: str | Path, width_px: int = 384) -> None:
    """Draw a decoded job as a receipt: text lines in a CJK font, QR symbols, on white paper.

    `width_px` is the printable width in dots (384 for 58 mm, 576 for 80 mm); the paper drawn is a
    margin wider on each side, as on the roll.
    """
    import qrcode  # local: only rendering needs them
    from PIL import Image, ImageDraw, ImageFont

    margin = 16
    base = 24  # font A is 12x24 dots: 24 px per line at 203 dpi
    paper_px = width_px + 2 * margin

    def font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
        if CJK_FONT.exists():
            return ImageFont.truetype(str(CJK_FONT), size)
        return ImageFont.load_default(size)  # without fonts-wqy-microhei Chinese shows as boxes

    measure = ImageDraw.Draw(Image.new("RGB", (1, 1)))
    blocks: list[tuple[PrintedLine | PrintedImage | PrintedQr, Any, int]] = []
    height = margin * 2
    for item in decoded.items:
        if isinstance(item, PrintedQr):
            code = qrcode.QRCode(
                border=0,
                box_size=max(1, item.module_size),
                error_correction=qrcode.constants.ERROR_CORRECT_M,
            )
            code.add_data(item.payload)
            code.make(fit=True)
            qr_image = code.make_image().get_image().convert("RGB")
            if qr_image.width > width_px:
                qr_image = qr_image.resize((width_px, width_px), Image.Resampling.NEAREST)
            blocks.append((item, qr_image, qr_image.width))
            height += qr_image.height + base // 2
            continue
        if isinstance(item, PrintedImage):
            dots = raster_to_pil(item)
            if dots.width > width_px:  # as a printer does: what is past the print area is lost
                dots = dots.crop((0, 0, width_px, dots.height))
            blocks.append((item, dots, dots.width))
            height += dots.height
            continue
        size = base * item.height
        face = font(size)
        text_width = int(measure.textlength(item.text, font=face))
        if text_width > width_px:  # the font's Latin glyphs are wider than the printer's 12 dots
            face = font(max(8, size * width_px // text_width))
            text_width = int(measure.textlength(item.text, font=face))
        blocks.append((item, face, text_width))
        height += size + 6

    image = Image.new("RGB", (paper_px, max(height, 2 * margin + base)), "white")
    draw = ImageDraw.Draw(image)
    y = margin
    for item, payload, content_width in blocks:
        x = margin + _aligned_x(item.align, content_width, width_px)
        if isinstance(item, PrintedQr):
            image.paste(payload, (x, y))
            y += payload.height + base // 2
            continue
        if isinstance(item, PrintedImage):
            image.paste(payload.convert("RGB"), (x, y))
            y += payload.height
            continue
        draw.text((x, y), item.text, fill="black", font=payload)
        if item.bold:  # thermal printers embolden by striking each dot twice, one dot over
            draw.text((x + 1, y), item.text, fill="black", font=payload)
        y += base * item.height + 6
    if decoded.cuts:  # a dashed line where the cutter cut
        for x in range(0, paper_px, 8):
            draw.line((x, image.height - 2, x + 4, image.height - 2), fill="grey")
    image.save(path, format="PNG")


def raster_to_pil(item: PrintedImage) -> Any:
    """A printed raster as a black-on-white PIL image, with its GS v 0 magnification applied."""
    from PIL import Image

    ink = Image.frombytes("1", (item.width, item.height), item.data)
    image = ink.point(lambda v: 0 if v else 255, mode="1")
    if item.scale_x != 1 or item.scale_y != 1:
        size = (item.width * item.scale_x, item.height * item.scale_y)
        image = image.resize(size, Image.Resampling.NEAREST)
    return image


def _aligned_x(align: str, content_width: int, width_px: int) -> int:
    if align == "center":
        return max(0, (width_px - content_width) // 2)
    if align == "right":
        return max(0, width_px - content_width)
    return 0


class SimulatedPrinter:
    """RecoverableReceiptPrinter backend: an in-process printer simulator and the real driver.

    Tests read what arrived through `.server` and script faults through `.server.state`.
    """

    def __init__(self, server: EscposSimulatorServer, printer: EscposReceiptPrinter) -> None:
        self.server = server
        self.printer = printer

    @classmethod
    def from_options(cls, options: Mapping[str, Any]) -> SimulatedPrinter:
        """From `[devices.printer.options]`; DriverOptionsError names a bad option. Everything is
        validated before the simulator binds a port, so a bad config leaks nothing."""
        opts = SimulatedPrinterOptions.parse(options)
        server = EscposSimulatorServer(
            opts.host, opts.port, render_dir=opts.render_dir, width_mm=opts.width_mm
        )
        server.start()
        return cls(server, EscposReceiptPrinter.from_options(opts.driver_options(server.port)))

    @property
    def state(self) -> SimulatorState:
        return self.server.state

    def _settle(self) -> None:
        # Return only once the simulator has recorded (and rendered) the job, as a real printer
        # returns once the job is in its buffer: callers may look at it straight away.
        if not self.server.wait_idle(self.printer.timeout_s):
            log.warning("printer simulator still busy after the job")

    def print_receipt(self, receipt: Receipt) -> None:
        try:
            self.printer.print_receipt(receipt)
        finally:
            self._settle()

    def health(self) -> Health:
        return self.printer.health()

    def check_status(self) -> PrinterStatus:
        return self.printer.check_status()

    def pending_reprint(self) -> Receipt | None:
        return self.printer.pending_reprint()

    def reprint_if_pending(self) -> bool:
        try:
            return self.printer.reprint_if_pending()
        finally:
            self._settle()

    def discard_pending(self) -> None:
        self.printer.discard_pending()

    def add_health_listener(self, listener: Callable[[Health], None]) -> Callable[[], None]:
        return self.printer.add_health_listener(listener)

    def close(self) -> None:
        self.printer.close()
        self.server.stop()
