"""Types Chinese the way a walk-in does: pinyin keys on the Qt Virtual Keyboard, then a candidate.

A small QML object is created in the kiosk's own engine (nothing test-only ships in the app's
QML); it presses keys through the virtual keyboard's input engine and picks from its candidates.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Q_ARG, QByteArray, QCoreApplication, QMetaObject, QUrl
from PySide6.QtQml import QQmlComponent, QQmlEngine

_QML = b"""
import QtQuick
import QtQuick.VirtualKeyboard
QtObject {
    property string candidates: ""
    property string inputLocale: InputContext.locale
    function press(ch) {
        InputContext.inputEngine.virtualKeyClick(ch.toUpperCase().charCodeAt(0), ch, 0)
        refresh()
    }
    function refresh() {
        var m = InputContext.inputEngine.wordCandidateListModel
        var out = []
        for (var i = 0; i < m.count; ++i)
            out.push(m.dataAt(i, 0))
        candidates = out.join("\n")
    }
    function pick(i) { InputContext.inputEngine.wordCandidateListModel.selectItem(i); refresh() }
    function drop() { InputContext.inputEngine.reset(); refresh() }
}
"""


class PinyinTyper:
    def __init__(self, engine: QQmlEngine) -> None:
        self._component = QQmlComponent(engine)
        self._component.setData(QByteArray(_QML), QUrl("pinyin_typer.qml"))
        obj = self._component.create()
        if obj is None:
            raise RuntimeError(self._component.errorString())
        self._obj: Any = obj

    def type_word(self, pinyin: str, word: str) -> None:
        """Press the pinyin letters, then choose `word` among the candidates."""
        for ch in pinyin:
            QMetaObject.invokeMethod(self._obj, "press", Q_ARG("QVariant", ch))
            QCoreApplication.processEvents()
        candidates = str(self._obj.property("candidates")).split("\n")
        if word not in candidates:
            raise AssertionError(f"{word!r} not offered for {pinyin!r}: {candidates[:10]}")
        QMetaObject.invokeMethod(self._obj, "pick", Q_ARG("QVariant", candidates.index(word)))
        QCoreApplication.processEvents()

    def offered(self, pinyin: str) -> list[str]:
        """Press the pinyin letters and return the candidates, choosing none."""
        for ch in pinyin:
            QMetaObject.invokeMethod(self._obj, "press", Q_ARG("QVariant", ch))
            QCoreApplication.processEvents()
        return str(self._obj.property("candidates")).split("\n")

    def compose(self, pinyin: str, pieces: list[str]) -> None:
        """Press all the pinyin letters, then choose the phrase piece by piece (a rare name the
        dictionary does not know as a word: 褚 + 诗 + 甦 for chushisu)."""
        candidates = self.offered(pinyin)
        for piece in pieces:
            if piece not in candidates:
                raise AssertionError(f"{piece!r} not offered in {pinyin!r}: {candidates[:10]}")
            QMetaObject.invokeMethod(self._obj, "pick", Q_ARG("QVariant", candidates.index(piece)))
            QCoreApplication.processEvents()
            candidates = str(self._obj.property("candidates")).split("\n")

    def drop(self) -> None:
        """Abandon the composition (the letters typed, nothing chosen)."""
        QMetaObject.invokeMethod(self._obj, "drop")
        QCoreApplication.processEvents()

    def close(self) -> None:
        self._obj.deleteLater()
