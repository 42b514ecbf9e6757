"""Options of the card reader backends (`[devices.card_reader.options]`), one model per backend.

Pydantic and the standard library only, so `kiosk.config` can check them when it reads the
config without importing pyserial or pyscard; see `drivers.options` for the error they raise.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, ClassVar, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator

from drivers.options import DriverOptions

# GA/T 467 baud rates the reader can be switched to (`0x60 n`); 115200 is the factory default.
Ga467Baud = Literal[115200, 57600, 38400, 19200, 9600]
# Poll no faster than this: the reader's find-card answer takes a few ms, a tighter loop only
# heats the CPU (GA/T 467 readers want >= 300 ms between find-card polls in normal use).
MIN_POLL_S = 0.01
PcscMode = Literal["auto", "ssc", "emrtd"]
VpcdPort = Literal[35963, 35964]  # vpcd reader 0 and reader 1


def _count(value: object) -> object:
    # `fail_next = true` reads naturally in TOML; a number fails that many reads.
    return int(value) if isinstance(value, bool) else value


def _iso_date(value: object) -> object:
    # TOML has dates (birth_date = 1949-12-31), but a quoted "1949-12-31" is as readable.
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            raise ValueError(f"{value!r} is not a date (YYYY-MM-DD)") from None
    return value


FailCount = Annotated[
    int,
    BeforeValidator(_count),
    Field(ge=0, description="true, false or a whole number of reads to fail (>= 0)"),
]
IsoDate = Annotated[dt.date, BeforeValidator(_iso_date)]


class IdentityOverrides(BaseModel):
    """Fields of the sample identity a simulated card carries instead (the photo stays)."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True, defer_build=True)

    name: str = ""
    id_number: str = ""
    sex: str = ""
    nation: str = ""
    birth_date: IsoDate | None = None
    address: str = ""
    issuer: str = ""
    valid_from: IsoDate | None = None
    valid_to: IsoDate | None = None
    card_type: str = ""
    photo_format: str = ""
    english_name: str = ""
    nationality: str = ""
    pass_number: str = ""
    issue_count: str = ""
    appended_address: str = ""
    card_number: str = ""

    def fields(self) -> dict[str, Any]:
        """The fields the table set (for `dataclasses.replace` on the sample identity)."""
        return self.model_dump(exclude_unset=True)


IdentityTable = Annotated[
    IdentityOverrides | None,
    Field(description="a table of identity fields: " + ", ".join(IdentityOverrides.model_fields)),
]


class _WithIdentity(DriverOptions):
    identity: IdentityTable = None


class SimulatedCardReaderOptions(_WithIdentity):
    KIND: ClassVar[str] = "card_reader"
    BACKEND: ClassVar[str] = "simulator"

    delay_s: float = Field(default=0.3, ge=0, le=60)
    auto_place: bool = True
    fail_next: FailCount = 0


class Ga467CardReaderOptions(DriverOptions):
    KIND: ClassVar[str] = "card_reader"
    BACKEND: ClassVar[str] = "ga467"

    port: str = Field(min_length=1, description="the serial device, e.g. /dev/ttyUSB0")
    baud: Ga467Baud = 115200
    poll_s: float = Field(default=0.3, ge=MIN_POLL_S, le=10)
    answer_timeout_s: float = Field(default=3.0, gt=0, le=60)
    retries: int = Field(default=1, ge=0, le=10)
    debounce: int = Field(default=2, ge=1, le=10)
    fingerprint: bool = False
    appended_address: bool = False
    photo_decoder: str = Field(
        default="",
        pattern=r"^([A-Za-z_][\w.]*:[A-Za-z_]\w*)?$",
        description="'package.module:factory' returning a PhotoDecoder, or empty",
    )
    check_sam: bool = True


class EmulatedGa467CardReaderOptions(_WithIdentity):
    KIND: ClassVar[str] = "card_reader"
    BACKEND: ClassVar[str] = "ga467_emulator"

    auto_place: bool = True
    card_present: bool = False
    baud: Ga467Baud = 115200
    pace: bool = True
    read_delay_s: float = Field(default=0.0, ge=0, le=60)
    poll_s: float = Field(default=0.3, ge=MIN_POLL_S, le=10)
    answer_timeout_s: float = Field(default=3.0, gt=0, le=60)
    appended_address: str = Field(default="", description="text the card carries as new address")
    fail_next: FailCount = 0

    @field_validator("identity")
    @classmethod
    def _fits_the_card(cls, value: IdentityOverrides | None) -> IdentityOverrides | None:
        if value is not None:
            from drivers.card_reader import ga467_codec
            from drivers.card_reader.simulator import sample_with

            # The emulator stores it in the card's 256-byte text block: too long does not fit.
            ga467_codec.encode_text_block(sample_with(value))
        return value


class PcscCardReaderOptions(DriverOptions):
    KIND: ClassVar[str] = "card_reader"
    BACKEND: ClassVar[str] = "pcsc"

    reader: str = Field(default="", description="text found in the reader's name; empty = any")
    mode: PcscMode = "auto"
    max_le: int | None = Field(default=None, ge=1, le=65536)
    read_photo: bool = True


class VirtualPcscCardReaderOptions(_WithIdentity):
    KIND: ClassVar[str] = "card_reader"
    BACKEND: ClassVar[str] = "pcsc_virtual"

    card: Literal["ssc", "emrtd", "uid"] = "ssc"
    card_present: bool = True
    start_pcscd: bool = True
    mode: PcscMode = "auto"
    max_le: int | None = Field(default=None, ge=1, le=65536)
    max_response: int = Field(default=4096, ge=64, le=65536)
    port: VpcdPort = 35963
