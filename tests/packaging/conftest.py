"""One build of both .debs (packaging/build-deb.sh, exactly as `make deb` runs it) for every
packaging test, and each package read back with dpkg-deb."""

from __future__ import annotations

import subprocess
import tomllib
from pathlib import Path

import pytest

from tests.packaging.deb_files import PACKAGES, ROOT


@pytest.fixture(scope="session")
def debs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Package name -> its .deb, built once per run."""
    out = tmp_path_factory.mktemp("deb")
    proc = subprocess.run(
        [str(ROOT / "packaging" / "build-deb.sh"), str(out)],
        capture_output=True, text=True, timeout=180, check=True,
    )  # fmt: skip
    paths = [Path(line) for line in proc.stdout.split()]
    version = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    assert [p.name for p in paths] == [f"{name}_{version}_all.deb" for name in PACKAGES]
    return dict(zip(PACKAGES, paths, strict=True))


@pytest.fixture(scope="session")
def trees(debs: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Package name -> a directory with its files and its control area in DEBIAN/."""
    roots = {}
    for name, deb in debs.items():
        root = tmp_path_factory.mktemp(name)
        subprocess.run(["dpkg-deb", "-x", str(deb), str(root)], check=True)
        subprocess.run(["dpkg-deb", "-e", str(deb), str(root / "DEBIAN")], check=True)
        roots[name] = root
    return roots
