"""Unit tests for the raster fallback: which characters the printer font prints, the raster
encoding round trip, and (Hypothesis) that mixed Chinese/Latin receipts never print past the
paper's width, as text or as an image."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from drivers.printer.base import Receipt
from drivers.printer.escpos_decode import PrintedLine, decode_escpos
from drivers.printer.layout import (
    COLUMNS_BY_WIDTH_MM,
    DOTS_BY_WIDTH_MM,
    build_receipt_job,
    text_columns,
    wrap_columns,
)
from drivers.printer.raster import (
    FontProfile,
    RasterImage,
    encode_raster,
    needs_raster,
    printable,
    render_text,
)


@pytest.mark.parametrize(
    ("char", "gb18030", "gb2312", "ascii_only"),
    [
        ("A", True, True, True),
        ("企", True, True, False),
        ("：", True, True, False),  # full-width punctuation is in GB2312
        ("镕", True, False, False),  # GBK, not GB2312
        ("·", True, False, False),  # GBK A1A4 is U+00B7; GB2312's A1A4 is U+30FB
        ("𠮷", False, False, False),  # four-byte GB18030
        ("䶮", False, False, False),  # FE9F: GBK/5 area, blank on GBK-era fonts
        ("\ue000", False, False, False),  # Private Use Area
        ("😀", False, False, False),
    ],
)
def test_what_each_font_profile_prints(
    char: str, gb18030: bool, gb2312: bool, ascii_only: bool
) -> None:
    assert printable(char, FontProfile.GB18030) is gb18030
    assert printable(char, FontProfile.GB2312) is gb2312
    assert printable(char, FontProfile.ASCII) is ascii_only
    assert printable(char, FontProfile.RASTER) is False


def test_raster_image_round_trips_through_gs_v_0() -> None:
    image = render_text("申请人：𠮷** Li", bold=True)
    assert image.width % 8 == 0 and image.height == 30
    (printed,) = decode_escpos(encode_raster(image)).raster_images
    assert (printed.width, printed.height, printed.data) == (image.width, image.height, image.data)
    assert RasterImage.from_pil(image.to_pil()) == image


def test_magnification_scales_like_the_printer_font() -> None:
    small = render_text("企航")
    big = render_text("企航", width=2, height=2)
    assert big.height == 2 * small.height
    assert big.width == 2 * small.width
    shrunk = big.to_pil().resize(small.to_pil().size, Image.Resampling.NEAREST)
    assert shrunk.tobytes() == small.to_pil().tobytes()


def test_a_line_wider_than_the_paper_is_squeezed_not_cut() -> None:
    assert render_text("W" * 80, max_dots=384).width == 384


def test_blank_text_needs_no_raster() -> None:
    assert not needs_raster("", FontProfile.GB2312)
    assert needs_raster("A", FontProfile.RASTER)


MIXED = st.text(
    alphabet=st.one_of(
        st.sampled_from("企航站点受理回执申请人𠮷䶮镕喆：，（）·— abcWXYZ0123-./"),
        st.characters(min_codepoint=0x20, max_codepoint=0x7E),
    ),
    max_size=120,
)


@given(MIXED, st.sampled_from(sorted(COLUMNS_BY_WIDTH_MM)), st.sampled_from(list(FontProfile)))
@settings(max_examples=40, deadline=None)
def test_mixed_receipts_never_print_past_the_paper(
    text: str, width_mm: int, profile: FontProfile
) -> None:
    receipt = Receipt(text[:20] or "回执", "站点", text, "QH-1", "now", lines=(text,))
    decoded = decode_escpos(build_receipt_job(receipt, width_mm, font_profile=profile))
    assert decoded.unknown == []
    assert decoded.complete
    columns, dots = COLUMNS_BY_WIDTH_MM[width_mm], DOTS_BY_WIDTH_MM[width_mm]
    for item in decoded.items:
        if isinstance(item, PrintedLine):
            assert text_columns(item.text) * item.width <= columns, item.text
    for image in decoded.raster_images:
        assert image.width * image.scale_x <= dots
    # Each wrapped line the font can print is there as text; the others are images.
    wrapped = wrap_columns(text, columns)
    for line in wrapped:
        if not needs_raster(line, profile):
            assert line in decoded.lines
    assert len(decoded.raster_images) >= sum(needs_raster(line, profile) for line in wrapped)
