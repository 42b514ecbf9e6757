"""FieldListModel: the form's fields as a list model, one row per field of the schema.

The form screen's delegates bind to its roles, and an update names only the rows and roles that
differ from what QML already has: a keystroke in one field re-evaluates that field's bindings
and no other delegate's. A different list of field names (another service) resets the model.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QByteArray,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
)

# Role names as the delegate's required properties see them, in role-number order.
ROLES: tuple[str, ...] = (
    "name",
    "kind",
    "label",
    "help",
    "mandatory",
    "maxLength",
    "keyboard",
    "value",
    "error",
    "helperFilled",
    "fromRegister",
    "choices",
    "suggestions",
)
_FIRST_ROLE = 0x0100  # Qt.UserRole, without building the Qt enum namespace on the start path
_ROLE_OF = {name: _FIRST_ROLE + i for i, name in enumerate(ROLES)}

FieldRow = Mapping[str, Any]


class FieldListModel(QAbstractListModel):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[dict[str, Any]] = []

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex | None = None) -> int:
        return 0 if parent is not None and parent.isValid() else len(self._rows)

    def roleNames(self) -> dict[int, QByteArray]:
        return {role: QByteArray(name.encode()) for name, role in _ROLE_OF.items()}

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = 0) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        offset = role - _FIRST_ROLE
        return self._rows[index.row()][ROLES[offset]] if 0 <= offset < len(ROLES) else None

    def rows(self) -> list[dict[str, Any]]:
        """A copy of the rows, as QML sees them."""
        return [dict(r) for r in self._rows]

    def update(self, rows: Sequence[FieldRow]) -> None:
        """Make the model show ``rows``, telling views only about what changed."""
        fresh = [{name: row[name] for name in ROLES} for row in rows]
        if [r["name"] for r in fresh] != [r["name"] for r in self._rows]:
            self.beginResetModel()
            self._rows = fresh
            self.endResetModel()
            return
        for i, (old, new) in enumerate(zip(self._rows, fresh, strict=True)):
            changed = [_ROLE_OF[name] for name in ROLES if old[name] != new[name]]
            if changed:
                self._rows[i] = new
                at = self.index(i, 0)
                self.dataChanged.emit(at, at, changed)
