// A large touch button. `kind`: "primary" (the one main action), "secondary", "quiet".
import QtQuick
import QtQuick.Controls

Button {
    id: control
    property string kind: "secondary"
    implicitHeight: theme.touch
    implicitWidth: Math.max(theme.touch * 2.4, contentItem.implicitWidth + 64)
    font.pixelSize: kind === "primary" ? theme.large : theme.body
    font.family: theme.fontFamily
    font.bold: kind === "primary"
    focusPolicy: Qt.NoFocus   // never steal focus (and the keyboard) from a text field

    contentItem: Text {
        text: control.text
        font: control.font
        color: control.kind === "primary" ? theme.primaryText
             : control.kind === "quiet" ? theme.muted : theme.primary
        horizontalAlignment: Text.AlignHCenter
        verticalAlignment: Text.AlignVCenter
        wrapMode: Text.WordWrap
        opacity: control.enabled ? 1 : 0.5
    }
    background: Rectangle {
        radius: theme.radius
        color: control.kind === "primary"
               ? (control.down ? theme.primaryDark : theme.primary)
               : (control.down ? theme.surfaceAlt : theme.surface)
        border.width: control.kind === "quiet" ? 0 : (control.kind === "primary" ? 0 : 2)
        border.color: theme.primary
        opacity: control.enabled ? 1 : 0.5
    }
}
