"""ISO 7816-4 APDUs and BER-TLV, both directions (the reader and the virtual card use them).

Parsers raise only the drivers' error tree (CardReadFailed and subclasses) on malformed input —
Hypothesis feeds them arbitrary bytes. `check_sw` maps the status words a card answers to the
errors the kiosk shows.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from drivers.errors import (
    CardAccessDenied,
    CardReaderError,
    CardReadFailed,
    CardRemoved,
    CardUnsupported,
)

SW_OK = 0x9000
SW_END_OF_FILE = 0x6282  # fewer bytes than Le: the file ended
SW_WRONG_LENGTH = 0x6700
SW_SECURITY_NOT_SATISFIED = 0x6982
SW_AUTH_FAILED = 0x6300
SW_SM_DATA_INCORRECT = 0x6988
SW_FILE_NOT_FOUND = 0x6A82
SW_WRONG_P1P2 = 0x6B00
SW_INS_NOT_SUPPORTED = 0x6D00
SW_CLA_NOT_SUPPORTED = 0x6E00
SW_CONDITIONS_NOT_SATISFIED = 0x6985


class MalformedData(CardReadFailed):
    """Bytes from the card that do not parse (TLV, APDU, secure messaging objects)."""


@dataclass(frozen=True, slots=True)
class CommandApdu:
    cla: int
    ins: int
    p1: int
    p2: int
    data: bytes = field(default=b"", repr=False)
    le: int | None = None  # None: no response data expected; 1..65536

    @property
    def extended(self) -> bool:
        return len(self.data) > 255 or (self.le is not None and self.le > 256)

    def to_bytes(self, *, extended: bool | None = None) -> bytes:
        ext = self.extended if extended is None else extended
        head = bytes([self.cla, self.ins, self.p1, self.p2])
        body = b""
        if self.data:
            body += (
                (b"\x00" + len(self.data).to_bytes(2, "big")) if ext else bytes([len(self.data)])
            )
            body += self.data
        if self.le is not None:
            if ext:
                le = b"" if self.data else b"\x00"  # Lc already carries the extended marker
                body += le + (self.le % 65536).to_bytes(2, "big")
            else:
                body += bytes([self.le % 256])
        return head + body


def parse_command(raw: bytes) -> CommandApdu:
    """Parse a command APDU (cases 1-4, short or extended)."""
    if len(raw) < 4:
        raise MalformedData(f"command APDU of {len(raw)} bytes")
    cla, ins, p1, p2 = raw[0], raw[1], raw[2], raw[3]
    body = raw[4:]
    if not body:
        return CommandApdu(cla, ins, p1, p2)
    if len(body) == 1:
        return CommandApdu(cla, ins, p1, p2, le=body[0] or 256)
    if body[0] != 0:  # short Lc
        lc = body[0]
        if len(body) == 1 + lc:
            return CommandApdu(cla, ins, p1, p2, bytes(body[1:]))
        if len(body) == 2 + lc:
            return CommandApdu(cla, ins, p1, p2, bytes(body[1 : 1 + lc]), body[-1] or 256)
        raise MalformedData("short command APDU length mismatch")
    if len(body) == 3:  # extended case 2
        return CommandApdu(cla, ins, p1, p2, le=int.from_bytes(body[1:3], "big") or 65536)
    if len(body) < 3:
        raise MalformedData("extended command APDU too short")
    lc = int.from_bytes(body[1:3], "big")
    if lc == 0:
        raise MalformedData("extended Lc of 0")
    if len(body) == 3 + lc:
        return CommandApdu(cla, ins, p1, p2, bytes(body[3:]))
    if len(body) == 5 + lc:
        le = int.from_bytes(body[-2:], "big") or 65536
        return CommandApdu(cla, ins, p1, p2, bytes(body[3 : 3 + lc]), le)
    raise MalformedData("extended command APDU length mismatch")


@dataclass(frozen=True, slots=True)
class ResponseApdu:
    data: bytes = field(repr=False)
    sw: int

    def to_bytes(self) -> bytes:
        return self.data + self.sw.to_bytes(2, "big")


def parse_response(raw: bytes | list[int]) -> ResponseApdu:
    raw = bytes(raw)
    if len(raw) < 2:
        raise MalformedData(f"response APDU of {len(raw)} bytes has no status word")
    return ResponseApdu(raw[:-2], int.from_bytes(raw[-2:], "big"))


def error_for_sw(sw: int, context: str) -> CardReaderError:
    text = f"{context}: SW {sw:04X}"
    if sw in (SW_SECURITY_NOT_SATISFIED, SW_AUTH_FAILED, SW_CONDITIONS_NOT_SATISFIED):
        return CardAccessDenied(text)
    if sw in (SW_FILE_NOT_FOUND, SW_INS_NOT_SUPPORTED, SW_CLA_NOT_SUPPORTED, 0x6A81, 0x6A86):
        return CardUnsupported(text)
    if sw == 0x6F00 or sw >> 8 == 0x64:
        return CardRemoved(text)  # card lost mid-exchange / no precise diagnosis
    return CardReadFailed(text)


def check_sw(response: ResponseApdu, context: str, *, accept: tuple[int, ...] = ()) -> bytes:
    if response.sw == SW_OK or response.sw in accept:
        return response.data
    raise error_for_sw(response.sw, context)


# -- BER-TLV ----------------------------------------------------------------------------------


def encode_length(n: int) -> bytes:
    if n < 0x80:
        return bytes([n])
    raw = n.to_bytes((n.bit_length() + 7) // 8, "big")
    if len(raw) > 3:
        raise ValueError("TLV value too long")
    return bytes([0x80 | len(raw)]) + raw


def tlv(tag: int, value: bytes) -> bytes:
    tag_bytes = tag.to_bytes((tag.bit_length() + 7) // 8 or 1, "big")
    return tag_bytes + encode_length(len(value)) + value


def read_tag(data: bytes, pos: int) -> tuple[int, int]:
    if pos >= len(data):
        raise MalformedData("TLV: missing tag")
    tag = data[pos]
    pos += 1
    if tag & 0x1F == 0x1F:
        for _ in range(3):
            if pos >= len(data):
                raise MalformedData("TLV: tag cut short")
            byte = data[pos]
            tag = (tag << 8) | byte
            pos += 1
            if not byte & 0x80:
                break
        else:
            raise MalformedData("TLV: tag longer than 4 bytes")
    return tag, pos


def read_length(data: bytes, pos: int) -> tuple[int, int]:
    if pos >= len(data):
        raise MalformedData("TLV: missing length")
    first = data[pos]
    pos += 1
    if first < 0x80:
        return first, pos
    count = first & 0x7F
    if count == 0 or count > 3:
        raise MalformedData(f"TLV: length form 0x{first:02X} not supported")
    if pos + count > len(data):
        raise MalformedData("TLV: length cut short")
    return int.from_bytes(data[pos : pos + count], "big"), pos + count


def header_length(data: bytes) -> tuple[int, int]:
    """(tag+length header size, value length) of the TLV at the start of `data`."""
    _, pos = read_tag(data, 0)
    length, pos = read_length(data, pos)
    return pos, length


def iter_tlv(data: bytes) -> Iterator[tuple[int, bytes]]:
    """Top-level (tag, value) pairs; raises MalformedData on anything that does not fit."""
    pos = 0
    while pos < len(data):
        if data[pos] in (0x00, 0xFF):  # padding between objects is allowed
            pos += 1
            continue
        tag, pos = read_tag(data, pos)
        length, pos = read_length(data, pos)
        if pos + length > len(data):
            raise MalformedData(f"TLV: tag {tag:X} claims {length} bytes, {len(data) - pos} left")
        yield tag, data[pos : pos + length]
        pos += length


def find_tlv(data: bytes, *path: int) -> bytes:
    """The value at a path of nested tags (first match at each level)."""
    value = data
    for tag in path:
        for found, inner in iter_tlv(value):
            if found == tag:
                value = inner
                break
        else:
            raise MalformedData(f"TLV: tag {tag:X} not found")
    return value
