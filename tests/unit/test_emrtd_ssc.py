"""eMRTD and social security reads against the virtual card directly (no pcscd needed)."""

from __future__ import annotations

import contextlib
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from drivers.card_reader import emrtd, ssc
from drivers.card_reader.mrz import MrzKey
from drivers.card_reader.simulator import SAMPLE_IDENTITY
from drivers.card_reader.vpcd_card import SAMPLE_MRZ_KEY, EmrtdData, VirtualCard
from drivers.errors import CardAccessDenied, CardReaderError, CardUnsupported, MrzMismatch


def passport(**kwargs: object) -> VirtualCard:
    return VirtualCard(emrtd_data=EmrtdData(**kwargs))  # type: ignore[arg-type]


def test_emrtd_read_uses_the_minimum_apdus_for_the_chips_max_le() -> None:
    card = passport(max_response=4096)
    result = emrtd.EmrtdReader(card.process).read(SAMPLE_MRZ_KEY)
    assert (result.mrz.surname, result.mrz.given_names) == ("ZHANG", "SANFENG")
    assert result.photo_format == "jpeg" and result.photo.startswith(b"\xff\xd8")
    assert result.data_groups == (1, 2)
    for name, size in result.file_sizes.items():
        assert result.file_apdus[name] == 1 + math.ceil(size / result.max_le), name
    assert result.max_le > 4000
    # 2 for EF.ATR/INFO, 1 SELECT application, 2 for BAC, then the files.
    assert result.apdus == 5 + sum(result.file_apdus.values())


def test_short_apdu_chip() -> None:
    card = passport(extended_length=False, max_response=258)
    result = emrtd.EmrtdReader(card.process).read(SAMPLE_MRZ_KEY)
    assert result.max_le == emrtd.SHORT_LE
    assert result.file_apdus["DG2"] == 1 + math.ceil(result.file_sizes["DG2"] / emrtd.SHORT_LE)


def test_chip_that_refuses_the_configured_le_is_learnt() -> None:
    card = passport(max_response=1024)
    reader = emrtd.EmrtdReader(card.process, max_le=8000)
    result = reader.read(SAMPLE_MRZ_KEY)
    assert result.max_le <= 1024 and result.photo


def test_wrong_mrz_is_rejected_by_the_chip() -> None:
    with pytest.raises(MrzMismatch):
        emrtd.EmrtdReader(passport().process).read(MrzKey("E12345678", "491231", "350102"))


def test_a_non_passport_is_unsupported() -> None:
    card = VirtualCard(social_security=SAMPLE_IDENTITY)
    with pytest.raises(CardUnsupported):
        emrtd.EmrtdReader(card.process).read(SAMPLE_MRZ_KEY)


def test_data_groups_need_bac() -> None:
    card = passport()
    assert card.process(bytes.fromhex("00A4040C07A0000002471001")) == b"\x90\x00"
    assert card.process(bytes.fromhex("00A4020C020101")) == b"\x69\x82"


def test_social_security_card() -> None:
    card = VirtualCard(social_security=SAMPLE_IDENTITY)
    identity = ssc.read_social_security(card.process)
    assert (identity.name, identity.id_number, identity.nation) == (
        "张三丰",
        "11010519491231002X",
        "汉",
    )
    assert identity.birth_date == SAMPLE_IDENTITY.birth_date
    assert identity.card_type == "social_security" and identity.card_number == "A12345678"
    assert card.apdu_count == 11


def test_pin_protected_ef06_is_access_denied() -> None:
    card = VirtualCard(social_security=SAMPLE_IDENTITY)
    real = card.process

    def protected(apdu: bytes) -> bytes:
        if apdu[:7] == bytes.fromhex("00A4020002EF06"):
            return b"\x69\x82"
        return real(apdu)

    with pytest.raises(CardAccessDenied):
        ssc.read_social_security(protected)


def test_uid() -> None:
    assert VirtualCard().process(bytes.fromhex("FFCA000000")) == bytes.fromhex("04A23B7C9000")


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=120))
def test_data_group_parsers_fuzz(raw: bytes) -> None:
    for parse in (emrtd.parse_com, emrtd.parse_dg1, emrtd.parse_dg2, emrtd.parse_facial_record):
        with contextlib.suppress(CardReaderError):
            parse(raw)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.binary(max_size=40), min_size=1, max_size=20))
def test_readers_survive_a_card_answering_garbage(answers: list[bytes]) -> None:
    queue = list(answers)

    def transmit(_apdu: bytes) -> bytes:
        return queue.pop(0) if queue else b"\x6f\x00"

    for read in (
        lambda: emrtd.EmrtdReader(transmit).read(SAMPLE_MRZ_KEY),
        lambda: ssc.read_social_security(transmit),
    ):
        with contextlib.suppress(CardReaderError):
            read()
