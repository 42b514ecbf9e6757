"""Receipt printers. python-escpos' capabilities cache is set up here, before any module of this
package imports python-escpos: it parses its printer-capabilities YAML on every import (~100 ms)
and caches the result in a fresh temporary directory each time, leaving one behind per process.
A stable cache makes the second start fast and stops the litter."""

from __future__ import annotations

import os
from pathlib import Path


def _use_stable_capabilities_cache() -> None:
    if "ESCPOS_CAPABILITIES_PICKLE_DIR" in os.environ:
        return
    try:
        cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "qihang-kiosk"
        cache.mkdir(parents=True, exist_ok=True)
    except (OSError, RuntimeError):  # no home, read-only home: python-escpos' temporary dir
        return
    os.environ["ESCPOS_CAPABILITIES_PICKLE_DIR"] = str(cache)


_use_stable_capabilities_cache()
