"""The station .deb: built by packaging/build-deb.sh exactly as `make deb` builds it, then read
back with dpkg-deb, checked by lintian (with the documented overrides), its units by
`systemd-analyze verify` and its maintainer scripts by sh -n and shellcheck."""

from __future__ import annotations

import re
import shutil
import subprocess
import tomllib
from pathlib import Path

import pytest

from kiosk.config import parse_config

ROOT = Path(__file__).resolve().parents[2]
UNITS = ("qihang-kiosk.service", "qihang-hall.service")
# postinst creates the venv; everything else the units run must exist (cage: system-deps.sh).
CREATED_BY_POSTINST = "/opt/qihang-kiosk/venv/bin/python"


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        pytest.fail(f"{name} is missing: run packaging/system-deps.sh (it installs it)")
    return found


@pytest.fixture(scope="module")
def deb(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("deb")
    proc = subprocess.run(
        [str(ROOT / "packaging" / "build-deb.sh"), str(out)],
        capture_output=True, text=True, timeout=120, check=True,
    )  # fmt: skip
    path = Path(proc.stdout.strip().splitlines()[-1])
    version = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    assert path.name == f"qihang-kiosk_{version}_all.deb"
    return path


@pytest.fixture(scope="module")
def tree(deb: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("root")
    subprocess.run(["dpkg-deb", "-x", str(deb), str(root)], check=True)
    subprocess.run(["dpkg-deb", "-e", str(deb), str(root / "DEBIAN")], check=True)
    return root


def test_control_fields(deb: Path) -> None:
    info = subprocess.run(
        ["dpkg-deb", "--info", str(deb)], capture_output=True, text=True, check=True
    ).stdout
    assert "Package: qihang-kiosk" in info and "Architecture: all" in info
    depends = re.search(r"^ Depends: (.*)$", info, re.M)
    assert depends is not None
    for needed in ("python3.11-venv", "cage", "pcscd", "libpcsclite1", "libpulse0", "adduser"):
        assert needed in depends.group(1)
    assert "fonts-wqy-microhei | fonts-noto-cjk" in depends.group(1)
    for script in ("postinst", "prerm", "postrm", "conffiles", "md5sums"):
        assert f" {script} " in info
    # Small: source and pinned requirements, never the Python packages themselves.
    assert deb.stat().st_size < 2_000_000


def test_contents(deb: Path) -> None:
    listing = subprocess.run(
        ["dpkg-deb", "--contents", str(deb)], capture_output=True, text=True, check=True
    ).stdout
    paths = {line.split()[-1].lstrip(".") for line in listing.splitlines()}
    for expected in (
        "/etc/qihang/kiosk.toml",
        "/etc/pam.d/qihang-kiosk",
        "/lib/systemd/system/qihang-kiosk.service",
        "/lib/systemd/system/qihang-hall.service",
        "/lib/udev/rules.d/70-qihang-kiosk.rules",
        "/usr/lib/systemd/journald.conf.d/60-qihang.conf",
        "/usr/lib/systemd/coredump.conf.d/60-qihang.conf",
        "/usr/lib/systemd/system.conf.d/60-qihang.conf",
        "/usr/share/doc/qihang-kiosk/runbook.md",
        "/usr/share/doc/qihang-kiosk/copyright",
        "/opt/qihang-kiosk/app/main.py",
        "/opt/qihang-kiosk/app/requirements.txt",
        "/opt/qihang-kiosk/app/kiosk/watchdog.py",
        "/opt/qihang-kiosk/app/ui/qml/Main.qml",
        "/opt/qihang-kiosk/app/ui/i18n/qihang_zh_CN.qm",
        "/opt/qihang-kiosk/app/kiosk/services/content/catalog.json",
        "/opt/qihang-kiosk/app/hall/console/index.html",
    ):
        assert expected in paths, expected
    assert not [p for p in paths if "__pycache__" in p or p.endswith(".pyc")]
    assert not [
        p for p in paths if p.startswith(("/opt/qihang-kiosk/app/tests", "/opt/qihang-kiosk/venv"))
    ]
    assert all(line.split()[1] == "root/root" for line in listing.splitlines())


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
    hall = (tree / "lib/systemd/system/qihang-hall.service").read_text().splitlines()
    assert "User=qihang-hall" in hall and "LimitCORE=0" in hall
    coredump = (tree / "usr/lib/systemd/coredump.conf.d/60-qihang.conf").read_text()
    assert "Storage=none" in coredump.splitlines()
    journald = (tree / "usr/lib/systemd/journald.conf.d/60-qihang.conf").read_text()
    assert re.search(r"^SystemMaxUse=\d+M$", journald, re.M)


def test_systemd_analyze_verify(tree: Path) -> None:
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("systemd-analyze is not installed (package systemd): units not verified")
    _tool("cage")  # the kiosk unit's ExecStart must resolve
    units = [str(tree / "lib/systemd/system" / name) for name in UNITS]
    proc = subprocess.run(
        [analyze, "verify", "--man=no", *units], capture_output=True, text=True, timeout=60
    )
    problems = [line for line in (proc.stdout + proc.stderr).splitlines() if line.strip()]
    # The one expected finding: the venv's python, created by postinst at install time.
    missing = f"Command {CREATED_BY_POSTINST} is not executable: No such file or directory"
    unexpected = [line for line in problems if not line.endswith(missing)]
    assert unexpected == [], "\n".join(problems)


def test_lintian_with_documented_overrides(deb: Path) -> None:
    lintian = _tool("lintian")
    proc = subprocess.run(
        [lintian, "--fail-on", "error,warning", str(deb)],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    findings = [line for line in proc.stdout.splitlines() if re.match(r"^[EWI]: ", line)]
    assert proc.returncode == 0 and findings == [], proc.stdout + proc.stderr


def test_maintainer_scripts_parse_and_pass_shellcheck(tree: Path) -> None:
    scripts = [tree / "DEBIAN" / name for name in ("postinst", "prerm", "postrm")]
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
