"""ESC/POS receipt printer on the network (raw TCP, port 9100), on python-escpos' Network printer.

The only module that imports python-escpos. It lays a `Receipt` out for a 58 or 80 mm roll, asks
the printer for its real-time status (`DLE EOT 1/2/4`) on the same connection before each job, and
sends the whole job in one write. Chinese text goes in Chinese mode (`FS &` GB18030 bytes `FS .`)
through `_raw`, because python-escpos' `text()` has no GB18030 code page and garbles it.
Socket and python-escpos errors become `PrinterUnavailable` here and nowhere else.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import unicodedata
from collections.abc import Mapping
from pathlib import Path
from typing import Any

# python-escpos parses its printer-capabilities YAML on every import (~100 ms) and caches the
# result in a fresh temporary directory each time, leaving one behind per process. A stable cache
# makes the second start fast and stops the litter.
os.environ.setdefault(
    "ESCPOS_CAPABILITIES_PICKLE_DIR",
    str(Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "qihang-kiosk"),
)
Path(os.environ["ESCPOS_CAPABILITIES_PICKLE_DIR"]).mkdir(parents=True, exist_ok=True)

from escpos.exceptions import Error as EscposError  # noqa: E402
from escpos.printer import Network  # noqa: E402

from drivers.errors import CoverOpen, PaperOut, PrinterError, PrinterUnavailable  # noqa: E402
from drivers.health import Health, HealthLevel  # noqa: E402
from drivers.printer.base import Receipt  # noqa: E402
from drivers.printer.escpos_decode import PrinterStatus, parse_status  # noqa: E402

log = logging.getLogger(__name__)

# Font A (12x24 dots) columns and printable dots per roll width.
COLUMNS_BY_WIDTH_MM: dict[int, int] = {58: 32, 80: 48}
DOTS_BY_WIDTH_MM: dict[int, int] = {58: 384, 80: 576}
PAPER_NEAR_END_CODE = "PRINTER_PAPER_NEAR_END"

ESC, GS, FS, DLE, EOT, LF = b"\x1b", b"\x1d", b"\x1c", b"\x10", b"\x04", b"\n"
INIT = ESC + b"@"
ALIGN_LEFT = ESC + b"a\x00"
ALIGN_CENTER = ESC + b"a\x01"
BOLD_ON = ESC + b"E\x01"
BOLD_OFF = ESC + b"E\x00"
SIZE_NORMAL = GS + b"!\x00"
SIZE_DOUBLE = GS + b"!\x11"  # double width and height
SIZE_TALL = GS + b"!\x01"  # double height only: keeps every column
CHINESE_ON = FS + b"&"
CHINESE_OFF = FS + b"."
# Function B cut: feed until the last line has cleared the cutter, then cut partially (a tab
# remains, so the receipt does not fall into the kiosk's chute before the walk-in takes it).
CUT = GS + b"V\x42\x00"

# QR byte-mode capacity at error correction M, versions 1-15: a kiosk QR is a short URL.
_QR_CAPACITY_M = (14, 26, 42, 62, 84, 106, 122, 152, 180, 213, 251, 287, 331, 362, 412)
QR_MAX_BYTES = _QR_CAPACITY_M[-1]


def column_width(char: str) -> int:
    """Print columns one character takes: 2 full-width (CJK), 0 combining or control, else 1."""
    if unicodedata.combining(char) or unicodedata.category(char) in ("Cc", "Cf"):
        return 0
    return 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1


def text_columns(text: str) -> int:
    return sum(column_width(c) for c in text)


def wrap_columns(text: str, width: int) -> list[str]:
    """Wrap `text` into lines of at most `width` print columns (full-width characters count 2).

    "\\n" forces a break and is dropped; nothing else is dropped, so joining the result gives the
    input without its newlines. A run of narrow non-space characters (a Latin word, a number) moves
    whole to the next line when it would otherwise be split after a space.
    """
    if width < 2:
        raise ValueError("width must be at least 2 columns (a full-width character needs 2)")
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line = ""
        used = 0
        for char in paragraph:
            w = column_width(char)
            if used + w > width and line:
                head, tail = _split_word(line, char)
                if head and text_columns(tail) + w <= width:
                    lines.append(head)
                    line, used = tail, text_columns(tail)
                else:
                    lines.append(line)
                    line, used = "", 0
            line += char
            used += w
        lines.append(line)
    return lines


def _split_word(line: str, next_char: str) -> tuple[str, str]:
    """Split `line` before the narrow word it ends with, when `next_char` would split that word
    or follow it as a space (which would otherwise begin the next line)."""
    if not (_is_word_char(next_char) or next_char == " "):
        return "", line
    cut = len(line)
    while cut > 0 and _is_word_char(line[cut - 1]):
        cut -= 1
    if cut == 0 or line[cut - 1] != " ":
        return "", line
    return line[:cut], line[cut:]


def _is_word_char(char: str) -> bool:
    return not char.isspace() and column_width(char) == 1


def _clean(text: str) -> str:
    """Drop control characters: receipt text comes from forms, and a stray ESC or GS would be
    read by the printer as the start of a command."""
    return "".join(c for c in text if c == "\n" or unicodedata.category(c) != "Cc")


def encode_line(text: str) -> bytes:
    """One printed line: ASCII as is, anything else in Chinese mode as GB18030."""
    if text.isascii():
        return text.encode("ascii") + LF
    return CHINESE_ON + text.encode("gb18030", errors="replace") + CHINESE_OFF + LF


def _qr_module_size(payload: bytes, dots: int) -> int:
    version = next(v for v, cap in enumerate(_QR_CAPACITY_M, start=1) if len(payload) <= cap)
    modules = 17 + 4 * version + 8  # plus the 4-module quiet zone on each side
    return max(1, min(6, dots // modules))


def encode_qr(payload: str, dots: int) -> bytes:
    """GS ( k: select model 2, module size, error correction M, store the data, print it."""
    data = payload.encode("utf-8")
    if len(data) > QR_MAX_BYTES:
        raise ValueError(f"QR payload is {len(data)} bytes; at most {QR_MAX_BYTES} fit a receipt")

    def fn(body: bytes) -> bytes:
        return GS + b"(k" + len(body).to_bytes(2, "little") + body

    return b"".join(
        (
            fn(b"1A2\x00"),  # model 2
            fn(b"1C" + bytes([_qr_module_size(data, dots)])),
            fn(b"1E1"),  # error correction M (15 %): survives a smudged thermal print
            fn(b"1P0" + data),
            fn(b"1Q0"),
        )
    )


def build_receipt_job(receipt: Receipt, width_mm: int = 58) -> bytes:
    """The complete ESC/POS job for one receipt. Pure: raises ValueError for what cannot print."""
    if width_mm not in COLUMNS_BY_WIDTH_MM:
        raise ValueError(f"width_mm must be one of {sorted(COLUMNS_BY_WIDTH_MM)}")
    cols = COLUMNS_BY_WIDTH_MM[width_mm]
    out = bytearray(INIT)

    def para(text: str, width: int) -> None:
        for line in wrap_columns(_clean(text), width):
            out.extend(encode_line(line))

    out += ALIGN_CENTER + SIZE_DOUBLE + BOLD_ON
    para(receipt.title, cols // 2)  # double width halves the columns
    out += SIZE_NORMAL + BOLD_OFF
    para(receipt.station_name, cols)
    para(receipt.service_name, cols)
    # Double height, not width: a tracking number split over two lines gets misread or mistyped.
    out += LF + SIZE_TALL + BOLD_ON
    para(receipt.tracking_number, cols)
    out += SIZE_NORMAL + BOLD_OFF + LF + ALIGN_LEFT
    para(receipt.issued_at, cols)
    out += encode_line("-" * cols)
    for line in receipt.lines:
        para(line, cols)
    if receipt.qr_payload:
        out += LF + ALIGN_CENTER + encode_qr(receipt.qr_payload, DOTS_BY_WIDTH_MM[width_mm]) + LF
    if receipt.footer:
        out += ALIGN_CENTER
        for line in receipt.footer:
            para(line, cols)
    out += ALIGN_LEFT + CUT
    return bytes(out)


def _health_for(status: PrinterStatus) -> Health:
    if status.cover_open:
        return Health.down(CoverOpen.code, "cover open")
    if status.paper_out:
        return Health.down(PaperOut.code, "paper out")
    if status.error:
        return Health.down(PrinterError.code, "printer reports an error")
    if status.offline:
        return Health.down(PrinterUnavailable.code, "printer offline")
    if status.paper_near_end:
        return Health.degraded(PAPER_NEAR_END_CODE, "paper near end")
    return Health.ok()


def _raise_for(status: PrinterStatus) -> None:
    if status.cover_open:
        raise CoverOpen("printer cover is open")
    if status.paper_out:
        raise PaperOut("printer is out of paper")
    if status.error:
        raise PrinterError("printer reports an error (cutter or head)")
    if status.offline:
        raise PrinterUnavailable("printer is offline")


class EscposReceiptPrinter:
    """ReceiptPrinter for a network ESC/POS printer. One connection per job; thread-safe."""

    def __init__(
        self, host: str, port: int = 9100, *, width_mm: int = 58, timeout_s: float = 5.0
    ) -> None:
        if not host:
            raise ValueError("printer option 'host' must be a host name or address")
        if not 1 <= port <= 65535:
            raise ValueError(f"printer option 'port' must be 1-65535, not {port}")
        if width_mm not in COLUMNS_BY_WIDTH_MM:
            raise ValueError(
                f"printer option 'width_mm' must be one of {sorted(COLUMNS_BY_WIDTH_MM)}, "
                f"not {width_mm!r}"
            )
        if not 0 < timeout_s <= 60:
            raise ValueError(f"printer option 'timeout_s' must be in (0, 60], not {timeout_s}")
        self.host = host
        self.port = port
        self.width_mm = width_mm
        self.timeout_s = timeout_s
        self._lock = threading.Lock()
        self._closed = False
        self._health = Health(HealthLevel.OK, "", "not checked yet")

    @classmethod
    def from_options(cls, options: Mapping[str, Any]) -> EscposReceiptPrinter:
        known = {"host", "port", "width_mm", "timeout_s"}
        unknown = sorted(set(options) - known)
        if unknown:
            raise ValueError(
                f"escpos printer: unknown option(s) {', '.join(unknown)}; "
                f"use any of: {', '.join(sorted(known))}"
            )
        host = options.get("host")
        if not isinstance(host, str) or not host:
            raise ValueError("printer option 'host' is required (the printer's address)")
        port = options.get("port", 9100)
        width_mm = options.get("width_mm", 58)
        for name, value in (("port", port), ("width_mm", width_mm)):
            if isinstance(value, bool) or not isinstance(value, int):
                raise ValueError(f"printer option {name!r} must be a whole number, not {value!r}")
        timeout_s = options.get("timeout_s", 5.0)
        if isinstance(timeout_s, bool) or not isinstance(timeout_s, int | float):
            raise ValueError(f"printer option 'timeout_s' must be a number, not {timeout_s!r}")
        return cls(host, port, width_mm=width_mm, timeout_s=float(timeout_s))

    @property
    def columns(self) -> int:
        return COLUMNS_BY_WIDTH_MM[self.width_mm]

    def print_receipt(self, receipt: Receipt) -> None:
        job = build_receipt_job(receipt, self.width_mm)  # layout errors are ours, not the printer's
        with self._lock:
            self._conversation(job)
        log.info("receipt printed (%d bytes)", len(job))

    def check_status(self) -> PrinterStatus:
        """Ask the printer for its status without printing (boot self-check, idle polling)."""
        with self._lock:
            return self._conversation(None)

    def _conversation(self, job: bytes | None) -> PrinterStatus:
        if self._closed:
            raise PrinterUnavailable("printer driver closed")
        try:
            printer = self._connect()
            try:
                status = self._query_status(printer)
                self._health = _health_for(status)
                _raise_for(status)
                if job is not None:
                    printer._raw(job)
                return status
            finally:
                printer.close()
        except PrinterUnavailable as exc:
            self._health = Health.down(PrinterUnavailable.code, str(exc))
            raise
        except (OSError, EscposError) as exc:
            self._health = Health.down(PrinterUnavailable.code, type(exc).__name__)
            raise PrinterUnavailable(
                f"printer {self.host}:{self.port}: {type(exc).__name__}: {exc}"
            ) from exc

    def _connect(self) -> Any:
        # We open the socket ourselves and hand it to python-escpos: its Network.open() (3.1)
        # leaves the socket unclosed when connect fails (a ResourceWarning per attempt).
        sock = socket.create_connection((self.host, self.port), timeout=self.timeout_s)
        try:
            printer = Network(self.host, self.port, timeout=self.timeout_s)
        except BaseException:
            sock.close()
            raise
        printer.device = sock
        return printer

    def _query_status(self, printer: Any) -> PrinterStatus:
        sock: socket.socket = printer.device
        replies = []
        for n in (1, 2, 4):
            printer._raw(DLE + EOT + bytes([n]))
            try:
                reply = sock.recv(1)
            except TimeoutError as exc:
                raise PrinterUnavailable(
                    f"no answer to DLE EOT {n} within {self.timeout_s:g} s"
                ) from exc
            if not reply:
                raise PrinterUnavailable("printer closed the connection during the status query")
            replies.append(reply[0])
        try:
            return parse_status(*replies)
        except ValueError as exc:
            raise PrinterUnavailable(f"unexpected status answer: {exc}") from exc

    def health(self) -> Health:
        """Health from the last status the printer gave (no I/O)."""
        if self._closed:
            return Health.down(PrinterUnavailable.code, "closed")
        return self._health

    def close(self) -> None:
        # Connections live for one job only; closing just refuses further jobs.
        self._closed = True
