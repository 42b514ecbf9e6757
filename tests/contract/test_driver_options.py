"""Every backend in the registry rejects a bad option with the same error shape: the kind, the
backend, the option, the reason and the accepted values — from its own `from_options`, from
`registry.check_options`, and as a `ConfigError` line when the kiosk reads its config file."""

from __future__ import annotations

import dataclasses
import re
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from drivers import registry
from drivers.card_reader.options import IdentityOverrides
from drivers.options import DriverOptionsError
from kiosk.config import ConfigError, parse_config

# Options a backend cannot be built without; every other option has a default.
REQUIRED: dict[tuple[str, str], dict[str, Any]] = {
    ("card_reader", "ga467"): {"port": "/dev/ttyUSB9"},
    ("printer", "escpos_network"): {"host": "127.0.0.1"},
}
BACKENDS = [(kind, name) for kind, (classes, _models) in registry.KINDS.items() for name in classes]
# Each backend with its smallest valid options; the ESC/POS driver once per connection, since
# each connection has options of its own.
VARIANTS = [(kind, name, REQUIRED.get((kind, name), {})) for kind, name in BACKENDS] + [
    ("printer", "escpos_network", {"connection": "usb", "vendor_id": 1, "product_id": 2}),
    ("printer", "escpos_network", {"connection": "serial", "device": "/dev/ttyS9"}),
]


def _fields(kind: str, name: str, base: dict[str, Any]) -> list[str]:
    """The options of the model that `base` selects (for ESC/POS: its connection's model)."""
    return list(type(registry.options_model(kind, name).parse(base, name)).model_fields)


SHAPE = re.compile(
    r"^(?P<kind>\w+) backend '(?P<backend>\w+)': option '(?P<option>\w+)': "
    r"(?P<reason>.+); accepted: (?P<accepted>.+)$"
)


def _build(kind: str, name: str, options: dict[str, Any]) -> Any:
    builders = {
        "card_reader": registry.build_card_reader,
        "printer": registry.build_printer,
        "camera": registry.build_camera,
        "speaker": registry.build_speaker,
    }
    return builders[kind](name, options)


def _config(kind: str, name: str, options: dict[str, Any]) -> dict[str, Any]:
    return {
        "station": {"id": "ST-1", "name": "站点"},
        "hall": {"url": "http://127.0.0.1:9"},
        "devices": {kind: {"backend": name, "options": options}},
    }


def test_every_backend_has_an_options_model() -> None:
    for classes, models in registry.KINDS.values():
        assert set(classes) == set(models)


@pytest.mark.parametrize(("kind", "name", "base"), VARIANTS)
def test_required_options_are_listed_here(kind: str, name: str, base: dict[str, Any]) -> None:
    # A new backend with a required option must say here how to build it, or the tests below
    # would only ever see "required option is missing".
    model = type(registry.options_model(kind, name).parse(base, name))
    required = {f for f, info in model.model_fields.items() if info.is_required()}
    assert required <= set(base)
    for option in required - {"connection"}:  # the connection picks the model: it stays
        with pytest.raises(DriverOptionsError, match=f"'{option}': required option is missing"):
            model.parse({k: v for k, v in base.items() if k != option}, name)


@pytest.mark.parametrize(("kind", "name"), BACKENDS)
def test_unknown_option_has_the_shape(kind: str, name: str) -> None:
    options = {**REQUIRED.get((kind, name), {}), "no_such_option": 1}
    with pytest.raises(DriverOptionsError) as caught:
        _build(kind, name, options)
    exc = caught.value
    assert isinstance(exc, ValueError)
    assert (exc.kind, exc.backend) == (kind, name)
    match = SHAPE.match(str(exc))
    assert match is not None, str(exc)
    assert match["option"] == "no_such_option"
    assert match["reason"] == "unknown option"
    # The accepted values list every real option of that backend.
    fields = _fields(kind, name, REQUIRED.get((kind, name), {}))
    assert all(field in match["accepted"] for field in fields)


@pytest.mark.parametrize(
    ("kind", "name", "base", "option"),
    [
        (kind, name, base, option)
        for kind, name, base in VARIANTS
        for option in _fields(kind, name, base)
    ],
)
def test_every_option_rejects_a_wrong_value_in_the_same_shape(
    kind: str, name: str, base: dict[str, Any], option: str
) -> None:
    # A list is no valid value for any option (TOML arrays are never options here).
    options = {**base, option: [7]}
    with pytest.raises(DriverOptionsError) as caught:
        registry.check_options(kind, name, options)
    exc = caught.value
    assert len(exc.problems) == 1
    problem = exc.problems[0]
    assert problem.option == option
    assert problem.reason and problem.accepted
    match = SHAPE.match(str(exc))
    assert match is not None, str(exc)
    assert (match["kind"], match["backend"], match["option"]) == (kind, name, option)

    # The same problem, in the same words, when the kiosk reads its config file.
    with pytest.raises(ConfigError) as config_error:
        parse_config(_config(kind, name, options))
    line = f"devices.{kind}.options.{option}: backend {name!r}: {problem.reason}; accepted: "
    assert line + problem.accepted in str(config_error.value)


@pytest.mark.parametrize(("kind", "name"), BACKENDS)
def test_good_options_pass_the_config_check(kind: str, name: str) -> None:
    config = parse_config(_config(kind, name, REQUIRED.get((kind, name), {})))
    assert getattr(config.devices, kind).backend == name


def test_several_problems_are_all_named() -> None:
    with pytest.raises(ConfigError) as caught:
        parse_config(_config("printer", "escpos_network", {"port": 70000, "width_mm": 57}))
    text = str(caught.value)
    for option in ("host", "port", "width_mm"):
        assert f"devices.printer.options.{option}: backend 'escpos_network': " in text
    assert "accepted: one of 58, 80" in text


# Values as TOML gives them: text, whole numbers, floats, booleans, dates, arrays and tables.
toml_values = st.recursive(
    st.one_of(
        st.text(max_size=40),
        st.integers(min_value=-(2**63), max_value=2**63 - 1),
        st.floats(allow_nan=False),
        st.booleans(),
        st.dates(),
    ),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=12), inner),
    max_leaves=6,
)


@pytest.mark.parametrize(("kind", "name"), BACKENDS)
@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_any_options_table_is_accepted_or_refused_in_the_shape(
    kind: str, name: str, data: st.DataObject
) -> None:
    # Known option names most of the time, so the values reach the model's own checks.
    model = registry.options_model(kind, name)
    names = st.sampled_from([*model.model_fields, "identity", "connection", "colour"])
    # Tables with the identity's own field names too, so the values reach its field checks.
    identity_tables = st.dictionaries(
        st.sampled_from(list(IdentityOverrides.model_fields)) | st.text(max_size=8),
        toml_values,
        max_size=3,
    )
    options = data.draw(
        st.dictionaries(names | st.text(max_size=12), toml_values | identity_tables, max_size=4)
    )
    try:
        registry.check_options(kind, name, options)
    except DriverOptionsError as exc:
        assert exc.problems
        for line in str(exc).split("; " + f"{kind} backend "):
            assert line.startswith(f"{kind} backend {name!r}: ") or line.startswith(f"{name!r}: ")
        for problem in exc.problems:
            assert problem.reason and problem.accepted


def test_identity_table_covers_every_identity_field_but_the_photo() -> None:
    # A field added to Identity must be settable in a simulated card's `identity` table.
    from drivers.card_reader.base import Identity

    fields = {f.name for f in dataclasses.fields(Identity)} - {"photo"}
    assert set(IdentityOverrides.model_fields) == fields
