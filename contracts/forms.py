"""The form schema of a service item, as the catalog document carries it: ordered fields, each of a
kind (:data:`FIELD_KINDS`), with labels in both languages, choices and an optional prefill from
the identity card (:data:`PREFILL_KEYS`). The kiosk renders and validates forms from it
(:mod:`kiosk.services.forms`); the hall sends each part of a filing the fields it names.

Content mistakes raise ``ValueError`` when a :class:`FieldSpec` is built, i.e. at load time.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Final, Literal, get_args

__all__ = [
    "FIELD_KINDS",
    "PREFILL_KEYS",
    "Choice",
    "FieldKind",
    "FieldSpec",
    "FormSchema",
    "Keyboard",
    "PrefillKey",
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

# Each kind's on-screen keyboard at the kiosk; part of the field's meaning (a USCC is typed in
# Latin letters, a mobile number on the phone pad), so it travels with the schema.
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
