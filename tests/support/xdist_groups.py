"""How `make test` deals the tests out to xdist's two workers (``--dist loadgroup``).

A file's tests stay together on one worker, in order, so a module's fixtures are built once.
pcscd serves one socket per machine and vpcd listens on fixed ports: the tests that start it
(directly, or through ``python -m bench card``) form one group, run one after another.

xdist's loadgroup reads a test's group from an ``@group`` suffix of its id, which xdist 3.8 adds
by assigning ``item._nodeid``; pytest 9 keeps the id in ``item._id`` and ignores that, so every
test was dealt out on its own and pcscd's tests ran on both workers at once (two pcscd, one vpcd
port: a card was "read" after its pcscd had been killed). The suffix is set here, in the workers
of a loadgroup run only (tests/unit/test_xdist_groups.py checks where the tests land).
"""

from __future__ import annotations

import pytest

PCSCD_GROUP = "pcscd"
PCSCD_TESTS = ("tests/pcsc/", "tests/contract/test_card_reader.py")
# Of the bench smoke test only `python -m bench card` starts pcscd; the other benches are a
# group of their own, free to run beside pcscd's.
PCSCD_BENCH = "tests/bench/test_bench_smoke.py::"
PCSCD_BENCH_PARAM = "[card]"


def group_of(nodeid: str) -> str:
    path = nodeid.split("::", 1)[0]
    if path.startswith(PCSCD_TESTS):
        return PCSCD_GROUP
    if nodeid.startswith(PCSCD_BENCH) and nodeid.endswith(PCSCD_BENCH_PARAM):
        return PCSCD_GROUP
    return path


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if not (hasattr(config, "workerinput") and getattr(config.option, "loadgroup", False)):
        return
    for item in items:
        _set_node_id(item, f"{item.nodeid}@{group_of(item.nodeid)}")


def _set_node_id(item: pytest.Item, nodeid: str) -> None:
    if hasattr(item, "_id"):  # pytest >= 9: a structured id
        from _pytest.nodeid import coerce_node_id

        item._id = coerce_node_id(nodeid)
    else:
        item._nodeid = nodeid
