"""Options of the receipt printer backends (`[devices.printer.options]`), one model per backend.

The ESC/POS driver's options depend on `connection`: `network` (host, port), `usb` (vendor and
product id, endpoints) or `serial` (device, baud rate); each has its own model, and the
`EscposOptions.parse` picks it. Pydantic and the standard library only (no python-escpos, no
Pillow), so `kiosk.config` can check them at start; see `drivers.options` for the error.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, ClassVar, Literal, Self

from pydantic import BeforeValidator, Field, ValidationInfo, field_validator

from drivers.options import DriverOptions

if TYPE_CHECKING:  # ports.py imports socket: not needed to check a config file
    from drivers.printer.ports import NetworkPort, PrinterPort, SerialPort, UsbPort

Connection = Literal["network", "usb", "serial"]
WidthMm = Literal[58, 80]  # the keys of layout.COLUMNS_BY_WIDTH_MM
FontProfileName = Literal["gb18030", "gb2312", "ascii", "raster"]  # raster.FontProfile values
SerialBaud = Literal[9600, 19200, 38400, 57600, 115200]


def _number_or_hex(value: object) -> object:
    # USB ids are written in hex in every datasheet and lsusb: accept "0x0416" as well as 1046.
    if isinstance(value, str):
        try:
            return int(value, 0)
        except ValueError:
            return value  # the strict int check then names it
    return value


UsbId = Annotated[
    int,
    BeforeValidator(_number_or_hex),
    Field(ge=1, le=0xFFFF, description='a number 1-0xFFFF, in hex as text ("0x0416") or not'),
]
UsbEndpoint = Annotated[
    int,
    BeforeValidator(_number_or_hex),
    Field(ge=1, le=0xFF, description='a number 1-0xFF, in hex as text ("0x82") or not'),
]


class EscposJobOptions(DriverOptions):
    """What every ESC/POS backend shares: the roll, the printer's font and the timeouts."""

    KIND: ClassVar[str] = "printer"

    width_mm: WidthMm = 58
    timeout_s: float = Field(default=5.0, gt=0, le=60)
    font_profile: FontProfileName = "gb18030"
    raster_font: str = Field(default="", description="a font file path, or empty for the default")
    job_timeout_s: float = Field(
        default=30.0, gt=0, le=600, description="a number of seconds >= timeout_s and <= 600"
    )
    reprint_window_s: float = Field(default=600.0, ge=0, le=86400)

    @field_validator("job_timeout_s")
    @classmethod
    def _not_below_timeout(cls, value: float, info: ValidationInfo) -> float:
        timeout_s = info.data.get("timeout_s")
        if timeout_s is not None and value < timeout_s:
            raise ValueError(f"{value:g} is below timeout_s ({timeout_s:g})")
        return value


class EscposOptions(EscposJobOptions):
    """The `escpos_network` backend (named for its first connection; USB and serial too)."""

    BACKEND: ClassVar[str] = "escpos_network"

    connection: Connection = "network"

    @classmethod
    def parse(cls, options: Mapping[str, Any], backend: str = "") -> Self:
        if cls is not EscposOptions:
            return super().parse(options, backend)
        kind = options.get("connection", "network")
        model = CONNECTION_MODELS.get(kind) if isinstance(kind, str) else None
        if model is None:
            accepted = "one of " + ", ".join(f'"{k}"' for k in CONNECTION_MODELS)
            raise cls.fail("connection", f"{kind!r} is not accepted", accepted, backend)
        return model.parse(options, backend)  # type: ignore[return-value]

    def to_port(self) -> PrinterPort:
        raise NotImplementedError  # each connection's model says where its printer is


class EscposNetworkOptions(EscposOptions):
    connection: Literal["network"] = "network"
    host: str = Field(min_length=1, description="the printer's host name or address")
    port: int = Field(default=9100, ge=1, le=65535)

    def to_port(self) -> NetworkPort:
        from drivers.printer.ports import NetworkPort

        return NetworkPort(self.host, self.port)


class EscposUsbOptions(EscposOptions):
    connection: Literal["usb"]
    vendor_id: UsbId
    product_id: UsbId
    in_ep: UsbEndpoint = 0x82
    out_ep: UsbEndpoint = 0x01

    def to_port(self) -> UsbPort:
        from drivers.printer.ports import UsbPort

        return UsbPort(self.vendor_id, self.product_id, self.in_ep, self.out_ep)


class EscposSerialOptions(EscposOptions):
    connection: Literal["serial"]
    device: str = Field(pattern=r"^/dev/\S+$", description="a device path such as /dev/ttyUSB0")
    baudrate: SerialBaud = 9600

    def to_port(self) -> SerialPort:
        from drivers.printer.ports import SerialPort

        return SerialPort(self.device, self.baudrate)


CONNECTION_MODELS: dict[str, type[EscposOptions]] = {
    "network": EscposNetworkOptions,
    "usb": EscposUsbOptions,
    "serial": EscposSerialOptions,
}


class SimulatedPrinterOptions(EscposJobOptions):
    """The simulator on 127.0.0.1 plus the real driver: the driver's job options apply."""

    BACKEND: ClassVar[str] = "simulator"

    host: str = Field(default="127.0.0.1", min_length=1, description="an address to listen on")
    port: int = Field(default=0, ge=0, le=65535, description="a TCP port, 0 = any free one")
    render_dir: str | Path | None = Field(
        default=None, description="a directory for the PNG and text of each job"
    )
    timeout_s: float = Field(default=2.0, gt=0, le=60)

    def driver_options(self, port: int) -> dict[str, Any]:
        """The options of the driver that talks to this simulator on `port`."""
        job = self.model_dump(include=set(EscposJobOptions.model_fields))
        return {"connection": "network", "host": self.host, "port": port, **job}
