"""A real pcscd (with vsmartcard-vpcd) for the PC/SC tests, started and stopped by the session.

If pcscd or vpcd is missing the tests fail with the exact apt command (never skip). A pcscd that
is already running is used as is (and the restart test, which must kill it, is skipped then).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from drivers.card_reader.pcscd import PcscdMissing, PcscdProcess


@pytest.fixture(scope="session")
def pcscd() -> Iterator[PcscdProcess]:
    process = PcscdProcess()
    try:
        process.start()
    except PcscdMissing as exc:
        pytest.fail(str(exc), pytrace=False)
    yield process
    process.stop()
