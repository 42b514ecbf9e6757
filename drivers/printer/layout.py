"""Laying a Receipt out as ESC/POS bytes: print columns, line wrapping (禁则 included), Chinese
mode, QR codes and raster lines for characters the printer's font lacks. Pure functions, no I/O:
the driver (`escpos.py`) sends what this builds, and the simulator's tests read it back.

The job is composed on python-escpos' `Dummy` printer, which records bytes: python-escpos writes
the commands it has (initialise, alignment, bold, character size, the native QR code, the cut);
this module adds through `_raw` only what python-escpos cannot do — Chinese text in Chinese mode
as GB18030 (`FS &` … `FS .`; its `text()` has no GB18030 code page and prints `?`) and raster
lines for characters the printer's font lacks (`drivers.printer.raster`).
"""

from __future__ import annotations

import unicodedata

from escpos.constants import QR_ECLEVEL_M, QR_MODEL_2
from escpos.printer import Dummy

from drivers.printer.base import Receipt
from drivers.printer.raster import FontProfile, encode_raster, needs_raster, render_text

# Font A (12x24 dots) columns and printable dots per roll width.
COLUMNS_BY_WIDTH_MM: dict[int, int] = {58: 32, 80: 48}
DOTS_BY_WIDTH_MM: dict[int, int] = {58: 384, 80: 576}
PAPER_NEAR_END_CODE = "PRINTER_PAPER_NEAR_END"

GS, FS, DLE, EOT, LF = b"\x1d", b"\x1c", b"\x10", b"\x04", b"\n"
CHINESE_ON = FS + b"&"
CHINESE_OFF = FS + b"."
# GS r 1: transmit paper sensor status, processed in turn after everything before it printed.
JOB_DONE_QUERY = GS + b"r\x01"

# QR byte-mode capacity at error correction M, versions 1-15: a kiosk QR is a short URL.
_QR_CAPACITY_M = (14, 26, 42, 62, 84, 106, 122, 152, 180, 213, 251, 287, 331, 362, 412)
QR_MAX_BYTES = _QR_CAPACITY_M[-1]


def column_width(char: str) -> int:
    """Print columns one character takes: 1 for ASCII, 0 combining or control, else 2.

    Every other character counts two, not only East Asian wide ones: in Chinese mode the printer
    prints each two-byte GB18030 code full width (24 dots), é and — included.
    """
    if unicodedata.combining(char) or unicodedata.category(char) in ("Cc", "Cf"):
        return 0
    return 1 if char.isascii() else 2


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
                if not head and char in NO_LINE_START and len(line) > 1:
                    # Chinese line-breaking rule (禁则): closing punctuation never starts a line;
                    # carry the character before it down with it.
                    head, tail = line[:-1], line[-1]
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


NO_LINE_START = frozenset("，。、；：？！）】》」』”’…—")


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


# Module size in dots of the receipt's own QR at most, and of a further code (ReceiptCode): the
# second symbol is smaller, so the eye goes to the progress code first.
QR_MODULE_MAX = 6
CODE_MODULE_MAX = 4


def _qr_module_size(payload: bytes, dots: int, largest: int = QR_MODULE_MAX) -> int:
    version = next(v for v, cap in enumerate(_QR_CAPACITY_M, start=1) if len(payload) <= cap)
    modules = 17 + 4 * version + 8  # plus the 4-module quiet zone on each side
    return max(1, min(largest, dots // modules))


def encode_qr(payload: str, dots: int, largest: int = QR_MODULE_MAX) -> bytes:
    """GS ( k: model 2, module size to fit the roll, error correction M, store the data, print."""
    data = payload.encode("utf-8")
    if len(data) > QR_MAX_BYTES:
        raise ValueError(f"QR payload is {len(data)} bytes; at most {QR_MAX_BYTES} fit a receipt")
    printer = Dummy()
    # M (15 %) survives a smudged thermal print; native: the printer draws it, sharp and small.
    size = _qr_module_size(data, dots, largest)
    printer.qr(payload, ec=QR_ECLEVEL_M, size=size, model=QR_MODEL_2, native=True)
    return bytes(printer.output)


def build_receipt_job(
    receipt: Receipt,
    width_mm: int = 58,
    *,
    font_profile: FontProfile | str = FontProfile.GB18030,
    raster_font: str = "",
) -> bytes:
    """The complete ESC/POS job for one receipt. Pure: raises ValueError for what cannot print.

    A wrapped line the printer's font cannot print whole (per `font_profile`) is sent as one
    `GS v 0` raster line in the same style, so a rare character in a name never prints as `?`.
    """
    if width_mm not in COLUMNS_BY_WIDTH_MM:
        raise ValueError(f"width_mm must be one of {sorted(COLUMNS_BY_WIDTH_MM)}")
    profile = FontProfile(font_profile)
    cols = COLUMNS_BY_WIDTH_MM[width_mm]
    dots = DOTS_BY_WIDTH_MM[width_mm]
    job = Dummy()
    job.hw("INIT")
    style = {"width": 1, "height": 1, "bold": False}

    def para(text: str, width: int) -> None:
        for line in wrap_columns(_clean(text), width):
            if needs_raster(line, profile):
                image = render_text(
                    line,
                    width=style["width"],
                    height=style["height"],
                    bold=bool(style["bold"]),
                    max_dots=dots,
                    font_path=raster_font,
                )
                job._raw(encode_raster(image))
            else:
                job._raw(encode_line(line))

    def set_style(*, width: int, height: int, bold: bool) -> None:
        # custom_size sends GS ! (size of every character); python-escpos' double_width and
        # double_height send ESC !, which printers apply to ASCII only, not in Chinese mode.
        job.set(custom_size=True, width=width, height=height, bold=bold)
        style.update(width=width, height=height, bold=bold)

    job.set(align="center")
    set_style(width=2, height=2, bold=True)
    para(receipt.title, cols // 2)  # double width halves the columns
    set_style(width=1, height=1, bold=False)
    para(receipt.station_name, cols)
    para(receipt.service_name, cols)
    # Double height, not width: a tracking number split over two lines gets misread or mistyped.
    job._raw(LF)
    set_style(width=1, height=2, bold=True)
    para(receipt.tracking_number, cols)
    set_style(width=1, height=1, bold=False)
    job._raw(LF)
    job.set(align="left")
    para(receipt.issued_at, cols)
    para("-" * cols, cols)
    for line in receipt.lines:
        para(line, cols)
    if receipt.qr_payload:
        job._raw(LF)
        job.set(align="center")
        job._raw(encode_qr(receipt.qr_payload, dots) + LF)
    if receipt.footer:
        job.set(align="center")
        for line in receipt.footer:
            para(line, cols)
    for code in receipt.codes:
        job.set(align="left")
        para("-" * cols, cols)
        job.set(align="center")
        set_style(width=1, height=1, bold=True)
        para(code.heading, cols)
        set_style(width=1, height=1, bold=False)
        for line in code.lines:
            para(line, cols)
        if code.payload:  # a blank line above: the symbol's quiet zone, clear of the text
            job._raw(LF + encode_qr(code.payload, dots, CODE_MODULE_MAX) + LF)
        whole = "".join(code.caption)
        for line in [whole] if text_columns(whole) <= cols else code.caption:
            para(line, cols)
    job.set(align="left")
    # GS V 66 0 (python-escpos sends it for feed=False): the printer feeds until the last line
    # has cleared the cutter, then cuts partially — a tab remains, so the receipt does not fall
    # into the kiosk's chute before the walk-in takes it.
    job.cut(mode="PART", feed=False)
    return bytes(job.output)
