"""Text the printer's own font cannot print, drawn as a raster image (`GS v 0`) with a CJK font.

A receipt printer's resident Chinese font is a fixed table: GB2312 on older heads, the two-byte
part of GB18030 (GBK) on most current ones. Names need more than that — 𠮷 (U+20BB7) is a
four-byte GB18030 code, 䶮 (U+4DAE) sits in the GBK/5 area that GBK-era fonts print blank — so a
line holding any character the configured `FontProfile` cannot print is drawn here, one 24-dot
line at a time, and sent as an image. The font is Noto Sans CJK SC (Debian `fonts-noto-cjk`),
which has both; WenQuanYi Micro Hei is only a fallback: it draws both as empty boxes.

Pure apart from Pillow: no ESC/POS I/O, so the simulator and tests can draw the same lines.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

# Font A is 12x24 dots: a glyph is 24 dots high, a half-width column 12 dots wide; text lines
# advance 30 dots (the default 1/6 inch spacing at 180 dpi), so a raster line is 30 dots high
# with the 24-dot em box in its middle, and lines of text and raster look alike.
LINE_DOTS = 24
LINE_PITCH = 30
COLUMN_DOTS = 12
# Baseline: CJK fonts put the ideographic em box 0.88 em above the baseline (21 of 24 dots).
_BASELINE = (LINE_PITCH - LINE_DOTS) // 2 + 21

FONT_CANDIDATES: tuple[tuple[Path, str], ...] = (
    (Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"), "Noto Sans CJK SC"),
    (Path("/usr/share/fonts/opentype/noto/NotoSansCJKsc-Regular.otf"), "Noto Sans CJK SC"),
    (Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"), ""),
)


class FontProfile(StrEnum):
    """What the printer's resident font can print (printer option `font_profile`)."""

    GB18030 = "gb18030"  # one- and two-byte GB18030 (GBK); four-byte codes go raster
    GB2312 = "gb2312"  # ASCII and GB2312 only (older heads): 镕, 喆 and the like go raster
    ASCII = "ascii"  # no Chinese font at all: every non-ASCII line goes raster
    RASTER = "raster"  # every line raster (no resident font trusted; also the bench's yardstick)


def _gbk5_remapped(code: bytes) -> bool:
    # FE50-FEA0 held characters that GBK and GB18030-2000 mapped to the Private Use Area and
    # GB18030-2005 moved to real code points (䶮 is FE9F): printer fonts disagree about them, and
    # the ones we tried print them blank.
    return len(code) == 2 and code[0] == 0xFE and 0x50 <= code[1] <= 0xA0


def printable(char: str, profile: FontProfile) -> bool:
    """True if the printer's own font (per `profile`) prints `char` correctly in text mode."""
    if char.isascii():
        return profile is not FontProfile.RASTER
    if profile in (FontProfile.ASCII, FontProfile.RASTER):
        return False
    if 0xE000 <= ord(char) <= 0xF8FF:  # Private Use Area: whatever the font puts there is wrong
        return False
    if profile is FontProfile.GB2312:
        try:
            char.encode("gb2312")
        except UnicodeEncodeError:
            return False
        return True
    try:
        code = char.encode("gb18030")
    except UnicodeEncodeError:  # lone surrogates
        return False
    return len(code) <= 2 and not _gbk5_remapped(code)


def needs_raster(text: str, profile: FontProfile) -> bool:
    return any(not printable(c, profile) for c in text)


@dataclass(frozen=True, slots=True)
class RasterImage:
    """A 1-bit image in `GS v 0` layout: rows top to bottom, MSB leftmost, 1 = a black dot."""

    width: int  # dots; a multiple of 8
    height: int
    data: bytes

    @property
    def width_bytes(self) -> int:
        return self.width // 8

    def to_pil(self) -> Image.Image:
        """Black on white, mode "1" (PIL's 1 is white, the printer's 1 is black: inverted)."""
        ink = Image.frombytes("1", (self.width, self.height), self.data)
        return ink.point(lambda v: 0 if v else 255, mode="1")

    @classmethod
    def from_pil(cls, image: Image.Image) -> RasterImage:
        """From any image: dark pixels (< 128 grey) become dots; width padded to whole bytes."""
        grey = image.convert("L")
        width = math.ceil(grey.width / 8) * 8
        if width != grey.width:
            padded = Image.new("L", (width, grey.height), 255)
            padded.paste(grey, (0, 0))
            grey = padded
        ink = grey.point(lambda v: 255 if v < 128 else 0, mode="1")
        return cls(width, grey.height, ink.tobytes())


@functools.lru_cache(maxsize=8)
def load_font(size: int = LINE_DOTS, path: str = "") -> ImageFont.FreeTypeFont:
    """The raster font at `size` px: `path` if given, else the first installed candidate."""
    candidates = ((Path(path), ""),) if path else FONT_CANDIDATES
    for font_path, family in candidates:
        if not font_path.exists():
            continue
        index = 0
        while True:  # a .ttc holds several faces; pick the Simplified Chinese one by name
            try:
                face = ImageFont.truetype(str(font_path), size, index=index)
            except OSError:
                break
            if not family or face.getname()[0] == family:
                return face
            index += 1
    raise FileNotFoundError(
        "no CJK font for raster text: install fonts-noto-cjk (packaging/system-deps.sh)"
    )


def has_glyph(char: str, font: ImageFont.FreeTypeFont) -> bool:
    """False if `font` would draw `char` as its .notdef box (tofu)."""
    tofu = font.getmask("\U0010fffd")  # a noncharacter: always .notdef
    mask = font.getmask(char)
    return not (mask.size == tofu.size and bytes(mask) == bytes(tofu))


def render_text(
    text: str,
    *,
    width: int = 1,
    height: int = 1,
    bold: bool = False,
    max_dots: int | None = None,
    font_path: str = "",
) -> RasterImage:
    """One printed line as dots, magnified like the printer magnifies its font (`GS !`).

    The line is drawn in a 24-dot em box on a 30-dot line, then scaled by `width` x `height`
    with nearest-neighbour, as the printer scales font A. If it is wider than `max_dots` it is
    squeezed horizontally: the wrapper keeps lines within the columns, but a proportional font's
    Latin can run wider.
    """
    font = load_font(LINE_DOTS, font_path)
    text_dots = max(1, math.ceil(font.getlength(text)) + (1 if bold else 0))
    canvas = Image.new("L", (text_dots, LINE_PITCH), 255)
    draw = ImageDraw.Draw(canvas)
    draw.text((0, _BASELINE), text, fill=0, font=font, anchor="ls")
    if bold:  # as the printer emboldens: every dot struck again one dot to the right
        draw.text((1, _BASELINE), text, fill=0, font=font, anchor="ls")
    target_w, target_h = text_dots * width, LINE_PITCH * height
    if max_dots is not None and target_w > max_dots:
        target_w = max_dots
    if (target_w, target_h) != canvas.size:
        canvas = canvas.resize((target_w, target_h), Image.Resampling.NEAREST)
    return RasterImage.from_pil(canvas)


def encode_raster(image: RasterImage) -> bytes:
    """`GS v 0 0 xL xH yL yH d1..dk`: print a raster bit image, normal density."""
    x, y = image.width_bytes, image.height
    return b"\x1dv0\x00" + x.to_bytes(2, "little") + y.to_bytes(2, "little") + image.data
