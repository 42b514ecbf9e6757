"""Prints the session state chart as a Markdown table (kept in docs/architecture.md).

python -m kiosk.session.chart
"""

from __future__ import annotations

from kiosk.session.machine import SessionMachine


def markdown_table() -> str:
    rows = ["| from | event | to |", "|---|---|---|"]
    for state in SessionMachine.states:
        for transition in state.transitions:
            for event in transition.events:
                rows.append(f"| `{state.id}` | `{event}` | `{transition.target.id}` |")
    return "\n".join(rows)


if __name__ == "__main__":
    print(markdown_table())
