"""What the packaging tests read from a built .deb: its Depends field and its file list."""

from __future__ import annotations

import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("qihang-kiosk", "qihang-hall")


def depends(deb: Path) -> list[str]:
    """The Depends field as a list of relations ("a | b" kept as one)."""
    field = subprocess.run(
        ["dpkg-deb", "--field", str(deb), "Depends"], capture_output=True, text=True, check=True
    ).stdout
    return [relation.strip() for relation in field.split(",") if relation.strip()]


def contents(deb: Path) -> set[str]:
    """Every path in the package's data, as installed (leading "/", no trailing "/")."""
    listing = subprocess.run(
        ["dpkg-deb", "--contents", str(deb)], capture_output=True, text=True, check=True
    ).stdout
    return {line.split()[-1].lstrip(".").rstrip("/") for line in listing.splitlines()} - {""}
