"""The kiosk's start path: the assist screens are built, but the wire protocol (25 pydantic
models and their frame union) and the network client wait until after the first frame."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# The kiosk as `main.py kiosk` starts it (see ui/startup_probe.py); at its first frame, which
# assist modules are loaded? Printed as JSON by a handler that runs inside that frame's signal.
PROBE = """
import json, os, sys
from pathlib import Path
from ui.app import create_application, KioskUi
from kiosk.config import load_config
from kiosk.runtime import KioskRuntime

app = create_application()
config = load_config(Path("packaging/kiosk.example.toml"))
config = config.model_copy(
    update={"paths": config.paths.model_copy(update={"state_dir": Path(sys.argv[1])})}
)
runtime = KioskRuntime(config, start=False)
ui = KioskUi(runtime)
seen = {}

def on_frame():
    if not seen:
        seen.update({name: name in sys.modules for name in (
            "ui.bridge.assist_bridge", "remote_assist.phases",
            "remote_assist.protocol", "remote_assist.client",
        )})
        app.quit()

ui.window.frameSwapped.connect(on_frame)
ui.window.update()
app.exec()
print(json.dumps(seen), flush=True)
os._exit(0)  # a throwaway process: the runtime's orderly shutdown is tested elsewhere
"""


def test_first_frame_needs_neither_the_protocol_nor_the_client(tmp_path: Path) -> None:
    env = dict(
        os.environ,
        QT_QPA_PLATFORM="offscreen",
        QT_QUICK_BACKEND="software",
        QT_IM_MODULE="qtvirtualkeyboard",
    )
    proc = subprocess.run(
        [sys.executable, "-c", PROBE, str(tmp_path)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    seen = json.loads(proc.stdout.strip().splitlines()[-1])
    # The assist bridge and its phases are on screen from the start ...
    assert seen["ui.bridge.assist_bridge"] and seen["remote_assist.phases"]
    # ... the protocol and the client come with the first help call.
    assert not seen["remote_assist.protocol"], "remote_assist.protocol imported before frame 1"
    assert not seen["remote_assist.client"], "remote_assist.client imported before frame 1"
