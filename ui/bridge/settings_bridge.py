"""SettingsBridge: UI language (Qt Linguist) and care mode (关怀版) for the current session.

The walk-in's choices last for one session; at the attract screen they return to the station's
configured defaults so the next person starts from the same place.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Literal, TypeGuard

from PySide6.QtCore import Property, QCoreApplication, QObject, QTranslator, Signal, Slot
from PySide6.QtQml import QQmlEngine

log = logging.getLogger(__name__)

I18N_DIR = Path(__file__).resolve().parent.parent / "i18n"
Language = Literal["zh_CN", "en_US"]
LANGUAGES: tuple[Language, ...] = ("zh_CN", "en_US")


def is_language(code: str) -> TypeGuard[Language]:
    return code in LANGUAGES


class SettingsBridge(QObject):
    changed = Signal()
    # Care mode switched by the walk-in (or back to the station's default): the session's
    # timeouts follow it at once (ui/app.py rescales the running countdown).
    careModeChanged = Signal(bool)

    def __init__(self, language: str, care_mode: bool, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._default_language, self._default_care = language, care_mode
        self._language: Language = "zh_CN"
        self._applied = False
        self._care = care_mode
        self._translator: QTranslator | None = None
        self._engine: QQmlEngine | None = None
        self._apply_language(language)

    def attach_engine(self, engine: QQmlEngine) -> None:
        self._engine = engine

    def _apply_language(self, language: str) -> None:
        if not is_language(language) or (self._applied and language == self._language):
            return
        app = QCoreApplication.instance()
        if self._translator is not None and app is not None:
            app.removeTranslator(self._translator)
            self._translator = None
        if language != "en_US":  # English is the source language of the .ts files
            translator = QTranslator(self)
            qm = I18N_DIR / f"qihang_{language}.qm"
            if translator.load(str(qm)) and app is not None:
                app.installTranslator(translator)
                self._translator = translator
            else:
                log.error("translation %s missing; run `make i18n`", qm.name)
        self._language, self._applied = language, True
        if self._engine is not None:
            self._engine.retranslate()
        self.changed.emit()

    # Typed reads for Python callers (the Qt Properties below are what QML sees).
    @property
    def current_language(self) -> Language:
        return self._language

    @property
    def care_mode(self) -> bool:
        return self._care

    def _get_language(self) -> str:
        return self._language

    def _get_care(self) -> bool:
        return self._care

    def _get_scale(self) -> float:
        return 1.4 if self._care else 1.0

    language = Property(str, _get_language, notify=changed)
    careMode = Property(bool, _get_care, notify=changed)
    scale = Property(float, _get_scale, notify=changed)

    @Slot(str)
    def setLanguage(self, language: str) -> None:
        self._apply_language(language)

    @Slot(bool)
    def setCareMode(self, on: bool) -> None:
        if on != self._care:
            self._care = on
            self.changed.emit()
            self.careModeChanged.emit(on)

    def close(self) -> None:
        """Uninstall this bridge's translator (the application outlives the bridge in tests)."""
        app = QCoreApplication.instance()
        if self._translator is not None and app is not None:
            app.removeTranslator(self._translator)
        self._translator = None

    @Slot()
    def resetToDefaults(self) -> None:
        self._apply_language(self._default_language)
        self.setCareMode(self._default_care)
