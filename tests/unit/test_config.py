"""Config: the example loads; a wrong value stops the start, naming the key and what is accepted."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from kiosk.config import ConfigError, load_config, parse_config

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "packaging" / "kiosk.example.toml"
MINIMAL = {
    "station": {"id": "SND-1", "name": "狮山街道站"},
    "hall": {"url": "http://127.0.0.1:8700"},
}


def test_example_config_loads() -> None:
    cfg = load_config(EXAMPLE)
    assert cfg.station.id == "SND-SS-001"
    assert cfg.ui.language == "zh_CN"
    assert cfg.devices.printer.backend == "simulator"
    assert cfg.timeouts.idle_s > cfg.timeouts.warning_s


def test_defaults_fill_the_rest() -> None:
    cfg = parse_config(MINIMAL)
    assert cfg.devices.card_reader.backend == "simulator"
    assert cfg.ui.care_mode is False


@pytest.mark.parametrize(
    ("patch", "expected"),
    [
        (
            {"ui": {"language": "fr_FR"}},
            "ui.language: 'fr_FR' is not accepted; use one of: 'zh_CN' or 'en_US'",
        ),
        (
            {"devices": {"printer": {"backend": "epson"}}},
            "devices.printer.backend: 'epson' is not accepted; "
            "use one of: escpos_network, simulator",
        ),
        (
            {"timeouts": {"idle_s": 1}},
            "timeouts.idle_s: Input should be greater than or equal to 10",
        ),
        ({"station": {"id": "bad id!", "name": "x"}}, "station.id:"),
        ({"hall": {"url": "ftp://x"}}, "hall.url:"),
        ({"ui": {"langauge": "zh_CN"}}, "ui.langauge: unknown key"),
    ],
)
def test_wrong_values_name_the_key_and_accepted_values(patch: dict, expected: str) -> None:
    data = {**MINIMAL, **patch}
    with pytest.raises(ConfigError) as err:
        parse_config(data)
    assert expected in str(err.value)


def test_missing_section_is_named() -> None:
    with pytest.raises(ConfigError, match="hall: required key is missing"):
        parse_config({"station": MINIMAL["station"]})


def test_broken_toml_is_reported(tmp_path: Path) -> None:
    bad = tmp_path / "k.toml"
    bad.write_text("[station\nid = 1", encoding="utf-8")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_config(bad)


def test_kiosk_refuses_to_start_with_a_bad_config(tmp_path: Path) -> None:
    bad = tmp_path / "k.toml"
    bad.write_text(
        EXAMPLE.read_text(encoding="utf-8").replace('language = "zh_CN"', 'language = "de"'),
        encoding="utf-8",
    )
    env = {"PATH": "/usr/bin:/bin", "QT_QPA_PLATFORM": "offscreen"}
    proc = subprocess.run(
        [sys.executable, str(ROOT / "main.py"), "kiosk", "--config", str(bad)],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert proc.returncode != 0
    assert "ui.language: 'de' is not accepted" in proc.stderr


@pytest.mark.parametrize(
    "url",
    [
        "http://hall.example",
        "http://192.168.1.10:8700",
        "http://127.0.0.1.evil.example:8700",  # a name that only starts like loopback
        "http://localhost@evil.example",  # userinfo: the host is evil.example
    ],
)
def test_plain_http_to_a_hall_elsewhere_is_refused(url: str) -> None:
    with pytest.raises(ConfigError, match=r"hall\.url: plain http:// is only allowed") as refused:
        parse_config({**MINIMAL, "hall": {"url": url}})
    assert "https://" in str(refused.value)


@pytest.mark.parametrize(
    "url",
    ["http://127.0.0.1:8700", "http://localhost:8700", "http://[::1]:8700", "https://hall.example"],
)
def test_plain_http_only_on_this_machine_and_https_anywhere(url: str) -> None:
    assert parse_config({**MINIMAL, "hall": {"url": url}}).hall.url == url
