"""A virtual smart card for Debian's real pcscd + vsmartcard-vpcd (tests, demo, benchmark).

vpcd is a pcscd reader driver that waits for a card on TCP 127.0.0.1:35963 (reader 0). A card is
a client: every message is a 2-byte big-endian length and a payload; a 1-byte payload is a
control code (0 power off, 1 power on, 2 reset, 4 get ATR), anything longer is a command APDU
to answer with a response APDU. Connected = card on the reader; disconnecting lifts it. (Debian's
own `vicc` is broken on Python 3, hence this one.)

`VirtualCard` answers what the kiosk reads: the contactless UID (``FF CA 00 00 00``, which real
reader firmware answers for the card), the social security DDF with EF05/EF06, and an eMRTD
with EF.ATR/INFO (extended length), BAC and 3DES secure messaging over EF.COM, DG1 and DG2.
`VpcdCardPeer` is the socket side: `insert` / `remove`, and `lift_after(n)` to pull the card
after n more APDUs (a card removed mid-read).

Hardware-ish quirk handled here: vpcd writes the length and the payload of each message
separately; with Nagle on its side and delayed ACKs on ours, every APDU stalled ~40 ms. Asking
for an immediate ACK (TCP_QUICKACK) before each read brings a round trip to ~0.2 ms.
"""

from __future__ import annotations

import contextlib
import logging
import os
import socket
import struct
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from drivers.card_reader import bac, emrtd, ssc
from drivers.card_reader.apdu import (
    SW_AUTH_FAILED,
    SW_END_OF_FILE,
    SW_FILE_NOT_FOUND,
    SW_INS_NOT_SUPPORTED,
    SW_OK,
    SW_SECURITY_NOT_SATISFIED,
    SW_SM_DATA_INCORRECT,
    SW_WRONG_LENGTH,
    SW_WRONG_P1P2,
    CommandApdu,
    MalformedData,
    parse_command,
)
from drivers.card_reader.base import Identity
from drivers.card_reader.mrz import MrzKey, format_td3
from drivers.card_reader.simulator import SAMPLE_IDENTITY

log = logging.getLogger(__name__)

VPCD_HOST = "127.0.0.1"
VPCD_PORT = 35963  # reader 0 ("Virtual PCD 00 00"); 35964 is reader 1
CTRL_OFF, CTRL_ON, CTRL_RESET, CTRL_ATR = 0, 1, 2, 4
# T=1 ATR with historical bytes announcing extended Lc/Le (card capabilities 0x73 .. 0x40).
DEFAULT_ATR = bytes.fromhex("3B8880010073C8400000900062")
SAMPLE_UID = bytes.fromhex("04A23B7C")

# The sample passport: the ICAO specimen's MRZ key fields with a Chinese holder's names.
SAMPLE_MRZ = format_td3(
    surname="ZHANG",
    given_names="SANFENG",
    document_number="E12345678",
    nationality="CHN",
    birth_date="491231",
    sex="M",
    expiry_date="350101",
)
SAMPLE_MRZ_KEY = MrzKey("E12345678", "491231", "350101")


def sample_face_jpeg(size: tuple[int, int] = (240, 320)) -> bytes:
    """A small real JPEG (a drawn face) so the UI can show the DG2 photo; ~6-10 KB."""
    import io

    from PIL import Image, ImageDraw

    image = Image.new("RGB", size, (222, 230, 240))
    draw = ImageDraw.Draw(image)
    w, h = size
    draw.ellipse((w * 0.25, h * 0.18, w * 0.75, h * 0.7), fill=(236, 200, 170))
    draw.rectangle((w * 0.15, h * 0.72, w * 0.85, h), fill=(40, 60, 110))
    for i in range(0, w, 6):  # texture, so the JPEG is not trivially small
        draw.line((i, 0, (i * 7) % w, h * 0.15), fill=(200, 210, 225 - i % 40))
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=90)
    return out.getvalue()


@dataclass
class EmrtdData:
    """What the virtual chip holds: the MRZ (its key opens BAC) and the face image."""

    mrz: str = SAMPLE_MRZ
    face_jpeg: bytes = field(default=b"", repr=False)
    max_response: int = 4096  # longest response APDU the chip builds (EF.ATR/INFO advertises it)
    extended_length: bool = True

    def key(self) -> MrzKey:
        from drivers.card_reader.mrz import parse_mrz

        return parse_mrz(self.mrz).key()


class VirtualCard:
    """One card's behaviour (ISO 7816-4 subset). `process` is called on the peer thread."""

    def __init__(
        self,
        *,
        uid: bytes = SAMPLE_UID,
        social_security: Identity | None = None,
        emrtd_data: EmrtdData | None = None,
        atr: bytes = DEFAULT_ATR,
        random: Callable[[int], bytes] = os.urandom,
    ) -> None:
        self.uid = uid
        self.atr = atr
        self._random = random
        self._ssc_files = ssc.card_records(social_security) if social_security else None
        self.emrtd_data = emrtd_data
        self._mf_files: dict[int, bytes] = {}
        self._app_files: dict[int, bytes] = {}
        if emrtd_data is not None:
            face = emrtd_data.face_jpeg or sample_face_jpeg()
            self._app_files = {
                emrtd.FID_COM: emrtd.build_com((1, 2)),
                emrtd.FID_DG1: emrtd.build_dg1(emrtd_data.mrz),
                emrtd.FID_DG2: emrtd.build_dg2(face, width=240, height=320),
            }
            if emrtd_data.extended_length:
                info = emrtd.build_atr_info(emrtd_data.max_response, emrtd_data.max_response)
                self._mf_files[emrtd.FID_ATR_INFO] = info
            self._k_enc, self._k_mac = bac.bac_keys(emrtd_data.key())
        self.apdu_count = 0
        self.reset()

    def reset(self) -> None:
        self._app: str = ""
        self._file: bytes | None = None
        self._records: list[bytes] | None = None
        self._rnd_icc: bytes | None = None
        self._sm: bac.SecureMessaging | None = None

    @property
    def app_files(self) -> dict[int, bytes]:
        return dict(self._app_files)

    def process(self, raw: bytes) -> bytes:
        self.apdu_count += 1
        try:
            command = parse_command(raw)
        except MalformedData:
            return b"\x67\x00"
        if command.cla == 0xFF and command.ins == 0xCA:
            # Reader-level pseudo-APDU: real PC/SC readers answer it from the RF layer.
            return self.uid + b"\x90\x00" if command.p1 == 0 else b"\x6a\x81"
        if self._sm is not None:
            return self._protected(command)
        data, sw = self._plain(command)
        return data + sw.to_bytes(2, "big")

    # -- plain commands ---------------------------------------------------------------------------

    def _plain(self, c: CommandApdu) -> tuple[bytes, int]:
        if c.ins == 0xA4 and c.p1 == 0x04:
            return self._select_application(c.data)
        if c.ins == 0xA4 and c.p1 in (0x00, 0x02):
            fid = int.from_bytes(c.data, "big") if len(c.data) == 2 else -1
            if self._app == "ssc" and self._ssc_files is not None and fid in self._ssc_files:
                self._records = self._ssc_files[fid]
                return b"", SW_OK
            if self._app == "" and fid in self._mf_files:
                self._file = self._mf_files[fid]
                return b"", SW_OK
            if self._app == "emrtd" and fid in self._app_files:
                return b"", SW_SECURITY_NOT_SATISFIED  # data groups only under BAC
            return b"", SW_FILE_NOT_FOUND
        if c.ins == 0xB2 and self._records is not None:
            if c.p2 != 0x04 or not 1 <= c.p1 <= len(self._records):
                return b"", 0x6A83  # record not found
            return self._records[c.p1 - 1], SW_OK
        if c.ins == 0xB0 and self._file is not None:
            return self._read_binary(self._file, c)
        if c.ins == 0x84 and self._app == "emrtd":
            self._rnd_icc = self._random(8)
            return self._rnd_icc, SW_OK
        if c.ins == 0x82 and self._app == "emrtd" and self._rnd_icc is not None:
            answer = bac.chip_answer(self._k_enc, self._k_mac, c.data, self._rnd_icc, self._random)
            self._rnd_icc = None
            if answer is None:
                return b"", SW_AUTH_FAILED
            data, self._sm = answer
            self._file = None
            return data, SW_OK
        return b"", SW_INS_NOT_SUPPORTED

    def _select_application(self, aid: bytes) -> tuple[bytes, int]:
        self._file, self._records, self._sm = None, None, None
        if aid == ssc.SSC_AID and self._ssc_files is not None:
            self._app = "ssc"
            return b"", SW_OK
        if aid == emrtd.EMRTD_AID and self.emrtd_data is not None:
            self._app = "emrtd"
            return b"", SW_OK
        self._app = ""
        return b"", SW_FILE_NOT_FOUND

    def _read_binary(self, content: bytes, c: CommandApdu) -> tuple[bytes, int]:
        offset = (c.p1 << 8) | c.p2
        if c.p1 & 0x80:
            return b"", SW_WRONG_P1P2  # short-EF addressing not offered
        if offset >= len(content):
            return b"", SW_WRONG_P1P2
        le = c.le or 256
        chunk = content[offset : offset + le]
        return chunk, SW_END_OF_FILE if len(chunk) < le else SW_OK

    # -- secure messaging -------------------------------------------------------------------------

    def _protected(self, command: CommandApdu) -> bytes:
        sm = self._sm
        assert sm is not None
        if command.cla & 0x0C != 0x0C:
            self._sm = None  # a plain command ends the session, as on real chips
            return SW_SM_DATA_INCORRECT.to_bytes(2, "big")
        inner = sm.unwrap_command(command)
        if inner is None:
            self._sm = None
            return SW_SM_DATA_INCORRECT.to_bytes(2, "big")
        if inner.ins == 0xA4 and inner.p1 == 0x02:
            fid = int.from_bytes(inner.data, "big") if len(inner.data) == 2 else -1
            if fid in self._app_files:
                self._file = self._app_files[fid]
                return sm.wrap_response(b"", SW_OK)
            return sm.wrap_response(b"", SW_FILE_NOT_FOUND)
        if inner.ins == 0xB0 and self._file is not None:
            data, sw = self._read_binary(self._file, inner)
            assert self.emrtd_data is not None
            if bac.protected_response_size(len(data)) > self.emrtd_data.max_response:
                return sm.wrap_response(b"", SW_WRONG_LENGTH)
            return sm.wrap_response(data, sw)
        return sm.wrap_response(b"", SW_INS_NOT_SUPPORTED)


class VpcdCardPeer:
    """The virtual card's connection to vpcd. `insert(card)` places it, `remove()` lifts it.

    While a card is inserted the peer keeps (re)connecting: when pcscd restarts, vpcd comes back
    and finds the card still lying on the reader, as a physical card would be.
    """

    def __init__(self, host: str = VPCD_HOST, port: int = VPCD_PORT) -> None:
        if host not in ("127.0.0.1", "localhost", "::1"):
            raise ValueError("the virtual card only talks to a vpcd on this machine")
        self.host = host
        self.port = port
        self._cond = threading.Condition()
        self._card: VirtualCard | None = None
        self._sock: socket.socket | None = None
        self._thread: threading.Thread | None = None
        self._lift_after: int | None = None
        self._powered = False
        self._inserted = False

    @property
    def card(self) -> VirtualCard | None:
        return self._card

    @property
    def connected(self) -> bool:
        return self._sock is not None

    def insert(self, card: VirtualCard, *, timeout_s: float = 5.0) -> None:
        """Place the card: connect to vpcd (pcscd sees it within its ~0.4 s presence poll)."""
        self.remove()
        card.reset()
        with self._cond:
            self._card = card
            self._inserted = True
        self._thread = threading.Thread(target=self._run, name="vpcd-card", daemon=True)
        self._thread.start()
        with self._cond:
            if not self._cond.wait_for(lambda: self._sock is not None, timeout_s):
                log.warning("virtual card: vpcd on %s:%d not reachable yet", self.host, self.port)
        log.info("virtual card inserted")

    def remove(self) -> None:
        """Lift the card: close the connection (vpcd then reports no card)."""
        with self._cond:
            was_inserted = self._inserted
            self._inserted = False
            self._lift_after = None
            sock = self._sock
            self._cond.notify_all()
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
        thread, self._thread = self._thread, None
        if thread is not None and thread is not threading.current_thread():
            thread.join(5)
        if was_inserted:
            log.info("virtual card removed")

    def lift_after(self, apdus: int) -> None:
        """Lift the card when `apdus` more command APDUs have arrived (mid-read removal)."""
        with self._cond:
            self._lift_after = apdus

    def wait_powered(self, timeout_s: float) -> bool:
        with self._cond:
            return self._cond.wait_for(lambda: self._powered, timeout_s)

    def _run(self) -> None:
        while True:
            with self._cond:
                if not self._inserted:
                    return
            try:
                sock = socket.create_connection((self.host, self.port), timeout=1.0)
            except OSError:
                # vpcd not listening (pcscd down or restarting): try again shortly.
                with self._cond:
                    self._cond.wait_for(lambda: not self._inserted, 0.2)
                continue
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            sock.settimeout(None)
            with self._cond:
                if not self._inserted:
                    sock.close()
                    return
                self._sock = sock
                self._cond.notify_all()
            self._serve(sock)

    def _serve(self, sock: socket.socket) -> None:
        try:
            while True:
                size = struct.unpack(">H", self._recv(sock, 2))[0]
                payload = self._recv(sock, size)
                answer = self._answer(payload)
                if answer is None:
                    continue
                sock.sendall(struct.pack(">H", len(answer)) + answer)
        except (OSError, EOFError):
            pass
        finally:
            with self._cond:
                self._sock = None
                self._powered = False
                self._cond.notify_all()
            with contextlib.suppress(OSError):
                sock.close()

    @staticmethod
    def _recv(sock: socket.socket, n: int) -> bytes:
        data = b""
        while len(data) < n:
            with contextlib.suppress(OSError):
                # Quirk (see module doc): ACK at once, or vpcd's second write waits ~40 ms.
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_QUICKACK, 1)
            chunk = sock.recv(n - len(data))
            if not chunk:
                raise EOFError
            data += chunk
        return data

    def _answer(self, payload: bytes) -> bytes | None:
        card = self._card
        if card is None:
            raise EOFError
        if len(payload) == 1:
            code = payload[0]
            if code in (CTRL_OFF, CTRL_ON, CTRL_RESET):
                card.reset()
                with self._cond:
                    self._powered = code != CTRL_OFF
                    self._cond.notify_all()
                return None
            if code == CTRL_ATR:
                return card.atr
            return None
        with self._cond:
            if self._lift_after is not None:
                self._lift_after -= 1
                if self._lift_after < 0:
                    # The card left the field before answering: lifted, not coming back.
                    self._lift_after = None
                    self._inserted = False
                    raise EOFError
        return card.process(payload)


def sample_card(kind: str, identity: Identity | None = None) -> VirtualCard:
    """A ready card: "ssc" (social security), "emrtd" (passport) or "uid" (any contactless)."""
    if kind == "ssc":
        return VirtualCard(social_security=identity or SAMPLE_IDENTITY)
    if kind == "emrtd":
        return VirtualCard(emrtd_data=EmrtdData())
    if kind == "uid":
        return VirtualCard()
    raise ValueError(f"virtual card kind must be ssc, emrtd or uid, not {kind!r}")


def wait_until(predicate: Callable[[], bool], timeout_s: float, step_s: float = 0.02) -> bool:
    deadline = time.monotonic() + timeout_s
    while not predicate():
        if time.monotonic() >= deadline:
            return False
        time.sleep(step_s)
    return True


__all__ = [
    "SAMPLE_MRZ",
    "SAMPLE_MRZ_KEY",
    "EmrtdData",
    "VirtualCard",
    "VpcdCardPeer",
    "sample_card",
]
