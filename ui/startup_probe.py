"""Startup probe for `python -m bench startup`: time and memory at the first rendered frame.

    python -m ui.startup_probe app    the kiosk as `main.py kiosk` starts it (simulated devices)
    python -m ui.startup_probe bare   a bare QML ApplicationWindow with one Label (the yardstick)
    python -m ui.startup_probe app --modules   ... and the modules loaded at the first frame

Prints one JSON line. `BENCH_T0` (the parent's time.monotonic() just before it started this
process) makes `first_frame_s` include interpreter start and imports, as a person would wait.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

BARE_QML = b"""
import QtQuick
import QtQuick.Controls
ApplicationWindow {
    width: 1080; height: 1920; visible: true
    Label { anchors.centerIn: parent; text: "Hello" }
}
"""


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def main() -> None:
    t0 = float(os.environ.get("BENCH_T0", time.monotonic()))
    mode = sys.argv[1] if len(sys.argv) > 1 else "app"
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")  # as main.py does
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    os.environ.setdefault("QT_QUICK_BACKEND", "software")
    with tempfile.TemporaryDirectory() as tmp:
        if mode != "bare":
            # In the order `main.py kiosk` runs: its own imports, the config file (the example,
            # with a fresh state directory for the runtime built after the first frame), then Qt
            # and the UI.
            import main as kiosk_main

            path, data = kiosk_main._config_data(
                kiosk_main.EXAMPLE_CONFIG,
                {
                    "paths.state_dir": tmp,
                    "devices.printer.options": {"port": 0, "render_dir": f"{tmp}/receipts"},
                },
            )

        from PySide6.QtCore import QByteArray, QTimer, QUrl
        from PySide6.QtGui import QGuiApplication
        from PySide6.QtQml import QQmlApplicationEngine
        from PySide6.QtQuick import QQuickWindow

        keep: list[object] = []
        if mode == "bare":  # the yardstick imports nothing of ours
            app = QGuiApplication(sys.argv[:1])
            engine = QQmlApplicationEngine()
            engine.loadData(QByteArray(BARE_QML), QUrl("bare.qml"))
            window = engine.rootObjects()[0]
            keep.append(engine)
        else:
            from ui.app import create_application

            app = create_application()
            ui = kiosk_main.kiosk_ui(path, data)
            window = ui.window
            keep.append(ui)
        assert isinstance(window, QQuickWindow)
        result: dict[str, Any] = {}

        def on_frame() -> None:
            if not result:
                result["first_frame_s"] = time.monotonic() - t0
                # CPU time of this process so far: robust when the machine is busy.
                result["first_frame_cpu_s"] = time.process_time()
                result["rss_mb"] = rss_mb()
                if "--modules" in sys.argv:
                    result["modules"] = sorted(sys.modules)
                QTimer.singleShot(0, app.quit)

        window.frameSwapped.connect(on_frame)
        window.update()
        app.exec()
        if mode != "bare":
            ui.close()
            if ui.runtime is not None:
                ui.runtime.close()
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
