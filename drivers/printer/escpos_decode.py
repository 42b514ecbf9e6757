"""An ESC/POS interpreter for the printer simulator: bytes a driver sent -> what paper would show.

No ESC/POS renderer on PyPI/npm/Debian understands Chinese mode (`FS &` ... `FS .`), so this one
is ours. It decodes text (GB18030 inside Chinese mode, the selected code page outside it), QR
payloads stored with `GS ( k`, raster images (`GS v 0`, kept as dots), cuts, real-time status
queries (`DLE EOT n`) and in-order status requests (`GS r n`), and skips every other command a
kiosk driver or python-escpos sends by its exact length. Given a paper budget it stops where the
paper would run out, which is how the simulator makes a job fail half way. Anything it does not
know is recorded in `unknown` rather than guessed at, so tests can insist that a driver sends
only understood bytes.

Also the status-byte helpers both sides share: the bit layouts of `DLE EOT 1/2/4` replies.
"""

from __future__ import annotations

from dataclasses import dataclass, field

ESC = 0x1B
GS = 0x1D
FS = 0x1C
DLE = 0x10
EOT = 0x04
LF = 0x0A

# --- real-time status (DLE EOT n) ------------------------------------------------------------
# Every reply byte has the fixed pattern 0xx1xx10; GS a automatic status replies are 0xx1xx00,
# so a stray ASB byte cannot pass for a status answer.
STATUS_BASE = 0x12
STATUS_FIXED_MASK = 0b1001_0011
ONLINE_OFFLINE = 0x08  # DLE EOT 1, bit 3
OFFLINE_COVER_OPEN = 0x04  # DLE EOT 2, bit 2
OFFLINE_PAPER_END_STOP = 0x20  # DLE EOT 2, bit 5: printing stopped because paper ran out
OFFLINE_ERROR = 0x40  # DLE EOT 2, bit 6
ERROR_AUTOCUTTER = 0x08  # DLE EOT 3, bit 3
ERROR_UNRECOVERABLE = 0x20  # DLE EOT 3, bit 5
PAPER_NEAR_END = 0x0C  # DLE EOT 4, bits 2-3
PAPER_END = 0x60  # DLE EOT 4, bits 5-6


# GS r 1 (transmit paper sensor status) replies 0xx0xxxx: bit 4 clear, so they never pass for a
# DLE EOT reply (bit 4 set) when both arrive on one connection.
GS_R_NEAR_END = 0x03
GS_R_PAPER_END = 0x0C


def is_transmit_status_byte(value: int) -> bool:
    """True if `value` can be a reply to GS r 1 (bits 4 and 7 clear)."""
    return value & 0x90 == 0


def is_status_byte(value: int) -> bool:
    """True if `value` has the fixed bits of a DLE EOT reply (0xx1xx10)."""
    return value & STATUS_FIXED_MASK == STATUS_BASE


@dataclass(frozen=True, slots=True)
class PrinterStatus:
    """What the three status replies say, decoded."""

    offline: bool = False
    cover_open: bool = False
    paper_out: bool = False
    paper_near_end: bool = False
    error: bool = False
    cutter_error: bool = False

    @property
    def ready(self) -> bool:
        """Nothing stops printing (paper near end does not)."""
        return not (self.offline or self.cover_open or self.paper_out or self.error)


def parse_status(
    online: int, offline_cause: int, paper: int, error_cause: int | None = None
) -> PrinterStatus:
    """Decode the replies to DLE EOT 1, 2, 4 (and 3, when asked). ValueError for a non-reply."""
    replies = [("DLE EOT 1", online), ("DLE EOT 2", offline_cause), ("DLE EOT 4", paper)]
    if error_cause is not None:
        replies.append(("DLE EOT 3", error_cause))
    for name, value in replies:
        if not 0 <= value <= 0xFF or not is_status_byte(value):
            raise ValueError(f"{name}: 0x{value:02X} is not a status reply")
    return PrinterStatus(
        cutter_error=bool((error_cause or 0) & ERROR_AUTOCUTTER),
        offline=bool(online & ONLINE_OFFLINE),
        cover_open=bool(offline_cause & OFFLINE_COVER_OPEN),
        paper_out=bool(paper & PAPER_END) or bool(offline_cause & OFFLINE_PAPER_END_STOP),
        paper_near_end=bool(paper & PAPER_NEAR_END),
        error=bool(offline_cause & OFFLINE_ERROR),
    )


# --- decoded receipt -------------------------------------------------------------------------

# ESC t n -> Python codec, for the tables python-escpos' default profile selects. Others fall
# back to cp437 (the power-on table) and are noted in `unknown`.
CODE_PAGES: dict[int, str] = {
    0: "cp437",
    2: "cp850",
    3: "cp860",
    4: "cp863",
    5: "cp865",
    15: "iso8859_15",
    16: "cp1252",
    17: "cp866",
    18: "cp852",
    19: "cp858",
}

# Commands with a fixed number of parameter bytes, after the two command bytes.
_ESC_FIXED: dict[int, int] = {
    ord("@"): 0,  # initialise
    ord("2"): 0,  # default line spacing
    ord("i"): 0,  # partial cut (legacy)
    ord("m"): 0,  # partial cut (legacy)
    ord("<"): 0,  # return home
    ord("3"): 1,  # line spacing
    ord("!"): 1,  # print mode
    ord("-"): 1,  # underline
    ord("E"): 1,  # emphasised
    ord("G"): 1,  # double strike
    ord("J"): 1,  # print and feed n dots
    ord("M"): 1,  # font
    ord("R"): 1,  # international character set
    ord("U"): 1,  # unidirectional
    ord("V"): 1,  # rotate 90
    ord("a"): 1,  # justification
    ord("d"): 1,  # print and feed n lines
    ord("e"): 1,  # print and reverse feed
    ord("r"): 1,  # colour
    ord("t"): 1,  # code page
    ord("{"): 1,  # upside down
    ord(" "): 1,  # right-side character spacing
    ord("="): 1,  # peripheral device
    ord("$"): 2,  # absolute position
    ord("\\"): 2,  # relative position
    ord("c"): 2,  # ESC c 3/4/5 n: panel and sensor settings
    ord("p"): 3,  # cash drawer pulse
}
_GS_FIXED: dict[int, int] = {
    ord("!"): 1,  # character size
    ord("B"): 1,  # reverse printing
    ord("H"): 1,  # HRI position
    ord("I"): 1,  # transmit printer ID
    ord("a"): 1,  # automatic status back
    ord("b"): 1,  # smoothing
    ord("f"): 1,  # HRI font
    ord("h"): 1,  # barcode height
    ord("r"): 1,  # transmit status
    ord("w"): 1,  # barcode width
    ord("/"): 1,  # print downloaded bit image
    ord("L"): 2,  # left margin
    ord("P"): 2,  # motion units
    ord("W"): 2,  # print area width
}
_FS_FIXED: dict[int, int] = {
    ord("&"): 0,  # Chinese mode on
    ord("."): 0,  # Chinese mode off
    ord("!"): 1,  # Chinese character print mode
    ord("-"): 1,  # Chinese underline
    ord("W"): 1,  # Chinese quadruple size
    ord("C"): 1,  # character encoding (UTF-8 / GB18030 on newer firmware)
    ord("S"): 2,  # Chinese character spacing
    ord("p"): 2,  # print NV bit image
}


@dataclass(frozen=True, slots=True)
class PrintedLine:
    """One printed text line and the style it was printed in (for rendering)."""

    text: str
    align: str = "left"  # left | center | right
    width: int = 1  # magnification, 1-8
    height: int = 1
    bold: bool = False


@dataclass(frozen=True, slots=True)
class PrintedImage:
    """A raster image printed with `GS v 0`: rows top to bottom, MSB leftmost, 1 = black dot."""

    width: int  # dots, before the m (double width/height) scaling
    height: int
    data: bytes
    align: str = "left"
    scale_x: int = 1
    scale_y: int = 1

    @property
    def label(self) -> str:
        """How a text log shows it: a raster carries dots, not text."""
        return f"[image {self.width * self.scale_x}x{self.height * self.scale_y}]"


@dataclass(frozen=True, slots=True)
class PrintedQr:
    """A QR symbol printed (GS ( k fn 81) with the data stored before it."""

    payload: str
    align: str = "left"
    module_size: int = 3


@dataclass(slots=True)
class DecodedReceipt:
    """What a byte stream prints. `items` keeps lines, images and QR symbols in paper order;
    `lines` is the text log (an image appears as its `label`)."""

    items: list[PrintedLine | PrintedImage | PrintedQr] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)
    qr_payloads: list[str] = field(default_factory=list)
    cuts: int = 0
    images: int = 0
    status_queries: list[int] = field(default_factory=list)
    # GS r n requests, in the order the printer reached them (it answers each when it gets there).
    status_requests: list[int] = field(default_factory=list)
    paper_ran_out: bool = False  # the paper budget ended before everything printed
    unknown: list[bytes] = field(default_factory=list)

    @property
    def text_lines(self) -> list[str]:
        """The printed lines without blank ones."""
        return [line for line in self.lines if line.strip()]

    @property
    def prints_anything(self) -> bool:
        return bool(self.items or self.cuts or self.images)

    @property
    def complete(self) -> bool:
        """A job counts as printed only once it was cut: a receipt without its cut is a half."""
        return self.cuts > 0 and not self.paper_ran_out

    @property
    def raster_images(self) -> list[PrintedImage]:
        return [item for item in self.items if isinstance(item, PrintedImage)]


class _PaperOut(Exception):
    """Raised inside the interpreter when the paper budget is spent: printing stops there."""


class _Interpreter:
    def __init__(self, data: bytes, paper_lines: int | None = None, final: bool = True) -> None:
        self.data = data
        self.pos = 0
        self.out = DecodedReceipt()
        self.paper_left = paper_lines
        self.final = final
        self._reset_modes()
        # Pending text of the current line: (raw bytes, codec) runs, decoded when it is printed.
        self.runs: list[tuple[bytearray, str]] = []
        self.qr_data: bytes | None = None

    def _reset_modes(self) -> None:
        self.chinese = False
        self.codepage = "cp437"
        self.align = "left"
        self.width = 1
        self.height = 1
        self.bold = False
        self.qr_module = 3

    # -- helpers ----------------------------------------------------------------------------

    def _take(self, n: int) -> bytes | None:
        """The next n bytes, or None (and the rest marked unknown) if the stream ends first."""
        if self.pos + n > len(self.data):
            return None
        chunk = self.data[self.pos : self.pos + n]
        self.pos += n
        return chunk

    def _truncated(self, start: int) -> None:
        self.out.unknown.append(self.data[start:])
        self.pos = len(self.data)

    def _add_text(self, byte: int) -> None:
        codec = "gb18030" if self.chinese else self.codepage
        if not self.runs or self.runs[-1][1] != codec:
            self.runs.append((bytearray(), codec))
        self.runs[-1][0].append(byte)

    def _use_paper(self) -> None:
        """Every printed item (text line, image, QR symbol) uses one line of the paper budget."""
        if self.paper_left is None:
            return
        if self.paper_left <= 0:
            raise _PaperOut
        self.paper_left -= 1

    def _print_line(self) -> None:
        self._use_paper()
        text = "".join(bytes(raw).decode(codec, errors="replace") for raw, codec in self.runs)
        self.runs = []
        self.out.lines.append(text)
        self.out.items.append(PrintedLine(text, self.align, self.width, self.height, self.bold))

    def _cut(self) -> None:
        self._flush_pending()
        self.out.cuts += 1

    def _flush_pending(self) -> None:
        """Commands that print the buffer (ESC d, ESC J, cuts) end a non-empty line."""
        if self.runs:
            self._print_line()

    # -- the loop ---------------------------------------------------------------------------

    def run(self) -> DecodedReceipt:
        try:
            self._loop()
        except _PaperOut:
            # The printer stops where the paper ends; the rest of the job is never printed.
            self.out.paper_ran_out = True
            self.runs = []
        return self.out

    def _loop(self) -> None:
        data = self.data
        while self.pos < len(data):
            start = self.pos
            byte = data[self.pos]
            self.pos += 1
            if byte == LF:
                self._print_line()
            elif byte == ESC:
                self._esc(start)
            elif byte == GS:
                self._gs(start)
            elif byte == FS:
                self._fs(start)
            elif byte == DLE:
                self._dle(start)
            elif byte == 0x0D or byte == 0x18:  # CR is ignored when LF follows; CAN clears
                continue
            elif byte == 0x09:  # HT: the printer moves to the next tab stop
                self._add_text(0x20)
            elif byte < 0x20 or byte == 0x7F:
                self.out.unknown.append(bytes([byte]))
            else:
                self._add_text(byte)
        # A real printer keeps an unterminated line in its buffer; show it anyway, for diagnosis
        # (only once the stream is complete: mid-stream, the rest of the line may still come).
        if self.final:
            self._flush_pending()

    def _esc(self, start: int) -> None:
        head = self._take(1)
        if head is None:
            return self._truncated(start)
        cmd = head[0]
        if cmd == ord("*"):  # bit image: ESC * m nL nH d1..dk
            params = self._take(3)
            if params is None:
                return self._truncated(start)
            dots = params[1] | params[2] << 8
            bytes_per_column = 1 if params[0] in (0, 1) else 3
            if self._take(dots * bytes_per_column) is None:
                return self._truncated(start)
            self.out.images += 1
            return None
        count = _ESC_FIXED.get(cmd)
        if count is None:
            self.out.unknown.append(self.data[start : self.pos])
            return None
        params = self._take(count)
        if params is None:
            return self._truncated(start)
        n = params[0] if params else 0
        if cmd == ord("@"):
            self._flush_pending()
            self._reset_modes()
        elif cmd == ord("a"):
            self.align = {0: "left", 48: "left", 1: "center", 49: "center"}.get(n, "right")
        elif cmd == ord("E"):
            self.bold = bool(n & 1)
        elif cmd == ord("!"):
            self.bold = bool(n & 0x08)
            self.height = 2 if n & 0x10 else 1
            self.width = 2 if n & 0x20 else 1
        elif cmd == ord("t"):
            codec = CODE_PAGES.get(n)
            if codec is None:
                self.out.unknown.append(self.data[start : self.pos])
                codec = "cp437"
            self.codepage = codec
        elif cmd == ord("d"):
            # Printing a pending line uses up one of the n line feeds.
            blank = n - 1 if self.runs else n
            self._flush_pending()
            for _ in range(max(0, blank)):
                self._print_line()
        elif cmd == ord("J"):
            self._flush_pending()
        elif cmd in (ord("i"), ord("m")):
            self._cut()
        return None

    def _gs(self, start: int) -> None:
        head = self._take(1)
        if head is None:
            return self._truncated(start)
        cmd = head[0]
        if cmd == ord("("):  # GS ( X pL pH <p bytes>: every function carries its length
            hdr = self._take(3)
            if hdr is None:
                return self._truncated(start)
            body = self._take(hdr[1] | hdr[2] << 8)
            if body is None:
                return self._truncated(start)
            if hdr[0] == ord("k"):
                self._two_d_code(body)
            elif hdr[0] == ord("L"):
                self.out.images += 1
            return None
        if cmd == ord("V"):  # cut: GS V m, or GS V m n for m in 65/66/97-103 (feed, then cut)
            mode = self._take(1)
            if mode is None or (mode[0] >= 65 and self._take(1) is None):
                return self._truncated(start)
            self._cut()
            return None
        if cmd == ord("v"):  # raster image: GS v 0 m xL xH yL yH d1..dk
            hdr = self._take(6)
            if hdr is None:
                return self._truncated(start)
            width_bytes, height = hdr[2] | hdr[3] << 8, hdr[4] | hdr[5] << 8
            dots = self._take(width_bytes * height)
            if dots is None:
                return self._truncated(start)
            self._flush_pending()
            self._use_paper()
            self.out.images += 1
            m = hdr[1] & 0x03  # 0 normal, 1 double width, 2 double height, 3 both
            image = PrintedImage(
                width_bytes * 8, height, dots, self.align, 2 if m & 1 else 1, 2 if m & 2 else 1
            )
            self.out.items.append(image)
            self.out.lines.append(image.label)
            return None
        if cmd == ord("8"):  # GS 8 L p1 p2 p3 p4 ...: the large-data form of GS ( L
            hdr = self._take(5)
            if hdr is None:
                return self._truncated(start)
            size = int.from_bytes(hdr[1:5], "little")
            if self._take(size) is None:
                return self._truncated(start)
            self.out.images += 1
            return None
        if cmd == ord("k"):  # barcode: GS k m d1..dk NUL (m <= 6) or GS k m n d1..dn
            kind = self._take(1)
            if kind is None:
                return self._truncated(start)
            if kind[0] <= 6:
                end = self.data.find(b"\x00", self.pos)
                if end < 0:
                    return self._truncated(start)
                self.pos = end + 1
            else:
                length = self._take(1)
                if length is None or self._take(length[0]) is None:
                    return self._truncated(start)
            self.out.images += 1
            return None
        count = _GS_FIXED.get(cmd)
        if count is None:
            self.out.unknown.append(self.data[start : self.pos])
            return None
        params = self._take(count)
        if params is None:
            return self._truncated(start)
        if cmd == ord("!"):
            self.width = (params[0] >> 4 & 0x07) + 1
            self.height = (params[0] & 0x07) + 1
        elif cmd == ord("r"):
            # Unlike DLE EOT, GS r waits its turn in the buffer: answered once all before it has
            # printed, so a driver learns the job really came out.
            self.out.status_requests.append(params[0])
        return None

    def _two_d_code(self, body: bytes) -> None:
        # body = cn fn [parameters]; cn 49 ('1') is QR Code.
        if len(body) < 2 or body[0] != 49:
            return
        fn = body[1]
        if fn == 67 and len(body) >= 3:  # module size
            self.qr_module = body[2]
        elif fn == 80 and len(body) >= 3:  # store data: cn fn m d1..dk
            self.qr_data = body[3:]
            self.out.qr_payloads.append(self.qr_data.decode("utf-8", errors="replace"))
        elif fn == 81 and self.qr_data is not None:  # print the stored symbol
            self._flush_pending()
            self._use_paper()
            payload = self.qr_data.decode("utf-8", errors="replace")
            self.out.items.append(PrintedQr(payload, self.align, self.qr_module))

    def _fs(self, start: int) -> None:
        head = self._take(1)
        if head is None:
            return self._truncated(start)
        cmd = head[0]
        if cmd == ord("("):  # FS ( X pL pH ...
            hdr = self._take(3)
            if hdr is None or self._take(hdr[1] | hdr[2] << 8) is None:
                return self._truncated(start)
            return None
        count = _FS_FIXED.get(cmd)
        if count is None:
            self.out.unknown.append(self.data[start : self.pos])
            return None
        if self._take(count) is None:
            return self._truncated(start)
        if cmd == ord("&"):
            self.chinese = True
        elif cmd == ord("."):
            self.chinese = False
        return None

    def _dle(self, start: int) -> None:
        head = self._take(1)
        if head is None:
            return self._truncated(start)
        if head[0] == EOT:
            n = self._take(1)
            if n is None:
                return self._truncated(start)
            # DLE EOT 7 and 8 carry one more parameter byte.
            if n[0] in (7, 8) and self._take(1) is None:
                return self._truncated(start)
            self.out.status_queries.append(n[0])
            return None
        if head[0] == 0x05:  # DLE ENQ n: real-time request
            if self._take(1) is None:
                return self._truncated(start)
            return None
        self.out.unknown.append(self.data[start : self.pos])
        return None


def decode_escpos(
    data: bytes, *, paper_lines: int | None = None, final: bool = True
) -> DecodedReceipt:
    """Interpret an ESC/POS byte stream. Never raises for any input.

    `paper_lines`: how many items (text lines, images, QR symbols) the paper left on the roll
    holds; printing stops at the first one that does not fit (`paper_ran_out`). `final=False`
    decodes a stream still arriving: an unterminated last line is not printed yet.
    """
    return _Interpreter(bytes(data), paper_lines, final).run()
