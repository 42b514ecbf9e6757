"""SMPP 3.4 PDUs as the SMSC simulator reads and writes them: its own small codec, written from
the specification rather than borrowed from the client library, so a client bug is not mirrored.

Only what an SMSC needs: the 16-octet header, bind_* requests, submit_sm (with TLVs and a user
data header), the responses, deliver_sm receipts, enquire_link and unbind. Anything malformed
raises :class:`PduError`, which the simulator answers with ``generic_nack``.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field
from typing import Final

HEADER: Final = struct.Struct(">LLLL")
MAX_PDU: Final = 64 * 1024

BIND_RECEIVER: Final = 0x00000001
BIND_TRANSMITTER: Final = 0x00000002
SUBMIT_SM: Final = 0x00000004
DELIVER_SM: Final = 0x00000005
UNBIND: Final = 0x00000006
BIND_TRANSCEIVER: Final = 0x00000009
ENQUIRE_LINK: Final = 0x00000015
GENERIC_NACK: Final = 0x80000000
RESP: Final = 0x80000000
BINDS: Final = (BIND_RECEIVER, BIND_TRANSMITTER, BIND_TRANSCEIVER)

ESME_ROK: Final = 0x00
ESME_RINVCMDLEN: Final = 0x02
ESME_RINVCMDID: Final = 0x03
ESME_RINVBNDSTS: Final = 0x04
ESME_RBINDFAIL: Final = 0x0D
ESME_RINVDSTADR: Final = 0x0B
ESME_RTHROTTLED: Final = 0x58

TLV_MESSAGE_PAYLOAD: Final = 0x0424
TLV_RECEIPTED_MESSAGE_ID: Final = 0x001E
TLV_MESSAGE_STATE: Final = 0x0427
TLV_USER_MESSAGE_REFERENCE: Final = 0x0204  # ESME-assigned, 2 octets (SMPP 3.4 §5.3.2.17)
ESM_UDHI: Final = 0x40
ESM_RECEIPT: Final = 0x04

# GSM 03.38 default alphabet, one septet per octet as SMPP carries it; 0x1B escapes.
_GSM: Final = (
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\x1bÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>"
    "?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
_GSM_ESCAPED: Final = {0x0A: "\f", 0x14: "^", 0x28: "{", 0x29: "}", 0x2F: "\\", 0x3C: "[",
                       0x3D: "~", 0x3E: "]", 0x40: "|", 0x65: "€"}  # fmt: skip


class PduError(ValueError):
    """A PDU the simulator cannot read."""


@dataclass(frozen=True)
class Header:
    length: int
    command_id: int
    status: int
    sequence: int


@dataclass
class SubmitSm:
    source_addr: str
    destination_addr: str
    esm_class: int
    registered_delivery: int
    data_coding: int
    short_message: bytes
    tlvs: dict[int, bytes] = field(default_factory=dict)

    @property
    def user_data(self) -> bytes:
        return self.short_message or self.tlvs.get(TLV_MESSAGE_PAYLOAD, b"")

    @property
    def user_message_reference(self) -> int | None:
        value = self.tlvs.get(TLV_USER_MESSAGE_REFERENCE)
        if value is None:
            return None
        if len(value) != 2:
            raise PduError("user_message_reference is 2 octets")
        return int.from_bytes(value, "big")


@dataclass(frozen=True)
class Concat:
    ref: int
    total: int
    index: int


def parse_header(raw: bytes) -> Header:
    if len(raw) != HEADER.size:
        raise PduError("short header")
    header = Header(*HEADER.unpack(raw))
    if not HEADER.size <= header.length <= MAX_PDU:
        raise PduError(f"bad command_length {header.length}")
    return header


class _Reader:
    def __init__(self, body: bytes) -> None:
        self.body, self.pos = body, 0

    def cstring(self, limit: int) -> str:
        end = self.body.find(b"\0", self.pos, self.pos + limit)
        if end < 0:
            raise PduError("unterminated C-octet string")
        value = self.body[self.pos : end]
        self.pos = end + 1
        return value.decode("latin-1")

    def octet(self) -> int:
        if self.pos >= len(self.body):
            raise PduError("body too short")
        self.pos += 1
        return self.body[self.pos - 1]

    def octets(self, n: int) -> bytes:
        if self.pos + n > len(self.body):
            raise PduError("body too short")
        self.pos += n
        return self.body[self.pos - n : self.pos]

    def tlvs(self) -> dict[int, bytes]:
        found: dict[int, bytes] = {}
        while self.pos < len(self.body):
            tag, length = struct.unpack(">HH", self.octets(4))
            found[tag] = self.octets(length)
        return found


def parse_bind(body: bytes) -> tuple[str, str]:
    """``(system_id, password)`` of a bind_* request."""
    r = _Reader(body)
    system_id, password = r.cstring(16), r.cstring(9)
    r.cstring(13)  # system_type
    r.octets(3)  # interface_version, addr_ton, addr_npi
    r.cstring(41)  # address_range
    return system_id, password


def parse_submit_sm(body: bytes) -> SubmitSm:
    r = _Reader(body)
    r.cstring(6)  # service_type
    r.octets(2)
    source = r.cstring(21)
    r.octets(2)
    destination = r.cstring(21)
    esm_class = r.octet()
    r.octets(2)  # protocol_id, priority_flag
    r.cstring(17)  # schedule_delivery_time
    r.cstring(17)  # validity_period
    registered_delivery = r.octet()
    r.octet()  # replace_if_present_flag
    data_coding = r.octet()
    r.octet()  # sm_default_msg_id
    short_message = r.octets(r.octet())
    return SubmitSm(
        source_addr=source,
        destination_addr=destination,
        esm_class=esm_class,
        registered_delivery=registered_delivery,
        data_coding=data_coding,
        short_message=short_message,
        tlvs=r.tlvs(),
    )


def split_udh(sm: SubmitSm) -> tuple[Concat | None, bytes]:
    """The concatenation header (8- or 16-bit reference) and the text octets after the UDH."""
    data = sm.user_data
    if not sm.esm_class & ESM_UDHI:
        return None, data
    if not data or data[0] + 1 > len(data):
        raise PduError("bad user data header length")
    udh, text = data[1 : 1 + data[0]], data[1 + data[0] :]
    concat: Concat | None = None
    pos = 0
    while pos + 2 <= len(udh):
        iei, length = udh[pos], udh[pos + 1]
        value = udh[pos + 2 : pos + 2 + length]
        if len(value) != length:
            raise PduError("truncated information element")
        if iei == 0x00 and length == 3:
            concat = Concat(value[0], value[1], value[2])
        elif iei == 0x08 and length == 4:
            concat = Concat(int.from_bytes(value[:2], "big"), value[2], value[3])
        pos += 2 + length
    if concat is not None and not 1 <= concat.index <= concat.total:
        raise PduError("bad concatenation index")
    return concat, text


def decode_text(data_coding: int, octets: bytes) -> str:
    if data_coding == 0x08:
        return octets.decode("utf-16-be", errors="replace")
    if data_coding in (0x03, 0x04):
        return octets.decode("latin-1")
    out: list[str] = []
    escaped = False
    for octet in octets:
        if escaped:
            out.append(_GSM_ESCAPED.get(octet, " "))
            escaped = False
        elif octet == 0x1B:
            escaped = True
        else:
            out.append(_GSM[octet] if octet < len(_GSM) else "?")
    return "".join(out)


def encode(command_id: int, status: int, sequence: int, body: bytes = b"") -> bytes:
    return HEADER.pack(HEADER.size + len(body), command_id, status, sequence) + body


def cstring(value: str) -> bytes:
    return value.encode("latin-1") + b"\0"


def deliver_receipt(
    sequence: int,
    source: str,
    destination: str,
    message_id: str,
    stat: str,
    date: str,
    user_message_reference: int | None = None,
) -> bytes:
    """A deliver_sm carrying the delivery receipt of ``message_id`` (SMPP 3.4 appendix B).

    TLVs: ``receipted_message_id`` (the SMSC's id), ``message_state``, and the submitting ESME's
    ``user_message_reference`` echoed when its submit_sm carried one.
    """
    text = (
        f"id:{message_id} sub:001 dlvrd:{'001' if stat == 'DELIVRD' else '000'} "
        f"submit date:{date} done date:{date} stat:{stat} err:000 text:"
    ).encode("ascii")
    state = 2 if stat == "DELIVRD" else 5  # DELIVERED, UNDELIVERABLE
    body = (
        cstring("")  # service_type
        + bytes((1, 1)) + cstring(destination)  # the receipt comes from the handset
        + bytes((5, 0)) + cstring(source)
        + bytes((ESM_RECEIPT, 0, 0)) + cstring("") + cstring("")
        + bytes((0, 0, 0, 0, len(text))) + text
        + struct.pack(">HH", TLV_RECEIPTED_MESSAGE_ID, len(message_id) + 1) + cstring(message_id)
        + struct.pack(">HHB", TLV_MESSAGE_STATE, 1, state)
    )  # fmt: skip
    if user_message_reference is not None:
        body += struct.pack(">HHH", TLV_USER_MESSAGE_REFERENCE, 2, user_message_reference)
    return encode(DELIVER_SM, ESME_ROK, sequence, body)
