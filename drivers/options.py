"""Driver options as pydantic models, and the one error every bad option raises.

Each backend's `from_options(options)` parses `[devices.<kind>.options]` with its model (strict,
unknown keys forbidden). Whatever is wrong — an unknown key, a wrong type, a value out of range —
comes out as a :class:`DriverOptionsError` naming the backend, the option, the reason and the
accepted values, in one shape for every backend::

    printer backend 'escpos_network': option 'port': 70000 is not accepted; accepted: a whole
    number from 1 to 65535

The models live in light modules (``drivers/<kind>/options.py``: pydantic and the standard
library only) so that `kiosk.config` can check every option when it reads the config file,
without importing a vendor library; the backends parse the same models again when built.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, Self, get_args

from pydantic import BaseModel, ConfigDict, ValidationError


@dataclass(frozen=True, slots=True)
class OptionProblem:
    option: str  # "" for the table as a whole
    reason: str
    accepted: str

    def describe(self) -> str:
        name = f"option {self.option!r}" if self.option else "options"
        return f"{name}: {self.reason}; accepted: {self.accepted}"


class DriverOptionsError(ValueError):
    """A backend cannot be built from its options. `problems` lists every bad option."""

    def __init__(self, kind: str, backend: str, problems: list[OptionProblem]) -> None:
        self.kind = kind
        self.backend = backend
        self.problems = tuple(problems)
        super().__init__(
            "; ".join(f"{kind} backend {backend!r}: {p.describe()}" for p in self.problems)
        )


class DriverOptions(BaseModel):
    """Base of every backend's options: strict types (TOML gives real ones), no unknown keys."""

    # defer_build: a module defines every backend's model, the config check uses one per kind.
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True, defer_build=True)

    KIND: ClassVar[str] = "device"
    BACKEND: ClassVar[str] = ""

    @classmethod
    def parse(cls, options: Mapping[str, Any], backend: str = "") -> Self:
        """Validate `options`; raise DriverOptionsError (a ValueError) naming what is wrong."""
        backend = backend or cls.BACKEND
        try:
            return cls.model_validate(dict(options))
        except ValidationError as exc:
            raise DriverOptionsError(cls.KIND, backend, _problems(cls, exc)) from None

    @classmethod
    def fail(cls, option: str, reason: str, accepted: str, backend: str = "") -> DriverOptionsError:
        """The error for a check outside the model (a package missing, a table inconsistent)."""
        return DriverOptionsError(
            cls.KIND, backend or cls.BACKEND, [OptionProblem(option, reason, accepted)]
        )


def _problems(model: type[BaseModel], exc: ValidationError) -> list[OptionProblem]:
    schema = model.model_json_schema()
    properties: dict[str, Any] = schema.get("properties", {})
    problems: list[OptionProblem] = []
    for err in exc.errors(include_url=False):
        loc = [str(p) for p in err["loc"]]
        top = loc[0] if loc else ""
        # Options are flat but for a table (a nested model, e.g. `identity`): a deeper location
        # is a field of that table, or else only a union's branch (int | str), whose errors
        # would repeat one problem — the first of them stands for the option.
        table = _table_model(model, top)
        inner = ".".join(loc[1:]) if table is not None and len(loc) > 1 else ""
        if any(p.option == top for p in problems):
            continue
        if err["type"] == "extra_forbidden" and inner and table is not None:
            reason = f"unknown field {inner!r}"
            accepted = "fields " + ", ".join(table.model_fields)
        elif err["type"] == "extra_forbidden":
            reason = "unknown option"
            accepted = "any of " + ", ".join(sorted(properties))
        else:
            if err["type"] == "missing":
                reason = "required option is missing"
            elif "input" in err and err["type"] not in ("value_error", "assertion_error"):
                reason = f"{_toml(err['input'])} is not accepted"
            else:
                reason = err["msg"].removeprefix("Value error, ")
            if inner:
                reason = f"{inner}: {reason}"
            accepted = _accepted(properties.get(top, {}), schema.get("$defs", {}))
        problems.append(OptionProblem(top, reason, accepted))
    return problems


def _table_model(model: type[BaseModel], option: str) -> type[BaseModel] | None:
    """The model of an option that is a table of its own, if it is one."""
    field = model.model_fields.get(option)
    pending = [field.annotation] if field is not None else []
    while pending:
        kind = pending.pop()
        if isinstance(kind, type) and issubclass(kind, BaseModel):
            return kind
        pending.extend(get_args(kind))
    return None


def _accepted(prop: dict[str, Any], defs: dict[str, Any]) -> str:
    """What a property accepts, in words, from its JSON schema (or its `description`)."""
    if "description" in prop:
        return str(prop["description"])
    if "$ref" in prop:
        return _accepted(defs.get(prop["$ref"].rsplit("/", 1)[-1], {}), defs)
    if "anyOf" in prop:
        parts = [_accepted(p, defs) for p in prop["anyOf"] if p.get("type") != "null"]
        return " or ".join(p for p in parts if p)
    if "enum" in prop or "const" in prop:
        values = prop.get("enum", [prop.get("const")])
        return "one of " + ", ".join(_toml(v) for v in values)
    kind = prop.get("type")
    if kind == "boolean":
        return "true or false"
    if kind in ("integer", "number"):
        noun = "a whole number" if kind == "integer" else "a number"
        bounds = []
        for key, word in (("minimum", ">="), ("exclusiveMinimum", ">")):
            if key in prop:
                bounds.append(f"{word} {_toml(prop[key])}")
        for key, word in (("maximum", "<="), ("exclusiveMaximum", "<")):
            if key in prop:
                bounds.append(f"{word} {_toml(prop[key])}")
        return f"{noun} {' and '.join(bounds)}".rstrip()
    if kind == "string":
        return "text" + (f" matching {prop['pattern']}" if "pattern" in prop else "")
    if kind == "object":
        return "a table"
    return "see packaging/kiosk.example.toml"


def _toml(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f'"{value}"'
    return str(value)
