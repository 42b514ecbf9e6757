"""Receipt printers. Setting python-escpos' capabilities cache here, before any module of this
package imports python-escpos: it parses its printer-capabilities YAML on every import (~100 ms)
and caches the result in a fresh temporary directory each time, leaving one behind per process.
A stable cache makes the second start fast and stops the litter."""

from __future__ import annotations

import os
from pathlib import Path

os.environ.setdefault(
    "ESCPOS_CAPABILITIES_PICKLE_DIR",
    str(Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "qihang-kiosk"),
)
Path(os.environ["ESCPOS_CAPABILITIES_PICKLE_DIR"]).mkdir(parents=True, exist_ok=True)
