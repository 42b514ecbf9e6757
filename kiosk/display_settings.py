"""What the attract screen needs of the configuration, read without pydantic.

The kiosk's first frame shows the station name in the walk-in's default language, care mode and
screen mode, and the identify picture for the station's reader kind. Importing pydantic and
building the config models costs more than half of a bare QML window's whole start, so
``main.py kiosk`` reads these few values from the config mapping with :func:`peek`, shows the
attract screen, and validates the whole file with :func:`kiosk.config.parse_config` right after
(a bad file still stops the kiosk, with the same message, before anyone can use the screen).
:func:`peek` never raises: a value of the wrong type reads as the model's default here and is
reported by the full validation a moment later. A value the models accept but read otherwise
(pydantic's lax mode takes ``care_mode = "yes"`` as true) is reported by :func:`disagreements`:
the screen would otherwise keep showing what :func:`peek` read.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from kiosk.config import KioskConfig

# The values of kiosk.config.Language; tests/ui/test_startup.py keeps them equal.
LANGUAGES = ("zh_CN", "en_US")


@dataclass(frozen=True, slots=True)
class DisplaySettings:
    """Defaults are kiosk.config's (UiConfig, CardReaderConfig); tests/ui/test_startup.py keeps
    them equal."""

    language: str = "zh_CN"
    care_mode: bool = False
    fullscreen: bool = True
    station_name: str = ""
    card_reader: str = "simulator"


def _table(data: Mapping[str, Any], *keys: str) -> Mapping[str, Any]:
    node: Any = data
    for key in keys:
        node = node.get(key) if isinstance(node, Mapping) else None
    return node if isinstance(node, Mapping) else {}


def peek(data: Mapping[str, Any]) -> DisplaySettings:
    """The display settings in a config mapping (a parsed TOML file with its overrides)."""
    default = DisplaySettings()
    ui = _table(data, "ui")
    language = ui.get("language")
    care_mode = ui.get("care_mode")
    fullscreen = ui.get("fullscreen")
    name = _table(data, "station").get("name")
    reader = _table(data, "devices", "card_reader").get("backend")
    return DisplaySettings(
        language=language if language in LANGUAGES else default.language,
        care_mode=care_mode if isinstance(care_mode, bool) else default.care_mode,
        fullscreen=fullscreen if isinstance(fullscreen, bool) else default.fullscreen,
        station_name=name if isinstance(name, str) else default.station_name,
        card_reader=reader if isinstance(reader, str) else default.card_reader,
    )


def from_config(config: KioskConfig) -> DisplaySettings:
    """The same settings from a validated configuration (the UI built on a ready runtime)."""
    return DisplaySettings(
        language=config.ui.language,
        care_mode=config.ui.care_mode,
        fullscreen=config.ui.fullscreen,
        station_name=config.station.name,
        card_reader=config.devices.card_reader.backend,
    )


# Where each setting lives in the config file, for messages.
KEYS = {
    "language": "ui.language",
    "care_mode": "ui.care_mode",
    "fullscreen": "ui.fullscreen",
    "station_name": "station.name",
    "card_reader": "devices.card_reader.backend",
}


def disagreements(data: Mapping[str, Any], config: KioskConfig) -> list[str]:
    """One ``key: reason`` line per setting that :func:`peek` read otherwise than the validated
    ``config`` holds; empty when the first frame showed what the config says."""
    shown, meant = peek(data), from_config(config)
    return [
        f"{key}: write it as {_toml(getattr(meant, field))} (the start screen reads it before "
        "the check and does not convert it)"
        for field, key in KEYS.items()
        if getattr(shown, field) != getattr(meant, field)
    ]


def _toml(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return f'"{value}"'
