"""Receipt printers. python-escpos' capabilities cache is set up here, before any module of this
package imports python-escpos: it parses its printer-capabilities YAML on every import (~100 ms)
and caches the result in a fresh temporary directory each time, leaving one behind per process.
A stable cache makes the second start fast and stops the litter.

python-escpos writes that cache in place (truncate, then write): a second process importing it
meanwhile reads a half-written pickle and fails (``EOFError``), as two processes starting at
once on a fresh machine do. So the cache is written here first, atomically (a temporary file
renamed over it), and python-escpos only ever reads a complete one."""

from __future__ import annotations

import os
from pathlib import Path


def _write_capabilities_cache(cache: Path) -> None:
    import importlib.util
    import json
    import pickle
    import platform
    import tempfile

    spec = importlib.util.find_spec("escpos")
    if spec is None or spec.origin is None:
        return  # not installed: whoever imports it gets the ImportError
    source = Path(spec.origin).parent / "capabilities.json"
    target = cache / f"{platform.python_version()}.capabilities.pickle"
    try:
        if target.exists() and target.stat().st_mtime >= source.stat().st_mtime:
            return
        # A JSON file (python-escpos reads it as YAML, whose subset JSON is).
        capabilities = json.loads(source.read_text("utf-8"))
        fd, temp = tempfile.mkstemp(dir=cache, prefix=".capabilities-")
        with os.fdopen(fd, "wb") as out:
            pickle.dump(capabilities, out, protocol=2)
        os.replace(temp, target)
    except (OSError, ValueError):  # python-escpos then does it its own way
        return


def _use_stable_capabilities_cache() -> None:
    if "ESCPOS_CAPABILITIES_PICKLE_DIR" in os.environ:
        return
    try:
        cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "qihang-kiosk"
        cache.mkdir(parents=True, exist_ok=True)
    except (OSError, RuntimeError):  # no home, read-only home: python-escpos' temporary dir
        return
    _write_capabilities_cache(cache)
    os.environ["ESCPOS_CAPABILITIES_PICKLE_DIR"] = str(cache)


_use_stable_capabilities_cache()
