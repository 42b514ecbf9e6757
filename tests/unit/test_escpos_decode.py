"""Unit tests for the ESC/POS pieces: column wrapping, the interpreter, status bytes."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from drivers.printer.escpos_decode import (
    PrintedLine,
    PrintedQr,
    decode_escpos,
    is_status_byte,
    is_transmit_status_byte,
    parse_status,
)
from drivers.printer.layout import (
    CHINESE_OFF,
    CHINESE_ON,
    encode_line,
    encode_qr,
    text_columns,
    wrap_columns,
)
from drivers.printer.simulator import SimulatorState

# Text as it reaches a receipt: any printable character (CJK, Latin, emoji, combining marks),
# spaces and explicit newlines.
receipt_text = st.text(
    alphabet=st.one_of(
        st.characters(blacklist_categories=("Cc", "Cs")),
        st.sampled_from(" \n企航站点受理回执ＡＢ１２"),
    ),
    max_size=200,
)

# -- wrap_columns -----------------------------------------------------------------------------


@given(receipt_text, st.integers(min_value=2, max_value=60))
def test_wrap_never_exceeds_the_width_and_loses_nothing(text: str, width: int) -> None:
    lines = wrap_columns(text, width)
    for line in lines:
        assert text_columns(line) <= width, (line, width)
        assert "\n" not in line
    assert "".join(lines) == text.replace("\n", "")
    assert len(lines) >= text.count("\n") + 1


def test_wrap_counts_full_width_characters_as_two_columns() -> None:
    assert wrap_columns("企航站点受理回执企航站点受理回执企", 32) == [
        "企航站点受理回执企航站点受理回执",
        "企",
    ]
    assert wrap_columns("ＡＢ12", 4) == ["ＡＢ", "12"]


def test_wrap_moves_a_latin_word_rather_than_splitting_it() -> None:
    assert wrap_columns("please keep this receipt", 12) == ["please keep ", "this receipt"]
    assert wrap_columns("keep this receipt", 8) == ["keep ", "this ", "receipt"]
    assert wrap_columns("办理 progress", 10) == ["办理 ", "progress"]


def test_wrap_splits_a_word_longer_than_the_line() -> None:
    assert wrap_columns("https://hall.example.cn/t/1", 10) == [
        "https://ha",
        "ll.example",
        ".cn/t/1",
    ]


def test_wrap_keeps_explicit_blank_lines() -> None:
    assert wrap_columns("a\n\nb", 8) == ["a", "", "b"]
    assert wrap_columns("", 8) == [""]


def test_wrap_refuses_a_width_no_chinese_character_fits() -> None:
    with pytest.raises(ValueError):
        wrap_columns("企", 1)


# -- the interpreter --------------------------------------------------------------------------


@given(st.text(alphabet=st.characters(blacklist_categories=("Cc", "Cs")), max_size=80))
def test_a_line_round_trips_through_encode_and_decode(text: str) -> None:
    assert decode_escpos(encode_line(text)).lines == [text]


def test_chinese_mode_and_code_page_text_on_one_line() -> None:
    data = b"\x1b@" + b"No. " + CHINESE_ON + "受理".encode("gb18030") + CHINESE_OFF + b" 42\n"
    decoded = decode_escpos(data)
    assert decoded.lines == ["No. 受理 42"]
    assert decoded.unknown == []


def test_code_page_selection_is_honoured() -> None:
    data = b"\x1bt\x00\x8eBC\x1bt\x0f\xa4\n"  # python-escpos' encoding of "ÄBC€"
    assert decode_escpos(data).lines == ["ÄBC€"]


def test_styles_are_tracked_per_line() -> None:
    data = b"\x1ba\x01\x1d!\x11\x1bE\x01BIG\n\x1d!\x00\x1bE\x00\x1ba\x00small\n"
    decoded = decode_escpos(data)
    assert decoded.items == [
        PrintedLine("BIG", "center", 2, 2, True),
        PrintedLine("small", "left", 1, 1, False),
    ]


def test_qr_store_and_print() -> None:
    decoded = decode_escpos(b"\x1ba\x01" + encode_qr("https://例子.cn/t?id=1", 384))
    assert decoded.qr_payloads == ["https://例子.cn/t?id=1"]
    (symbol,) = decoded.items
    assert isinstance(symbol, PrintedQr)
    assert symbol.payload == "https://例子.cn/t?id=1"
    assert symbol.align == "center"
    assert 1 <= symbol.module_size <= 6
    assert decoded.unknown == []


def test_both_cut_forms_and_feeds() -> None:
    data = b"a\x1bd\x03" + b"\x1dV\x00" + b"b\n" + b"\x1dV\x42\x00" + b"\x1dV\x41\x05"
    decoded = decode_escpos(data)
    assert decoded.cuts == 3
    assert decoded.lines == ["a", "", "", "b"]
    assert decoded.unknown == []


def test_status_queries_are_recorded_not_printed() -> None:
    decoded = decode_escpos(b"\x10\x04\x01\x10\x04\x02\x10\x04\x04")
    assert decoded.status_queries == [1, 2, 4]
    assert not decoded.prints_anything


def test_other_commands_are_skipped_by_their_length() -> None:
    data = (
        b"\x1b3\x40"  # line spacing 64 (0x40 is also "@": must not be read as ESC @)
        b"\x1b!\x0a"  # print mode with 0x0a (also LF) as parameter
        b"\x1dL\x0a\x00"  # left margin, LF-looking parameter
        b"\x1d(k\x03\x001E0"  # QR error correction
        b"\x1d(L\x06\x000p0\x01\x01\x31"  # a graphics function (image data)
        b"\x1dv0\x00\x01\x00\x02\x00\x0a\x0a"  # a 1x2-byte raster image holding 0a bytes
        b"\x1dk\x04123\x00"  # CODE39 barcode, NUL-terminated
        b"\x1dkI\x03{B1"  # CODE128 barcode, counted
        b"\x1bp\x00\x19\xfa"  # cash drawer pulse
        b"\x1c!\x00\x1cS\x00\x00"  # Chinese print mode and spacing
        b"ok\n"
    )
    decoded = decode_escpos(data)
    assert decoded.lines == ["[image 8x2]", "ok"]  # the GS v 0 raster is kept, dot for dot
    assert decoded.images == 4
    assert decoded.unknown == []
    (raster,) = decoded.raster_images
    assert (raster.width, raster.height, raster.data) == (8, 2, b"\x0a\x0a")


def test_unknown_and_truncated_commands_are_recorded_not_guessed() -> None:
    decoded = decode_escpos(b"\x1b\xffA\n\x1d(k\x10\x001P0abc")
    assert decoded.lines == ["A"]
    assert decoded.unknown == [b"\x1b\xff", b"\x1d(k\x10\x001P0abc"]
    assert decoded.qr_payloads == []


@given(st.binary(max_size=300))
def test_the_interpreter_never_raises(data: bytes) -> None:
    decoded = decode_escpos(data)
    assert decoded.cuts >= 0


# -- status bytes -----------------------------------------------------------------------------


def test_status_bytes_from_the_recipes() -> None:
    clear = parse_status(0x12, 0x12, 0x12)
    assert not (clear.offline or clear.cover_open or clear.paper_out or clear.paper_near_end)
    assert parse_status(0x12, 0x12, 0x1E).paper_near_end
    assert not parse_status(0x12, 0x12, 0x1E).paper_out
    assert parse_status(0x1A, 0x52, 0x12, error_cause=0x1A).cutter_error
    assert not parse_status(0x12, 0x12, 0x12, error_cause=0x12).cutter_error
    assert parse_status(0x1A, 0x12, 0x72).paper_out
    assert parse_status(0x1A, 0x32, 0x7E).paper_out
    assert parse_status(0x1A, 0x16, 0x12).cover_open
    assert parse_status(0x1A, 0x12, 0x12).offline


@given(st.integers(0, 255))
def test_only_bytes_with_the_fixed_bits_are_status_replies(value: int) -> None:
    fixed = value & 0b1001_0011 == 0b0001_0010
    assert is_status_byte(value) is fixed
    if fixed:
        parse_status(value, value, value)
    else:
        with pytest.raises(ValueError):
            parse_status(value, 0x12, 0x12)
    # A GS a automatic status byte (0xx1xx00) is never taken for a status reply.
    assert not is_status_byte(value & ~0b11 | 0b1_0000)


@given(st.booleans(), st.booleans(), st.booleans(), st.booleans(), st.booleans())
def test_simulator_replies_decode_to_its_state(
    near_end: bool, paper_out: bool, cover_open: bool, offline: bool, error: bool
) -> None:
    state = SimulatorState(
        paper_near_end=near_end,
        paper_out=paper_out,
        cover_open=cover_open,
        offline=offline,
        error=error,
    )
    replies = [state.status_reply(n) for n in (1, 2, 4)]
    assert all(r is not None and is_status_byte(r) for r in replies)
    status = parse_status(*(r for r in replies if r is not None))
    assert status.paper_out is paper_out
    assert status.cover_open is cover_open
    assert status.error is error
    assert status.offline is (offline or paper_out or cover_open or error)
    assert status.paper_near_end is (near_end or paper_out)


def test_silent_simulator_does_not_answer() -> None:
    assert SimulatorState(silent=True).status_reply(1) is None
    assert SimulatorState().status_reply(9) is None


# -- paper budget, GS r, completeness ---------------------------------------------------------


def test_a_job_is_complete_only_when_cut() -> None:
    assert decode_escpos(b"a\nb\n\x1dV\x42\x00").complete
    assert not decode_escpos(b"a\nb\n").complete


def test_the_paper_budget_stops_printing_where_the_paper_ends() -> None:
    data = b"a\nb\n\x1dr\x01c\n\x1dr\x01\x1dV\x42\x00"
    decoded = decode_escpos(data, paper_lines=2)
    assert decoded.lines == ["a", "b"]
    assert decoded.paper_ran_out and not decoded.complete
    assert decoded.status_requests == [1]  # the second GS r is never reached
    whole = decode_escpos(data, paper_lines=3)
    assert whole.complete and whole.status_requests == [1, 1]


def test_an_unfinished_stream_keeps_its_last_line_pending() -> None:
    assert decode_escpos(b"a\nhal", final=False).lines == ["a"]
    assert decode_escpos(b"a\nhal").lines == ["a", "hal"]


@given(st.integers(0, 255))
def test_gs_r_replies_never_look_like_dle_eot_replies(value: int) -> None:
    assert not (is_status_byte(value) and is_transmit_status_byte(value))


def test_simulator_answers_gs_r_with_the_paper_sensor() -> None:
    assert SimulatorState().transmit_status_reply(1) == 0x00
    assert SimulatorState(paper_near_end=True).transmit_status_reply(1) == 0x03
    assert SimulatorState(paper_out=True).transmit_status_reply(1) == 0x0F
    assert SimulatorState(paper_lines_left=3).transmit_status_reply(1) == 0x03
    assert SimulatorState(silent=True).transmit_status_reply(1) is None


def test_wrap_never_starts_a_line_with_closing_chinese_punctuation() -> None:
    # 禁则: a closing quote alone on a line reads as a printing fault on a receipt.
    lines = wrap_columns("事项: 企业开办+用电报装“一件事”", 32)
    assert lines == ["事项: 企业开办+用电报装“一件", "事”"]
    assert all(not line.startswith(("，", "。", "”", "）")) for line in lines)


# -- python-escpos' own commands, recorded by its Dummy printer, read by the interpreter --------


def test_interpreter_reads_what_python_escpos_writes() -> None:
    # python-escpos writes these bytes itself, so a misreading here is the simulator's, not a
    # mistake the layout and the interpreter share.
    from escpos.constants import QR_ECLEVEL_M
    from escpos.printer import Dummy

    job = Dummy()
    job.hw("INIT")
    job.set(align="center", bold=True, custom_size=True, width=2, height=2)
    job.textln("QIHANG")
    job.set(align="left", bold=False, normal_textsize=True)
    job.textln("ticket 0007")
    job.set(double_height=True)  # ESC ! 0x10: double height for ASCII
    job.textln("TALL")
    job.qr("https://qihang.example/p/7", ec=QR_ECLEVEL_M, size=5, native=True)
    job.cut(mode="PART", feed=False)
    decoded = decode_escpos(job.output)
    lines = [item for item in decoded.items if isinstance(item, PrintedLine)]
    assert lines[0] == PrintedLine("QIHANG", align="center", width=2, height=2, bold=True)
    assert lines[1] == PrintedLine("ticket 0007")
    assert lines[2] == PrintedLine("TALL", height=2)
    qr = [item for item in decoded.items if isinstance(item, PrintedQr)]
    assert qr == [PrintedQr("https://qihang.example/p/7", align="left", module_size=5)]
    assert decoded.cuts == 1 and decoded.complete
    assert decoded.unknown == []
