"""ICAO Doc 9303 part 11 Basic Access Control and 3DES secure messaging, for both ends.

The reader (`emrtd.py`) and the virtual card (`vpcd_card.py`) share this module, and the part 11
appendix D worked example pins every step in the unit tests (key seed, KSenc/KSmac, SSC, E_IFD,
M_IFD, the protected SELECT of EF.COM). Crypto comes from `cryptography`; 3DES lives in its
"decrepit" package because it is only kept for legacy protocols like this one.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from collections.abc import Callable
from dataclasses import dataclass, field

from cryptography.hazmat.decrepit.ciphers.algorithms import TripleDES
from cryptography.hazmat.primitives.ciphers import Cipher, modes

from drivers.card_reader.apdu import (
    CommandApdu,
    MalformedData,
    ResponseApdu,
    encode_length,
    iter_tlv,
    tlv,
)
from drivers.card_reader.mrz import MrzKey
from drivers.errors import MrzMismatch

ZERO_IV = bytes(8)
ENC_COUNTER = 1
MAC_COUNTER = 2


class SecureMessagingError(MalformedData):
    """A protected response failed its MAC or lacks its data objects: the session is over."""


def pad(data: bytes) -> bytes:
    """ISO 9797-1 padding method 2: 0x80 then zeros up to a multiple of 8."""
    data += b"\x80"
    return data + bytes(-len(data) % 8)


def unpad(data: bytes) -> bytes:
    stripped = data.rstrip(b"\x00")
    if not stripped.endswith(b"\x80"):
        raise SecureMessagingError("bad ISO 9797-1 padding")
    return stripped[:-1]


def adjust_parity(key: bytes) -> bytes:
    """Set each byte's lowest bit so the byte has odd parity (DES key convention)."""
    out = bytearray()
    for byte in key:
        high = byte & 0xFE
        out.append(high | ((bin(high).count("1") + 1) % 2))
    return bytes(out)


def key_seed(key: MrzKey) -> bytes:
    return hashlib.sha1(key.mrz_information().encode("ascii")).digest()[:16]


def derive_key(seed: bytes, counter: int) -> bytes:
    """KDF of part 11 §9.7.1 for 3DES: SHA-1(seed || counter)[:16], parity adjusted."""
    return adjust_parity(hashlib.sha1(seed + counter.to_bytes(4, "big")).digest()[:16])


def bac_keys(key: MrzKey) -> tuple[bytes, bytes]:
    """(Kenc, Kmac) from the MRZ information."""
    seed = key_seed(key)
    return derive_key(seed, ENC_COUNTER), derive_key(seed, MAC_COUNTER)


def _des3(key: bytes) -> TripleDES:
    # cryptography deprecates 8- and 16-byte 3DES keys; the 24-byte forms K1K2K1 / K1K1K1 are the
    # same cipher (two-key EDE, single DES), which is what ICAO 9303 specifies.
    if len(key) == 16:
        return TripleDES(key + key[:8])
    if len(key) == 8:
        return TripleDES(key * 3)
    return TripleDES(key)


def _cipher(key: bytes, iv: bytes = ZERO_IV) -> Cipher[modes.CBC]:
    return Cipher(_des3(key), modes.CBC(iv))


def encrypt(key: bytes, data: bytes) -> bytes:
    """3DES-CBC, zero IV, no padding (the caller pads)."""
    enc = _cipher(key).encryptor()
    return enc.update(data) + enc.finalize()


def decrypt(key: bytes, data: bytes) -> bytes:
    if len(data) % 8:
        raise SecureMessagingError("ciphertext is not a multiple of 8 bytes")
    dec = _cipher(key).decryptor()
    return dec.update(data) + dec.finalize()


def retail_mac(key: bytes, data: bytes) -> bytes:
    """ISO 9797-1 MAC algorithm 3 (DES-CBC with K1, then 3DES on the last block); data padded."""
    if len(data) % 8 or not data:
        raise ValueError("MAC input must be padded to 8-byte blocks")
    k1 = key[:8]
    head, last = data[:-8], data[-8:]
    chain = ZERO_IV
    if head:
        enc = Cipher(_des3(k1), modes.CBC(ZERO_IV)).encryptor()
        chain = (enc.update(head) + enc.finalize())[-8:]
    block = bytes(a ^ b for a, b in zip(chain, last, strict=True))
    ede = Cipher(_des3(key), modes.ECB()).encryptor()
    return ede.update(block) + ede.finalize()


# -- mutual authentication --------------------------------------------------------------------


def ifd_cryptogram(
    k_enc: bytes, k_mac: bytes, rnd_icc: bytes, rnd_ifd: bytes, k_ifd: bytes
) -> bytes:
    """E_IFD || M_IFD, the data of EXTERNAL AUTHENTICATE."""
    e_ifd = encrypt(k_enc, rnd_ifd + rnd_icc + k_ifd)
    return e_ifd + retail_mac(k_mac, pad(e_ifd))


def session_keys(k_ifd: bytes, k_icc: bytes, rnd_icc: bytes, rnd_ifd: bytes) -> SecureMessaging:
    seed = bytes(a ^ b for a, b in zip(k_ifd, k_icc, strict=True))
    ssc = int.from_bytes(rnd_icc[-4:] + rnd_ifd[-4:], "big")
    return SecureMessaging(derive_key(seed, ENC_COUNTER), derive_key(seed, MAC_COUNTER), ssc)


def complete_bac(
    k_enc: bytes, k_mac: bytes, response: bytes, rnd_icc: bytes, rnd_ifd: bytes, k_ifd: bytes
) -> SecureMessaging:
    """Check the chip's E_ICC || M_ICC and derive the session; MrzMismatch if it does not fit."""
    if len(response) != 40:
        raise MrzMismatch(f"EXTERNAL AUTHENTICATE answered {len(response)} bytes, expected 40")
    e_icc, m_icc = response[:32], response[32:]
    if not hmac.compare_digest(retail_mac(k_mac, pad(e_icc)), m_icc):
        raise MrzMismatch("chip cryptogram MAC does not verify (wrong MRZ key?)")
    plain = decrypt(k_enc, e_icc)
    if plain[:8] != rnd_icc or plain[8:16] != rnd_ifd:
        raise MrzMismatch("chip cryptogram nonces do not match")
    return session_keys(k_ifd, plain[16:32], rnd_icc, rnd_ifd)


def chip_answer(
    k_enc: bytes, k_mac: bytes, cryptogram: bytes, rnd_icc: bytes, random: Callable[[int], bytes]
) -> tuple[bytes, SecureMessaging] | None:
    """The chip's side of EXTERNAL AUTHENTICATE; None if the terminal's cryptogram is wrong."""
    if len(cryptogram) != 40:
        return None
    e_ifd, m_ifd = cryptogram[:32], cryptogram[32:]
    if not hmac.compare_digest(retail_mac(k_mac, pad(e_ifd)), m_ifd):
        return None
    plain = decrypt(k_enc, e_ifd)
    rnd_ifd, got_icc, k_ifd = plain[:8], plain[8:16], plain[16:32]
    if got_icc != rnd_icc:
        return None
    k_icc = random(16)
    e_icc = encrypt(k_enc, rnd_icc + rnd_ifd + k_icc)
    answer = e_icc + retail_mac(k_mac, pad(e_icc))
    # The chip's SSC is built the same way; its keys come from K.IFD xor K.ICC too.
    return answer, session_keys(k_ifd, k_icc, rnd_icc, rnd_ifd)


def terminal_nonces(random: Callable[[int], bytes] = os.urandom) -> tuple[bytes, bytes]:
    """(RND.IFD, K.IFD)."""
    return random(8), random(16)


# -- secure messaging -------------------------------------------------------------------------


def _le_bytes(le: int) -> bytes:
    if le <= 256:
        return bytes([le % 256])
    return (le % 65536).to_bytes(2, "big")


@dataclass
class SecureMessaging:
    """One BAC session: session keys and the send sequence counter, incremented per message."""

    ks_enc: bytes = field(repr=False)
    ks_mac: bytes = field(repr=False)
    ssc: int = field(repr=False)

    def _next_ssc(self) -> bytes:
        self.ssc = (self.ssc + 1) % (1 << 64)
        return self.ssc.to_bytes(8, "big")

    def _mac(self, ssc: bytes, data: bytes) -> bytes:
        return retail_mac(self.ks_mac, pad(ssc + data))

    # terminal side

    def wrap(self, command: CommandApdu) -> bytes:
        """The protected APDU for `command` (extended length when the data or Le need it)."""
        cla = command.cla | 0x0C
        header = bytes([cla, command.ins, command.p1, command.p2])
        objects = b""
        if command.data:
            objects += tlv(0x87, b"\x01" + encrypt(self.ks_enc, pad(command.data)))
        if command.le is not None:
            objects += tlv(0x97, _le_bytes(command.le))
        mac = self._mac(self._next_ssc(), pad(header) + objects)
        body = objects + tlv(0x8E, mac)
        # Ask for the longest protected answer the command could produce.
        extended = len(body) > 255 or (command.le is not None and command.le > 0xDF)
        if extended:
            return header + b"\x00" + len(body).to_bytes(2, "big") + body + b"\x00\x00"
        return header + bytes([len(body)]) + body + b"\x00"

    def unwrap(self, response: ResponseApdu) -> ResponseApdu:
        """Check and decrypt a protected response; SecureMessagingError if it does not verify."""
        objects = dict(iter_tlv(response.data)) if response.data else {}
        if 0x8E not in objects:
            # An unprotected answer (usually an error SW): the chip has dropped the session.
            self._next_ssc()
            raise SecureMessagingError(f"unprotected response SW {response.sw:04X}")
        covered = b""
        for tag in (0x87, 0x99):
            if tag in objects:
                covered += tlv(tag, objects[tag])
        if not hmac.compare_digest(self._mac(self._next_ssc(), covered), objects[0x8E]):
            raise SecureMessagingError("response MAC does not verify")
        if 0x99 not in objects or len(objects[0x99]) != 2:
            raise SecureMessagingError("protected response without status DO99")
        sw = int.from_bytes(objects[0x99], "big")
        data = b""
        if 0x87 in objects:
            value = objects[0x87]
            if not value or value[0] != 0x01:
                raise SecureMessagingError("DO87 without padding indicator 01")
            data = unpad(decrypt(self.ks_enc, value[1:]))
        return ResponseApdu(data, sw)

    # chip side

    def unwrap_command(self, command: CommandApdu) -> CommandApdu | None:
        """The plain command inside a protected one; None if its MAC does not verify."""
        try:
            objects = dict(iter_tlv(command.data))
        except MalformedData:
            return None
        header = bytes([command.cla, command.ins, command.p1, command.p2])
        covered = b"".join(tlv(t, objects[t]) for t in (0x87, 0x97) if t in objects)
        mac = objects.get(0x8E)
        if mac is None or not hmac.compare_digest(
            self._mac(self._next_ssc(), pad(header) + covered), mac
        ):
            return None
        data = b""
        if 0x87 in objects:
            try:
                data = unpad(decrypt(self.ks_enc, objects[0x87][1:]))
            except MalformedData:
                return None
        le: int | None = None
        if 0x97 in objects:
            raw = objects[0x97]
            le = int.from_bytes(raw, "big") or (256 if len(raw) == 1 else 65536)
        return CommandApdu(command.cla & ~0x0C, command.ins, command.p1, command.p2, data, le)

    def wrap_response(self, data: bytes, sw: int) -> bytes:
        objects = b""
        if data:
            objects += tlv(0x87, b"\x01" + encrypt(self.ks_enc, pad(data)))
        objects += tlv(0x99, sw.to_bytes(2, "big"))
        mac = self._mac(self._next_ssc(), objects)
        return objects + tlv(0x8E, mac) + sw.to_bytes(2, "big")


def protected_response_size(plain_len: int) -> int:
    """Bytes of a protected response carrying `plain_len` bytes of data (with SW1 SW2)."""
    size = 4 + 10 + 2  # DO99, DO8E, SW
    if plain_len:
        enc = plain_len + 8 - plain_len % 8
        size += 1 + len(encode_length(enc + 1)) + 1 + enc
    return size


def max_plain_le(max_response: int) -> int:
    """The largest Le whose protected answer fits in `max_response` bytes."""
    best = 0
    # Ciphertext grows in 8-byte steps; search the step just below the budget.
    for plain in range(max(0, max_response - 40), max_response + 1):
        if protected_response_size(plain) <= max_response:
            best = plain
    return best
