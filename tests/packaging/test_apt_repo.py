"""Station updates from the hall's apt repository, end to end on real parts: two versions of the
kiosk .deb (packaging/build-deb.sh), published with reprepro into the hall's signed repository
(hall.apt_repo), served by a real uvicorn hall at /apt/, and installed with apt-get and dpkg into
a container-free install root (apt's Dir settings and ``dpkg --root``, the maintainer scripts
run chrootless, so they touch nothing of this machine). The station's side is the product's own:
enrolment pins the repository key, the heartbeat answer carries the console's pin, and
kiosk.updater writes apt's keyring, source and preferences and runs apt-get: version 1, then 2,
then back to 1 by the pin. A repository signed by another key is refused by apt."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from contracts.apt_source import pin_suite
from hall.apt_repo import AptRepo
from hall.server import HallServer
from kiosk.updater import (
    KEY_FILE,
    PREFERENCES,
    SOURCES,
    UpdateRefused,
    configure,
    note_software,
    upgrade,
)
from tests.hall.helpers import (
    add_staff,
    audit_rows,
    cheap_hasher,
    enrol_station,
    enrolled_runtime,
    login,
    signed_session,
)
from tests.packaging.deb_files import ROOT, depends

STATION = "QH-APT-1"
TIMEOUT_S = 30


@pytest.fixture(scope="module")
def versions(debs: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """The kiosk .deb of this source tree (version 1, the packaging tests' own build) and one
    built with a later version (2)."""
    first = debs["qihang-kiosk"]
    v1 = first.name.split("_")[1]
    out = tmp_path_factory.mktemp("deb-v2")
    env = {**os.environ, "PACKAGE_VERSION": f"{v1}+update2"}
    proc = subprocess.run(
        [str(ROOT / "packaging" / "build-deb.sh"), str(out)],
        env=env, capture_output=True, text=True, timeout=180, check=True,
    )  # fmt: skip
    second = Path(proc.stdout.split()[0])
    assert second.name == f"qihang-kiosk_{v1}+update2_all.deb"
    return [first, second]


def _version(deb: Path) -> str:
    return deb.name.split("_")[1]


@pytest.fixture
def hall(tmp_path: Path) -> Iterator[HallServer]:
    server = HallServer(tmp_path / "hall.db", password_hasher=cheap_hasher()).start()
    repo: AptRepo = server.app.state.apt_repo
    yield server
    server.stop()
    _kill_agent(repo.gnupg)


def _kill_agent(gnupg: Path) -> None:
    if gnupg.is_dir():
        subprocess.run(["gpgconf", "--homedir", str(gnupg), "--kill", "all"], check=False)


class InstallRoot:
    """A directory apt and dpkg treat as a system: its own dpkg database (with the Debian
    packages the kiosk depends on recorded as installed), apt configuration, lists and cache."""

    def __init__(self, path: Path, deb: Path) -> None:
        self.path = path
        for sub in (
            "var/lib/dpkg/info", "var/lib/dpkg/updates", "var/lib/dpkg/triggers",
            "etc/apt/apt.conf.d", "etc/apt/preferences.d", "etc/apt/sources.list.d",
            "var/lib/apt/lists/partial", "var/cache/apt/archives/partial", "var/log/apt",
        ):  # fmt: skip
            (path / sub).mkdir(parents=True, exist_ok=True)
        stanzas = [
            f"Package: {relation.split()[0]}\nStatus: install ok installed\nVersion: 1\n"
            "Architecture: all\nMaintainer: stub\nDescription: installed on the station\n"
            for relation in depends(deb)
        ]
        (path / "var/lib/dpkg/status").write_text("\n".join(stanzas) + "\n")
        options = [f"--root={path}", "--force-script-chrootless", f"--log={path}/dpkg.log"]
        if os.geteuid() != 0:
            options.append("--force-not-root")
        self.etc_apt = path / "etc/apt"
        self.config = self.etc_apt / "apt.conf"
        self.config.write_text(
            f'Dir "{path}/";\n'
            f'Dir::State::status "{path}/var/lib/dpkg/status";\n'
            "DPkg::Options {" + "".join(f' "{o}";' for o in options) + " };\n"
            'APT::Sandbox::User "root";\n'
        )
        self.env = {"APT_CONFIG": str(self.config)}

    def installed(self) -> str:
        return subprocess.run(
            ["dpkg-query", f"--admindir={self.path}/var/lib/dpkg", "-W", "-f=${Version}",
             "qihang-kiosk"],
            capture_output=True, text=True, check=True,
        ).stdout  # fmt: skip

    def stamped_version(self) -> str:
        text = (self.path / "opt/qihang-kiosk/app/kiosk/__init__.py").read_text()
        return text.split('__version__ = "', 1)[1].split('"', 1)[0]


def _heartbeat(server: HallServer, state_dir: Path, version: str) -> requests.Response:
    from kiosk.device_identity import load_identity

    identity = load_identity(state_dir)
    assert identity is not None
    beat = {"version": version, "uptime_s": 1.0, "outbox_depth": 0, "devices": {}}
    return signed_session(identity).post(
        f"{server.url}/api/v1/stations/{STATION}/heartbeat", json=beat, timeout=TIMEOUT_S
    )


def test_a_station_installs_upgrades_and_is_pinned_back_from_the_halls_signed_repository(
    hall: HallServer, versions: list[Path], tmp_path: Path
) -> None:
    v1_deb, v2_deb = versions
    v1, v2 = _version(v1_deb), _version(v2_deb)
    repo: AptRepo = hall.app.state.apt_repo
    fingerprint = repo.init()
    assert repo.publish(v1_deb).version == v1

    # Enrolment pins the repository's key on the station.
    state = tmp_path / "station"
    enrol_station(hall, STATION, state_dir=state)
    assert (state / KEY_FILE).read_text() == repo.public_key()
    assert len(fingerprint) == 40

    root = InstallRoot(tmp_path / "root", v1_deb)
    configure(state, root.etc_apt)
    source = (root.etc_apt / SOURCES).read_text()
    assert f"URIs: {hall.url}/apt/" in source and "Suites: stable\n" in source
    assert f"Signed-By: {root.etc_apt}/keyrings/qihang.asc" in source
    upgrade(root.etc_apt, env=root.env)
    assert root.installed() == v1

    # A new version published: the station upgrades to it (and its heartbeat would say so).
    repo.publish(v2_deb)
    configure(state, root.etc_apt)
    upgrade(root.etc_apt, env=root.env)
    assert root.installed() == v2 and root.stamped_version() == v2

    # The console shows the versions and pins the station back to 1.
    assert _heartbeat(hall, state, v2).status_code == 204  # nothing for it yet
    add_staff(hall, "tech", "technician")
    console = login(hall, "tech")
    seen = console.get(f"{hall.url}/api/v1/software", timeout=TIMEOUT_S).json()
    assert seen["running"] == [{"version": v2, "stations": 1}]
    assert seen["published"] == [v1, v2] and seen["repository"] is True
    refused = console.put(
        f"{hall.url}/api/v1/software/pins/{STATION}", json={"version": "9.9"}, timeout=TIMEOUT_S
    )
    assert refused.status_code == 409 and "not in the hall's apt repository" in refused.text
    pinned = console.put(
        f"{hall.url}/api/v1/software/pins/{STATION}", json={"version": v1}, timeout=TIMEOUT_S
    )
    assert pinned.status_code == 200, pinned.text

    answer = _heartbeat(hall, state, v2)
    assert answer.status_code == 200 and answer.json()["software"] == {"pin": v1}
    assert "commands" not in answer.json()
    assert note_software(state, answer.json()) is True
    assert note_software(state, answer.json()) is False  # unchanged: the updater is not woken
    configure(state, root.etc_apt)
    assert f"Pin: version {v1}\nPin-Priority: 1001" in (root.etc_apt / PREFERENCES).read_text()
    assert pin_suite("qihang-kiosk", v1) in (root.etc_apt / SOURCES).read_text()
    upgrade(root.etc_apt, env=root.env)
    assert root.installed() == v1 and root.stamped_version() == v1

    # Unpinned: the station follows the newest again.
    assert console.delete(f"{hall.url}/api/v1/software/pins/{STATION}").status_code == 200
    assert _heartbeat(hall, state, v1).status_code == 204
    assert note_software(state, None) is True
    configure(state, root.etc_apt)
    assert not (root.etc_apt / PREFERENCES).exists()
    upgrade(root.etc_apt, env=root.env)
    assert root.installed() == v2

    # A repository signed by another key (a hall that lost its key, or an impostor): apt
    # refuses it, and nothing is installed.
    impostor = AptRepo(tmp_path / "impostor")
    try:
        impostor.init()
        impostor.publish(v1_deb)
        hall.app.state.apt_repo = impostor
        with pytest.raises(UpdateRefused, match=r"apt-get update failed.*(NO_PUBKEY|signature)"):
            upgrade(root.etc_apt, env=root.env)
        assert root.installed() == v2
    finally:
        hall.app.state.apt_repo = repo
        _kill_agent(impostor.gnupg)

    # A station whose pinned key no longer matches the installed keyring is not re-keyed.
    (state / KEY_FILE).write_text(impostor.public_key() or "")
    with pytest.raises(UpdateRefused, match="differs"):
        configure(state, root.etc_apt)


def test_the_repository_route_serves_only_the_signed_indices_and_the_pool(
    hall: HallServer, versions: list[Path], tmp_path: Path
) -> None:
    repo: AptRepo = hall.app.state.apt_repo
    assert (
        requests.get(f"{hall.url}/apt/dists/stable/InRelease", timeout=TIMEOUT_S).status_code == 404
    )
    repo.init()
    repo.publish(versions[0])
    ok = requests.get(f"{hall.url}/apt/dists/stable/InRelease", timeout=TIMEOUT_S)
    assert ok.status_code == 200 and "BEGIN PGP SIGNATURE" in ok.text
    pool = f"pool/main/q/qihang-kiosk/{versions[0].name}"
    assert (
        requests.get(f"{hall.url}/apt/{pool}", timeout=TIMEOUT_S).content
        == versions[0].read_bytes()
    )
    (repo.repo / "pool" / "escape").symlink_to(tmp_path / "hall.db")
    for path in (
        "conf/distributions", "db/packages.db", "dists/../conf/distributions",
        "pool/../db/version", "%2e%2e/hall.keys/seal.key",
        "dists/stable/%2e%2e/%2e%2e/conf/options",
        "dists/.hidden", "pool/escape", "", "dists", "dists/stable/main//Packages",
        "../gnupg/pubring.kbx",
    ):  # fmt: skip
        answer = requests.get(f"{hall.url}/apt/{path}", timeout=TIMEOUT_S)
        assert answer.status_code == 404, path
    # The armoured key, as a technician may check it by hand, and the admin CLI publishes.
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    cli = [str(ROOT / ".venv/bin/python"), "-m", "hall", "apt"]
    key = subprocess.run(
        [*cli, "key", "--dir", str(repo.root)], env=env, capture_output=True, text=True, check=True
    )
    assert key.stdout == repo.public_key()
    again = subprocess.run(
        [*cli, "publish", str(versions[0]), "--dir", str(repo.root)],
        env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert again.returncode == 1 and "already published" in again.stderr


def test_a_running_kiosk_notes_its_pin_from_the_heartbeat_answer_between_walk_ins(
    hall: HallServer, versions: list[Path], tmp_path: Path
) -> None:
    from kiosk.config import parse_config
    from kiosk.updater import read_pin

    repo: AptRepo = hall.app.state.apt_repo
    repo.init()
    version = repo.publish(versions[0]).version
    config = parse_config(
        {
            "station": {"id": STATION, "name": "狮山街道站"},
            "hall": {"url": hall.url, "timeout_s": 2},
            "devices": {"printer": {"backend": "simulator", "options": {"port": 0}}},
            "paths": {"state_dir": str(tmp_path / "kiosk")},
        }
    )
    runtime = enrolled_runtime(config, hall)
    try:
        add_staff(hall, "zhou.super", "supervisor")
        console = login(hall, "zhou.super")
        pinned = console.put(
            f"{hall.url}/api/v1/software/pins/{STATION}",
            json={"version": version},
            timeout=TIMEOUT_S,
        )
        assert pinned.status_code == 200, pinned.text
        runtime.in_session = lambda: True  # a walk-in is being served: the pin waits
        runtime.send_heartbeat(runtime.part("hall"))
        assert read_pin(runtime.state_dir) is None
        runtime.in_session = lambda: False
        runtime.send_heartbeat(runtime.part("hall"))
        assert read_pin(runtime.state_dir) == version
        seen = console.get(f"{hall.url}/api/v1/software", timeout=TIMEOUT_S).json()
        assert seen["pins"][0]["station_id"] == STATION
        assert seen["pins"][0]["set_by"] == "zhou.super"
        assert ("zhou.super", "software.pin", STATION, version) in audit_rows(
            hall, subject_kind="station", subject_id=STATION
        )
    finally:
        runtime.close()


def test_the_updater_units_ship_and_verify(trees: dict[str, Path]) -> None:
    units = trees["qihang-kiosk"] / "lib/systemd/system"
    names = [f"qihang-kiosk-update.{kind}" for kind in ("service", "path", "timer")]
    proc = subprocess.run(
        ["systemd-analyze", "verify", "--man=no", *names],
        cwd=units, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    problems = [line for line in (proc.stdout + proc.stderr).splitlines() if line.strip()]
    # The one expected finding: the venv's python, created by postinst at install time.
    missing = "Command /opt/qihang-kiosk/venv/bin/python is not executable"
    assert [line for line in problems if missing not in line] == [], problems
    service = (units / "qihang-kiosk-update.service").read_text()
    assert "-m kiosk.updater --state-dir /var/lib/qihang/kiosk" in service
    path = (units / "qihang-kiosk-update.path").read_text()
    assert "PathChanged=/var/lib/qihang/kiosk/software.json" in path
