// A large touch button. `kind`: "primary" (the one main action), "secondary", "quiet".
import QtQuick
import QtQuick.Controls

Button {
    id: control
    property string kind: "secondary"
    implicitHeight: Theme.touch
    implicitWidth: Math.max(Theme.touch * 2.4, contentItem.implicitWidth + 64)
    font.pixelSize: kind === "primary" ? Theme.large : Theme.body
    font.family: Theme.fontFamily
    font.bold: kind === "primary"
    focusPolicy: Qt.NoFocus   // never steal focus (and the keyboard) from a text field

    contentItem: Text {
        text: control.text
        font: control.font
        color: control.kind === "primary" ? Theme.primaryText
             : control.kind === "quiet" ? Theme.muted : Theme.primary
        horizontalAlignment: Text.AlignHCenter
        verticalAlignment: Text.AlignVCenter
        wrapMode: Text.WordWrap
        opacity: control.enabled ? 1 : 0.5
    }
    background: Rectangle {
        radius: Theme.radius
        color: control.kind === "primary"
               ? (control.down ? Theme.primaryDark : Theme.primary)
               : (control.down ? Theme.surfaceAlt : Theme.surface)
        border.width: control.kind === "quiet" ? 0 : (control.kind === "primary" ? 0 : 2)
        border.color: Theme.primary
        opacity: control.enabled ? 1 : 0.5
    }
}
