"""GA/T 467-2019 host protocol: frames, status codes and the 256-byte text block. No I/O here.

A frame is ``AA AA AA 96 69 | LEN_H LEN_L | body | CHK``: LEN (big-endian) counts everything after
itself including CHK, and CHK is the XOR of every byte from LEN_H up to the byte before CHK. A
command body is ``CMD PARA [data]``; a response body is ``SW1 SW2 SW3 [data]``, SW3 carrying the
outcome (0x90 ok, 0x9F card found, 0x80 no card, ...). `FrameDecoder` resynchronises on the
preamble, so line noise before a frame is skipped, and says how many bytes it still needs so the
serial code can block on exactly that many. The same module encodes what the emulator sends,
so both directions are tested against each other and against the known frames of the issue.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import IntEnum

from drivers.card_reader.base import Identity
from drivers.errors import (
    CardReaderError,
    CardReadFailed,
    CardRemoved,
    CardUnsupported,
    NoCard,
    ReaderFault,
    ReaderLinkError,
)

PREAMBLE = b"\xaa\xaa\xaa\x96\x69"
HEADER_LEN = len(PREAMBLE) + 2
# The longest legitimate body is 30 10 (text + photo + fingerprint, 3 + 6 + 256 + 1024 + 1024 + 1);
# anything longer is noise that happens to contain the preamble.
MAX_LEN = 0x0C00
TEXT_LEN = 256
PHOTO_LEN = 1024
FINGERPRINT_MAX = 1024


# CMD PARA pairs: the body of a command frame without data.
SAM_RESET = bytes([0x10, 0xFF])
SAM_STATUS = bytes([0x11, 0xFF])
SAM_ID = bytes([0x12, 0xFF])
FIND_CARD = bytes([0x20, 0x01])
SELECT_CARD = bytes([0x20, 0x02])
READ_TEXT_PHOTO = bytes([0x30, 0x01])
READ_APPENDED_ADDRESS = bytes([0x30, 0x03])
READ_TEXT_PHOTO_FINGERPRINT = bytes([0x30, 0x10])
SET_BAUD = 0x60  # PARA: 0 = 115200, 1 = 57600, 2 = 38400, 3 = 19200, 4 = 9600

BAUD_CODES: dict[int, int] = {115200: 0, 57600: 1, 38400: 2, 19200: 3, 9600: 4}


class Sw3(IntEnum):
    OK = 0x90
    NO_CONTENT = 0x91  # "no such item", e.g. no appended address on the card
    FOUND = 0x9F
    CHECKSUM_ERROR = 0x10  # the reader got our frame with a bad CHK
    LENGTH_ERROR = 0x11
    BAD_COMMAND = 0x21
    NOT_PERMITTED = 0x23
    UNKNOWN_ERROR = 0x24
    AUTH_FAILED = 0x31  # card-SAM authentication
    VERIFY_FAILED = 0x32
    VERIFY_INFO_FAILED = 0x33
    INFO_LENGTH_ERROR = 0x3F
    UNKNOWN_CARD_TYPE = 0x40
    READ_FAILED = 0x41
    RANDOM_FAILED = 0x47
    SAM_SELF_TEST_FAILED = 0x60
    SAM_NOT_AUTHORISED = 0x66
    NO_CARD = 0x80
    SELECT_FAILED = 0x81


SW3_TEXT: dict[int, str] = {
    Sw3.OK: "ok",
    Sw3.NO_CONTENT: "no such item",
    Sw3.FOUND: "card found",
    Sw3.CHECKSUM_ERROR: "reader got a frame with a bad checksum",
    Sw3.LENGTH_ERROR: "reader got a frame with a bad length",
    Sw3.BAD_COMMAND: "reader does not know the command",
    Sw3.NOT_PERMITTED: "command not permitted now",
    Sw3.UNKNOWN_ERROR: "reader reports an unknown error",
    Sw3.AUTH_FAILED: "card authentication failed",
    Sw3.VERIFY_FAILED: "card verification failed",
    Sw3.VERIFY_INFO_FAILED: "card data verification failed",
    Sw3.INFO_LENGTH_ERROR: "card data length error",
    Sw3.UNKNOWN_CARD_TYPE: "unknown card type",
    Sw3.READ_FAILED: "reading the card failed (moved or lifted?)",
    Sw3.RANDOM_FAILED: "card random number failed",
    Sw3.SAM_SELF_TEST_FAILED: "SAM self-test failed",
    Sw3.SAM_NOT_AUTHORISED: "SAM not authorised",
    Sw3.NO_CARD: "no card",
    Sw3.SELECT_FAILED: "selecting the card failed",
}

# SW3 -> the error a caller sees. Link-level codes are the host's fault (or noise) and are
# retried by the driver before they surface; card-level codes mean "lift it and place it again".
_SW3_ERRORS: dict[int, type[CardReaderError]] = {
    Sw3.NO_CARD: NoCard,
    Sw3.SELECT_FAILED: CardReadFailed,
    Sw3.READ_FAILED: CardRemoved,
    Sw3.AUTH_FAILED: CardReadFailed,
    Sw3.VERIFY_FAILED: CardReadFailed,
    Sw3.VERIFY_INFO_FAILED: CardReadFailed,
    Sw3.INFO_LENGTH_ERROR: CardReadFailed,
    Sw3.RANDOM_FAILED: CardReadFailed,
    Sw3.UNKNOWN_CARD_TYPE: CardUnsupported,
    Sw3.CHECKSUM_ERROR: ReaderLinkError,
    Sw3.LENGTH_ERROR: ReaderLinkError,
    Sw3.BAD_COMMAND: ReaderLinkError,
    Sw3.NOT_PERMITTED: ReaderLinkError,
    Sw3.UNKNOWN_ERROR: CardReadFailed,
    Sw3.SAM_SELF_TEST_FAILED: ReaderFault,
    Sw3.SAM_NOT_AUTHORISED: ReaderFault,
}
SUCCESS_SW3 = frozenset({Sw3.OK, Sw3.FOUND})


def error_for_sw3(sw3: int, context: str) -> CardReaderError:
    """The typed error for a non-success SW3 (unknown codes read as a failed read)."""
    cls = _SW3_ERRORS.get(sw3, CardReadFailed)
    text = SW3_TEXT.get(sw3, "unknown status")
    return cls(f"{context}: SW3 0x{sw3:02X} ({text})")


def checksum(data: bytes) -> int:
    value = 0
    for byte in data:
        value ^= byte
    return value


def encode_frame(body: bytes) -> bytes:
    """Wrap a body (command or response) into a full frame."""
    length = len(body) + 1
    if length > 0xFFFF:
        raise ValueError("frame body too long")
    len_and_body = length.to_bytes(2, "big") + body
    return PREAMBLE + len_and_body + bytes([checksum(len_and_body)])


def encode_command(cmd_para: bytes, data: bytes = b"") -> bytes:
    return encode_frame(cmd_para + data)


def encode_response(sw3: int, data: bytes = b"", sw1: int = 0, sw2: int = 0) -> bytes:
    return encode_frame(bytes([sw1, sw2, sw3]) + data)


@dataclass(frozen=True, slots=True)
class Response:
    sw1: int
    sw2: int
    sw3: int
    data: bytes = field(repr=False)

    @property
    def ok(self) -> bool:
        return self.sw3 in SUCCESS_SW3


def parse_response_body(body: bytes) -> Response:
    if len(body) < 3:
        raise ReaderLinkError(f"response body of {len(body)} bytes has no SW1 SW2 SW3")
    return Response(body[0], body[1], body[2], bytes(body[3:]))


class FrameDecoder:
    """Incremental frame parser: feed bytes, take bodies out. Never raises but ReaderLinkError.

    Bytes before a preamble are dropped (and counted in `skipped`); a frame with a bad checksum
    or an impossible length raises ReaderLinkError and the decoder restarts after its preamble.
    """

    def __init__(self, max_len: int = MAX_LEN) -> None:
        self._buf = bytearray()
        self._max_len = max_len
        self.skipped = 0

    def needed(self) -> int:
        """How many more bytes complete the frame in progress (at least 1)."""
        self._sync()
        if len(self._buf) < HEADER_LEN:
            return HEADER_LEN - len(self._buf)
        length = int.from_bytes(self._buf[5:7], "big")
        if length < 1 or length > self._max_len:
            return 1  # feed() will report the bad length
        return max(1, HEADER_LEN + length - len(self._buf))

    @property
    def pending(self) -> int:
        return len(self._buf)

    def feed(self, data: bytes) -> bytes | None:
        """Add bytes; return the body of the first complete frame, or None if not complete.

        Bytes after a returned frame stay buffered for the next call (call with b"" to drain).
        """
        self._buf += data
        self._sync()
        if len(self._buf) < HEADER_LEN:
            return None
        length = int.from_bytes(self._buf[5:7], "big")
        if length < 1 or length > self._max_len:
            self._drop_preamble()
            raise ReaderLinkError(f"frame length {length} out of range")
        total = HEADER_LEN + length
        if len(self._buf) < total:
            return None
        frame = bytes(self._buf[:total])
        del self._buf[:total]
        len_and_body = frame[5:-1]
        if checksum(len_and_body) != frame[-1]:
            raise ReaderLinkError("frame checksum mismatch")
        return frame[HEADER_LEN:-1]

    def reset(self) -> None:
        self._buf.clear()

    def _sync(self) -> None:
        start = self._buf.find(PREAMBLE)
        if start < 0:
            # Keep a tail that could be the start of a preamble split across reads.
            keep = 0
            for n in range(min(len(PREAMBLE) - 1, len(self._buf)), 0, -1):
                if self._buf.endswith(PREAMBLE[:n]):
                    keep = n
                    break
            self.skipped += len(self._buf) - keep
            del self._buf[: len(self._buf) - keep]
        elif start > 0:
            self.skipped += start
            del self._buf[:start]

    def _drop_preamble(self) -> None:
        del self._buf[: len(PREAMBLE)]


# -- text block -----------------------------------------------------------------------------

SEX_CODES: dict[str, str] = {"0": "未知", "1": "男", "2": "女", "9": "未说明"}

# GB 3304-1991 nationality (民族) codes as carried on the card.
_NATIONS = [
    "汉",
    "蒙古",
    "回",
    "藏",
    "维吾尔",
    "苗",
    "彝",
    "壮",
    "布依",
    "朝鲜",
    "满",
    "侗",
    "瑶",
    "白",
    "土家",
    "哈尼",
    "哈萨克",
    "傣",
    "黎",
    "傈僳",
    "佤",
    "畲",
    "高山",
    "拉祜",
    "水",
    "东乡",
    "纳西",
    "景颇",
    "柯尔克孜",
    "土",
    "达斡尔",
    "仫佬",
    "羌",
    "布朗",
    "撒拉",
    "毛南",
    "仡佬",
    "锡伯",
    "阿昌",
    "普米",
    "塔吉克",
    "怒",
    "乌孜别克",
    "俄罗斯",
    "鄂温克",
    "德昂",
    "保安",
    "裕固",
    "京",
    "塔塔尔",
    "独龙",
    "鄂伦春",
    "赫哲",
    "门巴",
    "珞巴",
    "基诺",
]
NATION_CODES: dict[str, str] = {f"{i:02d}": name for i, name in enumerate(_NATIONS, start=1)}
NATION_CODES.update({"97": "其他", "98": "外国血统中国籍人士"})
NATION_BY_NAME = {name: code for code, name in NATION_CODES.items()}
SEX_BY_NAME = {name: code for code, name in SEX_CODES.items()}

LONG_TERM = "长期"
TYPE_FLAG_OFFSET = 248

CARD_TYPES: dict[str, str] = {
    " ": "resident_id",
    "J": "hmt_residence_permit",
    "I": "foreign_permanent_resident",
    "Y": "foreign_permanent_resident",
}

# (field, bytes) in card order; each layout is 248 bytes before the type flag.
RESIDENT_LAYOUT: tuple[tuple[str, int], ...] = (
    ("name", 30),
    ("sex", 2),
    ("nation", 4),
    ("birth", 16),
    ("address", 70),
    ("id_number", 36),
    ("issuer", 30),
    ("valid_from", 16),
    ("valid_to", 16),
    ("_rfu", 28),
)
PERMIT_J_LAYOUT: tuple[tuple[str, int], ...] = (
    *RESIDENT_LAYOUT[:-1],
    ("pass_number", 18),
    ("issue_count", 4),
    ("_rfu", 6),
)
FOREIGN_I_LAYOUT: tuple[tuple[str, int], ...] = (
    ("english_name", 120),
    ("sex", 2),
    ("id_number", 30),
    ("nationality", 6),
    ("name", 30),
    ("valid_from", 16),
    ("valid_to", 16),
    ("birth", 16),
    ("version", 4),
    ("issuer", 8),
)
FOREIGN_Y_LAYOUT: tuple[tuple[str, int], ...] = (
    ("name", 30),
    ("sex", 2),
    ("issue_count", 4),
    ("birth", 16),
    ("english_name", 70),
    ("id_number", 36),
    ("_rfu", 30),
    ("valid_from", 16),
    ("valid_to", 16),
    ("english_name_2", 22),
    ("nationality", 6),
)
LAYOUTS: dict[str, tuple[tuple[str, int], ...]] = {
    " ": RESIDENT_LAYOUT,
    "J": PERMIT_J_LAYOUT,
    "I": FOREIGN_I_LAYOUT,
    "Y": FOREIGN_Y_LAYOUT,
}
for _flag, _layout in LAYOUTS.items():
    assert sum(n for _, n in _layout) == TYPE_FLAG_OFFSET, _flag


def _ucs2(raw: bytes) -> str:
    # Unused cells are UCS-2 spaces; some cards pad with NULs instead.
    return raw.decode("utf-16-le", errors="replace").rstrip(" \x00")


def _date(text: str, what: str) -> dt.date:
    try:
        return dt.datetime.strptime(text, "%Y%m%d").date()
    except ValueError:
        raise CardReadFailed(f"text block: {what} is not a YYYYMMDD date") from None


def type_flag(text: bytes) -> str:
    flag = text[TYPE_FLAG_OFFSET : TYPE_FLAG_OFFSET + 2].decode("utf-16-le", errors="replace")
    # A resident ID leaves the flag blank: spaces or NULs, depending on the card batch.
    return " " if flag in (" ", "\x00", "") else flag


def split_fields(text: bytes) -> tuple[str, dict[str, str]]:
    """The card-type flag and the raw field strings of a 256-byte text block."""
    if len(text) != TEXT_LEN:
        raise CardReadFailed(f"text block is {len(text)} bytes, expected {TEXT_LEN}")
    flag = type_flag(text)
    layout = LAYOUTS.get(flag)
    if layout is None:
        raise CardUnsupported(f"unknown card type flag {flag!r}")
    fields: dict[str, str] = {}
    pos = 0
    for name, size in layout:
        if not name.startswith("_"):
            fields[name] = _ucs2(text[pos : pos + size])
        pos += size
    return flag, fields


def decode_text_block(text: bytes, photo: bytes = b"") -> Identity:
    """Parse the 256-byte text block into an Identity (photo kept as an opaque WLT blob)."""
    flag, f = split_fields(text)
    valid_to_text = f["valid_to"]
    valid_to = None if valid_to_text == LONG_TERM else _date(valid_to_text, "valid to")
    sex = SEX_CODES.get(f["sex"], "")
    if flag in (" ", "J"):
        nation = NATION_CODES.get(f["nation"], "") if flag == " " else ""
        return Identity(
            name=f["name"],
            id_number=f["id_number"],
            sex=sex,
            nation=nation,
            birth_date=_date(f["birth"], "birth date"),
            address=f["address"],
            issuer=f["issuer"],
            valid_from=_date(f["valid_from"], "valid from"),
            valid_to=valid_to,
            card_type=CARD_TYPES[flag],
            photo=photo,
            photo_format="wlt" if photo else "",
            pass_number=f.get("pass_number", ""),
            issue_count=f.get("issue_count", ""),
        )
    english = f["english_name"] + f.get("english_name_2", "")
    return Identity(
        name=f["name"],
        id_number=f["id_number"],
        sex=sex,
        birth_date=_date(f["birth"], "birth date"),
        issuer=f.get("issuer", ""),
        valid_from=_date(f["valid_from"], "valid from"),
        valid_to=valid_to,
        card_type=CARD_TYPES[flag],
        photo=photo,
        photo_format="wlt" if photo else "",
        english_name=english,
        nationality=f["nationality"],
        issue_count=f.get("issue_count", ""),
    )


def encode_cell(value: str, size: int, field_name: str) -> bytes:
    raw = value.encode("utf-16-le")
    if len(raw) > size:
        raise ValueError(f"{field_name}: {len(raw) // 2} characters do not fit in {size // 2}")
    return raw + " ".encode("utf-16-le") * ((size - len(raw)) // 2)


def encode_text_block(identity: Identity, *, flag: str | None = None) -> bytes:
    """The card's 256-byte text block for an identity (the emulator's card data)."""
    if flag is None:
        flags = {v: k for k, v in CARD_TYPES.items() if k != "I"}
        flag = flags.get(identity.card_type)
        if flag is None:
            raise ValueError(f"no GA/T 467 layout for card_type {identity.card_type!r}")
    layout = LAYOUTS[flag]

    def day(d: dt.date | None) -> str:
        return d.strftime("%Y%m%d") if d is not None else ""

    english = identity.english_name
    split_at = 35  # Y layout: part 1 holds 35 characters, part 2 the rest
    values = {
        "name": identity.name,
        "sex": SEX_BY_NAME.get(identity.sex, "0" if not identity.sex else identity.sex),
        "nation": NATION_BY_NAME.get(identity.nation, identity.nation),
        "birth": day(identity.birth_date),
        "address": identity.address,
        "id_number": identity.id_number,
        "issuer": identity.issuer,
        "valid_from": day(identity.valid_from),
        "valid_to": LONG_TERM if identity.valid_to is None else day(identity.valid_to),
        "pass_number": identity.pass_number,
        "issue_count": identity.issue_count,
        "english_name": english if flag == "I" else english[:split_at],
        "english_name_2": english[split_at:],
        "nationality": identity.nationality,
        "version": "",
    }
    block = b"".join(
        encode_cell("" if name.startswith("_") else values[name], size, name)
        for name, size in layout
    )
    return block + encode_cell(flag, 2, "type") + encode_cell("", 6, "rfu")


# -- response payloads ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CardRecord:
    text: bytes = field(repr=False)
    photo: bytes = field(repr=False)
    fingerprint_len: int = 0


def parse_read_payload(data: bytes, *, with_fingerprint: bool) -> CardRecord:
    """Split the data of a 30 01 / 30 10 response: lengths, then text, photo (, fingerprint)."""
    n_len = 6 if with_fingerprint else 4
    if len(data) < n_len:
        raise ReaderLinkError("read response too short for its length fields")
    text_len = int.from_bytes(data[0:2], "big")
    photo_len = int.from_bytes(data[2:4], "big")
    fp_len = int.from_bytes(data[4:6], "big") if with_fingerprint else 0
    if text_len != TEXT_LEN or photo_len > PHOTO_LEN or fp_len > FINGERPRINT_MAX:
        raise ReaderLinkError(
            f"read response lengths text={text_len} photo={photo_len} fp={fp_len} are not valid"
        )
    if len(data) != n_len + text_len + photo_len + fp_len:
        raise ReaderLinkError("read response length does not match its length fields")
    text = data[n_len : n_len + text_len]
    photo = data[n_len + text_len : n_len + text_len + photo_len]
    return CardRecord(bytes(text), bytes(photo), fp_len)


def encode_read_payload(text: bytes, photo: bytes, fingerprint: bytes | None = None) -> bytes:
    head = len(text).to_bytes(2, "big") + len(photo).to_bytes(2, "big")
    if fingerprint is not None:
        head += len(fingerprint).to_bytes(2, "big")
        return head + text + photo + fingerprint
    return head + text + photo


def format_sam_id(data: bytes) -> str:
    """SAM id as printed on readers: ``05.01-20101224-0001234567-1234567890``."""
    if len(data) < 16:
        raise ReaderLinkError(f"SAM id is {len(data)} bytes, expected 16")
    a = int.from_bytes(data[0:2], "little")
    b = int.from_bytes(data[2:4], "little")
    c = int.from_bytes(data[4:8], "little")
    d = int.from_bytes(data[8:12], "little")
    e = int.from_bytes(data[12:16], "little")
    return f"{a:02d}.{b:02d}-{c:08d}-{d:010d}-{e:010d}"


def decode_appended_address(data: bytes) -> str:
    return _ucs2(data[:70])
