"""China social security card (社会保障卡) basic data over any APDU transport.

The card's social-security environment is the DDF named ``sx1.sh.社会保障`` (GBK), AID
``7378312E73682EC9E7BBE1B1A3D5CF``. Under it EF05 holds card data (record 1 card identification
code, 5 issue date, 6 expiry, 7 card number) and EF06 personal data (record 1 social security
number = citizen ID, 2 name in GBK, 3 sex, 4 nation, 6 birth date). Each READ RECORD
(``00 B2 nn 04 00``) answers one TLV whose tag is the data item's number in the card spec
(EF05: 01..07, EF06: 08..0D). Cards issued in some provinces protect EF06 with the holder's PIN;
those answer 6982, surfaced as CardAccessDenied (the kiosk has no PIN pad).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable

from drivers.card_reader.apdu import (
    CommandApdu,
    MalformedData,
    check_sw,
    iter_tlv,
    parse_response,
    tlv,
)
from drivers.card_reader.base import Identity
from drivers.card_reader.ga467_codec import NATION_CODES, SEX_CODES
from drivers.errors import CardUnsupported

log = logging.getLogger(__name__)

SSC_AID = bytes.fromhex("7378312E73682EC9E7BBE1B1A3D5CF")
FID_EF05 = 0xEF05
FID_EF06 = 0xEF06

# (file, record number) -> (tag, item)
EF05_RECORDS: dict[int, tuple[int, str]] = {
    1: (0x01, "card_id"),
    2: (0x02, "card_type"),
    3: (0x03, "version"),
    4: (0x04, "issuer_org"),
    5: (0x05, "issue_date"),
    6: (0x06, "expiry_date"),
    7: (0x07, "card_number"),
}
EF06_RECORDS: dict[int, tuple[int, str]] = {
    1: (0x08, "ssn"),
    2: (0x09, "name"),
    3: (0x0A, "sex"),
    4: (0x0B, "nation"),
    5: (0x0C, "birth_place"),
    6: (0x0D, "birth_date"),
}
# Only what an Identity needs: 9 APDUs in all (2 SELECT + 7 READ RECORD, plus the AID).
_WANTED = {FID_EF05: (5, 6, 7), FID_EF06: (1, 2, 3, 4, 6)}

Transmit = Callable[[bytes], bytes]


def _bcd_date(raw: bytes) -> dt.date | None:
    text = raw.hex()
    if len(text) != 8 or not text.isdigit() or text == "00000000":
        return None
    try:
        return dt.date(int(text[:4]), int(text[4:6]), int(text[6:]))
    except ValueError:
        return None


def select_ssc(transmit: Transmit) -> bool:
    response = parse_response(transmit(CommandApdu(0x00, 0xA4, 0x04, 0x00, SSC_AID).to_bytes()))
    # Some card OSes answer 61xx (more data: the FCI) instead of 9000.
    return response.sw == 0x9000 or response.sw >> 8 == 0x61


def read_social_security(transmit: Transmit, *, selected: bool = False) -> Identity:
    """Basic data of a social security card. `selected`: the caller already selected the DDF."""
    if not selected and not select_ssc(transmit):
        raise CardUnsupported("not a social security card")
    items: dict[str, bytes] = {}
    for fid, records in _WANTED.items():
        table = EF05_RECORDS if fid == FID_EF05 else EF06_RECORDS
        sel = parse_response(
            transmit(CommandApdu(0x00, 0xA4, 0x02, 0x00, fid.to_bytes(2, "big")).to_bytes())
        )
        check_sw(sel, f"SELECT {fid:04X}")
        for number in records:
            tag, name = table[number]
            raw = transmit(CommandApdu(0x00, 0xB2, number, 0x04, le=256).to_bytes())
            data = check_sw(parse_response(raw), f"READ RECORD {fid:04X}/{number}")
            values = dict(iter_tlv(data))
            if tag not in values:
                raise MalformedData(f"record {fid:04X}/{number} lacks tag {tag:02X}")
            items[name] = values[tag]
    try:
        name = items["name"].rstrip(b"\x00 ").decode("gbk").strip()
        ssn = items["ssn"].decode("ascii").strip()
        card_number = items["card_number"].rstrip(b"\x00 ").decode("ascii")
        sex_code = items["sex"].decode("ascii")
    except UnicodeDecodeError as exc:
        raise MalformedData("social security card text is not GBK/ASCII") from exc
    nation_code = items["nation"].hex()[:2]
    return Identity(
        name=name,
        id_number=ssn,
        sex=SEX_CODES.get(sex_code, ""),
        nation=NATION_CODES.get(nation_code, ""),
        birth_date=_bcd_date(items["birth_date"]),
        valid_from=_bcd_date(items["issue_date"]),
        valid_to=_bcd_date(items["expiry_date"]),
        card_type="social_security",
        card_number=card_number,
    )


def _bcd(d: dt.date | None) -> bytes:
    return bytes.fromhex(d.strftime("%Y%m%d")) if d is not None else bytes(4)


def card_records(identity: Identity, *, card_number: str = "A12345678") -> dict[int, list[bytes]]:
    """The EF05/EF06 records a card holding `identity` answers (for the virtual card)."""
    sex = {v: k for k, v in SEX_CODES.items()}.get(identity.sex, "9")
    nation = {v: k for k, v in NATION_CODES.items()}.get(identity.nation, "01")
    number = (identity.card_number or card_number).encode("ascii")
    ef05 = {
        "card_id": bytes.fromhex("320500D15600000599110145FFFFFFFF")[:16],
        "card_type": b"3",
        "version": b"3.00",
        "issuer_org": b"320500000000",
        "issue_date": _bcd(identity.valid_from),
        "expiry_date": _bcd(identity.valid_to),
        "card_number": number,
    }
    ef06 = {
        "ssn": identity.id_number.encode("ascii"),
        "name": identity.name.encode("gbk").ljust(30, b"\x00"),
        "sex": sex.encode("ascii"),
        "nation": bytes.fromhex(nation),
        "birth_place": bytes.fromhex("320500"),
        "birth_date": _bcd(identity.birth_date),
    }
    return {
        FID_EF05: [tlv(tag, ef05[name]) for _, (tag, name) in sorted(EF05_RECORDS.items())],
        FID_EF06: [tlv(tag, ef06[name]) for _, (tag, name) in sorted(EF06_RECORDS.items())],
    }
