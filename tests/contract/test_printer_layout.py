"""Receipt layout on paper: no line wider than the paper, no control characters passed through,
and lines the printer's own font cannot print (rare characters) sent as raster images that fit
the paper and keep their style."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image, ImageChops, ImageDraw

from drivers import registry
from drivers.printer.base import Receipt
from drivers.printer.escpos import EscposReceiptPrinter
from drivers.printer.escpos_decode import PrintedLine, decode_escpos
from drivers.printer.layout import (
    COLUMNS_BY_WIDTH_MM,
    DOTS_BY_WIDTH_MM,
    build_receipt_job,
    text_columns,
)
from drivers.printer.raster import FontProfile, has_glyph, load_font, render_text
from drivers.printer.simulator import EscposSimulatorServer, SimulatedPrinter, raster_to_pil
from tests.contract.printer_rig import TIMEOUT_S, PrinterRig, settled

# -- layout -----------------------------------------------------------------------------------


@pytest.mark.parametrize("width_mm", sorted(COLUMNS_BY_WIDTH_MM))
def test_no_printed_line_is_wider_than_the_paper(width_mm: int) -> None:
    long = Receipt(
        title="企业开办一窗通办综合受理回执单",
        station_name="苏州高新区企航站点（狮山路88号）",
        service_name="营业执照变更登记（法定代表人、注册资本、经营范围）",
        tracking_number="QH-20240601-000000042",
        issued_at="2024-06-01 10:32",
        lines=("说明：" + "办理结果将以短信通知，" * 6 + "see https://hall.example.cn/help",),
        qr_payload="https://hall.example.cn/t/QH-20240601-000000042",
        footer=("谢谢使用",),
    )
    decoded = decode_escpos(build_receipt_job(long, width_mm))
    assert decoded.unknown == []
    columns = COLUMNS_BY_WIDTH_MM[width_mm]
    for item in decoded.items:
        if isinstance(item, PrintedLine):
            assert text_columns(item.text) * item.width <= columns, item.text


def test_control_characters_in_receipt_text_cannot_inject_commands() -> None:
    sneaky = Receipt("回执", "站点", "服务", "QH-1", "now", lines=("a\x1b@b\x1dV\x00c",))
    decoded = decode_escpos(build_receipt_job(sneaky))
    assert "a@bVc" in decoded.lines  # the control bytes are gone, the letters stay
    assert decoded.cuts == 1
    assert decoded.unknown == []


def test_too_long_qr_payload_is_refused_before_printing() -> None:
    with EscposSimulatorServer(port=0) as server:
        printer = EscposReceiptPrinter("127.0.0.1", server.port, timeout_s=TIMEOUT_S)
        with pytest.raises(ValueError, match="QR payload"):
            printer.print_receipt(
                Receipt("回执", "站点", "服务", "QH-1", "now", qr_payload="x" * 2000)
            )
        assert server.wait_idle(2.0)
        assert server.jobs == []


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({}, "host"),
        ({"host": "10.0.0.9", "width_mm": 57}, "width_mm"),
        ({"host": "10.0.0.9", "port": "9100"}, "port"),
        ({"host": "10.0.0.9", "port": 70000}, "port"),
        ({"host": "10.0.0.9", "timeout_s": 0}, "timeout_s"),
        ({"host": "10.0.0.9", "paper": "A4"}, "paper"),
    ],
)
def test_escpos_printer_rejects_bad_options(options: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        EscposReceiptPrinter.from_options(options)


def test_registry_builds_both_backends() -> None:
    simulated = registry.build_printer("simulator", {})
    try:
        assert isinstance(simulated, SimulatedPrinter)
        networked = registry.build_printer(
            "escpos_network", {"host": "127.0.0.1", "port": simulated.server.port, "width_mm": 80}
        )
        assert isinstance(networked, EscposReceiptPrinter)
        assert networked.columns == 48
    finally:
        simulated.close()


# -- characters the printer's font cannot print: the raster path ------------------------------

RARE = Receipt(
    title="办事回执",
    station_name="站点：苏新办·企航家 狮山街道站",
    service_name="事项：营业执照变更登记",
    tracking_number="QH-20261127-0007",
    issued_at="时间：2026-11-27 10:00",
    lines=("申请人：𠮷**", "经办人：王䶮（代办）", "Contact：镕喆 Li"),
    qr_payload="http://127.0.0.1:8700/progress/QH-20261127-0007",
    footer=("谢谢使用",),
)


def _expected_dots(text: str) -> Image.Image:
    """The line drawn straight with Pillow in the documented raster font and metrics (a 24 px
    em box on a 30-dot line, baseline 24), not through the driver's raster code."""
    font = load_font()
    width = -(-int(np.ceil(font.getlength(text))) // 8) * 8
    canvas = Image.new("L", (width, 30), 255)
    ImageDraw.Draw(canvas).text((0, 24), text, fill=0, font=font, anchor="ls")
    return canvas.point(lambda v: 0 if v < 128 else 255, mode="1")


def _same_dots(a: Image.Image, b: Image.Image) -> bool:
    return (
        a.size == b.size and ImageChops.difference(a.convert("L"), b.convert("L")).getbbox() is None
    )


@pytest.mark.parametrize(
    ("profile", "raster_lines"),
    [
        # 𠮷 is a four-byte GB18030 code; 䶮 sits in the GBK/5 area GBK-era fonts print blank.
        (FontProfile.GB18030, ["申请人：𠮷**", "经办人：王䶮（代办）"]),
        # A GB2312-only head also lacks 镕 and 喆 (GBK, not GB2312), and its A1A4 is the
        # katakana middle dot, not the · in the brand name.
        (
            FontProfile.GB2312,
            [
                "站点：苏新办·企航家 狮山街道站",
                "申请人：𠮷**",
                "经办人：王䶮（代办）",
                "Contact：镕喆 Li",
            ],
        ),
    ],
)
def test_lines_the_printer_font_cannot_print_go_as_raster_images(
    rig: PrinterRig, profile: FontProfile, raster_lines: list[str]
) -> None:
    printer = rig.printer
    assert isinstance(printer, SimulatedPrinter | EscposReceiptPrinter)
    driver = printer.printer if isinstance(printer, SimulatedPrinter) else printer
    driver.font_profile = profile
    printer.print_receipt(RARE)
    (job,) = settled(rig.server).decoded_jobs()
    assert job.complete and job.unknown == []
    images = job.raster_images
    assert len(images) == len(raster_lines)
    for image, text in zip(images, raster_lines, strict=True):
        # The dots are the expected line's, drawn independently with Pillow.
        assert _same_dots(raster_to_pil(image), _expected_dots(text)), text
    # The text log shows what the printer prints, in place: an image where the printer got dots
    # (a raster carries no text to show), the text elsewhere.
    labels = {text: image.label for image, text in zip(images, raster_lines, strict=True)}
    expected_log = [labels.get(line, line) for line in RARE.lines]
    after_rule = job.lines.index("-" * 32) + 1
    assert job.lines[after_rule : after_rule + len(RARE.lines)] == expected_log
    # Every other line is still text, in Chinese mode, exactly.
    for text in (RARE.station_name, RARE.service_name, RARE.footer[0]):
        assert (text in job.lines) is (text not in raster_lines)
    assert "?" not in "".join(job.text_lines)


def test_rare_characters_really_are_drawn_not_boxes() -> None:
    """The raster test above would pass with tofu on both sides: show the glyphs are real."""
    font = load_font()
    for char in "𠮷䶮镕喆：（）":
        assert has_glyph(char, font), f"{char} (U+{ord(char):04X}) has no glyph in the font"
    # 𠮷 (U+20BB7) and 吉 differ only in the top stroke; the dots must tell them apart.
    assert not _same_dots(_expected_dots("申请人：𠮷**"), _expected_dots("申请人：吉**"))
    rendered = render_text("申请人：𠮷**").to_pil()
    assert _same_dots(rendered, _expected_dots("申请人：𠮷**"))
    assert not _same_dots(rendered, _expected_dots("申请人：吉**"))


def test_all_raster_profile_prints_every_line_as_an_image() -> None:
    job = decode_escpos(build_receipt_job(RARE, font_profile=FontProfile.RASTER))
    assert [item for item in job.items if isinstance(item, PrintedLine) and item.text] == []
    assert job.qr_payloads == [RARE.qr_payload]  # the QR stays native: the printer draws it
    assert len(build_receipt_job(RARE, font_profile=FontProfile.RASTER)) > 5 * len(
        build_receipt_job(RARE)
    )


@pytest.mark.parametrize("width_mm", sorted(COLUMNS_BY_WIDTH_MM))
def test_raster_lines_fit_the_paper_and_keep_their_style(width_mm: int) -> None:
    wide = Receipt(
        "𠮷" * 20,
        "站点",
        "服务",
        "QH-𠮷-0001",
        "now",
        lines=("申请人：𠮷" * 12 + " WWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWW",),
    )
    job = decode_escpos(build_receipt_job(wide, width_mm, font_profile=FontProfile.GB18030))
    dots = DOTS_BY_WIDTH_MM[width_mm]
    assert job.unknown == []
    for image in job.raster_images:
        assert image.width <= dots
    title, tracking = (
        job.raster_images[0],
        next(i for i in job.raster_images if i.height == 60 and i.width < dots // 2),
    )
    assert title.height == 60  # double height: 2 x 30 dots
    assert tracking.align == "left" or tracking.align == "center"


def test_simulator_writes_an_honest_text_log_and_png(tmp_path: Path) -> None:
    printer = SimulatedPrinter.from_options({"render_dir": str(tmp_path)})
    try:
        printer.print_receipt(RARE)
    finally:
        printer.close()
    log = (tmp_path / "job-0001.txt").read_text(encoding="utf-8").splitlines()
    assert "站点：苏新办·企航家 狮山街道站" in log
    assert log[-1] == "[cut]"
    assert sum(line.startswith("[image ") for line in log) == 2
    with Image.open(tmp_path / "job-0001.png") as png:
        page = png.convert("L")
    # The raster line's dots are on the page as sent (found by exact template match).
    target = _expected_dots("申请人：𠮷**").convert("L")
    found = cv2.matchTemplate(np.asarray(page), np.asarray(target), cv2.TM_SQDIFF)
    assert float(found.min()) == 0.0
