"""Typed kiosk configuration loaded from TOML.

A wrong value stops the start with a message that names the key and the accepted values, e.g.
``devices.printer.backend: 'epson' is not accepted; use one of: escpos_network, simulator``.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from contracts.ids import STATION_ID_PATTERN
from drivers.options import DriverOptionsError
from drivers.registry import (
    CAMERA_BACKENDS,
    CARD_READER_BACKENDS,
    KINDS,
    PRINTER_BACKENDS,
    SPEAKER_BACKENDS,
    check_options,
)

Language = Literal["zh_CN", "en_US"]


class ConfigError(Exception):
    """The configuration cannot be used; the message is meant for the person installing."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class StationConfig(_Strict):
    id: str = Field(min_length=1, max_length=32, pattern=STATION_ID_PATTERN)
    name: str = Field(min_length=1)


# Plain http:// only to a hall on this very machine (the demo, tests): anywhere else the device
# credential, signatures and walk-ins' filings would cross the station network in clear text.
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


class HallConfig(_Strict):
    url: str = Field(pattern=r"^https?://[^\s/]+(:\d+)?(/.*)?$")
    timeout_s: float = Field(default=5.0, gt=0, le=60)
    token: str = Field(
        default="",
        description="retired and ignored (the hall accepts only enrolled devices: main.py "
        "provision); still accepted so older config files load",
    )

    @field_validator("url")
    @classmethod
    def _tls_off_loopback(cls, v: str) -> str:
        parts = urlsplit(v)
        if parts.scheme == "http" and (parts.hostname or "") not in LOOPBACK_HOSTS:
            raise ValueError(
                f"plain http:// is only allowed to a hall on this machine "
                f"({', '.join(sorted(LOOPBACK_HOSTS))}); use https:// for {parts.hostname!r}"
            )
        return v


class DeviceConfig(_Strict):
    backend: str
    options: dict[str, Any] = Field(default_factory=dict)


class CardReaderConfig(DeviceConfig):
    backend: str = "simulator"

    @field_validator("backend")
    @classmethod
    def _known(cls, v: str) -> str:
        return _check_backend(v, CARD_READER_BACKENDS)


class PrinterConfig(DeviceConfig):
    backend: str = "simulator"

    @field_validator("backend")
    @classmethod
    def _known(cls, v: str) -> str:
        return _check_backend(v, PRINTER_BACKENDS)


class CameraConfig(DeviceConfig):
    backend: str = "simulator"

    @field_validator("backend")
    @classmethod
    def _known(cls, v: str) -> str:
        return _check_backend(v, CAMERA_BACKENDS)


class SpeakerConfig(DeviceConfig):
    backend: str = "simulator"

    @field_validator("backend")
    @classmethod
    def _known(cls, v: str) -> str:
        return _check_backend(v, SPEAKER_BACKENDS)


def _check_backend(value: str, known: dict[str, Any]) -> str:
    if value not in known:
        raise ValueError(f"{value!r} is not accepted; use one of: {', '.join(sorted(known))}")
    return value


class A4PrinterConfig(_Strict):
    """An optional A4 printer (a CUPS queue) for the filing summary; empty = none."""

    queue: str = Field(default="", max_length=128, pattern=r"^[A-Za-z0-9_.@-]*$")


class DevicesConfig(_Strict):
    card_reader: CardReaderConfig = Field(default_factory=CardReaderConfig)
    printer: PrinterConfig = Field(default_factory=PrinterConfig)
    camera: CameraConfig = Field(default_factory=CameraConfig)
    a4_printer: A4PrinterConfig = Field(default_factory=A4PrinterConfig)
    speaker: SpeakerConfig = Field(default_factory=SpeakerConfig)

    def option_problems(self) -> list[str]:
        """Every bad driver option, as "devices.<kind>.options.<option>: ..." lines. The
        backends' own option models do the checking (light modules: no vendor library)."""
        lines = []
        for kind in KINDS:
            device: DeviceConfig = getattr(self, kind)
            try:
                check_options(kind, device.backend, device.options)
            except DriverOptionsError as exc:
                key = f"devices.{kind}.options"
                lines += [
                    f"{key}{'.' + p.option if p.option else ''}: backend {exc.backend!r}: "
                    f"{p.reason}; accepted: {p.accepted}"
                    for p in exc.problems
                ]
        return lines


class TimeoutsConfig(_Strict):
    idle_s: float = Field(default=90, ge=10, le=1800, description="inactivity before the warning")
    warning_s: float = Field(default=20, ge=5, le=120, description="countdown before the wipe")
    receipt_s: float = Field(default=20, ge=5, le=300, description="receipt screen before wipe")
    card_read_s: float = Field(default=30, ge=5, le=300)


class UiConfig(_Strict):
    language: Language = "zh_CN"
    care_mode: bool = False
    fullscreen: bool = True


class SpeechConfig(_Strict):
    """Care mode's voice (关怀版朗读); the device itself is `[devices.speaker]`."""

    enabled: bool = Field(default=True, description="false: this station never speaks")
    volume: int = Field(
        default=80, ge=0, le=100, description="0-100; the technician screen can change it"
    )


class AssistConfig(_Strict):
    """Remote help (远程帮办): the call rides on the hall connection, signed by the device."""

    ice_servers: list[str] = Field(
        default_factory=list,
        description="STUN/TURN URLs for video, e.g. 'stun:stun.hall.example:3478'; none on a LAN",
    )
    hold_timeout_s: float = Field(
        default=900,
        ge=60,
        le=3600,
        description="while a help call waits or runs, the inactivity countdown is held this long "
        "at most (a walk-in listening to a helper is not idle)",
    )
    microphone: str = Field(
        default="",
        pattern=r"^([a-z0-9_]+:.+)?$",
        description="FFmpeg input device for the walk-in's voice, e.g. 'alsa:default'; '' = none",
    )
    speaker: str = Field(
        default="alsa:default",
        pattern=r"^([a-z0-9_]+:.+)?$",
        description="FFmpeg output device for the helper's voice; '' = none",
    )


class TechnicianConfig(_Strict):
    """Technician mode (维护模式): a hidden gesture on the attract screen, then this PIN."""

    pin_hash: str = Field(
        default="",
        description="argon2 hash from `python main.py technician-pin`; empty = mode disabled",
    )
    export_dir: Path | None = Field(
        default=None, description="where diagnostics bundles are written (a mounted USB stick)"
    )
    lockout_minutes: int = Field(default=15, ge=1, le=1440, description="after 5 wrong PINs")
    idle_s: float = Field(default=120, ge=30, le=1800, description="back to attract when idle")

    @field_validator("pin_hash")
    @classmethod
    def _argon2(cls, v: str) -> str:
        if v and not v.startswith("$argon2"):
            raise ValueError("must be an argon2 hash (python main.py technician-pin)")
        return v


class PathsConfig(_Strict):
    state_dir: Path = Path("var/kiosk")


class KioskConfig(_Strict):
    station: StationConfig
    hall: HallConfig
    devices: DevicesConfig = Field(default_factory=DevicesConfig)
    timeouts: TimeoutsConfig = Field(default_factory=TimeoutsConfig)
    ui: UiConfig = Field(default_factory=UiConfig)
    speech: SpeechConfig = Field(default_factory=SpeechConfig)
    paths: PathsConfig = Field(default_factory=PathsConfig)
    assist: AssistConfig = Field(default_factory=AssistConfig)
    technician: TechnicianConfig = Field(default_factory=TechnicianConfig)


def parse_config(data: dict[str, Any]) -> KioskConfig:
    """Validate a config mapping; raise ConfigError naming every bad key."""
    try:
        config = KioskConfig.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(_explain(exc)) from None
    problems = config.devices.option_problems()
    if problems:
        raise ConfigError("invalid configuration:\n  " + "\n  ".join(problems))
    return config


def load_config(path: Path) -> KioskConfig:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"cannot read config file {path}: {exc.strerror}") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path} is not valid TOML: {exc}") from None
    return parse_config(data)


def _explain(exc: ValidationError) -> str:
    lines = []
    for err in exc.errors():
        key = ".".join(str(p) for p in err["loc"]) or "(top level)"
        msg = err["msg"].removeprefix("Value error, ")
        if err["type"] == "literal_error":
            expected = err.get("ctx", {}).get("expected", "")
            msg = f"{err['input']!r} is not accepted; use one of: {expected}"
        elif err["type"] == "extra_forbidden":
            msg = "unknown key (check the spelling against packaging/kiosk.example.toml)"
        elif err["type"] == "missing":
            msg = "required key is missing"
        lines.append(f"{key}: {msg}")
    return "invalid configuration:\n  " + "\n  ".join(lines)
