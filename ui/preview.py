"""The hall's content preview: one service of a catalog, drawn by the kiosk's real QML, to PNG.

``python -m ui.preview --catalog FILE --service ID --out DIR [--mode zh --mode en --mode care]``
loads the catalog document (the JSON the hall publishes), checks it as a kiosk does
(:func:`contracts.catalog.parse_catalog`), and walks one session per mode over the simulators
offscreen, as the screenshot tool does: the sample card is read (张三丰, the card simulator's
walk-in, never a real person), the service's category is shown on the home screen, the service is
chosen, its form is drawn page by page (fields, then the documents to bring and photograph), it is
filled with sample answers and a sample page for every document the camera takes, and the review
is drawn. The session is cancelled at the end, so it passes through the wipe like any other.

Nothing reaches a hall: the station is not enrolled, its sender never starts, and its hall address
is a closed local port. ``DIR/manifest.json`` lists what was written::

    {"service", "version", "images": [{"mode", "screen", "file"}], "notes": [...]}

The hall runs this as a subprocess (:mod:`hall.content_preview`) because the hall never imports
the kiosk: a separate process with a time limit and its own temporary folder. Exit codes: 0 done,
2 a catalog that does not load (the reasons on stderr), 3 no such service.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import logging
import os
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

if TYPE_CHECKING:
    from contracts.catalog import Catalog, ServiceItem
    from contracts.forms import FieldSpec
    from ui.app import KioskUi

log = logging.getLogger(__name__)

MODES: Final[dict[str, tuple[str, bool]]] = {
    "zh": ("zh_CN", False),
    "en": ("en_US", False),
    "care": ("zh_CN", True),
}
MAX_PAGES: Final = 3  # form or review pages per mode: a longer form shows its first three
# A closed port on this machine: the preview's station never reaches a hall.
NO_HALL: Final = "http://127.0.0.1:9"

# Sample answers that pass the kiosk's checks (kiosk/services/validators.py): the national
# standards' own examples for the codes, a made-up mobile number.
_SAMPLES: Final[dict[str, str]] = {
    "id_number": "11010519491231002X",
    "uscc": "91350100M000100Y43",
    "mobile": "13912345678",
    "number": "1",
    "amount": "100",
}


def _config(state_dir: Path, language: str, care: bool) -> Any:
    from kiosk.simulated_station import simulated_station

    return simulated_station(
        state_dir, NO_HALL, language=language, care=care, station=("PREVIEW-001", "预览"),
        timeout_s=1,
    )  # fmt: skip


def sample_answer(spec: FieldSpec, language: str, today: dt.date) -> str:
    """An answer to one field that the kiosk's validation accepts."""
    if spec.kind == "choice":
        return spec.choice_values[0] if spec.choice_values else ""
    if spec.kind == "date":
        return today.isoformat()
    if spec.kind in _SAMPLES:
        return _SAMPLES[spec.kind]
    text = "示例内容" if language.startswith("zh") else "Sample"
    if spec.kind == "multiline":
        text = (
            "示例内容，仅供预览。" if language.startswith("zh") else "Sample text for the preview."
        )
    return text[: spec.max_length] if spec.max_length else text


def _sample_page() -> bytearray:
    """A JPEG of a blank page with a word on it: what the review shows for a photographed
    document."""
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice
    from PySide6.QtGui import QColor, QFont, QImage, QPainter

    image = QImage(640, 900, QImage.Format.Format_RGB32)
    image.fill(QColor("white"))
    painter = QPainter(image)
    painter.setFont(QFont("sans", 40))
    painter.drawText(60, 200, "示例材料 Sample")
    painter.end()
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    # The stubs say bytes; PySide6 takes the format as str only (bytes is a ValueError).
    image.save(buffer, "JPEG", 80)  # type: ignore[call-overload]
    return bytearray(data.data())


class _Camera:
    """Waits for the screen and writes what it shows."""

    def __init__(self, ui: KioskUi, out_dir: Path, mode: str, scale: float) -> None:
        self.ui, self.out_dir, self.mode, self.scale = ui, out_dir, mode, scale
        self.images: list[dict[str, str]] = []

    def settle(self, rounds: int = 8) -> None:
        from PySide6.QtCore import QCoreApplication

        for _ in range(rounds):
            QCoreApplication.processEvents()

    def wait_until(self, condition: Callable[[], bool], timeout_s: float = 10.0) -> bool:
        deadline = time.monotonic() + timeout_s
        while not condition():
            if time.monotonic() > deadline:
                return False
            self.settle(1)
            time.sleep(0.005)
        return True

    def shot(self, screen: str) -> None:
        self.settle()
        name = f"{self.mode}_{len(self.images) + 1:02d}_{screen}.png"
        from PySide6.QtCore import Qt

        image = self.ui.window.grabWindow()
        if self.scale != 1:
            image = image.scaledToWidth(
                round(image.width() * self.scale), Qt.TransformationMode.SmoothTransformation
            )
        if not image.save(str(self.out_dir / name)):
            raise OSError(f"could not write {name}")
        self.images.append({"mode": self.mode, "screen": screen, "file": name})

    def show_in_list(self, list_name: str, row_id: str) -> None:
        """Scroll a ListView so that the row whose ``id`` is ``row_id`` is in the middle (rows out
        of view do not exist yet, so they cannot be looked up by name)."""
        from PySide6.QtCore import Q_ARG, QMetaObject
        from PySide6.QtQuick import QQuickItem

        self.settle()
        found = self.ui.window.findChild(QQuickItem, list_name)
        rows = None if found is None else found.property("model")
        ids = [r.get("id") for r in rows if isinstance(r, dict)] if isinstance(rows, list) else []
        if found is None or row_id not in ids:
            return
        center = Q_ARG(int, 1)  # ListView.Center
        where = Q_ARG(int, ids.index(row_id))
        QMetaObject.invokeMethod(found, "positionViewAtIndex", where, center)

    def pages(self, screen: str, flickable_name: str) -> None:
        """The screen page by page: its scrollable part moved down one view at a time."""
        from PySide6.QtQuick import QQuickItem

        found = self.ui.window.findChild(QQuickItem, flickable_name)
        self.shot(f"{screen}_1")
        if found is None:
            return
        for page in range(2, MAX_PAGES + 1):
            y = float(found.property("contentY"))
            end = float(found.property("contentHeight")) - found.height()
            if y >= end - 1:
                return
            found.setProperty("contentY", min(y + found.height() * 0.9, end))
            self.shot(f"{screen}_{page}")


def render(
    catalog: Catalog, service_id: str, out_dir: Path, modes: Sequence[str], scale: float = 1.0
) -> dict[str, Any]:
    """Draw the service in each mode into ``out_dir``; returns the manifest."""
    from ui.app import create_application

    create_application()
    item = catalog.service(service_id)
    images: list[dict[str, str]] = []
    notes: list[str] = []
    with tempfile.TemporaryDirectory(prefix="qihang-preview-") as tmp:
        for mode in modes:
            where = (out_dir, mode, scale)
            images += _render_mode(catalog, item, where, Path(tmp) / mode, notes)
    return {"service": item.id, "version": catalog.version, "images": images, "notes": notes}


def _render_mode(
    catalog: Catalog,
    item: ServiceItem,
    where: tuple[Path, str, float],
    state_dir: Path,
    notes: list[str],
) -> list[dict[str, str]]:
    from kiosk.runtime import KioskRuntime
    from ui.app import KioskUi

    out_dir, mode, scale = where
    language, care = MODES[mode]
    runtime = KioskRuntime(_config(state_dir, language, care), start_sender=False)
    ui = KioskUi(runtime)
    camera = _Camera(ui, out_dir, mode, scale)
    try:
        flow = ui.flow
        if flow is None:
            camera.wait_until(lambda: ui.flow is not None)
            flow = ui.flow
        assert flow is not None
        flow.catalog = catalog
        flow.start(language, care)
        if not camera.wait_until(lambda: flow.state == "choosing_service"):
            notes.append(f"{mode}: the sample card was not read (state {flow.state})")
            flow.skip_identity()
            camera.wait_until(lambda: flow.state == "choosing_service")
        _open_category(ui, item.category)
        camera.show_in_list("serviceList", item.id)
        camera.shot("home")
        flow.choose_service(item.id)
        if not camera.wait_until(lambda: ui.session.property("screen") == "Form"):
            notes.append(f"{mode}: the form did not open (state {flow.state})")
            return camera.images
        camera.pages("form", "formFlickable")
        today = dt.date.today()
        for spec in item.form.fields:
            if not flow.context.values.get(spec.name):
                flow.set_field(spec.name, sample_answer(spec, language, today))
        for material in item.captured_materials:
            flow.open_capture(material.id)
            flow.accept_capture(_sample_page())
        if flow.complete_form() and camera.wait_until(
            lambda: ui.session.property("screen") == "Review"
        ):
            camera.pages("review", "reviewList")
        else:
            notes.append(f"{mode}: the sample answers did not pass: {sorted(flow.context.errors)}")
            camera.shot("form_errors")
        flow.cancel()
        camera.settle()
    finally:
        ui.close()
        runtime.close()
        camera.settle()
    return camera.images


def _open_category(ui: KioskUi, category: str) -> None:
    """The home with the service's category (its theme) open, as a walk-in's tap opens it."""
    from PySide6.QtCore import Q_ARG, QMetaObject, QObject

    home = ui.engine.rootContext().contextProperty("serviceHome")
    if isinstance(home, QObject) and home.metaObject().indexOfMethod("chooseTheme(QString)") >= 0:
        QMetaObject.invokeMethod(home, "chooseTheme", Q_ARG(str, category))
    else:  # the home before themes and departments
        ui.session.chooseCategory(category)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m ui.preview",
        description="draw one service of a catalog with the kiosk's screens, to PNG (offscreen)",
    )
    parser.add_argument("--catalog", type=Path, required=True, help="the catalog JSON document")
    parser.add_argument("--service", required=True, help="the service id")
    parser.add_argument("--out", type=Path, required=True, help="folder for the PNGs")
    parser.add_argument(
        "--mode",
        action="append",
        choices=list(MODES),
        help="zh, en or care (repeat for several; default: all three)",
    )
    parser.add_argument(
        "--scale", type=float, default=0.5, help="image size to the screen's (default 0.5)"
    )
    args = parser.parse_args(argv)
    # Before Qt loads: no display is needed, and none is used if there is one.
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    os.environ["QT_QUICK_BACKEND"] = "software"
    logging.basicConfig(level="WARNING", format="%(levelname)s %(name)s: %(message)s")
    from contracts.catalog import CatalogError, parse_catalog

    try:
        catalog = parse_catalog(json.loads(args.catalog.read_bytes()), source=str(args.catalog))
    except (OSError, ValueError) as exc:
        print(f"the catalog cannot be read: {exc}", file=sys.stderr)
        return 2
    except CatalogError as exc:
        print("\n".join(exc.reasons), file=sys.stderr)
        return 2
    try:
        catalog.service(args.service)
    except KeyError:
        print(f"no service {args.service!r} in the catalog", file=sys.stderr)
        return 3
    args.out.mkdir(parents=True, exist_ok=True)
    modes = list(dict.fromkeys(args.mode or MODES))
    if not 0.1 <= args.scale <= 1:
        parser.error("--scale must be between 0.1 and 1")
    manifest = render(catalog, args.service, args.out, modes, args.scale)
    (args.out / "manifest.json").write_text(
        json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
