"""The validation the kiosk runs on a walk-in's answers to a service's form.

A form is data (:class:`contracts.forms.FormSchema`), loaded from the catalog and rendered
generically by the UI; each field kind picks an on-screen keyboard through
:attr:`contracts.forms.FieldSpec.keyboard`. :func:`validate` returns ``{field_name: error_key}``
and never raises for anything a person (or a remote helper) can type: the error keys are stable
strings the UI translates. :func:`normalize` produces the values that are stored and submitted
(stripped, with ID numbers and credit codes upper-cased), and :func:`validate` judges exactly
those values, so what passes validation is what gets filed.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Mapping
from typing import Final, Literal, get_args

from contracts.forms import FieldSpec, FormSchema
from kiosk.services import validators

__all__ = [
    "ERROR_KEYS",
    "ErrorKey",
    "normalize",
    "validate",
]

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
