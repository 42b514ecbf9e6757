"""Reading an eMRTD chip (passports, travel permits): BAC, secure messaging, EF.COM, DG1, DG2.

Transport-agnostic: `EmrtdReader` takes a `transmit(apdu) -> response` callable, so the PC/SC
backend, the tests and the benchmark drive the same code. The sequence is

    SELECT EF.ATR/INFO + READ   (plain; tells the chip's longest response: extended length)
    SELECT eMRTD application    (A0 00 00 02 47 10 01)
    GET CHALLENGE, EXTERNAL AUTHENTICATE   (BAC from the typed MRZ key)
    per file: SELECT, then READ BINARY with the largest Le the chip takes (protected)

so a file costs 1 + ceil(size / max Le) APDUs — the minimum for that chip. A chip without
EF.ATR/INFO gets short APDUs (Le 0xDF, whose protected answer fits in 256 bytes); a chip that
still answers "wrong length" makes the reader halve Le and go on. The DG builders at the end are
what the virtual card serves.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from dataclasses import dataclass, field

from drivers.card_reader import bac
from drivers.card_reader.apdu import (
    SW_END_OF_FILE,
    SW_OK,
    SW_WRONG_LENGTH,
    CommandApdu,
    MalformedData,
    ResponseApdu,
    check_sw,
    find_tlv,
    header_length,
    iter_tlv,
    parse_response,
    tlv,
)
from drivers.card_reader.mrz import MrzData, MrzKey, parse_mrz
from drivers.errors import CardUnsupported, MrzMismatch

log = logging.getLogger(__name__)

EMRTD_AID = bytes.fromhex("A0000002471001")
FID_ATR_INFO = 0x2F01
FID_COM = 0x011E
FID_DG1 = 0x0101
FID_DG2 = 0x0102
TAG_COM, TAG_DG1, TAG_DG2 = 0x60, 0x61, 0x75
SHORT_LE = 0xDF  # protected answer of 0xDF plain bytes fits a short response
MAX_OFFSET = 0x7FFF  # READ BINARY B0 offsets are 15 bits; beyond needs B1 (not implemented)

Transmit = Callable[[bytes], bytes]


@dataclass(frozen=True, slots=True)
class EmrtdRead:
    """What came off the chip. Personal data: repr is redacted."""

    mrz: MrzData = field(repr=False)
    photo: bytes = field(repr=False)
    photo_format: str
    data_groups: tuple[int, ...]
    apdus: int  # every APDU sent, BAC included
    file_apdus: dict[str, int]  # SELECT + READs per file
    file_sizes: dict[str, int]
    max_le: int


class EmrtdReader:
    """One chip session. Not thread-safe: one per read."""

    def __init__(
        self,
        transmit: Transmit,
        *,
        max_le: int | None = None,
        random: Callable[[int], bytes] = os.urandom,
    ) -> None:
        self._transmit = transmit
        self._forced_le = max_le
        self._random = random
        self._sm: bac.SecureMessaging | None = None
        self.apdus = 0
        self.max_le = max_le or SHORT_LE

    # -- plumbing -------------------------------------------------------------------------------

    def _plain(self, command: CommandApdu) -> ResponseApdu:
        self.apdus += 1
        return parse_response(self._transmit(command.to_bytes()))

    def _protected(self, command: CommandApdu) -> ResponseApdu:
        assert self._sm is not None
        self.apdus += 1
        return self._sm.unwrap(parse_response(self._transmit(self._sm.wrap(command))))

    # -- steps ------------------------------------------------------------------------------------

    def is_emrtd(self) -> bool:
        """SELECT the eMRTD application (plain); True if the chip has it."""
        response = self._plain(CommandApdu(0x00, 0xA4, 0x04, 0x0C, EMRTD_AID))
        return response.sw == SW_OK

    def probe_max_le(self) -> int:
        """Read EF.ATR/INFO (before selecting the application) for extended-length support."""
        if self._forced_le is not None:
            return self._forced_le
        response = self._plain(CommandApdu(0x00, 0xA4, 0x02, 0x0C, FID_ATR_INFO.to_bytes(2, "big")))
        if response.sw != SW_OK:
            return SHORT_LE  # no EF.ATR/INFO: short APDUs only
        info = self._plain(CommandApdu(0x00, 0xB0, 0x00, 0x00, le=256))
        if info.sw not in (SW_OK, SW_END_OF_FILE):
            return SHORT_LE
        try:
            limits = [int.from_bytes(v, "big") for _, v in iter_tlv(find_tlv(info.data, 0x7F66))]
        except MalformedData:
            return SHORT_LE
        if len(limits) < 2 or limits[1] <= 258:
            return SHORT_LE
        return max(SHORT_LE, min(65536, bac.max_plain_le(limits[1])))

    def authenticate(self, key: MrzKey) -> None:
        k_enc, k_mac = bac.bac_keys(key)
        challenge = self._plain(CommandApdu(0x00, 0x84, 0x00, 0x00, le=8))
        rnd_icc = check_sw(challenge, "GET CHALLENGE")
        if len(rnd_icc) != 8:
            raise MalformedData(f"GET CHALLENGE answered {len(rnd_icc)} bytes")
        rnd_ifd, k_ifd = bac.terminal_nonces(self._random)
        cryptogram = bac.ifd_cryptogram(k_enc, k_mac, rnd_icc, rnd_ifd, k_ifd)
        answer = self._plain(CommandApdu(0x00, 0x82, 0x00, 0x00, cryptogram, le=40))
        if answer.sw != SW_OK:
            # 6300 / 6982: the chip did not accept our cryptogram — the typed MRZ is wrong.
            raise MrzMismatch(f"EXTERNAL AUTHENTICATE: SW {answer.sw:04X}")
        self._sm = bac.complete_bac(k_enc, k_mac, answer.data, rnd_icc, rnd_ifd, k_ifd)

    def read_file(self, fid: int) -> bytes:
        """SELECT + READ BINARY of a whole file under secure messaging."""
        selected = self._protected(CommandApdu(0x00, 0xA4, 0x02, 0x0C, fid.to_bytes(2, "big")))
        check_sw(selected, f"SELECT {fid:04X}")
        first = self._read_binary(0, self.max_le)
        if not first:
            raise MalformedData(f"file {fid:04X} is empty")
        head, value_len = header_length(first)
        total = head + value_len
        data = bytearray(first[:total])
        while len(data) < total:
            if len(data) > MAX_OFFSET:
                raise CardUnsupported(f"file {fid:04X} is larger than 32 KB")
            chunk = self._read_binary(len(data), min(self.max_le, total - len(data)))
            if not chunk:
                raise MalformedData(f"file {fid:04X} ended at {len(data)} of {total} bytes")
            data += chunk
        return bytes(data[:total])

    def _read_binary(self, offset: int, le: int) -> bytes:
        while True:
            command = CommandApdu(0x00, 0xB0, offset >> 8, offset & 0xFF, le=le)
            response = self._protected(command)
            if response.sw == SW_WRONG_LENGTH or response.sw >> 8 == 0x6C:
                # The chip advertised (or we assumed) more than it takes: learn its limit.
                exact = response.sw & 0xFF if response.sw >> 8 == 0x6C else 0
                new_le = exact or max(1, le // 2)
                log.info("chip refused Le %d; retrying with %d", le, new_le)
                if new_le >= le:
                    raise MalformedData("chip refuses every Le")
                le = new_le
                self.max_le = min(self.max_le, le)
                continue
            return check_sw(response, f"READ BINARY at {offset}", accept=(SW_END_OF_FILE,))

    # -- the whole read ---------------------------------------------------------------------------

    def read(self, key: MrzKey, *, photo: bool = True) -> EmrtdRead:
        self.max_le = self.probe_max_le()
        if not self.is_emrtd():
            raise CardUnsupported("no eMRTD application on this chip")
        self.authenticate(key)
        sizes: dict[str, int] = {}
        per_file: dict[str, int] = {}

        def timed_read(name: str, fid: int) -> bytes:
            before = self.apdus
            data = self.read_file(fid)
            sizes[name] = len(data)
            per_file[name] = self.apdus - before
            return data

        groups = parse_com(timed_read("EF.COM", FID_COM))
        mrz = parse_dg1(timed_read("DG1", FID_DG1))
        image, image_format = b"", ""
        if photo and 2 in groups:
            image, image_format = parse_dg2(timed_read("DG2", FID_DG2))
        log.info(
            "eMRTD read: %d APDUs, max Le %d, files %s",
            self.apdus,
            self.max_le,
            {k: v for k, v in sizes.items()},
        )
        return EmrtdRead(mrz, image, image_format, groups, self.apdus, per_file, sizes, self.max_le)


# -- data groups ------------------------------------------------------------------------------

_DG_TAGS = {0x61: 1, 0x75: 2, 0x63: 3, 0x76: 4, 0x65: 5, 0x66: 6, 0x67: 7, 0x68: 8}
_DG_TAGS.update({0x69: 9, 0x6A: 10, 0x6B: 11, 0x6C: 12, 0x6D: 13, 0x6E: 14, 0x6F: 15, 0x70: 16})


def parse_com(data: bytes) -> tuple[int, ...]:
    """Data group numbers listed in EF.COM (tag 5C)."""
    tags = find_tlv(data, TAG_COM, 0x5C)
    return tuple(sorted(_DG_TAGS[t] for t in tags if t in _DG_TAGS))


def parse_dg1(data: bytes) -> MrzData:
    raw = find_tlv(data, TAG_DG1, 0x5F1F)
    try:
        return parse_mrz(raw.decode("ascii"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise MalformedData("DG1 MRZ does not parse") from exc


def parse_dg2(data: bytes) -> tuple[bytes, str]:
    """(image bytes, "jpeg" | "jp2") of the first face in DG2 (ISO/IEC 19794-5 inside)."""
    group = find_tlv(data, TAG_DG2, 0x7F61)
    template = find_tlv(group, 0x7F60)
    block = b""
    for tag, value in iter_tlv(template):
        if tag in (0x5F2E, 0x7F2E):
            block = value
            break
    if not block:
        raise MalformedData("DG2 has no biometric data block")
    return parse_facial_record(block)


def parse_facial_record(block: bytes) -> tuple[bytes, str]:
    if len(block) < 14 + 20 + 12 or block[:4] != b"FAC\x00":
        raise MalformedData("DG2 face record header missing")
    pos = 14
    record_len = int.from_bytes(block[pos : pos + 4], "big")
    feature_points = int.from_bytes(block[pos + 4 : pos + 6], "big")
    image_info = pos + 20 + 8 * feature_points
    if image_info + 12 > len(block) or record_len < 20:
        raise MalformedData("DG2 face record truncated")
    data_type = block[image_info + 1]
    image = block[image_info + 12 : pos + record_len]
    if not image:
        raise MalformedData("DG2 face record has no image")
    return bytes(image), "jp2" if data_type == 1 else "jpeg"


def build_com(groups: tuple[int, ...]) -> bytes:
    by_number = {n: t for t, n in _DG_TAGS.items()}
    tags = bytes(by_number[g] for g in groups)
    return tlv(TAG_COM, tlv(0x5F01, b"0107") + tlv(0x5F36, b"040000") + tlv(0x5C, tags))


def build_dg1(mrz_text: str) -> bytes:
    return tlv(TAG_DG1, tlv(0x5F1F, "".join(mrz_text.split()).encode("ascii")))


def build_dg2(image: bytes, *, width: int, height: int, jpeg2000: bool = False) -> bytes:
    image_info = bytes([1, 1 if jpeg2000 else 0]) + width.to_bytes(2, "big")
    image_info += height.to_bytes(2, "big") + bytes([1, 2, 0, 0, 0, 0])
    record_len = 20 + len(image_info) + len(image)
    # Record length, no feature points, then gender .. pose uncertainty left unspecified.
    face = record_len.to_bytes(4, "big") + (0).to_bytes(2, "big") + bytes(14)
    header = b"FAC\x00010\x00" + (14 + record_len).to_bytes(4, "big") + (1).to_bytes(2, "big")
    block = header + face + image_info + image
    bht = tlv(0xA1, tlv(0x80, b"\x01\x01") + tlv(0x87, b"\x01\x01") + tlv(0x88, b"\x00\x08"))
    return tlv(TAG_DG2, tlv(0x7F61, tlv(0x02, b"\x01") + tlv(0x7F60, bht + tlv(0x5F2E, block))))


def build_atr_info(max_command: int, max_response: int) -> bytes:
    limits = tlv(0x02, max_command.to_bytes(2, "big")) + tlv(0x02, max_response.to_bytes(3, "big"))
    return tlv(0x7F66, limits)


__all__ = [
    "EMRTD_AID",
    "EmrtdRead",
    "EmrtdReader",
    "build_atr_info",
    "build_com",
    "build_dg1",
    "build_dg2",
    "parse_com",
    "parse_dg1",
    "parse_dg2",
]
