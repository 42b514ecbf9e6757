"""Machine readable zone (ICAO Doc 9303): check digits, the BAC key a walk-in types, DG1 parsing.

Qt-free and I/O-free, so the core's forms and the eMRTD reader share it. A walk-in at the kiosk
types the document number, date of birth and date of expiry (camera OCR may come later);
`validate_entry` returns ``{field: error_key}`` like the form validators and never raises for a
user's mistake, `MrzKey.from_entry` builds the key (raising MrzError) — check digits are checked
here, before any APDU reaches a chip, because a wrong key costs a failed BAC and some chips slow
down after repeated failures. `parse_mrz` reads a whole TD1/TD2/TD3 MRZ (DG1, or OCR later).

Error keys: ``mrz.document_number.format``, ``mrz.document_number.check_digit``,
``mrz.birth_date.format``, ``mrz.birth_date.check_digit``, ``mrz.expiry_date.format``,
``mrz.expiry_date.check_digit``.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

_WEIGHTS = (7, 3, 1)
_DOC_RE = re.compile(r"^[A-Z0-9<]{1,9}$")


class MrzError(ValueError):
    """A malformed MRZ or entry; `error_key` is the first problem as a form error key."""

    def __init__(self, message: str, error_key: str = "mrz.format") -> None:
        super().__init__(message)
        self.error_key = error_key


def char_value(ch: str) -> int:
    if ch.isdigit():
        return int(ch)
    if "A" <= ch <= "Z":
        return ord(ch) - ord("A") + 10
    if ch == "<":
        return 0
    raise MrzError(f"character {ch!r} is not allowed in an MRZ")


def check_digit(field: str) -> str:
    """ICAO 9303 part 3 check digit (weights 7 3 1, A=10 .. Z=35, '<'=0) as a character."""
    return str(sum(char_value(ch) * _WEIGHTS[i % 3] for i, ch in enumerate(field)) % 10)


def _normalise_document_number(value: str) -> str:
    return value.strip().upper().replace(" ", "").replace("-", "")


def _yymmdd(value: str, field: str) -> str:
    """Accept YYMMDD, YYYYMMDD or YYYY-MM-DD; return YYMMDD (validated as a calendar date)."""
    digits = value.strip().replace("-", "").replace(".", "").replace("/", "")
    if not digits.isdigit() or len(digits) not in (6, 8):
        raise MrzError(f"{field}: expected YYMMDD or YYYYMMDD", f"mrz.{field}.format")
    try:
        if len(digits) == 8:
            dt.date(int(digits[:4]), int(digits[4:6]), int(digits[6:]))
            return digits[2:]
        dt.date(2000 + int(digits[:2]), int(digits[2:4]), int(digits[4:]))
    except ValueError:
        raise MrzError(f"{field}: not a calendar date", f"mrz.{field}.format") from None
    return digits


@dataclass(frozen=True, slots=True)
class MrzKey:
    """The three MRZ fields BAC derives its keys from. Personal data: repr is redacted."""

    document_number: str  # as printed, without filler; up to 9 characters
    birth_date: str  # YYMMDD
    expiry_date: str  # YYMMDD

    def __repr__(self) -> str:
        return "MrzKey(<redacted>)"

    @classmethod
    def from_entry(
        cls,
        document_number: str,
        birth_date: str,
        expiry_date: str,
        *,
        document_check: str | None = None,
        birth_check: str | None = None,
        expiry_check: str | None = None,
    ) -> MrzKey:
        """Build a key from what the walk-in typed; raise MrzError on the first problem.

        Check digits are optional (some screens ask for them as printed on the MRZ line, which
        catches a mistyped digit before the chip does).
        """
        doc = _normalise_document_number(document_number)
        if not _DOC_RE.fullmatch(doc) or doc.strip("<") == "":
            raise MrzError("document number: 1-9 letters or digits", "mrz.document_number.format")
        birth = _yymmdd(birth_date, "birth_date")
        expiry = _yymmdd(expiry_date, "expiry_date")
        key = cls(doc.rstrip("<"), birth, expiry)
        for given, field, value in (
            (document_check, "document_number", key.padded_document_number),
            (birth_check, "birth_date", birth),
            (expiry_check, "expiry_date", expiry),
        ):
            if given is not None and given.strip() != check_digit(value):
                raise MrzError(f"{field}: check digit does not match", f"mrz.{field}.check_digit")
        return key

    @property
    def padded_document_number(self) -> str:
        return self.document_number.ljust(9, "<")

    def mrz_information(self) -> str:
        """Document number, date of birth and date of expiry, each with its check digit."""
        doc = self.padded_document_number
        return (
            f"{doc}{check_digit(doc)}"
            f"{self.birth_date}{check_digit(self.birth_date)}"
            f"{self.expiry_date}{check_digit(self.expiry_date)}"
        )


def validate_entry(
    document_number: str,
    birth_date: str,
    expiry_date: str,
    *,
    document_check: str | None = None,
    birth_check: str | None = None,
    expiry_check: str | None = None,
) -> dict[str, str]:
    """Form-style validation: ``{field: error_key}``, empty when the entry makes a key."""
    errors: dict[str, str] = {}
    doc = _normalise_document_number(document_number)
    if not _DOC_RE.fullmatch(doc) or doc.strip("<") == "":
        errors["document_number"] = "mrz.document_number.format"
    elif document_check is not None and document_check.strip() != check_digit(doc.ljust(9, "<")):
        errors["document_number"] = "mrz.document_number.check_digit"
    for field, value, given in (
        ("birth_date", birth_date, birth_check),
        ("expiry_date", expiry_date, expiry_check),
    ):
        try:
            yymmdd = _yymmdd(value, field)
        except MrzError as exc:
            errors[field] = exc.error_key
            continue
        if given is not None and given.strip() != check_digit(yymmdd):
            errors[field] = f"mrz.{field}.check_digit"
    return errors


# -- a whole MRZ (DG1; OCR later) -------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class MrzData:
    """A parsed MRZ. Personal data: repr is redacted."""

    document_type: str
    issuing_state: str
    surname: str
    given_names: str
    document_number: str
    nationality: str
    birth_date: str  # YYMMDD
    sex: str  # M, F or < (unspecified)
    expiry_date: str  # YYMMDD
    optional_data: str

    def __repr__(self) -> str:
        return f"MrzData(document_type={self.document_type!r}, <redacted>)"

    def key(self) -> MrzKey:
        return MrzKey(self.document_number, self.birth_date, self.expiry_date)


def _names(field: str) -> tuple[str, str]:
    surname, _, given = field.partition("<<")
    return surname.replace("<", " ").strip(), given.replace("<", " ").strip()


def _check(field: str, digit: str, what: str) -> None:
    if digit != check_digit(field):
        raise MrzError(f"MRZ {what}: check digit mismatch", f"mrz.{what}.check_digit")


def parse_mrz(text: str) -> MrzData:
    """Parse a TD1 (3x30), TD2 (2x36) or TD3 (2x44) MRZ; line breaks optional. Checks digits."""
    mrz = "".join(text.split()).upper()
    if any(not (ch.isalnum() or ch == "<") for ch in mrz) or not mrz.isascii():
        raise MrzError("MRZ contains characters outside A-Z 0-9 <")
    if len(mrz) == 90:
        l1, l2, l3 = mrz[:30], mrz[30:60], mrz[60:]
        doc, doc_cd = l1[5:14], l1[14]
        optional = l1[15:30]
        if doc_cd == "<" and optional:
            # Long document numbers continue in the optional field, check digit after them.
            ext, _, rest = optional.partition("<")
            doc, doc_cd, optional = doc + ext[:-1], ext[-1:], rest
        birth, birth_cd, sex = l2[0:6], l2[6], l2[7]
        expiry, expiry_cd, nationality = l2[8:14], l2[14], l2[15:18]
        optional += l2[18:29]
        composite = l1[5:30] + l2[0:7] + l2[8:15] + l2[18:29]
        _check(composite, l2[29], "composite")
        surname, given = _names(l3)
        doc_type, state = l1[0:2], l1[2:5]
    elif len(mrz) in (72, 88):
        width = len(mrz) // 2
        l1, l2 = mrz[:width], mrz[width:]
        doc, doc_cd, nationality = l2[0:9], l2[9], l2[10:13]
        birth, birth_cd, sex = l2[13:19], l2[19], l2[20]
        expiry, expiry_cd = l2[21:27], l2[27]
        if width == 44:
            optional = l2[28:42]
            if l2[42] != "<" or optional.strip("<"):
                _check(optional, l2[42], "optional_data")
            composite = l2[0:10] + l2[13:20] + l2[21:43]
            _check(composite, l2[43], "composite")
        else:
            optional = l2[28:35]
            composite = l2[0:10] + l2[13:20] + l2[21:35]
            _check(composite, l2[35], "composite")
        surname, given = _names(l1[5:])
        doc_type, state = l1[0:2], l1[2:5]
    else:
        raise MrzError(f"an MRZ has 72, 88 or 90 characters, not {len(mrz)}")
    _check(doc, doc_cd, "document_number")
    _check(birth, birth_cd, "birth_date")
    _check(expiry, expiry_cd, "expiry_date")
    return MrzData(
        document_type=doc_type.rstrip("<"),
        issuing_state=state.rstrip("<"),
        surname=surname,
        given_names=given,
        document_number=doc.rstrip("<"),
        nationality=nationality.rstrip("<"),
        birth_date=birth,
        sex=sex,
        expiry_date=expiry,
        optional_data=optional.rstrip("<"),
    )


def yymmdd_to_date(value: str, *, future: bool, today: dt.date | None = None) -> dt.date | None:
    """MRZ dates have two-digit years: births are in the past, expiries up to ~50 years ahead."""
    if len(value) != 6 or not value.isdigit():
        return None
    today = today or dt.date.today()
    yy, mm, dd = int(value[:2]), int(value[2:4]), int(value[4:])
    century = today.year // 100 * 100
    year = century + yy
    if future and year < today.year - 50:
        year += 100
    if not future and year > today.year:
        year -= 100
    try:
        return dt.date(year, mm, dd)
    except ValueError:
        return None


def format_td3(
    *,
    surname: str,
    given_names: str,
    document_number: str,
    nationality: str,
    birth_date: str,
    sex: str,
    expiry_date: str,
    issuing_state: str | None = None,
    document_type: str = "P",
    optional_data: str = "",
) -> str:
    """A passport MRZ (two 44-character lines, joined by a newline) with all check digits."""

    def field(value: str, width: int) -> str:
        value = value.upper().replace(" ", "<")
        if len(value) > width:
            raise MrzError(f"{value[:4]}...: longer than {width} characters")
        return value.ljust(width, "<")

    names = field(f"{surname}<<{given_names}", 39)
    line1 = field(document_type, 2) + field(issuing_state or nationality, 3) + names
    doc = field(document_number, 9)
    optional = field(optional_data, 14)
    optional_cd = check_digit(optional) if optional_data else "<"
    body = (
        doc + check_digit(doc) + field(nationality, 3)
        + birth_date + check_digit(birth_date) + field(sex, 1)
        + expiry_date + check_digit(expiry_date) + optional + optional_cd
    )  # fmt: skip
    composite = body[0:10] + body[13:20] + body[21:43]
    return line1 + "\n" + body + check_digit(composite)
