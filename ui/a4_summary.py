"""The optional A4 summary of a filing: a `FilingSummary` laid out as a PDF, printed through CUPS.

Lives in ui/ because only ui/ may import Qt; the content comes Qt-free from `kiosk/summary.py`.
`write_summary_pdf` draws one A4 page with Qt's PDF writer (`QPdfWriter` + `QTextDocument`):
title, station, service, tracking number, time, departments, the answers (ID numbers masked),
what happens next and by when, the hotline, and the progress QR code. `print_summary` sends the
same document to a CUPS queue through `QPrinter` when the station has an A4 printer configured.
Both block for a moment (fonts, layout, the CUPS round trip): call them from the background pool,
never on the GUI thread. A QGuiApplication must exist (fonts).
"""

from __future__ import annotations

import html
import io
import logging
from pathlib import Path

from PySide6.QtCore import QMarginsF, QUrl
from PySide6.QtGui import QFont, QImage, QPageLayout, QPageSize, QPdfWriter, QTextDocument
from PySide6.QtPrintSupport import QPrinter, QPrinterInfo

from kiosk.summary import FilingSummary

log = logging.getLogger(__name__)

SUMMARY_PRINT_FAILED = "SUMMARY_PRINT_FAILED"
_QR_URL = QUrl("qihang:progress-qr.png")
# Noto Sans CJK has Ext. A/B (𠮷, 䶮) that WenQuanYi lacks; fontconfig falls back if absent.
_FONT_FAMILIES = ["DejaVu Sans", "Noto Sans CJK SC", "WenQuanYi Micro Hei"]


class SummaryPrintError(Exception):
    """The A4 printer is missing or refused the job."""

    code = SUMMARY_PRINT_FAILED


def _qr_image(payload: str) -> QImage:
    import qrcode

    code = qrcode.QRCode(border=4, box_size=8, error_correction=qrcode.constants.ERROR_CORRECT_M)
    code.add_data(payload)
    code.make(fit=True)
    buffer = io.BytesIO()
    code.make_image().get_image().convert("L").save(buffer, format="PNG")
    image = QImage.fromData(buffer.getvalue())  # the format is sniffed
    if image.isNull():
        raise RuntimeError("could not build the QR image")
    return image


def summary_html(summary: FilingSummary) -> str:
    """The page as Qt rich text (a subset of HTML 4); every value escaped."""

    def e(text: str) -> str:
        return html.escape(text, quote=True)

    labels = summary.labels
    head_rows = [
        (labels["station"], summary.station_name),
        (labels["service"], summary.service_name),
        (labels["time"], summary.issued_at),
    ]
    rows = "".join(f"<tr><td class='k'>{e(k)}</td><td>{e(v)}</td></tr>" for k, v in head_rows)
    parts = "".join(f"<tr><td class='k'>{e(d)}</td><td>{e(n)}</td></tr>" for n, d in summary.parts)
    answers = "".join(
        f"<tr><td class='k'>{e(k)}</td><td>{e(v)}</td></tr>" for k, v in summary.answers
    )
    return f"""
<html><head><style>
  h1 {{ font-size: 20pt; margin-bottom: 4pt; }}
  h2 {{ font-size: 13pt; margin-top: 14pt; margin-bottom: 4pt; }}
  td {{ font-size: 11pt; padding: 3pt 8pt 3pt 0; }}
  td.k {{ color: #444444; }}
  .tracking {{ font-size: 22pt; font-weight: bold; }}
  .small {{ font-size: 10pt; color: #444444; }}
</style></head><body>
<h1>{e(summary.title)}</h1>
<p>{e(labels["tracking"])}：<span class="tracking">{e(summary.tracking_number)}</span></p>
<table>{rows}</table>
<h2>{e(labels["parts"])}</h2>
<table>{parts}</table>
<h2>{e(labels["answers"])}</h2>
<table>{answers}</table>
<p style="margin-top: 14pt;">{e(summary.next_steps)}</p>
<table><tr>
  <td><img src="{_QR_URL.toString()}" width="150" height="150"></td>
  <td><p>{e(summary.scan_hint)}</p><p class="small">{e(summary.progress_url)}</p>
      <p>{e(summary.hotline)}</p></td>
</tr></table>
</body></html>"""


def _document(summary: FilingSummary) -> QTextDocument:
    doc = QTextDocument()
    font = QFont()
    font.setFamilies(_FONT_FAMILIES)
    font.setPointSizeF(11)
    doc.setDefaultFont(font)
    doc.addResource(
        QTextDocument.ResourceType.ImageResource, _QR_URL, _qr_image(summary.progress_url)
    )
    doc.setHtml(summary_html(summary))
    return doc


def _a4_layout() -> QPageLayout:
    return QPageLayout(
        QPageSize(QPageSize.PageSizeId.A4),
        QPageLayout.Orientation.Portrait,
        QMarginsF(18, 18, 18, 18),
        QPageLayout.Unit.Millimeter,
    )


def write_summary_pdf(summary: FilingSummary, path: str | Path) -> Path:
    """Write the summary as a one-page A4 PDF at `path` (Qt's PDF writer)."""
    path = Path(path)
    writer = QPdfWriter(str(path))
    writer.setPageLayout(_a4_layout())
    writer.setResolution(300)
    writer.setTitle(summary.title)
    writer.setCreator("Qihang Station Kiosk")
    _document(summary).print_(writer)
    del writer  # the file is finished when the writer goes away
    if not path.exists() or path.stat().st_size == 0:
        raise OSError(f"the PDF writer produced nothing at {path}")
    log.info("A4 summary written for %s", summary.tracking_number)
    return path


def a4_printers() -> list[str]:
    """The print queues CUPS offers (for the technician screen's choice)."""
    return [str(name) for name in QPrinterInfo.availablePrinterNames()]


def print_summary(summary: FilingSummary, printer_name: str) -> None:
    """Print the summary on the CUPS queue `printer_name`; SummaryPrintError if it cannot."""
    if printer_name not in a4_printers():
        raise SummaryPrintError(f"no print queue named {printer_name!r}")
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setPrinterName(printer_name)
    if not printer.isValid():
        raise SummaryPrintError(f"print queue {printer_name!r} is not usable")
    printer.setOutputFormat(QPrinter.OutputFormat.NativeFormat)
    printer.setPageLayout(_a4_layout())
    printer.setDocName(f"{summary.title} {summary.tracking_number}")
    _document(summary).print_(printer)
    if printer.printerState() in (QPrinter.PrinterState.Error, QPrinter.PrinterState.Aborted):
        raise SummaryPrintError(f"print queue {printer_name!r} refused the job")
    log.info("A4 summary sent to %s for %s", printer_name, summary.tracking_number)
