"""The A4 summary: the PDF Qt writes (read back with QtPdf, its QR decoded with OpenCV) and the
same document printed through a real `cupsd` to a socket "printer" (see conftest.py)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import cv2
import numpy as np
import pytest
from PySide6.QtCore import QSize
from PySide6.QtGui import QImage
from PySide6.QtPdf import QPdfDocument
from PySide6.QtWidgets import QApplication

from contracts.catalog import ServiceItem
from kiosk.receipts import progress_url
from kiosk.services.catalog import load_catalog
from kiosk.summary import FilingSummary, build_summary
from tests.printing.conftest import Cups
from ui.a4_summary import SummaryPrintError, print_summary, summary_html, write_summary_pdf

URL = progress_url("http://127.0.0.1:8700", "QH-20261127-0007")
ANSWERS = {
    "applicant_name": "王䶮",
    "applicant_id_number": "11010519491231002X",
    "mobile": "13912345678",
    "company_name": "苏州企航科技有限公司",
    "enterprise_type": "llc",
    "business_address": "苏州高新区狮山路88号",
}


def _bundle() -> ServiceItem:
    catalog = load_catalog()
    return next(s for c in catalog.categories for s in catalog.services_in(c.id) if s.is_bundle)


def _summary(language: str = "zh_CN", station_name: str = "狮山街道站") -> FilingSummary:
    return build_summary(
        language=language,
        station_name=station_name,
        service=_bundle(),
        values=ANSWERS,
        tracking_number="QH-20261127-0007",
        progress_url=URL,
        issued_at=dt.datetime(2026, 11, 27, 10, 0),
    )


def _pdf_pages(path: Path) -> tuple[int, str, np.ndarray]:
    """Page count, the first page's text and the first page rendered (grey, A4 at ~150 dpi)."""
    doc = QPdfDocument()
    assert doc.load(str(path)) == QPdfDocument.Error.None_
    image = doc.render(0, QSize(1240, 1754)).convertToFormat(QImage.Format.Format_Grayscale8)
    rows = np.frombuffer(image.constBits(), dtype=np.uint8).reshape(
        image.height(), image.bytesPerLine()
    )
    return doc.pageCount(), doc.getAllText(0).text(), rows[:, : image.width()].copy()


def test_summary_content_is_built_without_qt_and_masks_the_id_number() -> None:
    summary = _summary()
    id_label = next(f.label_zh for f in _bundle().form.fields if f.kind == "id_number")
    answers = dict(summary.answers)
    assert answers[id_label] == "110105********002X"
    assert "139****5678" in answers.values()  # the mobile too: the screens' one masking rule
    assert "王䶮" in answers.values()
    assert "11010519491231002X" not in repr(summary) + summary_html(summary)
    assert summary.tracking_number == "QH-20261127-0007"
    assert [name for name, _ in summary.parts] == [p.name_zh for p in _bundle().parts]
    assert _summary("en_US").title == "Filing Summary"


def test_summary_text_is_escaped() -> None:
    page = summary_html(_summary(station_name="<b>x</b>"))
    assert "<b>x</b>" not in page and "&lt;b&gt;x&lt;/b&gt;" in page


def test_the_pdf_is_one_a4_page_with_the_tracking_number_and_a_readable_qr(
    qapp: QApplication, tmp_path: Path
) -> None:
    path = write_summary_pdf(_summary(), tmp_path / "summary.pdf")
    assert path.read_bytes().startswith(b"%PDF-")
    pages, text, page = _pdf_pages(path)
    assert pages == 1
    for expected in (
        "办事材料摘要",
        "QH-20261127-0007",
        "苏州企航科技有限公司",
        "110105********002X",
    ):
        assert expected in text.replace("\n", ""), expected
    assert "11010519491231002X" not in text
    payload, points, _ = cv2.QRCodeDetector().detectAndDecode(page)
    assert points is not None
    assert payload == URL


def test_the_summary_prints_through_cups(qapp: QApplication, cupsd: Cups, tmp_path: Path) -> None:
    print_summary(_summary("en_US"), cupsd.queue)
    job = cupsd.sink.wait_for_job()
    assert job.startswith(b"%PDF-")  # Qt hands CUPS a PDF; the raw queue passes it on as is
    received = tmp_path / "received.pdf"
    received.write_bytes(job)
    pages, text, page = _pdf_pages(received)
    assert pages == 1
    assert "QH-20261127-0007" in text and "Filing Summary" in text
    payload, _, _ = cv2.QRCodeDetector().detectAndDecode(page)
    assert payload == URL


def test_an_unknown_queue_is_a_summary_print_failure(qapp: QApplication, cupsd: Cups) -> None:
    with pytest.raises(SummaryPrintError) as caught:
        print_summary(_summary(), "no-such-queue")
    assert caught.value.code == "SUMMARY_PRINT_FAILED"
    assert cupsd.sink.jobs == []
