"""Issue 14, finding 12: the diagnostics scrubber against generated identities.

The four misses of the review are regression tests through the real bundle (a kiosk runtime,
the technician service, log lines from the real logging tree, the zip a technician exports).
Then Hypothesis builds valid identities — GB 11643 ID numbers with their check digit (18 and 15
digits), Chinese mobile numbers, passport and travel-permit numbers, TD3 and TD1 machine
readable zones that :func:`drivers.card_reader.mrz.parse_mrz` accepts — embeds them in random
text, glued to letters or digits, in full-width forms, as JSON ``\\uXXXX`` escapes or a mix, and
checks that none survives scrubbing.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import logging
import re
import unicodedata
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from drivers.card_reader.mrz import check_digit, format_td3, parse_mrz
from kiosk.config import parse_config
from kiosk.runtime import KioskRuntime
from kiosk.services.validators import is_valid_resident_id, resident_id_check_digit
from kiosk.technician.diagnostics import Scrubber
from kiosk.technician.log_buffer import RecentLogs
from kiosk.technician.service import TechnicianService
from tests.support.clock import FakeClock

START = dt.datetime(2026, 11, 27, 9, 0, tzinfo=dt.UTC)
TODAY = dt.date(2026, 11, 27)
ID_NUMBER = "11010519491231002X"
PASSPORT = "E12345678"
TD3 = format_td3(
    surname="ZHANG",
    given_names="SAN",
    document_number=PASSPORT,
    nationality="CHN",
    birth_date="800101",
    sex="M",
    expiry_date="300101",
)
TD1 = (
    "I<CHNE123456780<<<<<<<<<<<<<<<\n8001014M3001014CHN<<<<<<<<<<<4\nZHANG<<SAN<<<<<<<<<<<<<<<<<<<<"
)


def reader_view(text: str) -> str:
    """What a person reading the bundle sees: escapes decoded, full-width read as ASCII. The
    test's own, not the scrubber's normalisation, so the check does not trust the unit."""
    text = re.sub(r"\\u([0-9a-fA-F]{4})", lambda m: chr(int(m[1], 16)), text)
    return unicodedata.normalize("NFKC", text)


def full_width(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


def json_escaped(text: str) -> str:
    return "".join(f"\\u{ord(c):04x}" for c in text)


# --- the four misses, through the real bundle ---------------------------------------------------


@pytest.fixture
def bundle_of(tmp_path: Path) -> Iterator[Callable[[list[str]], str]]:
    """Logs each line through the real logging tree, returns the bundle's files as one text."""
    config = parse_config(
        {
            "station": {"id": "SND-SS-001", "name": "狮山街道站"},
            "hall": {"url": "http://127.0.0.1:9", "timeout_s": 1},
            "devices": {"printer": {"backend": "simulator", "options": {"port": 0}}},
            "paths": {"state_dir": str(tmp_path / "kiosk")},
        }
    )
    runtime = KioskRuntime(config, start_sender=False)
    root, buffer = logging.getLogger(), RecentLogs()
    level = root.level
    root.addHandler(buffer)
    root.setLevel(logging.INFO)
    service = TechnicianService(runtime, clock=FakeClock(START), recent_logs=buffer.lines)

    def bundle(lines: list[str]) -> str:
        log = logging.getLogger("kiosk.flow")
        for line in lines:
            log.warning("%s", line)
        runtime.health_history.record_failure("CARD_READ_FAILED")
        _, data = service.bundle()
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            return "\n".join(zf.read(name).decode("utf-8") for name in zf.namelist())

    try:
        yield bundle
    finally:
        root.removeHandler(buffer)
        root.setLevel(level)
        runtime.close()


def test_regression_id_number_glued_to_letters_is_scrubbed(
    bundle_of: Callable[[list[str]], str],
) -> None:
    text = bundle_of([f"card read: ID{ID_NUMBER} ok", f"holder={ID_NUMBER.lower()}abc"])
    assert "card read: ID[ID-NUMBER] ok" in text
    assert "19491231" not in text


def test_regression_full_width_id_number_is_scrubbed(
    bundle_of: Callable[[list[str]], str],
) -> None:
    text = bundle_of([f"证件号码 {full_width(ID_NUMBER)}", f"手机 {full_width('13912345678')}"])
    assert "19491231" not in reader_view(text)
    assert "002X" not in reader_view(text)  # the old pattern left the last four of a full-width one
    assert "12345678" not in reader_view(text)


def test_regression_passport_numbers_are_scrubbed(bundle_of: Callable[[list[str]], str]) -> None:
    text = bundle_of([f"passport {PASSPORT} read", "permit EA1234567, old G12345678"])
    assert "passport [PASSPORT] read" in text
    for number in (PASSPORT, "EA1234567", "G12345678", "1234567"):
        assert number not in text


def test_regression_mrz_lines_are_scrubbed(bundle_of: Callable[[list[str]], str]) -> None:
    text = bundle_of([f"mrz {TD3}", f"ocr {TD1}", "P<CHNZHANG<<SAN" + "<" * 29])
    for line in (*TD3.splitlines(), *TD1.splitlines()):
        assert line not in text
    assert "P<CHN" not in text and "ZHANG" not in text and PASSPORT not in text


def test_ordinary_log_lines_survive() -> None:
    scrub = Scrubber()
    for line in (
        "submission 01a21d45-eb31-71ab-a8fd-9c8caa6f89b7 HTTP_422",
        "tracking number SND-SS-001-20261127-0003 queued",
        "printer PRINTER_PAPER_OUT at 2026-11-27T09:00:00+00:00, retry in 30 s",
        "catalog 2026.12.1 in use (from cache); sha256 9f86d081884c7d65",
    ):
        assert scrub.text(line) == line


# --- generated identities -----------------------------------------------------------------------

UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


@st.composite
def id_numbers_18(draw: st.DrawFn) -> str:
    region = draw(st.integers(110000, 659999))
    born = draw(st.dates(dt.date(1900, 1, 1), dt.date(2025, 12, 31)))
    first17 = f"{region}{born:%Y%m%d}{draw(st.integers(0, 999)):03d}"
    number = first17 + resident_id_check_digit(first17)
    return number.lower() if draw(st.booleans()) else number


@st.composite
def id_numbers_15(draw: st.DrawFn) -> str:
    region = draw(st.integers(110000, 659999))
    born = draw(st.dates(dt.date(1900, 1, 1), dt.date(1999, 12, 31)))
    return f"{region}{born:%y%m%d}{draw(st.integers(0, 999)):03d}"


@st.composite
def mobiles(draw: st.DrawFn) -> str:
    digits = f"1{draw(st.integers(3, 9))}{draw(st.integers(0, 10**9 - 1)):09d}"
    style = draw(st.sampled_from(["plain", "spaced", "dashed", "+86", "+86 spaced", "0086"]))
    grouped = f"{digits[:3]} {digits[3:7]} {digits[7:]}"
    return {
        "plain": digits,
        "spaced": grouped,
        "dashed": grouped.replace(" ", "-"),
        "+86": "+86" + digits,
        "+86 spaced": "+86 " + grouped,
        "0086": "0086" + digits,
    }[style]


@st.composite
def passport_numbers(draw: st.DrawFn) -> str:
    # E + 8 digits (e-passport), E + letter + 7 (E…, letters without I and O), G + 8 (older),
    # D/S/P + 7 (diplomatic, service, ordinary before 2012), C/H/M + 8 (travel permits).
    kind = draw(st.sampled_from(["E8", "EA7", "G8", "D7", "S7", "P7", "C8", "H8", "M8"]))
    letter = draw(st.sampled_from("ABCDEFGHJKLMNPQRSTUVWXYZ"))
    width = int(kind[-1])
    digits = f"{draw(st.integers(0, 10**width - 1)):0{width}d}"
    return ("E" + letter if kind == "EA7" else kind[0]) + digits


names = st.text(alphabet=UPPER, min_size=1, max_size=12)
yymmdd = st.dates(dt.date(1930, 1, 1), dt.date(2045, 12, 31)).map(lambda d: f"{d:%y%m%d}")


@st.composite
def td3_zones(draw: st.DrawFn) -> str:
    zone = format_td3(
        surname=draw(names),
        given_names=draw(names),
        document_number=draw(passport_numbers()),
        nationality=draw(st.sampled_from(["CHN", "HKG", "MAC", "D<<"])),
        birth_date=draw(yymmdd),
        sex=draw(st.sampled_from("MF<")),
        expiry_date=draw(yymmdd),
        optional_data=draw(st.text(alphabet=UPPER + "0123456789", max_size=14)),
    )
    parse_mrz(zone)  # the generator makes real zones: every check digit holds
    return zone


@st.composite
def td1_zones(draw: st.DrawFn) -> str:
    doc = draw(passport_numbers()).ljust(9, "<")
    optional1 = draw(st.text(alphabet=UPPER + "0123456789", max_size=15)).ljust(15, "<")
    birth, expiry = draw(yymmdd), draw(yymmdd)
    line1 = "I<" + draw(st.sampled_from(["CHN", "HKG"])) + doc + check_digit(doc) + optional1
    line2 = (
        birth + check_digit(birth) + draw(st.sampled_from("MF<"))
        + expiry + check_digit(expiry) + "CHN" + "<" * 11
    )  # fmt: skip
    line2 += check_digit(line1[5:30] + line2[0:7] + line2[8:15] + line2[18:29])
    line3 = f"{draw(names)}<<{draw(names)}"[:30].ljust(30, "<")
    zone = f"{line1}\n{line2}\n{line3}"
    parse_mrz(zone)
    return zone


# Filler around an identity: letters, digits, punctuation, CJK, spaces — no backslash, which
# could start an escape that eats the identity's first digits (and hide nothing real).
FILLER_CHARS = UPPER + UPPER.lower() + "0123456789 .,:;=/#()[]{}\"'_-+" + "办事证件号码：，"
filler = st.text(alphabet=st.sampled_from(FILLER_CHARS), max_size=16)


def disguise(draw: st.DrawFn, secret: str) -> str:
    """The secret as it might appear in a log line or a JSON document."""
    how = draw(st.sampled_from(["plain", "full_width", "json_escape", "mixed", "json_dumps"]))
    if how == "full_width":
        return full_width(secret)
    if how == "json_escape":
        return json_escaped(secret)
    if how == "json_dumps":  # a JSON document logged as it is: full-width comes out escaped
        return json.dumps(full_width(secret))[1:-1]
    if how == "mixed":
        picks = draw(st.lists(st.integers(0, 2), min_size=len(secret), max_size=len(secret)))
        return "".join(
            (c, full_width(c), json_escaped(c))[p] for c, p in zip(secret, picks, strict=True)
        )
    return secret


@st.composite
def embedded(draw: st.DrawFn, identities: st.SearchStrategy[str]) -> tuple[str, str]:
    secret = draw(identities)
    glue = draw(st.sampled_from(["", "ID", "id", "No", "tel", "X", "7"]))
    text = draw(filler) + glue + disguise(draw, secret) + draw(filler)
    if draw(st.booleans()):  # inside a JSON document in the log line
        text = json.dumps({"note": text}, ensure_ascii=draw(st.booleans()))
    return secret, text


def canonical(text: str) -> str:
    """Case, spacing, dashes and line breaks aside: what a reader could still recover."""
    return re.sub(r"[\s\-+]", "", reader_view(text)).upper()


def assert_gone(secret: str, scrubbed: str) -> None:
    out = canonical(scrubbed)
    parts = secret.splitlines() or [secret]
    for part in parts:
        assert canonical(part) not in out, f"{part!r} survived in {scrubbed!r}"


FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FUZZ
@given(id_numbers_18())
def test_generated_id_numbers_are_valid(number: str) -> None:
    assert is_valid_resident_id(number.upper(), today=TODAY)


@FUZZ
@given(embedded(st.one_of(id_numbers_18(), id_numbers_15())))
def test_no_generated_id_number_survives(case: tuple[str, str]) -> None:
    secret, text = case
    assert_gone(secret, Scrubber().text(text))
    assert_gone(secret, Scrubber().text(text, cjk=True))


@FUZZ
@given(embedded(mobiles()))
def test_no_generated_mobile_number_survives(case: tuple[str, str]) -> None:
    secret, text = case
    digits = re.sub(r"\D", "", secret)[-11:]  # the +86 / 0086 prefix identifies no one
    assert_gone(digits, Scrubber().text(text))


@FUZZ
@given(embedded(passport_numbers()))
def test_no_generated_passport_number_survives(case: tuple[str, str]) -> None:
    secret, text = case
    assert_gone(secret, Scrubber().text(text))


@FUZZ
@given(embedded(st.one_of(td3_zones(), td1_zones())), st.sampled_from(["\n", " ", "", "\r\n"]))
def test_no_generated_mrz_survives(case: tuple[str, str], separator: str) -> None:
    secret, text = case
    text = text.replace("\n", separator) if "\\n" not in text else text
    scrubbed = Scrubber().text(text)
    assert_gone(secret, scrubbed)
    document_number = parse_mrz(secret).document_number
    assert canonical(document_number) not in canonical(scrubbed)


@FUZZ
@given(st.lists(embedded(st.one_of(id_numbers_18(), mobiles(), passport_numbers())), max_size=4))
def test_scrubbing_twice_changes_nothing(cases: list[tuple[str, str]]) -> None:
    # Markers never combine into something a second pass would take: the output is stable.
    once = Scrubber().text(" ".join(text for _, text in cases))
    assert Scrubber().text(once) == once
