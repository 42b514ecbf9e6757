"""BAC and secure messaging against the ICAO Doc 9303 part 11 appendix D worked example."""

from __future__ import annotations

import contextlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from drivers.card_reader import bac
from drivers.card_reader.apdu import (
    CommandApdu,
    iter_tlv,
    parse_command,
    parse_response,
)
from drivers.card_reader.mrz import MrzKey
from drivers.errors import CardReaderError, MrzMismatch

KEY = MrzKey.from_entry("L898902C", "690806", "940623")
RND_ICC = bytes.fromhex("4608F91988702212")
RND_IFD = bytes.fromhex("781723860C06C226")
K_IFD = bytes.fromhex("0B795240CB7049B01C19B33E32804F0B")
CHIP_ANSWER = bytes.fromhex(
    "46B9342A41396CD7386BF5803104D7CEDC122B9132139BAF2EEDC94EE178534F2F2D235D074D7449"
)


def session() -> bac.SecureMessaging:
    k_enc, k_mac = bac.bac_keys(KEY)
    return bac.complete_bac(k_enc, k_mac, CHIP_ANSWER, RND_ICC, RND_IFD, K_IFD)


def test_key_seed_and_basic_keys() -> None:
    assert bac.key_seed(KEY).hex().upper() == "239AB9CB282DAF66231DC5A4DF6BFBAE"
    k_enc, k_mac = bac.bac_keys(KEY)
    assert k_enc.hex().upper() == "AB94FDECF2674FDFB9B391F85D7F76F2"
    assert k_mac.hex().upper() == "7962D9ECE03D1ACD4C76089DCE131543"


def test_terminal_cryptogram() -> None:
    k_enc, k_mac = bac.bac_keys(KEY)
    data = bac.ifd_cryptogram(k_enc, k_mac, RND_ICC, RND_IFD, K_IFD)
    assert data[:32].hex().upper() == (
        "72C29C2371CC9BDB65B779B8E8D37B29ECC154AA56A8799FAE2F498F76ED92F2"
    )
    assert data[32:].hex().upper() == "5F1448EEA8AD90A7"


def test_session_keys_and_ssc() -> None:
    sm = session()
    assert sm.ks_enc.hex().upper() == "979EC13B1CBFE9DCD01AB0FED307EAE5"
    assert sm.ks_mac.hex().upper() == "F1CB1F1FB5ADF208806B89DC579DC1F8"
    assert sm.ssc == 0x887022120C06C226


def test_protected_select_and_read_of_ef_com() -> None:
    sm = session()
    select = sm.wrap(CommandApdu(0x00, 0xA4, 0x02, 0x0C, bytes.fromhex("011E")))
    assert select.hex().upper() == "0CA4020C158709016375432908C044F68E08BF8B92D635FF24F800"
    objects = dict(iter_tlv(select[5:-1]))
    assert objects[0x87].hex().upper() == "016375432908C044F6"
    assert objects[0x8E].hex().upper() == "BF8B92D635FF24F8"
    ok = sm.unwrap(parse_response(bytes.fromhex("990290008E08FA855A5D4C50A8ED9000")))
    assert ok.sw == 0x9000
    read = sm.wrap(CommandApdu(0x00, 0xB0, 0x00, 0x00, le=4))
    assert read.hex().upper() == "0CB000000D9701048E08ED6705417E96BA5500"
    answer = bytes.fromhex("8709019FF0EC34F9922651990290008E08AD55CC17140B2DED9000")
    assert sm.unwrap(parse_response(answer)).data.hex().upper() == "60145F01"


def test_a_wrong_mrz_is_a_mismatch() -> None:
    k_enc, k_mac = bac.bac_keys(MrzKey.from_entry("L898902C", "690806", "940624"))
    with pytest.raises(MrzMismatch) as caught:
        bac.complete_bac(k_enc, k_mac, CHIP_ANSWER, RND_ICC, RND_IFD, K_IFD)
    assert caught.value.code == "CARD_MRZ_MISMATCH"


def test_chip_and_terminal_sides_agree() -> None:
    k_enc, k_mac = bac.bac_keys(KEY)
    cryptogram = bac.ifd_cryptogram(k_enc, k_mac, RND_ICC, RND_IFD, K_IFD)
    made = bac.chip_answer(k_enc, k_mac, cryptogram, RND_ICC, lambda n: bytes(range(n)))
    assert made is not None
    answer, chip = made
    terminal = bac.complete_bac(k_enc, k_mac, answer, RND_ICC, RND_IFD, K_IFD)
    wrapped = terminal.wrap(CommandApdu(0x00, 0xB0, 0x01, 0x00, le=3000))
    plain = chip.unwrap_command(parse_command(wrapped))
    assert plain == CommandApdu(0x00, 0xB0, 0x01, 0x00, le=3000)
    payload = bytes(range(256)) * 11
    back = terminal.unwrap(parse_response(chip.wrap_response(payload, 0x9000)))
    assert (back.data, back.sw) == (payload, 0x9000)
    assert len(chip.wrap_response(payload, 0x9000)) == bac.protected_response_size(len(payload))


def test_max_plain_le_fits() -> None:
    for budget in (256, 1000, 4096, 65535):
        le = bac.max_plain_le(budget)
        assert bac.protected_response_size(le) <= budget < bac.protected_response_size(le + 8)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=80))
def test_response_and_command_parsers_fuzz(raw: bytes) -> None:
    sm = session()
    for parse in (
        lambda: sm.unwrap(parse_response(raw)),
        lambda: parse_command(raw),
        lambda: list(iter_tlv(raw)),
    ):
        with contextlib.suppress(CardReaderError):
            parse()
