"""GA/T 467 frames and text blocks: the issue's known frames, every layout, and fuzzing."""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from drivers.card_reader import ga467_codec as codec
from drivers.card_reader.base import Identity
from drivers.card_reader.simulator import SAMPLE_IDENTITY
from drivers.errors import (
    CardReaderError,
    CardReadFailed,
    CardRemoved,
    CardUnsupported,
    NoCard,
    ReaderFault,
    ReaderLinkError,
)


def h(text: str) -> bytes:
    return bytes.fromhex(text)


def test_known_command_frames() -> None:
    assert codec.encode_command(codec.FIND_CARD) == h("AAAAAA9669 0003 2001 22")
    assert codec.encode_command(codec.SELECT_CARD) == h("AAAAAA9669 0003 2002 21")
    assert codec.encode_command(codec.READ_TEXT_PHOTO) == h("AAAAAA9669 0003 3001 32")


def test_known_find_card_answer_decodes() -> None:
    decoder = codec.FrameDecoder()
    body = decoder.feed(h("AAAAAA9669 0008 00009F 00000000 97"))
    assert body is not None
    response = codec.parse_response_body(body)
    assert (response.sw3, response.ok) == (0x9F, True)
    assert codec.encode_response(0x9F, bytes(4)) == h("AAAAAA9669 0008 00009F 00000000 97")


def test_read_answer_is_1295_bytes_with_the_known_head() -> None:
    text = codec.encode_text_block(SAMPLE_IDENTITY)
    frame = codec.encode_response(0x90, codec.encode_read_payload(text, bytes(1024)))
    assert len(frame) == 1295
    assert frame.startswith(h("AAAAAA9669 0508 000090 0100 0400"))
    assert frame[14:270] == text  # text at frame offset 14, photo at 270


def test_decoder_skips_noise_and_finds_split_frames() -> None:
    frame = codec.encode_response(0x90, b"abc")
    decoder = codec.FrameDecoder()
    assert decoder.feed(b"\x00\xaa\xaa\x13" + frame[:3]) is None
    assert decoder.feed(frame[3:9]) is None
    assert decoder.feed(frame[9:]) == h("000090") + b"abc"
    assert decoder.skipped == 4


def test_decoder_rejects_a_bad_checksum() -> None:
    frame = bytearray(codec.encode_response(0x90))
    frame[-1] ^= 1
    with pytest.raises(ReaderLinkError):
        codec.FrameDecoder().feed(bytes(frame))


@pytest.mark.parametrize(
    ("sw3", "error"),
    [
        (0x80, NoCard),
        (0x81, CardReadFailed),
        (0x41, CardRemoved),
        (0x10, ReaderLinkError),
        (0x60, ReaderFault),
        (0x66, ReaderFault),
        (0x40, CardUnsupported),
        (0x31, CardReadFailed),
        (0x77, CardReadFailed),
    ],
)
def test_every_sw3_maps_to_a_typed_error(sw3: int, error: type[CardReaderError]) -> None:
    exc = codec.error_for_sw3(sw3, "test")
    assert type(exc) is error
    assert f"0x{sw3:02X}" in str(exc)


def test_resident_text_block_round_trip_and_code_tables() -> None:
    text = codec.encode_text_block(SAMPLE_IDENTITY)
    _flag, fields = codec.split_fields(text)
    assert fields["sex"] == "1" and fields["nation"] == "01"
    assert fields["birth"] == "19491231"
    assert codec.decode_text_block(text) == SAMPLE_IDENTITY


def test_long_term_validity() -> None:
    identity = dataclasses.replace(SAMPLE_IDENTITY, valid_to=None, nation="维吾尔", sex="女")
    text = codec.encode_text_block(identity)
    assert "长期".encode("utf-16-le") in text
    decoded = codec.decode_text_block(text)
    assert decoded.valid_to is None and decoded.nation == "维吾尔" and decoded.sex == "女"


def test_hmt_permit_layout() -> None:
    permit = Identity(
        name="陈大文",
        id_number="810000199001011234",
        sex="男",
        birth_date=dt.date(1990, 1, 1),
        address="广东省深圳市福田区1号",
        issuer="深圳市公安局",
        valid_from=dt.date(2020, 1, 1),
        valid_to=dt.date(2025, 1, 1),
        card_type="hmt_residence_permit",
        pass_number="H12345678",
        issue_count="01",
    )
    text = codec.encode_text_block(permit)
    assert text[248:250] == "J".encode("utf-16-le")
    assert codec.decode_text_block(text) == permit


def test_foreign_permanent_resident_layouts() -> None:
    person = Identity(
        name="史密斯",
        id_number="911840199001015678",
        sex="女",
        birth_date=dt.date(1990, 1, 1),
        valid_from=dt.date(2023, 12, 1),
        valid_to=dt.date(2033, 12, 1),
        card_type="foreign_permanent_resident",
        english_name="SMITH, JANE ALEXANDRA ELIZABETH MARGARET",
        nationality="USA",
        issue_count="00",
    )
    y = codec.encode_text_block(person)  # 2023 layout by default
    assert codec.type_flag(y) == "Y"
    assert codec.decode_text_block(y) == person  # English name split over two fields
    old = dataclasses.replace(person, id_number="USA123456789012", issue_count="")
    i = codec.encode_text_block(old, flag="I")
    assert codec.decode_text_block(i) == old


def test_unknown_type_flag_is_unsupported() -> None:
    text = bytearray(codec.encode_text_block(SAMPLE_IDENTITY))
    text[248:250] = "Z".encode("utf-16-le")
    with pytest.raises(CardUnsupported):
        codec.decode_text_block(bytes(text))


def test_sam_id_format() -> None:
    raw = h("05000100") + (20101224).to_bytes(4, "little") + (1234567).to_bytes(4, "little")
    raw += (1234567890).to_bytes(4, "little")
    assert codec.format_sam_id(raw) == "05.01-20101224-0001234567-1234567890"


# -- fuzzing: only typed errors, never a crash or a hang -----------------------------------------


@settings(max_examples=400, deadline=None)
@given(st.lists(st.binary(max_size=64), max_size=12))
def test_frame_decoder_fuzz(chunks: list[bytes]) -> None:
    decoder = codec.FrameDecoder()
    for chunk in chunks:
        try:
            body = decoder.feed(chunk)
            while body is not None:
                codec.parse_response_body(body)
                body = decoder.feed(b"")
        except CardReaderError:
            pass
        assert decoder.needed() >= 1


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=40), st.binary(max_size=40))
def test_valid_frames_survive_noise(noise: bytes, data: bytes) -> None:
    decoder = codec.FrameDecoder()
    frame = codec.encode_response(0x90, data)
    bodies = []
    for part in (noise, frame):
        try:
            body = decoder.feed(part)
        except ReaderLinkError:
            body = decoder.feed(b"")  # noise that looked like a frame: resync and go on
        if body is not None:
            bodies.append(body)
    # Noise may contain a preamble whose claimed length swallows the real frame; otherwise the
    # frame must come out intact.
    if codec.PREAMBLE[:1] not in noise:
        assert bodies[-1] == b"\x00\x00\x90" + data


@settings(max_examples=300, deadline=None)
@given(st.binary(min_size=0, max_size=300))
def test_text_block_and_payload_fuzz(data: bytes) -> None:
    for parse in (
        lambda: codec.decode_text_block(data.ljust(256, b"\x00")[:256]),
        lambda: codec.parse_read_payload(data, with_fingerprint=False),
        lambda: codec.parse_read_payload(data, with_fingerprint=True),
    ):
        with contextlib.suppress(CardReaderError):
            parse()
