// "Are you still there?" — a countdown before the session is wiped. Any touch continues.
import QtQuick
import QtQuick.Layouts

Rectangle {
    objectName: "timeoutOverlay"
    color: Qt.rgba(0, 0, 0, 0.6)

    MouseArea { anchors.fill: parent }   // swallow touches behind the dialog

    Rectangle {
        anchors.centerIn: parent
        width: parent.width - 2 * theme.margin * 2
        height: box.implicitHeight + 2 * theme.margin
        radius: theme.radius * 2
        color: theme.surface
        border.color: theme.border
        border.width: theme.borderWidth

        ColumnLayout {
            id: box
            anchors.fill: parent
            anchors.margins: theme.margin
            spacing: theme.gap * 1.5

            Text {
                text: qsTr("Are you still there?")
                font.pixelSize: theme.title
                font.bold: true
                font.family: theme.fontFamily
                color: theme.text
                Layout.alignment: Qt.AlignHCenter
            }
            Text {
                objectName: "timeoutCountdown"
                text: qsTr("In %1 seconds this session ends and your information is erased.")
                        .arg(session.secondsLeft)
                font.pixelSize: theme.body
                font.family: theme.fontFamily
                color: theme.muted
                wrapMode: Text.WordWrap
                horizontalAlignment: Text.AlignHCenter
                Layout.fillWidth: true
            }
            BigButton {
                objectName: "continueButton"
                kind: "primary"
                text: qsTr("Continue")
                Layout.fillWidth: true
                onClicked: session.touch()
            }
        }
    }
}
