"""docs/architecture.md stays true to the state chart in the code."""

from __future__ import annotations

from pathlib import Path

from kiosk.session.chart import markdown_table

DOC = Path(__file__).resolve().parents[2] / "docs" / "architecture.md"


def test_state_chart_table_matches_the_code() -> None:
    assert markdown_table() in DOC.read_text(encoding="utf-8"), (
        "regenerate the table with `python -m kiosk.session.chart`"
    )


def test_every_failure_code_is_documented_for_support() -> None:
    from kiosk.errors import FailureReason

    text = (DOC.parent / "failure_codes.md").read_text(encoding="utf-8")
    missing = [r.value for r in FailureReason if f"`{r.value}`" not in text]
    assert missing == []
