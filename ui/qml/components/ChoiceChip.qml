// A touch chip for one choice of several (or a toggle): filled when selected.
import QtQuick
import QtQuick.Controls

Button {
    id: chip
    property bool selected: false
    property bool invalid: false
    implicitHeight: Math.round(theme.touch * 0.85)
    implicitWidth: Math.max(Math.round(200 * theme.s), chipText.implicitWidth + 48)
    focusPolicy: Qt.NoFocus   // never steal focus (and the keyboard) from a text field
    contentItem: Text {
        id: chipText
        text: (chip.selected ? "✓ " : "") + chip.text
        font.pixelSize: theme.body
        font.family: theme.fontFamily
        font.bold: chip.selected
        color: chip.selected ? theme.primaryText : theme.text
        horizontalAlignment: Text.AlignHCenter
        verticalAlignment: Text.AlignVCenter
        wrapMode: Text.WordWrap
    }
    background: Rectangle {
        radius: theme.radius
        color: chip.selected ? theme.primary : (chip.down ? theme.surfaceAlt : theme.surface)
        border.color: chip.selected ? theme.primary : (chip.invalid ? theme.danger : theme.border)
        border.width: 2
    }
}
