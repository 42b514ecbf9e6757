"""A typed ``QT_TRANSLATE_NOOP``: marks a string for lupdate and returns it unchanged.

PySide6's own mark is typed ``(object, object) -> object``, so every table of marked strings
would read as ``object`` to mypy. lupdate finds marks by the call's name, not by where the
function comes from, so this one is found exactly like Qt's.
"""

from __future__ import annotations


def QT_TRANSLATE_NOOP(context: str, source_text: str) -> str:
    """The source text, for ``QCoreApplication.translate(context, text)`` at display time."""
    return source_text
