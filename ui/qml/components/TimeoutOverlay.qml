// "Are you still there?" — a countdown before the session is wiped. Any touch continues.
import QtQuick
import QtQuick.Layouts

Rectangle {
    objectName: "timeoutOverlay"
    color: Qt.rgba(0, 0, 0, 0.6)

    MouseArea { anchors.fill: parent }   // swallow touches behind the dialog

    Rectangle {
        anchors.centerIn: parent
        width: parent.width - 2 * Theme.margin * 2
        height: box.implicitHeight + 2 * Theme.margin
        radius: Theme.radius * 2
        color: Theme.surface
        border.color: Theme.border
        border.width: Theme.borderWidth

        ColumnLayout {
            id: box
            anchors.fill: parent
            anchors.margins: Theme.margin
            spacing: Theme.gap * 1.5

            Text {
                text: qsTr("Are you still there?")
                font.pixelSize: Theme.title
                font.bold: true
                font.family: Theme.fontFamily
                color: Theme.text
                Layout.alignment: Qt.AlignHCenter
            }
            Text {
                objectName: "timeoutCountdown"
                text: qsTr("In %1 seconds this session ends and your information is erased.")
                        .arg(session.secondsLeft)
                font.pixelSize: Theme.body
                font.family: Theme.fontFamily
                color: Theme.muted
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
