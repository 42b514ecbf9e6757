"""The two .debs of a release, qihang-kiosk (the station) and qihang-hall (the server): built by
packaging/build-deb.sh exactly as `make deb` builds them, then read back with dpkg-deb, checked by
lintian (with the documented overrides), their units by `systemd-analyze verify` and their
maintainer scripts by sh -n and shellcheck; each holds only what it runs, and installs its
hashed requirements with --require-hashes."""

from __future__ import annotations

import ast
import json
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from kiosk.config import parse_config
from tests.packaging.deb_files import PACKAGES, ROOT, contents, depends

UNITS = {"qihang-kiosk": "qihang-kiosk.service", "qihang-hall": "qihang-hall.service"}
# The station's libraries the server must never carry (the hall has no screen, card or camera).
STATION_ONLY = ("pyside6", "shiboken6", "opencv-python-headless", "numpy", "pyscard", "aiortc",
                "av", "python-escpos", "pyserial")  # fmt: skip
# The hall ships only these source trees (of remote_assist, only the wire protocol).
HALL_APP = "/opt/qihang-hall/app"
HALL_TOP = {"hall", "contracts", "remote_assist", "requirements-hall.txt"}


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        pytest.fail(f"{name} is missing: run packaging/system-deps.sh (it installs it)")
    return found


@pytest.fixture(scope="module")
def deb(debs: dict[str, Path]) -> Path:
    return debs["qihang-kiosk"]


@pytest.fixture(scope="module")
def tree(trees: dict[str, Path]) -> Path:
    return trees["qihang-kiosk"]


def _pins(requirements: Path) -> dict[str, str]:
    """name -> version of every requirement line (normalised names)."""
    pins = {}
    for line in requirements.read_text().splitlines():
        match = re.match(r"^([A-Za-z0-9._-]+)==(\S+)", line)
        if match:
            pins[re.sub(r"[-_.]+", "-", match.group(1)).lower()] = match.group(2)
    return pins


def test_control_fields(deb: Path) -> None:
    info = subprocess.run(
        ["dpkg-deb", "--info", str(deb)], capture_output=True, text=True, check=True
    ).stdout
    assert "Package: qihang-kiosk" in info and "Architecture: all" in info
    needs = depends(deb)
    for needed in ("python3.11-venv", "cage", "pcscd", "libpcsclite1", "libpulse0", "adduser"):
        assert needed in needs
    # Noto, not WenQuanYi: WQY draws 𠮷 and 䶮 as empty boxes (test_fonts.py renders them).
    assert "fonts-noto-cjk" in needs
    assert not [relation for relation in needs if "wqy" in relation]
    for script in ("postinst", "prerm", "postrm", "conffiles", "md5sums"):
        assert f" {script} " in info
    # Small: source and pinned requirements, never the Python packages themselves.
    assert deb.stat().st_size < 2_000_000


def test_hall_control_fields(debs: dict[str, Path]) -> None:
    deb = debs["qihang-hall"]
    info = subprocess.run(
        ["dpkg-deb", "--info", str(deb)], capture_output=True, text=True, check=True
    ).stdout
    assert "Package: qihang-hall" in info and "Architecture: all" in info
    needs = depends(deb)
    assert {"adduser", "systemd", "python3.11", "python3.11-venv"} <= set(needs)
    # A server: no compositor, card daemon, fonts or sound.
    assert not [n for n in needs if n.startswith(("cage", "pcscd", "fonts-", "libpulse", "libgl"))]
    for script in ("postinst", "prerm", "postrm", "md5sums"):
        assert f" {script} " in info
    assert " conffiles " not in info
    assert deb.stat().st_size < 1_000_000


def test_contents(deb: Path) -> None:
    listing = subprocess.run(
        ["dpkg-deb", "--contents", str(deb)], capture_output=True, text=True, check=True
    ).stdout
    paths = contents(deb)
    for expected in (
        "/etc/qihang/kiosk.toml",
        "/etc/pam.d/qihang-kiosk",
        "/lib/systemd/system/qihang-kiosk.service",
        "/lib/udev/rules.d/70-qihang-kiosk.rules",
        "/usr/lib/systemd/journald.conf.d/60-qihang.conf",
        "/usr/lib/systemd/coredump.conf.d/60-qihang.conf",
        "/usr/lib/systemd/system.conf.d/60-qihang.conf",
        "/usr/share/doc/qihang-kiosk/runbook.md",
        "/usr/share/doc/qihang-kiosk/copyright",
        "/opt/qihang-kiosk/app/main.py",
        "/opt/qihang-kiosk/app/requirements.txt",
        "/opt/qihang-kiosk/app/kiosk/watchdog.py",
        "/opt/qihang-kiosk/app/contracts/__init__.py",
        "/opt/qihang-kiosk/app/remote_assist/protocol.py",
        "/opt/qihang-kiosk/app/ui/qml/Main.qml",
        "/opt/qihang-kiosk/app/ui/i18n/qihang_zh_CN.qm",
        "/opt/qihang-kiosk/app/kiosk/services/content/catalog.json",
    ):
        assert expected in paths, expected
    # The hall is its own package (qihang-hall): neither its code nor its unit on a station.
    assert "/lib/systemd/system/qihang-hall.service" not in paths
    assert not [p for p in paths if p.startswith("/opt/qihang-kiosk/app/hall")]
    assert not [p for p in paths if "__pycache__" in p or p.endswith(".pyc")]
    assert not [
        p for p in paths if p.startswith(("/opt/qihang-kiosk/app/tests", "/opt/qihang-kiosk/venv"))
    ]
    assert all(line.split()[1] == "root/root" for line in listing.splitlines())


def test_hall_contents(debs: dict[str, Path]) -> None:
    paths = contents(debs["qihang-hall"])
    for expected in (
        "/lib/systemd/system/qihang-hall.service",
        "/usr/share/doc/qihang-hall/runbook.md",
        "/usr/share/doc/qihang-hall/copyright",
        "/usr/share/lintian/overrides/qihang-hall",
        f"{HALL_APP}/requirements-hall.txt",
        f"{HALL_APP}/hall/__main__.py",
        f"{HALL_APP}/hall/console/index.html",
        f"{HALL_APP}/contracts/__init__.py",
        f"{HALL_APP}/remote_assist/protocol.py",
    ):
        assert expected in paths, expected
    app = [p.removeprefix(HALL_APP + "/") for p in paths if p.startswith(HALL_APP + "/")]
    assert {p.split("/")[0] for p in app} == HALL_TOP
    assert sorted(p for p in app if p.startswith("remote_assist/")) == [
        "remote_assist/__init__.py",
        "remote_assist/protocol.py",
    ]
    # Nothing of the station: no UI, drivers, queue, kiosk core, main.py, udev, PAM or config.
    assert not [p for p in paths if p.startswith(("/etc", "/lib/udev", "/opt/qihang-kiosk"))]
    assert not [p for p in paths if "__pycache__" in p or p.endswith(".pyc")]


def test_requirements_are_hashed_and_the_hall_has_no_station_libraries(
    trees: dict[str, Path],
) -> None:
    kiosk = trees["qihang-kiosk"] / "opt/qihang-kiosk/app/requirements.txt"
    hall = trees["qihang-hall"] / "opt/qihang-hall/app/requirements-hall.txt"
    assert kiosk.read_bytes() == (ROOT / "requirements.txt").read_bytes()
    assert hall.read_bytes() == (ROOT / "requirements-hall.txt").read_bytes()
    for requirements in (kiosk, hall):
        text = requirements.read_text()
        # pip-compile --generate-hashes: every pin is followed by its hashes; no address written.
        pins = re.findall(r"^[A-Za-z0-9._-]+==\S+", text, re.M)
        hashed = re.findall(r"^[A-Za-z0-9._-]+==\S+ \\\n +--hash=sha256:[0-9a-f]{64}", text, re.M)
        assert pins and len(hashed) == len(pins), requirements.name
        assert "://" not in text and not re.search(r"^--(index-url|find-links)", text, re.M)
    kiosk_pins, hall_pins = _pins(kiosk), _pins(hall)
    assert "pyside6" in kiosk_pins and "fastapi" in hall_pins
    assert not [name for name in STATION_ONLY if name in hall_pins]
    # The hall runs on the versions the tests ran it on: the app's pins (-c requirements.txt).
    assert {n: v for n, v in hall_pins.items() if n in kiosk_pins} == {
        n: kiosk_pins[n] for n in hall_pins if n in kiosk_pins
    }
    assert set(hall_pins) <= set(kiosk_pins)


def test_hall_runs_from_its_own_tree_on_its_own_requirements(trees: dict[str, Path]) -> None:
    """Every module the hall package ships imports with only that tree on the path, loads
    nothing of the station, and needs no distribution outside requirements-hall.txt."""
    app = trees["qihang-hall"] / HALL_APP.lstrip("/")
    pins = _pins(app / "requirements-hall.txt")
    # The probe runs on the test venv, which holds more than the hall's pins (pygments, for
    # one, which mako imports when it can). Distributions outside the pins are hidden from the
    # import system, as on a hall install: an optional import falls back, a needed one fails.
    probe = """
import importlib, importlib.abc, importlib.metadata, json, os, pkgutil, re, sys
before = set(sys.modules)  # what site.py loaded (e.g. setuptools' distutils hack), not the hall
pins = set(json.loads(os.environ["HALL_PINS"]))
owners = importlib.metadata.packages_distributions()

class OutsideThePins(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        dists = {re.sub(r"[-_.]+", "-", d).lower() for d in owners.get(name, [])}
        if "." not in name and dists and not dists & pins:
            raise ModuleNotFoundError(f"{name} ({', '.join(sorted(dists))}) is not pinned")
        return None

sys.meta_path.insert(0, OutsideThePins())
for top in ("hall", "contracts", "remote_assist"):
    package = importlib.import_module(top)
    for info in pkgutil.walk_packages(package.__path__, top + "."):
        importlib.import_module(info.name)
tops = {name.split(".")[0] for name in set(sys.modules) - before}
tops -= set(sys.stdlib_module_names)
print(json.dumps({
    "files": sorted({getattr(m, "__file__", None) or "" for n, m in sys.modules.items()
                     if n.split(".")[0] in ("hall", "contracts", "remote_assist")}),
    "tops": sorted(tops),
    "dists": sorted({d for top in tops for d in owners.get(top, [])}),
}))
"""
    proc = subprocess.run(
        [sys.executable, "-c", probe], cwd=app.parent, capture_output=True, text=True,
        timeout=120,
        env={"PYTHONPATH": str(app), "PATH": "/usr/bin:/bin", "HALL_PINS": json.dumps(list(pins))},
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    found = json.loads(proc.stdout)
    assert found["files"] and all(f.startswith(str(app)) for f in found["files"])
    station = {"kiosk", "ui", "drivers", "offline_queue", "PySide6", "cv2", "smartcard", "aiortc"}
    assert not station & set(found["tops"])
    needed = {re.sub(r"[-_.]+", "-", d).lower() for d in found["dists"]}
    assert needed and needed <= set(pins), needed - set(pins)


def test_kiosk_tree_imports_nothing_of_the_hall(tree: Path) -> None:
    """The station package has no hall/: no shipped module may import it. main.py's `hall` and
    `demo` commands are the exception (they start the hall, which a station does not run)."""
    app = tree / "opt/qihang-kiosk/app"
    offenders = []
    for source in app.rglob("*.py"):
        for node in ast.walk(ast.parse(source.read_text(), str(source))):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            if any(name == "hall" or name.startswith("hall.") for name in names):
                offenders.append(f"{source.relative_to(app)}:{node.lineno}")
    starters = [
        range(func.lineno, (func.end_lineno or func.lineno) + 1)
        for func in ast.parse((app / "main.py").read_text()).body
        if isinstance(func, ast.FunctionDef) and func.name in ("cmd_hall", "cmd_demo")
    ]
    main_lines = {f"main.py:{line}" for lines in starters for line in lines}
    assert [o for o in offenders if o not in main_lines] == []


def test_postinst_installs_with_require_hashes(trees: dict[str, Path]) -> None:
    for name, requirements in (
        ("qihang-kiosk", "requirements.txt"),
        ("qihang-hall", "requirements-hall.txt"),
    ):
        postinst = (trees[name] / "DEBIAN" / "postinst").read_text()
        assert "@VENV_SH@" not in postinst and "build_venv() {" in postinst
        assert f'REQUIREMENTS="$APP/app/{requirements}"' in postinst
        assert f"PKG={name}\n" in postinst
        # One pip install, and it checks hashes (online and offline alike).
        installs = re.findall(r'"\$VENV/bin/python" -m pip install [^\n]*', postinst)
        assert installs == ['"$VENV/bin/python" -m pip install "$@" -r "$reqs"; then']
        options = postinst[postinst.index("set -- --disable-pip-version-check") :]
        options = options[: options.index("\n    if")]
        assert "--require-hashes" in options
        assert "--upgrade" not in postinst


def test_conffile_is_the_example_with_production_paths(tree: Path) -> None:
    assert (tree / "DEBIAN" / "conffiles").read_text().split() == [
        "/etc/qihang/kiosk.toml",
        "/etc/pam.d/qihang-kiosk",
    ]
    data = tomllib.loads((tree / "etc/qihang/kiosk.toml").read_text())
    # No station is shipped: a new terminal boots into enrolment, which provides it.
    assert "station" not in data
    config = parse_config({**data, "station": {"id": "SND-SS-009", "name": "新站"}})
    assert str(config.paths.state_dir) == "/var/lib/qihang/kiosk"
    example = (ROOT / "packaging" / "kiosk.example.toml").read_text().splitlines()
    shipped = (tree / "etc/qihang/kiosk.toml").read_text().splitlines()
    end = example.index("", example.index("[station]"))
    example = [
        *example[: example.index("[station]")],
        "# [station] comes from enrolment",
        *example[end:],
    ]
    changed = [b for a, b in zip(example, shipped, strict=True) if a != b]
    assert (
        shipped.count(
            "# [station] comes from enrolment: the first-boot screen or main.py provision."
        )
        == 1
    )
    assert [line for line in changed if "[station]" not in line] == [
        line for line in shipped if "/var/lib/qihang/kiosk" in line
    ]
    assert len(changed) == 3


def test_kiosk_unit_runs_cage_as_kiosk_with_a_watchdog(tree: Path) -> None:
    unit = (tree / "lib/systemd/system/qihang-kiosk.service").read_text()
    for line in (
        "Type=notify",
        "NotifyAccess=all",
        "WatchdogSec=30",
        "User=kiosk",
        "PAMName=qihang-kiosk",
        "TTYPath=/dev/tty1",
        "Restart=always",
        "LimitCORE=0",
        "ExecStart=/usr/bin/cage -- /opt/qihang-kiosk/venv/bin/python "
        "/opt/qihang-kiosk/app/main.py kiosk --config /etc/qihang/kiosk.toml",
    ):
        assert line in unit.splitlines(), line
    coredump = (tree / "usr/lib/systemd/coredump.conf.d/60-qihang.conf").read_text()
    assert "Storage=none" in coredump.splitlines()
    journald = (tree / "usr/lib/systemd/journald.conf.d/60-qihang.conf").read_text()
    assert re.search(r"^SystemMaxUse=\d+M$", journald, re.M)


def test_hall_unit_runs_the_hall_package_as_its_user(trees: dict[str, Path]) -> None:
    hall = (trees["qihang-hall"] / "lib/systemd/system/qihang-hall.service").read_text()
    for line in (
        "User=qihang-hall",
        "LimitCORE=0",
        "Environment=PYTHONPATH=/opt/qihang-hall/app",
        "ExecStart=/opt/qihang-hall/venv/bin/python -m hall --host 127.0.0.1 --port 8700 "
        "--db /var/lib/qihang/hall/hall.sqlite3",
    ):
        assert line in hall.splitlines(), line
    assert "qihang-kiosk" not in hall


@pytest.mark.parametrize("package", PACKAGES)
def test_systemd_analyze_verify(trees: dict[str, Path], package: str) -> None:
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("systemd-analyze is not installed (package systemd): units not verified")
    _tool("cage")  # the kiosk unit's ExecStart must resolve
    unit = trees[package] / "lib/systemd/system" / UNITS[package]
    proc = subprocess.run(
        [analyze, "verify", "--man=no", str(unit)], capture_output=True, text=True, timeout=60
    )
    problems = [line for line in (proc.stdout + proc.stderr).splitlines() if line.strip()]
    # The one expected finding: the venv's python, created by postinst at install time.
    venv_python = f"/opt/{package}/venv/bin/python"
    missing = f"Command {venv_python} is not executable: No such file or directory"
    unexpected = [line for line in problems if not line.endswith(missing)]
    assert unexpected == [], "\n".join(problems)


@pytest.mark.parametrize("package", PACKAGES)
def test_lintian_with_documented_overrides(debs: dict[str, Path], package: str) -> None:
    lintian = _tool("lintian")
    proc = subprocess.run(
        [lintian, "--fail-on", "error,warning", str(debs[package])],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    findings = [line for line in proc.stdout.splitlines() if re.match(r"^[EWI]: ", line)]
    assert proc.returncode == 0 and findings == [], proc.stdout + proc.stderr


def test_maintainer_scripts_parse_and_pass_shellcheck(trees: dict[str, Path]) -> None:
    scripts = [
        trees[package] / "DEBIAN" / name
        for package in PACKAGES
        for name in ("postinst", "prerm", "postrm")
    ]
    for script in scripts:
        assert script.read_text().startswith("#!/bin/sh\n")
        subprocess.run(["sh", "-n", str(script)], check=True)
    shellcheck = _tool("shellcheck")
    build = [ROOT / "packaging" / n for n in ("build-deb.sh", "build-wheels.sh", "system-deps.sh")]
    proc = subprocess.run(
        [shellcheck, "-s", "sh", *map(str, scripts)], capture_output=True, text=True
    )
    assert proc.returncode == 0, proc.stdout
    proc = subprocess.run([shellcheck, *map(str, build)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout


def test_udev_rules_give_the_kiosk_group_each_device(tree: Path) -> None:
    rules = [
        line
        for line in (tree / "lib/udev/rules.d/70-qihang-kiosk.rules").read_text().splitlines()
        if line and not line.startswith("#")
    ]
    joined = "\n".join(rules)
    for match in ('ttyUSB[0-9]*|ttyACM[0-9]*', 'ATTR{idProduct}=="c35a"', "0701", "lp[0-9]*",
                  'SUBSYSTEM=="video4linux"'):  # fmt: skip
        assert match in joined, match
    assert all('GROUP="kiosk"' in line and 'MODE="0660"' in line for line in rules)
