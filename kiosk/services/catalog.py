"""The kiosk's catalog files: the sample that ships with the station, read and checked.

The catalog's schema and checks are shared with the hall (:mod:`contracts.catalog`); this module
only reads a file (the shipped ``content/catalog.json`` by default) and hands the decoded document
to :func:`contracts.catalog.parse_catalog`, naming the file in every reason it gives.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Final

from contracts.catalog import Catalog, CatalogError, parse_catalog

__all__ = ["DEFAULT_CATALOG_PATH", "load_catalog"]

DEFAULT_CATALOG_PATH: Final[Path] = Path(__file__).with_name("content") / "catalog.json"


def load_catalog(path: Path | None = None) -> Catalog:
    """Load and check a catalog file (the shipped sample when ``path`` is None)."""
    path = DEFAULT_CATALOG_PATH if path is None else path
    source = str(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise CatalogError(source, [f"cannot read the file: {exc.strerror or exc}"]) from exc
    try:
        data = json.loads(raw)
    except UnicodeDecodeError as exc:
        raise CatalogError(source, ["the file is not UTF-8 text"]) from exc
    except json.JSONDecodeError as exc:
        reason = f"not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}"
        raise CatalogError(source, [reason]) from exc
    return parse_catalog(data, source=source)
