"""Form schemas for service items, and the validation the kiosk runs on a walk-in's answers.

A form is data (:class:`FormSchema` of :class:`FieldSpec`), loaded from the catalog and rendered
generically by the UI; each field kind picks an on-screen keyboard through
:attr:`FieldSpec.keyboard`. :func:`validate` returns ``{field_name: error_key}`` and never raises
for anything a person (or a remote helper) can type: the error keys are stable strings the UI
translates. :func:`normalize` produces the values that are stored and submitted (stripped, with
ID numbers and credit codes upper-cased), and :func:`validate` judges exactly those values, so
what passes validation is what gets filed.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Final, Literal, get_args

from kiosk.services import validators

__all__ = [
    "ERROR_KEYS",
    "FIELD_KINDS",
    "PREFILL_KEYS",
    "Choice",
    "ErrorKey",
    "FieldKind",
    "FieldSpec",
    "FormSchema",
    "Keyboard",
    "PrefillKey",
    "normalize",
    "validate",
]

FieldKind = Literal[
    "text", "multiline", "id_number", "uscc", "mobile", "number", "amount", "date", "choice"
]
FIELD_KINDS: Final[tuple[str, ...]] = get_args(FieldKind)

# "" means no prefill. Only data the card reader yields can be prefilled; the session context
# resolves these keys, so this tuple is the contract with kiosk.session.
PrefillKey = Literal["", "identity.name", "identity.id_number"]
PREFILL_KEYS: Final[tuple[str, ...]] = get_args(PrefillKey)

Keyboard = Literal["pinyin", "digits", "phone", "latin", "none"]

ErrorKey = Literal[
    "required",
    "too_long",
    "id_number_invalid",
    "uscc_invalid",
    "mobile_invalid",
    "number_invalid",
    "amount_invalid",
    "date_invalid",
    "choice_invalid",
    "unknown_field",
]
ERROR_KEYS: Final[tuple[str, ...]] = get_args(ErrorKey)

_KEYBOARDS: Final[dict[str, Keyboard]] = {
    "text": "pinyin",
    "multiline": "pinyin",
    # The digits pad has an extra "X" key for the ID check character and "-" / "." for dates
    # and amounts; the UI decides which extra keys to show from the kind.
    "id_number": "digits",
    "number": "digits",
    "amount": "digits",
    "date": "digits",
    "mobile": "phone",
    "uscc": "latin",
    # Choices are tapped, never typed.
    "choice": "none",
}

# Kinds whose value is a code or a number. Full-width forms (e.g. "１３８", "Ｘ" from a Chinese
# IME on the helper's console) are folded to ASCII by NFKC before checking.
_CODE_KINDS: Final[frozenset[str]] = frozenset(
    {"id_number", "uscc", "mobile", "number", "amount", "date"}
)
_UPPER_KINDS: Final[frozenset[str]] = frozenset({"id_number", "uscc"})

_KIND_CHECKS: Final[dict[str, tuple[Callable[[object], bool], ErrorKey]]] = {
    "id_number": (validators.is_valid_resident_id, "id_number_invalid"),
    "uscc": (validators.is_valid_uscc, "uscc_invalid"),
    "mobile": (validators.is_valid_mobile, "mobile_invalid"),
    "number": (validators.is_valid_whole_number, "number_invalid"),
    "amount": (validators.is_valid_amount, "amount_invalid"),
    "date": (validators.is_valid_date, "date_invalid"),
}


@dataclass(frozen=True, slots=True)
class Choice:
    """One option of a ``choice`` field; ``value`` is what gets submitted."""

    value: str
    label_zh: str
    label_en: str


@dataclass(frozen=True, slots=True)
class FieldSpec:
    """One field of a form. Content mistakes raise ``ValueError`` here, at load time."""

    name: str
    kind: FieldKind
    label_zh: str
    label_en: str
    required: bool = True
    max_length: int | None = None
    choices: tuple[Choice, ...] = ()
    help_zh: str = ""
    help_en: str = ""
    prefill: PrefillKey = ""

    def __post_init__(self) -> None:
        if self.kind not in FIELD_KINDS:
            raise ValueError(f"field {self.name!r}: unknown kind {self.kind!r}")
        if self.prefill not in PREFILL_KEYS:
            raise ValueError(f"field {self.name!r}: unknown prefill key {self.prefill!r}")
        if self.kind == "choice" and not self.choices:
            raise ValueError(f"field {self.name!r}: a choice field needs choices")
        if self.kind != "choice" and self.choices:
            raise ValueError(f"field {self.name!r}: only choice fields take choices")
        if self.max_length is not None and self.max_length < 1:
            raise ValueError(f"field {self.name!r}: max_length must be at least 1")

    @property
    def keyboard(self) -> Keyboard:
        """The on-screen keyboard the UI shows for this field."""
        return _KEYBOARDS[self.kind]

    @property
    def choice_values(self) -> tuple[str, ...]:
        return tuple(c.value for c in self.choices)


@dataclass(frozen=True, slots=True)
class FormSchema:
    """The ordered fields of one service's form; field names are unique."""

    fields: tuple[FieldSpec, ...]
    _by_name: Mapping[str, FieldSpec] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        by_name: dict[str, FieldSpec] = {}
        for spec in self.fields:
            if spec.name in by_name:
                raise ValueError(f"duplicate field name {spec.name!r}")
            by_name[spec.name] = spec
        # Frozen dataclass: the index is derived once, here, and never changes afterwards.
        object.__setattr__(self, "_by_name", by_name)

    def field(self, name: str) -> FieldSpec:
        """The field called ``name``; ``KeyError`` if the form has none."""
        return self._by_name[name]

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(spec.name for spec in self.fields)

    def __contains__(self, name: object) -> bool:
        return name in self._by_name


def normalize(schema: FormSchema, values: Mapping[str, object]) -> dict[str, str]:
    """The values to store and submit: one entry per schema field, in schema order.

    Strips whitespace, folds full-width characters in code and number fields, upper-cases ID
    numbers and credit codes. Missing fields become ``""``; names the schema does not know are
    dropped (:func:`validate` reports them).
    """
    return {spec.name: _normalized(spec, values.get(spec.name)) for spec in schema.fields}


def validate(schema: FormSchema, values: Mapping[str, object]) -> dict[str, ErrorKey]:
    """Check answers against the schema; returns ``{field_name: error_key}``, empty when fine.

    Never raises for user input. A name the schema does not know is reported as
    ``"unknown_field"`` so a stale UI or a confused helper console is noticed, not ignored.
    """
    errors: dict[str, ErrorKey] = {}
    for spec in schema.fields:
        error = _field_error(spec, _normalized(spec, values.get(spec.name)))
        if error is not None:
            errors[spec.name] = error
    for name in values:
        if name not in schema:
            errors[str(name)] = "unknown_field"
    return errors


def _normalized(spec: FieldSpec, raw: object) -> str:
    # Bridges and the assist channel should send str; None means "not answered", and anything
    # else is stringified so validation judges it instead of crashing on it.
    if raw is None:
        return ""
    value = raw if isinstance(raw, str) else str(raw)
    if spec.kind in _CODE_KINDS:
        value = unicodedata.normalize("NFKC", value)
    value = value.strip()
    # ASCII only: the valid forms are ASCII anyway, and upper-casing other scripts can yield
    # decomposed text that NFKC would change again, which would break idempotence.
    if spec.kind in _UPPER_KINDS and value.isascii():
        value = value.upper()
    return value


def _field_error(spec: FieldSpec, value: str) -> ErrorKey | None:
    if not value:
        return "required" if spec.required else None
    if spec.max_length is not None and len(value) > spec.max_length:
        return "too_long"
    if spec.kind == "choice":
        return None if value in spec.choice_values else "choice_invalid"
    check = _KIND_CHECKS.get(spec.kind)
    if check is None:  # text, multiline: any non-empty text within max_length
        return None
    is_valid, error = check
    return None if is_valid(value) else error
