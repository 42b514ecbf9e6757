"""Fixtures for the contract tests: ``rig`` runs a printer test once per backend."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.contract.printer_rig import RIGS, PrinterRig


@pytest.fixture(params=sorted(RIGS))
def rig(request: pytest.FixtureRequest) -> Iterator[PrinterRig]:
    made = RIGS[request.param]()
    yield made
    made.stop()
