// A touch chip for one choice of several (or a toggle): filled when selected.
import QtQuick
import QtQuick.Controls

Button {
    id: chip
    property bool selected: false
    property bool invalid: false
    implicitHeight: Math.round(Theme.touch * 0.85)
    implicitWidth: Math.max(Math.round(200 * Theme.s), chipText.implicitWidth + 48)
    focusPolicy: Qt.NoFocus   // never steal focus (and the keyboard) from a text field
    contentItem: Text {
        id: chipText
        text: (chip.selected ? "✓ " : "") + chip.text
        font.pixelSize: Theme.body
        font.family: Theme.fontFamily
        font.bold: chip.selected
        color: chip.selected ? Theme.primaryText : Theme.text
        horizontalAlignment: Text.AlignHCenter
        verticalAlignment: Text.AlignVCenter
        wrapMode: Text.WordWrap
    }
    background: Rectangle {
        radius: Theme.radius
        color: chip.selected ? Theme.primary : (chip.down ? Theme.surfaceAlt : Theme.surface)
        border.color: chip.selected ? Theme.primary : (chip.invalid ? Theme.danger : Theme.border)
        border.width: 2
    }
}
